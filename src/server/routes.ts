/**
 * The server's route table, in the order a request is matched: the channels' webhooks, the agent API, the admin API,
 * `/metrics`, the pages, `/healthz`, the NLU API; anything else is 404. A route that throws is answered by
 * {@link sendError} (503 for a database outage, the HttpError's status, else 500).
 */
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { Bot } from '../bot.ts';
import type { ConsoleHub } from '../handoff/console-hub.ts';
import type { HandoffService } from '../handoff/handoff-service.ts';
import { type RouteHandler, sendJson } from '../http/http-utils.ts';
import type { Logger } from '../log.ts';
import type { DriftMonitor } from '../metrics/drift.ts';
import type { Metrics } from '../metrics/prometheus.ts';
import type { TurnSpool } from '../store/turn-spool.ts';
import type { TurnIntake } from '../turn-intake.ts';
import { handleAdminApi } from './admin-api.ts';
import { handleAgentApi } from './agent-api.ts';
import type { AgentAuth } from './agent-auth.ts';
import { hasBearer } from './bearer-token.ts';
import { sendError } from './http-errors.ts';
import { handleParse } from './nlu-api.ts';
import type { Stores } from './open-stores.ts';

/** The pages: web chat, playground (every score behind a decision), agent console, dashboard. */
const PAGES: Record<string, string> = Object.fromEntries(
  [
    ['/', 'chat.html'],
    ['/playground', 'playground.html'],
    ['/agents', 'agents.html'],
    ['/dashboard', 'dashboard.html'],
  ].map(([path, file]) => [path, readFileSync(join(import.meta.dirname, '..', 'web', file), 'utf8')]),
);

/** What the routes serve. */
export interface RouteDeps {
  /** `'POST /slack/events'` → handler: what the channels mounted. */
  channelRoutes: Map<string, RouteHandler>;
  bot: Bot;
  stores: Stores;
  handoffs: HandoffService;
  hub: ConsoleHub;
  metrics: Metrics;
  drift: DriftMonitor;
  spool: TurnSpool;
  intake: TurnIntake;
  /** Who may use the agent API: signed-in agents, and machines with `SWITCHBOARD_AGENT_TOKEN`. */
  agentAuth: AgentAuth;
  adminToken: string;
  /** `SWITCHBOARD_METRICS_TOKEN`: when set, `/metrics` needs it as a bearer token. */
  metricsToken?: string;
  configFile: string;
  log: Logger;
}

/** A route: true when it answered the request. */
type Route = (req: IncomingMessage, res: ServerResponse, path: string) => Promise<boolean> | boolean;

/** The request listener of the server's one port. */
export function routeRequests(d: RouteDeps): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const routes: Route[] = [
    async (req, res, path) => {
      const route = d.channelRoutes.get(`${req.method} ${path}`);
      if (route) await route(req, res);
      return route !== undefined;
    },
    (req, res) =>
      handleAgentApi(req, res, {
        handoffs: d.handoffs,
        hub: d.hub,
        auth: d.agentAuth,
        alertAfterMinutes: d.bot.config.handoff.alert_after_minutes,
      }),
    (req, res) =>
      handleAdminApi(req, res, {
        bot: d.bot,
        turns: d.stores.turns,
        adminToken: d.adminToken,
        agentAuth: d.agentAuth,
        drift: d.drift,
        onReload: (r) => {
          d.metrics.setModel(r.current);
          d.log.info('model_reloaded', { previous: r.previous, current: r.current, thresholds: r.thresholds });
          if (r.warning) d.log.warn('model_oos_protection', { model: r.current, warning: r.warning });
        },
      }),
    (req, res) => req.method === 'GET' && req.url === '/metrics' && metrics(req, res, d),
    (req, res, path) => req.method === 'GET' && Object.hasOwn(PAGES, path) && page(res, PAGES[path]),
    // Browsers ask every page's site for an icon: no content, rather than a 404 in every console.
    (req, res, path) => req.method === 'GET' && path === '/favicon.ico' && (res.writeHead(204).end(), true),
    (req, res) => req.method === 'GET' && req.url === '/healthz' && health(res, d),
    async (req, res) => {
      if (req.method !== 'POST' || req.url !== '/api/nlu/parse') return false;
      await handleParse(req, res, { bot: d.bot, store: d.stores.conversations });
      return true;
    },
  ];
  return async (req, res) => {
    const path = req.url?.split('?')[0] ?? '';
    try {
      for (const route of routes) if (await route(req, res, path)) return;
      sendJson(res, 404, { error: 'E_NOT_FOUND', message: `${req.method} ${path} is not served` });
    } catch (e) {
      sendError(res, e, d.log, path);
    }
  };
}

/** The Prometheus scrape; with `SWITCHBOARD_METRICS_TOKEN` set, only for a request that carries it. */
async function metrics(req: IncomingMessage, res: ServerResponse, d: RouteDeps): Promise<true> {
  if (d.metricsToken !== undefined && !hasBearer(req, d.metricsToken)) {
    res.setHeader('www-authenticate', 'Bearer');
    sendJson(res, 401, {
      error: 'E_UNAUTHORIZED',
      message: 'Authorization: Bearer <SWITCHBOARD_METRICS_TOKEN> required',
    });
    return true;
  }
  const { contentType, body } = await d.metrics.scrape();
  res.writeHead(200, { 'content-type': contentType });
  res.end(body);
  return true;
}

function page(res: ServerResponse, html: string): true {
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-cache' });
  res.end(html);
  return true;
}

/**
 * 200 when the database answers and no turn waits in the spool, else 503; unfinished turns in the inbox (being
 * handled, or waiting to be taken up again); the rule recognizers' thread's state.
 */
async function health(res: ServerResponse, d: RouteDeps): Promise<true> {
  const thread = d.bot.nlu.entities.thread;
  const database = await d.stores.healthy();
  const ok = database && d.spool.size === 0;
  const pending = database ? await d.stores.inbox.pending().catch(() => undefined) : undefined;
  sendJson(res, ok ? 200 : 503, {
    ok,
    database: database ? 'up' : 'down',
    spooled_turns: d.spool.size,
    ...(pending !== undefined ? { unfinished_turns: pending } : {}),
    turns_in_progress: d.intake.active,
    config: d.configFile,
    rule_entities: thread
      ? { ready: thread.isReady, queued: thread.queued, ...thread.stats }
      : { ready: true, inline: true },
  });
  return true;
}
