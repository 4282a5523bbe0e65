import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, join } from 'node:path';
import type { ChannelContext, ChannelMount } from '../adapters/channel-mount.ts';
import type { ChannelSender } from '../adapters/channel-sender.ts';
import { mountSlack } from '../adapters/slack/mount-slack.ts';
import { mountTeams } from '../adapters/teams/mount-teams.ts';
import { mountWebChat } from '../adapters/web/web-chat.ts';
import { Bot } from '../bot.ts';
import { readEnvConfig } from '../config/env-config.ts';
import { ConsoleHub } from '../handoff/console-hub.ts';
import { HandoffService } from '../handoff/handoff-service.ts';
import { createLogger } from '../log.ts';
import { DriftMonitor, readBaseline } from '../metrics/drift.ts';
import { Metrics } from '../metrics/prometheus.ts';
import { DEFAULT_BOT_CONFIG } from '../nlu/default-model.ts';
import type { LanguageHints } from '../nlu/language/language-detection.ts';
import { baseLanguage } from '../nlu/language/languages.ts';
import { handleAdminApi } from '../server/admin-api.ts';
import { handleAgentApi } from '../server/agent-api.ts';
import { tokenOrRandom } from '../server/bearer-token.ts';
import { HttpError, type RouteHandler, readJson, sendJson as send } from '../server/http-utils.ts';
import { MAX_CONVERSATION_ID } from '../store/conversation-store.ts';
import { openStores } from '../store/open-stores.ts';
import { isUnavailable } from '../store/postgres-client.ts';
import { TurnSpool } from '../store/turn-spool.ts';
import type { ChannelName, Turn } from '../turn.ts';
import type { TurnOutcome } from '../turn-handler.ts';
import { TurnHandler } from '../turn-handler.ts';
import { parseCommandArgs } from './cli-args.ts';

/** The pages: `/` web chat with the bot, `/playground` every score of the NLU and the router's decision. */
const PAGES: Record<string, string> = {
  '/': readFileSync(join(import.meta.dirname, '..', 'web', 'chat.html'), 'utf8'),
  '/playground': readFileSync(join(import.meta.dirname, '..', 'web', 'playground.html'), 'utf8'),
  '/agents': readFileSync(join(import.meta.dirname, '..', 'web', 'agents.html'), 'utf8'),
  '/dashboard': readFileSync(join(import.meta.dirname, '..', 'web', 'dashboard.html'), 'utf8'),
};

/**
 * `switchboard start [--config bot.yaml] [--store FILE]`: the HTTP server on `HOST:PORT` (default 127.0.0.1:3978) for a
 * bot config (default config/demo.yaml): pages `/` (web chat) and `/playground`, `GET /healthz`, and
 * `POST /api/nlu/parse {text, conversation?, language?, hints?, wait_entities?}` → `{understanding, decision,
 * reply}` (rule entities that miss the config's budget are `pending` unless `wait_entities` is true). With a
 * `conversation` id the turn continues that conversation (sticky language, clarify attempts), kept in SQLite (`--store`,
 * default data/switchboard.db); `language` is a language hint, `hints` may add `locale` and `default`.
 */
