/**
 * The agent REST API (bearer token `SWITCHBOARD_AGENT_TOKEN`):
 * - `GET /api/handoffs?status=queued|claimed|resolved|abandoned|cancelled` → tickets, oldest first;
 * - `GET /api/handoffs/{id}` → one ticket with its transcript;
 * - `POST /api/handoffs/{id}/claim {agent}`, `POST /api/handoffs/{id}/messages {agent, text, id?}` (`id`: the
 *   client's message id — a retried request with the same id writes and sends the line once),
 *   `POST /api/handoffs/{id}/resolve {agent, intent?}`;
 * - `GET /api/handoffs/events` → the console's live event stream.
 * No or bad token → 401; unknown ticket → 404; wrong state → 409; another agent's ticket → 403; bad body → 400.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isSwitchboardError } from '../errors.ts';
import type { ConsoleHub } from '../handoff/console-hub.ts';
import type { HandoffService } from '../handoff/handoff-service.ts';
import { MAX_AGENT_TEXT, TICKET_STATUSES, type TicketStatus } from '../handoff/ticket.ts';
import { decodePathSegment, readJson, sendJson } from '../http/http-utils.ts';
import { hasBearer } from './bearer-token.ts';

export interface AgentApiOptions {
  handoffs: HandoffService;
  hub: ConsoleHub;
  token: string;
}

const str = (v: unknown, max = 200) => typeof v === 'string' && v.trim().length > 0 && v.length <= max;

/** Handles `/api/handoffs…`; returns false when the path is not the API's. */
export async function handleAgentApi(req: IncomingMessage, res: ServerResponse, o: AgentApiOptions): Promise<boolean> {
  const url = new URL(req.url ?? '/', 'http://x');
  if (url.pathname !== '/api/handoffs' && !url.pathname.startsWith('/api/handoffs/')) return false;
  if (!hasBearer(req, o.token)) {
    sendJson(res, 401, {
      error: 'E_UNAUTHORIZED',
      message: 'Authorization: Bearer <SWITCHBOARD_AGENT_TOKEN> required',
    });
    return true;
  }
  const parts = url.pathname.split('/').slice(3).map(decodePathSegment); // after /api/handoffs; a bad escape → 400
  try {
    if (req.method === 'GET' && parts.length === 0) {
      const status = url.searchParams.get('status') ?? undefined;
      if (status !== undefined && !TICKET_STATUSES.includes(status as TicketStatus)) {
        sendJson(res, 400, { error: 'E_BAD_REQUEST', message: `status must be one of ${TICKET_STATUSES.join(', ')}` });
        return true;
      }
      sendJson(res, 200, await o.handoffs.list(status as TicketStatus | undefined));
      return true;
    }
    if (req.method === 'GET' && parts.length === 1 && parts[0] === 'events') {
      o.hub.attach(res);
      return true;
    }
    if (req.method === 'GET' && parts.length === 1) {
      const t = await o.handoffs.ticket(parts[0]);
      if (!t) sendJson(res, 404, { error: 'E_TICKET_NOT_FOUND', message: `no ticket ${parts[0]}` });
      else sendJson(res, 200, t);
      return true;
    }
    if (req.method === 'POST' && parts.length === 2) {
      const [id, action] = parts;
      const body = (await readJson(req)) as Record<string, unknown> | null;
      const agent = body?.agent;
      if (!str(agent)) {
        sendJson(res, 400, { error: 'E_BAD_REQUEST', message: 'agent must be a non-empty string' });
        return true;
      }
      if (action === 'claim') {
        sendJson(res, 200, await o.handoffs.claim(id, agent as string));
        return true;
      }
      if (action === 'messages') {
        if (!str(body?.text, MAX_AGENT_TEXT)) {
          sendJson(res, 400, {
            error: 'E_BAD_REQUEST',
            message: `text must be a non-empty string of at most ${MAX_AGENT_TEXT} characters`,
          });
          return true;
        }
        const key = body?.id;
        if (key !== undefined && !str(key, 100)) {
          sendJson(res, 400, {
            error: 'E_BAD_REQUEST',
            message: 'id must be a non-empty string of at most 100 characters',
          });
          return true;
        }
        sendJson(res, 200, await o.handoffs.agentMessage(id, agent as string, body?.text as string, key as string));
        return true;
      }
      if (action === 'resolve') {
        const intent = body?.intent;
        if (intent !== undefined && intent !== null && !str(intent)) {
          sendJson(res, 400, { error: 'E_BAD_REQUEST', message: 'intent must be a non-empty string when given' });
          return true;
        }
        sendJson(res, 200, await o.handoffs.resolve(id, agent as string, (intent as string | undefined) ?? undefined));
        return true;
      }
    }
    sendJson(res, 404, { error: 'E_NOT_FOUND', message: `${req.method} ${url.pathname} is not served` });
  } catch (e) {
    if (isSwitchboardError(e) && e.status) sendJson(res, e.status, { error: e.code, message: e.message });
    else throw e;
  }
  return true;
}
