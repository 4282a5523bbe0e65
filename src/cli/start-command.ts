/**
 * `switchboard start`: reads the environment, builds the server (`createApp`), listens on `HOST:PORT`, prints where
 * everything is served, and shuts down cleanly on SIGINT/SIGTERM.
 */
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { readBotConfig } from '../config/bot-config.ts';
import { readEnvConfig } from '../config/env-config.ts';
import { isSwitchboardError, SwitchboardError } from '../errors.ts';
import { createLogger } from '../log.ts';
import { DEFAULT_BOT_CONFIG } from '../nlu/default-model.ts';
import { oosProtectionProblem } from '../nlu/intent/intent-manifest.ts';
import { createApp } from '../server/app-server.ts';
import { parseCommandArgs, shellQuote } from './cli-args.ts';

/** How long a stopping server waits for requests in flight before it closes the connections still open. */
const SHUTDOWN_GRACE_MS = 3_000;

/**
 * `switchboard start [--config bot.yaml] [--store FILE]`: the server (`src/server/app-server.ts`) on `HOST:PORT`
 * (default 127.0.0.1:3978) for a bot config (default config/demo.yaml), its state in PostgreSQL (`DATABASE_URL`) or the
 * SQLite file (`--store`, default data/switchboard.db). Prints where it listens, each channel, the agent console (and a
 * one-time sign-in link for each configured agent without a password), the machine token of the agent API and the
 * dashboard URL (with tokens generated for the run when none is configured); stops on SIGINT/SIGTERM.
 */
export async function startCommand(args: string[]): Promise<number> {
  const { values } = parseCommandArgs(args, { config: { type: 'string' }, store: { type: 'string' } }, 'start');
  const configFile = values.config ?? DEFAULT_BOT_CONFIG;
  const env = readEnvConfig();
  const log = createLogger({ logText: env.logText });
  // The port is tried before the models load (seconds), so a second `start` fails at once and says why.
  await listenOn(createServer(), env.port, env.host).then((probe) => new Promise((r) => probe.close(r)));
  const app = await createApp({
    configFile,
    storeFile: values.store ?? join('data', 'switchboard.db'),
    env,
    log,
  }).catch((e) => {
    // A bot created by `switchboard init` has no intent model until it is trained: say how.
    if (isSwitchboardError(e, 'E_MODEL_MISSING') && values.config && namesIntentModel(e, values.config))
      throw new SwitchboardError(
        'E_MODEL_MISSING',
        'input',
        `${(e as Error).message}: train the bot's intent model first (switchboard train intent --config ${shellQuote(values.config)})`,
        { cause: e },
      );
    throw e;
  });
  // Loopback unless HOST says otherwise (HOST=0.0.0.0 to accept traffic from other machines).
  await listenOn(app.server, env.port, env.host).catch(async (e) => {
    await app.close();
    throw e;
  });
  const bound = (app.server.address() as { port: number }).port;
  const say = (line: string) => process.stderr.write(`${line}\n`);
  say(
    `switchboard listening on http://localhost:${bound} (config ${configFile}; languages ${app.bot.nlu.language.languages.join(' ')}; ` +
      `store ${app.storeDescription})`,
  );
  for (const channel of app.channels) say(`switchboard: ${channel.summary}`);
  for (const line of app.bot.thresholdLines(configFile)) say(`switchboard: ${line}`);
  const oos = oosProtectionProblem(app.bot.nlu.intents.manifest);
  if (oos) say(`switchboard: WARNING: ${oos}`);
  const url = (page: string, token: { token: string; generated: boolean }, name: string) =>
    token.generated
      ? `http://localhost:${bound}/${page}#token=${token.token} (${name} is not set: this token was generated for this run)`
      : `http://localhost:${bound}/${page} (token: ${name})`;
  say(`switchboard: agent console http://localhost:${bound}/agents (each agent signs in)`);
  // Agents without a password get a one-time sign-in link (this instance's, good for 24 h).
  for (const { agent, code } of app.agentAuth.issueLinks())
    say(`switchboard: sign-in link for agent ${agent} (once, 24 h): http://localhost:${bound}/agents#signin=${code}`);
  say(
    app.agentToken.generated
      ? `switchboard: agent API for machines: Authorization: Bearer ${app.agentToken.token} (SWITCHBOARD_AGENT_TOKEN is not set: generated for this run)`
      : 'switchboard: agent API for machines: Authorization: Bearer <SWITCHBOARD_AGENT_TOKEN>',
  );
  say(`switchboard: dashboard ${url('dashboard', app.adminToken, 'SWITCHBOARD_ADMIN_TOKEN')}`);
  say(
    `switchboard: Prometheus metrics at http://localhost:${bound}/metrics ${env.metricsToken ? '(token: SWITCHBOARD_METRICS_TOKEN)' : '(open: set SWITCHBOARD_METRICS_TOKEN to require a bearer token)'}`,
  );
  await app.startMaintenance();
  await new Promise<void>((resolve) => {
    const stop = () => {
      app.server.close(() => resolve());
      // Event streams (web chat pages, agent consoles) never end by themselves and would keep the server open forever:
      // after a grace for requests in flight, the remaining connections are closed (pages reconnect by themselves).
      setTimeout(() => app.server.closeAllConnections(), SHUTDOWN_GRACE_MS).unref();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await app.close();
  return 0;
}

/** Listens on `port`; a port in use or one that needs privileges is an error that says what to do, not a stack. */
export function listenOn<S extends Server>(server: S, port: number, host: string): Promise<S> {
  return new Promise((resolve, reject) => {
    const failed = (e: NodeJS.ErrnoException) => {
      server.off('listening', listening);
      const where = `${host}:${port}`;
      if (e.code === 'EADDRINUSE')
        reject(
          new SwitchboardError(
            'E_LISTEN',
            'input',
            `port ${port} is already in use on ${host} (another switchboard still running?): stop it, or start on another port, e.g. PORT=${port + 1} npx switchboard ${['start', ...process.argv.slice(3)].join(' ')}`,
          ),
        );
      else if (e.code === 'EACCES')
        reject(
          new SwitchboardError(
            'E_LISTEN',
            'input',
            `not allowed to listen on ${where} (ports below 1024 need privileges): use PORT=3978, behind a reverse proxy`,
          ),
        );
      else if (e.code === 'EADDRNOTAVAIL' || e.code === 'ENOTFOUND')
        reject(
          new SwitchboardError(
            'E_LISTEN',
            'input',
            `HOST=${host} is not an address of this machine (use 127.0.0.1, or 0.0.0.0 for every interface)`,
          ),
        );
      else reject(new SwitchboardError('E_LISTEN', 'input', `cannot listen on ${where}: ${e.message}`));
    };
    const listening = () => {
      server.off('error', failed);
      resolve(server);
    };
    server.once('error', failed);
    server.once('listening', listening);
    server.listen(port, host);
  });
}

/** Whether a model error is about the config's intent model (not its NER or language model). */
function namesIntentModel(e: Error, configFile: string): boolean {
  try {
    const dir = readBotConfig(configFile).models.intent;
    return dir !== undefined && e.message.includes(dir);
  } catch {
    return false;
  }
}