export async function startCommand(args: string[]): Promise<number> {
  const { values } = parseCommandArgs(args, { config: { type: 'string' }, store: { type: 'string' } }, 'start');
  const configFile = values.config ?? DEFAULT_BOT_CONFIG;
  const storeFile = values.store ?? join('data', 'switchboard.db');

  const env = readEnvConfig();
  const port = env.port;
  const log = createLogger({ logText: env.logText });
  // PostgreSQL with DATABASE_URL, else the embedded SQLite file; unreachable → a clear error here, at startup (before the models load).
  const stores = await openStores({ databaseUrl: env.databaseUrl, sqliteFile: storeFile });
  // Rule recognizers in a worker thread: a slow message (numbers in words) never blocks the server's other turns.
  const bot = await Bot.load(configFile, { ruleThread: true });
  const nlu = bot.nlu;
  // The thread compiles the recognizers' expressions in the background (seconds for French), not on a first message.
  void nlu.entities.warmUp().then((ms) => {
    process.stderr.write(`switchboard: rule recognizers warmed up in ${(ms / 1000).toFixed(1)} s\n`);
  });
  const store = stores.conversations;
  const agentToken = tokenOrRandom(env.agentToken);
  const adminToken = tokenOrRandom(env.adminToken);
  /** Routes the channel adapters mount (`POST /slack/events`, `POST /api/messages`). */
  const routes = new Map<string, RouteHandler>();
  const senders: Partial<Record<ChannelName, ChannelSender>> = {};
  const handoffs = new HandoffService({
    store: stores.handoffs,
    conversations: store,
    senders,
    config: bot.config,
    log,
  });
  const hub = new ConsoleHub();
  handoffs.addSurface(hub);
  const metrics = new Metrics(stores.handoffs);
  metrics.setModel(bot.modelVersion);
  handoffs.addSurface(metrics);
  // Drift of recent traffic against the model's validation baseline, checked every 10 minutes.
  const drift = new DriftMonitor({
    turns: stores.turns,
    baseline: () => (bot.intentModelDir ? readBaseline(bot.intentModelDir) : undefined),
    threshold: () => bot.policy.threshold,
    log,
    onSignals: (signals) => {
      for (const [k, v] of Object.entries(signals)) metrics.drift.set({ signal: k }, v);
    },
    onAlert: (message) => handoffs.broadcast(message),
  });
  drift.start();
  const handler = new TurnHandler({
    bot,
    store,
    senders,
    handoffs,
    turnLog: stores.turns,
    observe: (turn, decision, u, seconds) => metrics.observeTurn(turn, decision, u, seconds),
  });
  // Turns that find the database down wait in a local spool (fsynced) and are handled, in order, when it is back.
  const spool = new TurnSpool(
    join(dirname(storeFile), 'turn-spool.jsonl'),
    (turn, address) => handler.handle(turn, address),
    isUnavailable,
    log,
  );
  spool.start();
  const handleTurn = async (turn: Turn, address: unknown): Promise<TurnOutcome> => {
    if (spool.size > 0) {
      spool.add({ turn, address });
      void spool.drain();
      return { status: 'spooled' };
    }
    try {
      return await handler.handle(turn, address);
    } catch (e) {
      if (!isUnavailable(e)) throw e;
      spool.add({ turn, address });
      return { status: 'spooled' };
    }
  };
  const context: ChannelContext = {
    env,
    store,
    log,
    handle: handleTurn,
    handoffs,
    config: bot.config,
    welcome: (locale) => {
      const greet = bot.config.answers.general_greet;
      const language = baseLanguage(locale);
      return (language && greet?.[language]) || greet?.[bot.config.default_language];
    },
  };
  const channels: ChannelMount[] = [];
  for (const mount of [mountWebChat, mountSlack, mountTeams]) {
    const channel = await mount(context).catch(async (e: unknown) => {
      // A channel that cannot start (Slack refused the token…) fails startup: release what keeps the process alive.
      for (const c of channels) await c.close();
      await bot.release();
      hub.close();
      await stores.close();
      throw e;
    });
    if (!channel) continue;
    channels.push(channel);
    senders[channel.sender.channel] = channel.sender;
    for (const [key, route] of Object.entries(channel.routes)) routes.set(key, route);
  }
  const server = createServer(async (req, res) => {
    try {
      const route = routes.get(`${req.method} ${req.url?.split('?')[0]}`);
      if (route) return await route(req, res);
      if (await handleAgentApi(req, res, { handoffs, hub, token: agentToken.token })) return;
      if (
        await handleAdminApi(req, res, {
          bot,
          turns: stores.turns,
          adminToken: adminToken.token,
          agentToken: agentToken.token,
          drift,
          onReload: (version) => metrics.setModel(version),
        })
      )
        return;
      if (req.method === 'GET' && req.url === '/metrics') {
        const { contentType, body } = await metrics.scrape();
        res.writeHead(200, { 'content-type': contentType });
        return res.end(body);
      }
      const page = req.method === 'GET' ? PAGES[req.url?.split('?')[0] ?? ''] : undefined;
      if (page) {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-cache' });
        return res.end(page);
      }
      if (req.method === 'GET' && req.url === '/healthz') {
        const thread = nlu.entities.thread;
        const database = await stores.healthy();
        const ok = database && spool.size === 0;
        return send(res, ok ? 200 : 503, {
          ok,
          database: database ? 'up' : 'down',
          spooled_turns: spool.size,
          config: configFile,
          rule_entities: thread
            ? { ready: thread.isReady, queued: thread.queued, ...thread.stats }
            : { ready: true, inline: true },
        });
      }
      if (req.method === 'POST' && req.url === '/api/nlu/parse') {
        const body = (await readJson(req)) as {
          text?: unknown;
          language?: unknown;
          hints?: unknown;
          conversation?: unknown;
          wait_entities?: unknown;
        };
        if (typeof body?.text !== 'string')
          return send(res, 400, { error: 'E_BAD_REQUEST', message: 'text must be a string' });
        const hints = parseHints(body.language, body.hints);
        if (typeof hints === 'string') return send(res, 400, { error: 'E_BAD_REQUEST', message: hints });
        const id = body.conversation;
        if (id !== undefined && (typeof id !== 'string' || id === '' || id.length > MAX_CONVERSATION_ID)) {
          return send(res, 400, {
            error: 'E_BAD_REQUEST',
            message: `conversation must be a non-empty string of at most ${MAX_CONVERSATION_ID} characters`,
          });
        }
        const state = typeof id === 'string' ? await store.get(id) : undefined;
        const turn = await bot.respond(body.text, hints, state);
        if (typeof id === 'string') await store.set(id, turn.state);
        const { decision, reply } = turn;
        // The playground asks for every entity (`wait_entities`); a chat turn answers within the entity budget.
        const understanding = (body.wait_entities === true && (await turn.late)) || turn.understanding;
        return send(res, 200, { understanding, decision, reply });
      }
      send(res, 404, { error: 'E_NOT_FOUND', message: `${req.method} ${req.url?.split('?')[0]} is not served` });
    } catch (e) {
      const status = e instanceof HttpError ? e.status : 500;
      if (status === 500) log.error('request_failed', { path: req.url?.split('?')[0], message: (e as Error).message });
      if (res.headersSent) return void res.end();
      send(res, status, { error: status === 500 ? 'E_INTERNAL' : 'E_BAD_REQUEST', message: (e as Error).message });
    }
  });
  // Loopback unless HOST says otherwise (HOST=0.0.0.0 to accept traffic from other machines).
  const host = env.host;
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  const bound = (server.address() as { port: number }).port;
  process.stderr.write(
    `switchboard listening on http://localhost:${bound} (config ${configFile}; languages ${nlu.language.languages.join(' ')}; ` +
      `store ${stores.description})\n`,
  );
  for (const channel of channels) process.stderr.write(`switchboard: ${channel.summary}\n`);
  process.stderr.write(
    agentToken.generated
      ? `switchboard: agent console http://localhost:${bound}/agents#token=${agentToken.token} (SWITCHBOARD_AGENT_TOKEN is not set: this token was generated for this run)\n`
      : `switchboard: agent console http://localhost:${bound}/agents (token: SWITCHBOARD_AGENT_TOKEN)\n`,
  );
  process.stderr.write(
    adminToken.generated
      ? `switchboard: dashboard http://localhost:${bound}/dashboard#token=${adminToken.token} (SWITCHBOARD_ADMIN_TOKEN is not set: this token was generated for this run)\n`
      : `switchboard: dashboard http://localhost:${bound}/dashboard (token: SWITCHBOARD_ADMIN_TOKEN)\n`,
  );
  // Agent lines a crash or a channel failure left undelivered go now, then every 10 s with the queue sweep.
  const maintain = async () => {
    try {
      await handoffs.redeliver();
      await handoffs.sweep();
    } catch (e) {
      log.warn('handoff_maintenance_failed', { message: (e as Error).message });
    }
  };
  await maintain();
  const sweeper = setInterval(maintain, 10_000);
  sweeper.unref();
  await new Promise<void>((resolve) => {
    const stop = () => server.close(() => resolve());
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  for (const channel of channels) await channel.close();
  await bot.release();
  clearInterval(sweeper);
  drift.stop();
  spool.stop();
  hub.close();
  await stores.close();
  return 0;
}

/** Language hints from a parse request, or an error message. */
function parseHints(language: unknown, hints: unknown): LanguageHints | string {
  const out: LanguageHints = {};
  if (language !== undefined) {
    if (typeof language !== 'string') return 'language must be a string (ISO 639-1 or BCP 47)';
    out.previous = language;
  }
  if (hints === undefined) return out;
  if (typeof hints !== 'object' || hints === null || Array.isArray(hints)) return 'hints must be an object';
  for (const key of ['previous', 'locale', 'default'] as const) {
    const v = (hints as Record<string, unknown>)[key];
    if (v === undefined) continue;
    if (typeof v !== 'string') return `hints.${key} must be a string`;
    out[key] = v;
  }
  return out;
}
