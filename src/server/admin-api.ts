/**
 * The admin API (bearer token `SWITCHBOARD_ADMIN_TOKEN`):
 * - `GET /api/admin/report?since=7d&until=…` → the automation report (as `switchboard report --json`);
 * - `POST /api/admin/models/reload {dir?}` → replaces the intent model without a restart; a model that does not load,
 *   misses the config's intents or cannot classify is refused (422) and the old one keeps serving;
 * - `GET /api/admin/drift` → the last drift check.
 * And the agents' audit queue (a signed-in agent's session token, or `SWITCHBOARD_AGENT_TOKEN` from a machine):
 * - `GET /api/audits?status=pending|done` → sampled automated answers (redacted text, intent, answer);
 * - `POST /api/audits/{turn id} {agent?, verdict: correct|wrong, intent?, replace?}` (the audit is the signed-in
 *   agent's; a machine names the agent) → 404 unknown, 409 not sampled or done; `replace: true` changes the same
 *   agent's earlier verdict (403 when another agent gave it).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Bot, ModelReload } from '../bot.ts';
import { isSwitchboardError } from '../errors.ts';
import { decodePathSegment, readJson, sendJson } from '../http/http-utils.ts';
import { automationReport, parseTime } from '../metrics/automation-report.ts';
import type { DriftMonitor } from '../metrics/drift.ts';
import type { TurnLog } from '../metrics/turn-log.ts';
import { actingAgent, agentUnauthorized } from './agent-api.ts';
import type { AgentAuth } from './agent-auth.ts';
import { hasBearer } from './bearer-token.ts';

export interface AdminApiOptions {
  bot: Bot;
  turns: TurnLog;
  adminToken: string;
  agentAuth: AgentAuth;
  drift?: DriftMonitor;
  /** Called after a successful reload (metrics). */
  onReload?: (reload: ModelReload) => void;
}

const unauthorized = (res: ServerResponse, name: string) =>
  sendJson(res, 401, { error: 'E_UNAUTHORIZED', message: `Authorization: Bearer <${name}> required` });

/** Handles `/api/admin/…` and `/api/audits…`; false when the path is neither. */
export async function handleAdminApi(req: IncomingMessage, res: ServerResponse, o: AdminApiOptions): Promise<boolean> {
  const url = new URL(req.url ?? '/', 'http://x');
  const path = url.pathname;
  const admin = path.startsWith('/api/admin/');
  const audits = path === '/api/audits' || path.startsWith('/api/audits/');
  if (!admin && !audits) return false;
  if (admin && !hasBearer(req, o.adminToken)) {
    unauthorized(res, 'SWITCHBOARD_ADMIN_TOKEN');
    return true;
  }
  const caller = audits ? o.agentAuth.caller(req) : undefined;
  if (audits && !caller) {
    agentUnauthorized(res);
    return true;
  }
  try {
    if (req.method === 'GET' && path === '/api/admin/report') {
      let since: number;
      let until: number;
      try {
        since = parseTime(url.searchParams.get('since') ?? '7d');
        until = url.searchParams.get('until') ? parseTime(url.searchParams.get('until') as string) : Date.now() + 1;
      } catch (e) {
        sendJson(res, 400, { error: 'E_BAD_REQUEST', message: (e as Error).message });
        return true;
      }
      sendJson(res, 200, await automationReport(o.turns, since, until));
      return true;
    }
    if (req.method === 'POST' && path === '/api/admin/models/reload') {
      const body = (await readJson(req, undefined, { allowEmpty: true })) as { dir?: unknown } | null;
      if (body?.dir !== undefined && (typeof body.dir !== 'string' || body.dir.length === 0)) {
        sendJson(res, 400, { error: 'E_BAD_REQUEST', message: 'dir must be a model directory path' });
        return true;
      }
      try {
        const versions = await o.bot.reloadIntentModel(body?.dir as string | undefined);
        o.onReload?.(versions);
        sendJson(res, 200, { ok: true, ...versions });
      } catch (e) {
        sendJson(res, 422, {
          error: isSwitchboardError(e) ? e.code : 'E_RELOAD',
          message: `model refused, the current one (${o.bot.modelVersion}) keeps serving: ${(e as Error).message}`,
        });
      }
      return true;
    }
    if (req.method === 'GET' && path === '/api/admin/drift') {
      sendJson(res, 200, o.drift?.last ?? { checked: false });
      return true;
    }
    if (req.method === 'GET' && path === '/api/audits') {
      const status = url.searchParams.get('status') ?? 'pending';
      if (status !== 'pending' && status !== 'done') {
        sendJson(res, 400, { error: 'E_BAD_REQUEST', message: 'status must be pending or done' });
        return true;
      }
      const list = await o.turns.audits(status);
      sendJson(
        res,
        200,
        list.map((t) => ({ ...t, answer: t.intent ? o.bot.config.answers[t.intent]?.[t.language ?? ''] : undefined })),
      );
      return true;
    }
    const id = path.startsWith('/api/audits/') ? decodePathSegment(path.slice('/api/audits/'.length)) : '';
    if (req.method === 'POST' && id) {
      const body = (await readJson(req)) as Record<string, unknown> | null;
      const verdict = body?.verdict;
      const intent = body?.intent;
      if (verdict !== 'correct' && verdict !== 'wrong') {
        sendJson(res, 400, {
          error: 'E_BAD_REQUEST',
          message: 'give {verdict: correct|wrong, intent?, replace?} (and agent, from a machine)',
        });
        return true;
      }
      const agent = caller && actingAgent(caller, body?.agent, res);
      if (agent === undefined) return true;
      if (intent !== undefined && typeof intent !== 'string') {
        sendJson(res, 400, { error: 'E_BAD_REQUEST', message: 'intent must be a string' });
        return true;
      }
      const replace = body?.replace;
      if (replace !== undefined && typeof replace !== 'boolean') {
        sendJson(res, 400, { error: 'E_BAD_REQUEST', message: 'replace must be true or false' });
        return true;
      }
      sendJson(
        res,
        200,
        await o.turns.audit(id, verdict, agent, Date.now(), intent as string | undefined, replace === true),
      );
      return true;
    }
    sendJson(res, 404, { error: 'E_NOT_FOUND', message: `${req.method} ${path} is not served` });
  } catch (e) {
    if (isSwitchboardError(e) && e.status) sendJson(res, e.status, { error: e.code, message: e.message });
    else throw e;
  }
  return true;
}
