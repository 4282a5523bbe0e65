/**
 * The composition root: stores (PostgreSQL or SQLite), the bot (rule recognizers in their thread), the handoff
 * service with its surfaces (web console, metrics, the channels' agents' desks), drift checks, the turn handler
 * behind the durable spool, the channels from the registry, and one HTTP server whose routes are in routes.ts.
 * `switchboard start` listens and prints; tests and benchmarks use the same assembly through it.
 */
import { createServer, type Server } from 'node:http';
import { dirname, join } from 'node:path';
import type { ChannelContext, ChannelMount } from '../adapters/channel-mount.ts';
import { CHANNELS } from '../adapters/registry.ts';
import { Bot } from '../bot.ts';
import type { ChannelSender } from '../channel-sender.ts';
import type { EnvConfig } from '../config/env-config.ts';
import { ConsoleHub } from '../handoff/console-hub.ts';
import { HandoffService } from '../handoff/handoff-service.ts';
import type { RouteHandler } from '../http/http-utils.ts';
import type { Logger } from '../log.ts';
import { DriftMonitor, readBaseline } from '../metrics/drift.ts';
import { Metrics } from '../metrics/prometheus.ts';
import { runExclusive } from '../store/cluster-leases.ts';
import { isStoreFault } from '../store/postgres-client.ts';
import { TurnSpool } from '../store/turn-spool.ts';
import type { ChannelName } from '../turn.ts';
import { TurnHandler } from '../turn-handler.ts';
import { defaultInstanceId, TurnIntake } from '../turn-intake.ts';
import { AgentAuth } from './agent-auth.ts';
import { tokenOrRandom } from './bearer-token.ts';
import { openStores, type Stores } from './open-stores.ts';
import { routeRequests } from './routes.ts';

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
  /** Agents' sign-in: passwords, sessions and the one-time links printed at start. */
  agentAuth: AgentAuth;
  /**
   * Takes up the inbox's unfinished turns (a previous run's, a crashed instance's) now and every 2 s; redelivers the
   * handoff outbox and sweeps the queue now, then every 10 s.
   */
  startMaintenance(): Promise<void>;
  close(): Promise<void>;
}

/** Builds the server (not yet listening). An unreachable database or a channel that cannot start fails here. */
export async function createApp({ configFile, storeFile, env, log }: AppOptions): Promise<App> {
  // Every channel's variables are checked first: a typo fails startup before a database or a model is opened.
  for (const channel of CHANNELS) channel.readEnv?.(env.vars);
  // PostgreSQL with DATABASE_URL, else the embedded SQLite file; unreachable → a clear error, before the models load.
  const stores = await openStores({ databaseUrl: env.databaseUrl, sqliteFile: storeFile });
  const bot = await loadBot(configFile, stores);
  const senders: Partial<Record<ChannelName, ChannelSender>> = {};
  // This instance's name in the leases (the inbox's, the outbox lines', the cluster chores').
  const owner = env.instanceId ?? defaultInstanceId(env.port, Boolean(env.databaseUrl));
  const core = handoffAndMeasurement(bot, stores, senders, owner, log);
  const handler = new TurnHandler({
    bot,
    store: stores.conversations,
    senders,
    handoffs: core.handoffs,
    turnLog: stores.turns,
    observe: (turn, decision, u, seconds) => core.metrics.observeTurn(turn, decision, u, seconds),
  });
  // Every turn is recorded in the inbox before its channel is acknowledged; turns that find the database down wait in
  // a local spool (fsynced) and are recorded and handled, in order, when it is back.
  // One spool file per instance: instances on one PostgreSQL may share a data directory.
  const spoolName = env.databaseUrl ? `turn-spool-${owner.replace(/[^\w.-]+/g, '_')}.jsonl` : 'turn-spool.jsonl';
  const spool = new TurnSpool(
    join(dirname(storeFile), spoolName),
    (turn, address) => intake.fromSpool(turn, address),
    // A database still down, or busy, keeps the turn in the spool for the next drain (never dropped).
    isStoreFault,
    log,
  );
  const intake: TurnIntake = new TurnIntake({
    inbox: stores.inbox,
    spool,
    handle: (turn, address, resumed, fence) => handler.handle(turn, address, resumed, fence),
    log,
    owner,
  });
  const exclusive = (name: string, work: () => Promise<void>) => runExclusive(stores.leases, name, owner, work);
  const release = async (channels: ChannelMount[]) => {
    for (const channel of channels) await channel.close();
    await bot.release();
    core.drift.stop();
    intake.stop();
    core.hub.close();
    await stores.close();
  };
  const context: ChannelContext = {
    env,
    store: stores.conversations,
    events: stores.events,
    exclusive,
    log,
    receive: (turn, address, prepare) => intake.receive(turn, address, prepare),
    handoffs: core.handoffs,
    config: bot.config,
    welcome: (locale) => bot.welcome(locale),
  };
  const { channels, routes } = await mountChannels(context, senders, release);
  const agentToken = tokenOrRandom(env.agentToken);
  const adminToken = tokenOrRandom(env.adminToken);
  const agentAuth = new AgentAuth({
    agents: bot.config.agents,
    hashes: env.agentPasswordHashes,
    machineToken: agentToken.token,
    log,
  });
  for (const agent of Object.keys(env.agentPasswordHashes))
    if (!bot.config.agents.some((a) => a.id === agent))
      log.warn('agent_password_unknown_agent', {
        agent,
        hint: 'SWITCHBOARD_AGENT_PASSWORD_HASHES names an agent bot.yaml does not list',
      });
  const server = createServer(
    routeRequests({
      channelRoutes: routes,
      bot,
      stores,
      ...core,
      spool,
      intake,
      agentAuth,
      adminToken: adminToken.token,
      ...(env.metricsToken ? { metricsToken: env.metricsToken } : {}),
      configFile,
      log,
    }),
  );
  const maintenance = handoffMaintenance(core.handoffs, exclusive, log);
  return {
    server,
    bot,
    channels,
    storeDescription: stores.description,
    agentToken,
    adminToken,
    agentAuth,
    startMaintenance: async () => {
      await intake.start();
      await maintenance.start();
    },
    close: async () => {
      maintenance.stop();
      await release(channels);
    },
  };
}

