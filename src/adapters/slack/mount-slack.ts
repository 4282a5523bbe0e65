/**
 * The Slack adapter on the server's one port: a bolt `App` with an `HTTPReceiver` answering `POST /slack/events` (Events
 * API and interactivity on the same URL). bolt verifies each request's signature and timestamp (401 otherwise, nothing
 * processed) and answers `url_verification`; this module maps the body to a Turn ({@link slackToTurn}) and records it
 * at the door (the durable inbox refuses a retried event id) before the response goes back (`processBeforeResponse`);
 * then it looks up the customer's locale and the turn handler sends the reply through {@link SlackSender}. A turn that
 * cannot be recorded gets a 500, so Slack retries it. Mounted when `SLACK_SIGNING_SECRET` and
 * `SLACK_BOT_TOKEN` are both set.
 *
 * Human handoff: with `SWITCHBOARD_SLACK_AGENTS_CHANNEL` the agents' channel ({@link SlackAgentsChannel}) shows tickets
 * as cards, and every request from that channel (thread replies, mentions, ticket buttons, the new-intent modal) goes
 * to it — never to the turn handler.
 */
import { App, HTTPReceiver, webApi } from '@slack/bolt';
import { SwitchboardError } from '../../errors.ts';
import type { Logger } from '../../log.ts';
import type { TurnOutcome } from '../../turn-handler.ts';
import type { Receipt } from '../../turn-intake.ts';
import type { ChannelContext, ChannelMount, ChannelPlugin } from '../channel-mount.ts';
import { boltLogger } from './bolt-logger.ts';
import { SlackAgentsChannel } from './slack-agents-channel.ts';
import { SlackBotIdentity } from './slack-bot-identity.ts';
import { readSlackEnv } from './slack-env.ts';
import { SlackLocales } from './slack-locales.ts';
import { guardSlackRequests } from './slack-request-guard.ts';
import { type KeyedPoster, REPLY_RETRIES, SlackSender } from './slack-sender.ts';
import { slackToTurn } from './slack-to-turn.ts';

/** Where Slack posts events and button clicks. */
export const SLACK_EVENTS_PATH = '/slack/events';
/** Slack's Web API, unless `SLACK_API_URL` says otherwise. */
const DEFAULT_API_URL = 'https://slack.com/api/';
/** Largest request body read (Slack's payloads are a few kB; a message with blocks stays far below). */
const MAX_BODY = 1024 * 1024;
/** Requests whose timestamp is further than this from our clock are refused (Slack's rule: 5 minutes). */
const MAX_SKEW_S = 5 * 60;
/**
 * The agents' channel's updates, ephemeral notes and modals: a few retries over about a minute on transport errors; a
 * 429 waits its Retry-After, then retries (chat.update is idempotent). Messages — customer replies, agent lines, the
 * agents' cards, notes and transcript lines — use {@link REPLY_RETRIES}: no blind retry of a message that may be
 * posted, a lookup first ({@link KeyedPoster}).
 */
const SEND_RETRIES = { retries: 6, factor: 2, minTimeout: 250, maxTimeout: 20_000, randomize: true };
/** How long one Web API call for a message may take before it counts as failed (Slack answers in well under 1 s). */
const SEND_TIMEOUT_MS = 10_000;
/** How long close() waits for turns in progress. */
const CLOSE_WAIT_MS = 5000;

/**
 * `SLACK_API_URL` as the Web API client needs it: ending in `/api/` (`http://127.0.0.1:9000` →
 * `http://127.0.0.1:9000/api/`, `https://slack.example.com/api` → `https://slack.example.com/api/`).
 */
export function normalizeSlackApiUrl(url: string | undefined): string {
  if (!url) return DEFAULT_API_URL;
  const base = url.replace(/\/+$/, '');
  return base.endsWith('/api') ? `${base}/` : `${base}/api/`;
}

