/**
 * The server, assembled: stores (PostgreSQL or SQLite), the bot (rule recognizers in their thread), the handoff
 * service with its surfaces (web console, metrics, the channels' agents' channels), drift checks, the turn handler
 * behind a durable spool, the channels (web chat, Slack, Teams) and one HTTP server routing pages, channel webhooks,
 * the NLU, agent and admin APIs, `/metrics` and `/healthz`. `switchboard start` listens and prints; tests and
 * benchmarks use the same assembly through it.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { dirname, join } from 'node:path';
import type { ChannelContext, ChannelMount } from '../adapters/channel-mount.ts';
import { CHANNELS } from '../adapters/registry.ts';
import { Bot } from '../bot.ts';
import type { ChannelSender } from '../channel-sender.ts';
import type { EnvConfig } from '../config/env-config.ts';
import { ConsoleHub } from '../handoff/console-hub.ts';
import { HandoffService } from '../handoff/handoff-service.ts';
import { type RouteHandler, sendJson as send } from '../http/http-utils.ts';
import type { Logger } from '../log.ts';
import { DriftMonitor, readBaseline } from '../metrics/drift.ts';
import { Metrics } from '../metrics/prometheus.ts';
import { baseLanguage } from '../nlu/language/languages.ts';
import { isUnavailable } from '../store/postgres-client.ts';
import { TurnSpool } from '../store/turn-spool.ts';
import type { ChannelName, Turn } from '../turn.ts';
import { TurnHandler, type TurnOutcome } from '../turn-handler.ts';
import { handleAdminApi } from './admin-api.ts';
import { handleAgentApi } from './agent-api.ts';
import { tokenOrRandom } from './bearer-token.ts';
import { sendError } from './http-errors.ts';
import { handleParse } from './nlu-api.ts';
import { openStores } from './open-stores.ts';

/** The pages: web chat, playground (every score behind a decision), agent console, dashboard. */
const PAGES: Record<string, string> = Object.fromEntries(
  [
    ['/', 'chat.html'],
    ['/playground', 'playground.html'],
    ['/agents', 'agents.html'],
    ['/dashboard', 'dashboard.html'],
  ].map(([path, file]) => [path, readFileSync(join(import.meta.dirname, '..', 'web', file), 'utf8')]),
);

export interface AppOptions {
  configFile: string;
  /** The SQLite file when `env.databaseUrl` is not set (the turn spool lives next to it either way). */
  storeFile: string;
  env: EnvConfig;
  log: Logger;
}

export interface App {
  server: Server;
  bot: Bot;
  channels: ChannelMount[];
  storeDescription: string;
  agentToken: { token: string; generated: boolean };
  adminToken: { token: string; generated: boolean };
  /** Redelivers the handoff outbox and sweeps the queue now, then every 10 s. */
  startMaintenance(): Promise<void>;
  close(): Promise<void>;
}

/** Builds the server (not yet listening). An unreachable database or a channel that cannot start fails here. */
export async function createApp({ configFile, storeFile, env, log }: AppOptions): Promise<App> {
  // Every channel's variables are checked first: a typo fails startup before a database or a model is opened.
  for (const channel of CHANNELS) channel.readEnv?.(env.vars);
  // PostgreSQL with DATABASE_URL, else the embedded SQLite file; unreachable → a clear error, before the models load.
  const stores = await openStores({ databaseUrl: env.databaseUrl, sqliteFile: storeFile });
  // Rule recognizers in a worker thread: a slow message (numbers in words) never blocks the server's other turns.
  const bot = await Bot.load(configFile, { ruleThread: true }).catch(async (e: unknown) => {
    await stores.close(); // a PostgreSQL pool would keep the process alive
    throw e;
  });
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
    customerName: (channel, address) => CHANNELS.find((c) => c.name === channel)?.customerName?.(address),
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
  for (const plugin of CHANNELS) {
    const channel = await plugin.mount(context).catch(async (e: unknown) => {
      // A channel that cannot start (Slack refused the token…) fails startup: release what keeps the process alive.
      for (const c of channels) await c.close();
      await bot.release();
      drift.stop();
      spool.stop();
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
      if (req.method === 'POST' && req.url === '/api/nlu/parse') return await handleParse(req, res, { bot, store });
      send(res, 404, { error: 'E_NOT_FOUND', message: `${req.method} ${req.url?.split('?')[0]} is not served` });
    } catch (e) {
      sendError(res, e, log, req.url?.split('?')[0]);
    }
  });
  // Agent lines a crash or a channel failure left undelivered go now, then every 10 s with the queue sweep.
  const maintain = async () => {
    try {
      await handoffs.redeliver();
      await handoffs.sweep();
    } catch (e) {
      log.warn('handoff_maintenance_failed', { message: (e as Error).message });
    }
  };
  let sweeper: NodeJS.Timeout | undefined;
  return {
    server,
    bot,
    channels,
    storeDescription: stores.description,
    agentToken,
    adminToken,
    startMaintenance: async () => {
      await maintain();
      sweeper = setInterval(maintain, 10_000);
      sweeper.unref();
    },
    close: async () => {
      for (const channel of channels) await channel.close();
      await bot.release();
      clearInterval(sweeper);
      drift.stop();
      spool.stop();
      hub.close();
      await stores.close();
    },
  };
}