/** The bot, with the rule recognizers in a worker thread (a slow message never blocks the server's other turns). */
async function loadBot(configFile: string, stores: Stores): Promise<Bot> {
  const bot = await Bot.load(configFile, { ruleThread: true }).catch(async (e: unknown) => {
    await stores.close(); // a PostgreSQL pool would keep the process alive
    throw e;
  });
  // The thread compiles the recognizers' expressions in the background (seconds for French), not on a first message.
  // Measured and reported at each start: it takes seconds on a quiet machine and several times that on a busy one.
  process.stderr.write(
    'switchboard: rule recognizers (dates, times, amounts, numbers) warming up in the background: turns are answered meanwhile, without those entities\n',
  );
  void bot.nlu.entities.warmUp().then((ms) => {
    process.stderr.write(`switchboard: rule recognizers warmed up in ${(ms / 1000).toFixed(1)} s (measured now)\n`);
  });
  return bot;
}

/** The handoff service with the web console and the metrics as surfaces, and drift checks every 10 minutes. */
function handoffAndMeasurement(
  bot: Bot,
  stores: Stores,
  senders: Partial<Record<ChannelName, ChannelSender>>,
  owner: string,
  log: Logger,
) {
  const handoffs = new HandoffService({
    instance: owner,
    store: stores.handoffs,
    conversations: stores.conversations,
    senders,
    config: bot.config,
    log,
    customerName: (channel, address) => CHANNELS.find((c) => c.name === channel)?.customerName?.(address),
  });
  const hub = new ConsoleHub(stores.events, (ticket) => handoffs.customerName(ticket));
  handoffs.addSurface(hub);
  const metrics = new Metrics(stores.handoffs);
  metrics.setModel(bot.modelVersion);
  handoffs.addSurface(metrics);
  // Drift of recent traffic against the model's validation baseline.
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
  return { handoffs, hub, metrics, drift };
}

/**
 * Mounts every registered channel that is configured: its sender joins `senders`, its routes the server's. A channel
 * that cannot start (Slack refused the token…) fails startup after `release` let go of what keeps the process alive.
 */
async function mountChannels(
  context: ChannelContext,
  senders: Partial<Record<ChannelName, ChannelSender>>,
  release: (mounted: ChannelMount[]) => Promise<void>,
): Promise<{ channels: ChannelMount[]; routes: Map<string, RouteHandler> }> {
  const channels: ChannelMount[] = [];
  const routes = new Map<string, RouteHandler>();
  for (const plugin of CHANNELS) {
    const channel = await plugin.mount(context).catch(async (e: unknown) => {
      await release(channels);
      throw e;
    });
    if (!channel) continue;
    channels.push(channel);
    senders[channel.sender.channel] = channel.sender;
    for (const [key, route] of Object.entries(channel.routes)) routes.set(key, route);
  }
  return { channels, routes };
}

/**
 * Agent lines a crash or a channel failure left undelivered go now, then every 10 s with the queue sweep — by one
 * instance at a time when several share the database.
 */
function handoffMaintenance(
  handoffs: HandoffService,
  exclusive: (name: string, work: () => Promise<void>) => Promise<boolean>,
  log: Logger,
) {
  let sweeper: NodeJS.Timeout | undefined;
  const maintain = async () => {
    try {
      await exclusive('handoff-maintenance', async () => {
        await handoffs.redeliver();
        await handoffs.sweep();
      });
    } catch (e) {
      log.warn('handoff_maintenance_failed', { message: (e as Error).message });
    }
  };
  return {
    start: async () => {
      await maintain();
      sweeper = setInterval(maintain, 10_000);
      sweeper.unref();
    },
    stop: () => clearInterval(sweeper),
  };
}