/** Mounts the Slack adapter, or returns undefined when Slack is not configured. */
export async function mountSlack(context: ChannelContext): Promise<ChannelMount | undefined> {
  const { log } = context;
  const slack = readSlackEnv(context.env.vars);
  const { signingSecret, botToken } = slack;
  if (!signingSecret || !botToken) {
    if (signingSecret || botToken) {
      log.warn('slack_not_mounted', { missing: signingSecret ? 'SLACK_BOT_TOKEN' : 'SLACK_SIGNING_SECRET' });
    }
    return undefined;
  }
  const slackApiUrl = normalizeSlackApiUrl(slack.apiUrl);
  const logger = boltLogger(log);
  // Replies wait out rate limits and retry; lookups (auth.test, users.info) fail fast and never hold a turn up.
  const chat = new webApi.WebClient(botToken, {
    slackApiUrl,
    logger,
    retryConfig: SEND_RETRIES,
    timeout: SEND_TIMEOUT_MS,
  });
  const replies = new webApi.WebClient(botToken, {
    slackApiUrl,
    logger,
    retryConfig: REPLY_RETRIES,
    timeout: SEND_TIMEOUT_MS,
  });
  const quick = new webApi.WebClient(botToken, {
    slackApiUrl,
    logger,
    retryConfig: { retries: 0 },
    timeout: 3000,
    rejectRateLimitedCalls: true,
  });
  const identity = new SlackBotIdentity(quick, log);
  const me = await identity.verify();
  const sender = new SlackSender(replies, undefined, undefined, (key) =>
    log.warn('slack_send_uncertain', { key, reason: 'Slack answered no lookup: posted again (at least once)' }),
  );
  const locales = new SlackLocales({ client: quick, log });
  const agents = mountAgents(context, chat, sender.poster, slack.agentsChannel);

  // The response waits for the middleware: a turn is recorded before Slack hears 200 (the work after runs untracked).
  const receiver = new HTTPReceiver({
    signingSecret,
    endpoints: SLACK_EVENTS_PATH,
    logger,
    bodyLimit: MAX_BODY,
    processBeforeResponse: true,
  });
  const app = new App({
    receiver,
    // Our own authorize (not `token`): bolt's caches a failed auth.test for good; this one never waits on the network.
    authorize: async () => ({ botToken, ...identity.current() }),
    logger,
    clientOptions: { slackApiUrl, logger },
    // Own messages and other bots are recognised by slackToTurn, which logs why it ignores them.
    ignoreSelf: false,
    convoStore: false,
  });
  const inFlight = new Set<Promise<void>>();
  const track = async (work: Promise<void>) => {
    const tracked = work.finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
    await tracked;
  };
  app.use(async (args) => {
    const { body, context: ctx } = args;
    // Events are acknowledged by bolt before this runs; button clicks and the rest here, before any work. Either way
    // the HTTP response is held until this middleware returns.
    if ('ack' in args && typeof args.ack === 'function') await (args.ack as () => Promise<void>)();
    if (agents?.owns(body)) {
      const bot = { botUserId: ctx.botUserId, botId: ctx.botId };
      void track(agents.handle(body, bot).catch((e) => log.error('slack_agents_failed', errorFields(e))));
      return;
    }
    const inbound = slackToTurn(body, { botUserId: ctx.botUserId, botId: ctx.botId });
    if (inbound.kind !== 'turn') {
      if (inbound.kind === 'ignore') log.info('slack_ignored', { ...inbound, kind: undefined });
      return;
    }
    if (ctx.retryNum) {
      log.info('slack_retry', { event_id: inbound.turn.id, retry_num: ctx.retryNum, retry_reason: ctx.retryReason });
    }
    const { turn, address, team, update } = inbound;
    const prepare = async (t: typeof turn) => {
      const locale = t.action ? undefined : await locales.lookup(team, t.user);
      return locale ? { ...t, locale } : t;
    };
    let receipt: Receipt;
    try {
      receipt = await context.receive(turn, address, prepare);
    } catch (e) {
      log.error('slack_turn_not_recorded', { event_id: turn.id, ...errorFields(e) });
      throw new SwitchboardError('E_NOT_RECORDED', 'transport', 'the turn could not be recorded', { cause: e });
    }
    if (receipt.status === 'duplicate') return log.info('slack_duplicate', { event_id: turn.id });
    void track(finishTurn(turn.id, receipt.outcome, update ? sender.update(update) : undefined, log));
  });
  app.error(async (e) => {
    log.error('slack_error', { code: (e as { code?: string }).code, message: e.message });
    // Not recorded: a 500, so Slack sends the event again.
    if ((e as { code?: string }).code === 'E_NOT_RECORDED') throw e;
  });

  const route = guardSlackRequests(receiver.requestListener, { maxBody: MAX_BODY, maxSkewS: MAX_SKEW_S }, log);

  return {
    routes: { [`POST ${SLACK_EVENTS_PATH}`]: route },
    sender,
    summary:
      `Slack at POST ${SLACK_EVENTS_PATH} (signed requests only; Web API ${slackApiUrl}` +
      `${me.botUserId ? `; bot user ${me.botUserId}` : '; auth.test pending'})` +
      `${agents ? `; agents' channel ${agents.channel}` : ''}`,
    async close() {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.allSettled([...inFlight, agents?.idle()]),
        new Promise((resolve) => {
          timer = setTimeout(resolve, CLOSE_WAIT_MS);
        }),
      ]);
      clearTimeout(timer);
    },
  };
}

/** The agents' channel, when `SWITCHBOARD_SLACK_AGENTS_CHANNEL` is set, added to the handoff service's surfaces. */
function mountAgents(
  context: ChannelContext,
  client: webApi.WebClient,
  poster: KeyedPoster,
  channel: string | undefined,
): SlackAgentsChannel | undefined {
  const { log, handoffs } = context;
  if (!channel) return undefined;
  if (!handoffs) {
    log.warn('slack_handoff_unavailable', { reason: 'no handoff service' });
    return undefined;
  }
  const agents = new SlackAgentsChannel({
    channel,
    client,
    poster,
    handoffs,
    conversations: context.store,
    config: context.config,
    log,
    exclusive: context.exclusive,
  });
  handoffs.addSurface(agents);
  agents.start();
  return agents;
}

/** A recorded turn's outcome and the pressed buttons' replacement: failures logged, never thrown. */
async function finishTurn(
  id: string,
  outcome: Promise<TurnOutcome>,
  update: Promise<void> | undefined,
  log: Logger,
): Promise<void> {
  const [handled, updated] = await Promise.allSettled([outcome, update ?? Promise.resolve()]);
  if (handled.status === 'rejected') log.error('slack_turn_failed', { event_id: id, ...errorFields(handled.reason) });
  if (updated.status === 'rejected') log.warn('slack_update_failed', { event_id: id, ...errorFields(updated.reason) });
}

function errorFields(e: unknown): Record<string, unknown> {
  const err = e as { code?: string; kind?: string; message?: string };
  return { code: err?.code, kind: err?.kind, message: err?.message };
}

declare module '../../turn.ts' {
  interface ChannelNames {
    slack: true;
  }
}

/** The slack channel for the registry. */
export const slackChannel: ChannelPlugin = {
  name: 'slack',
  readEnv: readSlackEnv,
  mount: mountSlack,
  /** The profile name the customer's message event carried (`user_profile`), when it carried one. */
  customerName(address) {
    const name = (address as { name?: unknown } | undefined)?.name;
    return typeof name === 'string' && name.trim() ? name.trim().slice(0, 100) : undefined;
  },
};
