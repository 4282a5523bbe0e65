/**
 * The agent REST API. Sign-in (no token):
 * - `POST /api/agents/sign-in {agent, password}` or `{code}` (a one-time link's) → `{token, agent, name, expires_at}`;
 *   wrong id, password or used link → 401 E_SIGN_IN.
 * Everything else needs `Authorization: Bearer <session token>` (a signed-in agent: requests act as that agent, and a
 * body naming another agent is 403 E_NOT_YOU) or `Bearer <SWITCHBOARD_AGENT_TOKEN>` (a machine: it names the agent in
 * `agent`):
 * - `GET /api/agents/me` → who the token is (`{machine: true}` or the agent's id, name, languages, skills), with
 *   `alert_after_minutes` and the server's `now` (the console marks tickets waiting longer);
 * - `GET /api/handoffs?status=queued|claimed|resolved|abandoned|cancelled` → tickets, oldest first (each with `customer_name`);
 * - `GET /api/handoffs/{id}` → one ticket with its transcript;
 * - `POST /api/handoffs/{id}/claim {agent?, override?}` (a ticket outside the agent's languages or skills: 403
 *   E_NOT_ELIGIBLE unless `override: true`, which is logged), `POST /api/handoffs/{id}/messages {agent?, text, id?}`
 *   (`id`: the client's message id — a retried request with the same id writes and sends the line once),
 *   `POST /api/handoffs/{id}/resolve {agent?, intent?}`;
 * - `GET /api/handoffs/events` → the console's live event stream.
 * No or bad token → 401; unknown ticket → 404; wrong state → 409; another agent's ticket → 403; bad body → 400.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isSwitchboardError } from '../errors.ts';
import type { ConsoleHub } from '../handoff/console-hub.ts';
import type { HandoffService } from '../handoff/handoff-service.ts';
import { MAX_AGENT_TEXT, TICKET_STATUSES, type Ticket, type TicketStatus } from '../handoff/ticket.ts';
import { decodePathSegment, readJson, sendJson } from '../http/http-utils.ts';
import type { AgentAuth, AgentCaller } from './agent-auth.ts';

export interface AgentApiOptions {
  handoffs: HandoffService;
  hub: ConsoleHub;
  auth: AgentAuth;
  /** bot.yaml's `handoff.alert_after_minutes`: told to consoles, which mark tickets waiting longer. */
  alertAfterMinutes?: number;
}

const str = (v: unknown, max = 200) => typeof v === 'string' && v.trim().length > 0 && v.length <= max;

/** The 401 of the agent API (and the audits'). */
export function agentUnauthorized(res: ServerResponse): void {
  sendJson(res, 401, {
    error: 'E_UNAUTHORIZED',
    message:
      'sign in at /agents (POST /api/agents/sign-in), or send Authorization: Bearer <SWITCHBOARD_AGENT_TOKEN> from a machine',
  });
}

/**
 * The agent a request acts as: a signed-in agent's own id (a body naming another → E_NOT_YOU), or the id a machine
 * names in `agent`. Answers the error itself and returns undefined when there is none.
 */
export function actingAgent(caller: AgentCaller, named: unknown, res: ServerResponse): string | undefined {
  if (caller.kind === 'agent') {
    if (named !== undefined && named !== null && named !== caller.agent) {
      sendJson(res, 403, {
        error: 'E_NOT_YOU',
        message: `you are signed in as ${caller.agent}: a request cannot act as another agent`,
      });
      return undefined;
    }
    return caller.agent;
  }
  if (!str(named)) {
    sendJson(res, 400, { error: 'E_BAD_REQUEST', message: 'agent must be a non-empty string' });
    return undefined;
  }
  return named as string;
}

/** A ticket with the customer's display name (their channel's, else the ticket's customer). */
async function withName(handoffs: HandoffService, t: Ticket): Promise<Ticket & { customer_name: string }> {
  const name = await handoffs.customerName(t).catch(() => undefined);
  return { ...t, customer_name: name ?? t.customer };
}

/** Handles `/api/agents/…` and `/api/handoffs…`; returns false when the path is not the API's. */
export async function handleAgentApi(req: IncomingMessage, res: ServerResponse, o: AgentApiOptions): Promise<boolean> {
  const url = new URL(req.url ?? '/', 'http://x');
  const handoffs = url.pathname === '/api/handoffs' || url.pathname.startsWith('/api/handoffs/');
  const agents = url.pathname.startsWith('/api/agents/');
  if (!handoffs && !agents) return false;
  try {
    if (req.method === 'POST' && url.pathname === '/api/agents/sign-in') {
      sendJson(res, 200, await o.auth.signIn((await readJson(req)) as Record<string, unknown> | null));
      return true;
    }
    const caller = o.auth.caller(req);
    if (!caller) {
      agentUnauthorized(res);
      return true;
    }
    if (agents) {
      if (req.method === 'GET' && url.pathname === '/api/agents/me') {
        const p = caller.kind === 'agent' ? o.auth.profile(caller.agent) : undefined;
        const who =
          caller.kind === 'machine'
            ? { machine: true }
            : { agent: caller.agent, name: p?.name ?? caller.agent, languages: p?.languages, skills: p?.skills };
        // The console marks a ticket waiting longer than the alert threshold, by the server's clock.
        sendJson(res, 200, { ...who, alert_after_minutes: o.alertAfterMinutes, now: Date.now() });
      } else sendJson(res, 404, { error: 'E_NOT_FOUND', message: `${req.method} ${url.pathname} is not served` });
      return true;
    }
    return await handoffRoutes(req, res, url, caller, o);
  } catch (e) {
    if (isSwitchboardError(e) && e.status) sendJson(res, e.status, { error: e.code, message: e.message });
    else throw e;
  }
  return true;
}

async function handoffRoutes(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  caller: AgentCaller,
  o: AgentApiOptions,
): Promise<true> {
  const parts = url.pathname.split('/').slice(3).map(decodePathSegment); // after /api/handoffs; a bad escape → 400
  if (req.method === 'GET' && parts.length === 0) {
    const status = url.searchParams.get('status') ?? undefined;
    if (status !== undefined && !TICKET_STATUSES.includes(status as TicketStatus)) {
      sendJson(res, 400, { error: 'E_BAD_REQUEST', message: `status must be one of ${TICKET_STATUSES.join(', ')}` });
      return true;
    }
    const list = await o.handoffs.list(status as TicketStatus | undefined);
    sendJson(res, 200, await Promise.all(list.map((t) => withName(o.handoffs, t))));
    return true;
  }
  if (req.method === 'GET' && parts.length === 1 && parts[0] === 'events') {
    o.hub.attach(res);
    return true;
  }
  if (req.method === 'GET' && parts.length === 1) {
    const t = await o.handoffs.ticket(parts[0]);
    if (!t) sendJson(res, 404, { error: 'E_TICKET_NOT_FOUND', message: `no ticket ${parts[0]}` });
    else sendJson(res, 200, await withName(o.handoffs, t));
    return true;
  }
  if (req.method === 'POST' && parts.length === 2) {
    const [id, action] = parts;
    const body = (await readJson(req)) as Record<string, unknown> | null;
    const agent = actingAgent(caller, body?.agent, res);
    if (agent === undefined) return true;
    if (action === 'claim') {
      const override = body?.override;
      if (override !== undefined && typeof override !== 'boolean') {
        sendJson(res, 400, { error: 'E_BAD_REQUEST', message: 'override must be true or false' });
        return true;
      }
      sendJson(
        res,
        200,
        await withName(o.handoffs, await o.handoffs.claim(id, agent, { override: override === true })),
      );
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
      sendJson(res, 200, await o.handoffs.agentMessage(id, agent, body?.text as string, key as string));
      return true;
    }
    if (action === 'resolve') {
      const intent = body?.intent;
      if (intent !== undefined && intent !== null && !str(intent)) {
        sendJson(res, 400, { error: 'E_BAD_REQUEST', message: 'intent must be a non-empty string when given' });
        return true;
      }
      const resolved = await o.handoffs.resolve(id, agent, (intent as string | undefined) ?? undefined);
      sendJson(res, 200, await withName(o.handoffs, resolved));
      return true;
    }
  }
  sendJson(res, 404, { error: 'E_NOT_FOUND', message: `${req.method} ${url.pathname} is not served` });
  return true;
}
