/**
 * The Microsoft Teams adapter: botbuilder's `CloudAdapter` at `POST /api/messages` on the server's one port. A request
 * is authenticated (when `MicrosoftAppId` is set; without it only local activities are taken, unauthenticated-guard.ts),
 * acknowledged at once, and its activity handled after: a customer
 * message or card button → the turn handler (idempotent on the activity id, so Bot Framework's retries answer once),
 * the bot added to a conversation → a welcome, a file without text → a note that only text is read, anything else →
 * logged and ignored. Every message goes out through {@link TeamsSender} (proactive, from the stored
 * ConversationReference). Logs carry ids, types and sizes, never the customer's text.
 *
 * Human handoff: with `SWITCHBOARD_TEAMS_AGENTS_CONVERSATION` the agents' channel ({@link TeamsAgentsChannel}) shows
 * tickets as cards, and every activity from that channel goes to it — never to the turn handler; with
 * `SWITCHBOARD_TEAMS_HANDOFF=botframework` Teams customers' tickets are offered to an external hub
 * ({@link TeamsHubHandoff}), whose `handoff.status` events are handled here.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CloudAdapter, type TurnContext } from 'botbuilder';
import { HttpError, readJson, sendJson } from '../../http/http-utils.ts';
import type { Turn } from '../../turn.ts';
import type { TurnOutcome } from '../../turn-handler.ts';
import type { ChannelContext, ChannelMount, ChannelPlugin } from '../channel-mount.ts';
import { turnLogFields } from '../turn-log-fields.ts';
import { teamsText, textActivity } from './reply-to-teams.ts';
import { TeamsAgentsChannel } from './teams-agents-channel.ts';
import { createTeamsAuthentication } from './teams-authentication.ts';
import { readTeamsEnv, type TeamsEnv } from './teams-env.ts';
import { TeamsHubHandoff } from './teams-hub-handoff.ts';
import { TeamsSender } from './teams-sender.ts';
import { type TeamsInbound, teamsToTurn } from './teams-to-turn.ts';
import { unauthenticatedRefusal } from './unauthenticated-guard.ts';

/** Largest accepted activity (bytes): Teams messages are capped near 28 KB; cards and HTML copies add some. */
export const MAX_TEAMS_BODY = 256 * 1024;
/** How long `close()` waits for turns still being handled. */
const CLOSE_WAIT_MS = 5_000;

/** Mounts the Teams adapter (always: without an app id it runs unauthenticated, with a loud warning). */
export async function mountTeams(context: ChannelContext): Promise<ChannelMount> {
  const { log } = context;
  const teams = readTeamsEnv(context.env.vars);
  const { authentication, enabled } = createTeamsAuthentication(teams);
  const adapter = new CloudAdapter(authentication);
  const sender = new TeamsSender(adapter, teams.appId ?? '');
  const pending = new Set<Promise<void>>();
  const track = (work: Promise<void>) => {
    pending.add(work);
    void work.finally(() => pending.delete(work));
  };

  const { agents, hub } = await mountHandoff(context, sender, teams);

  /** What to do with one authenticated activity; runs inside the adapter's turn, so it only starts the work. */
  const onActivity = async (turnContext: TurnContext) => {
    const activity = turnContext.activity;
    if (agents?.owns(activity)) return track(guarded(activity?.id, 'agents', () => agents.handle(activity)));
    if (hub && TeamsHubHandoff.isStatus(activity)) {
      return track(guarded(activity?.id, 'handoff_status', () => hub.handleStatus(activity)));
    }
    const inbound = teamsToTurn(activity, Date.now());
    if (inbound.kind === 'ignore') {
      const { id, type } = turnContext.activity ?? {};
      log.info('teams_ignored', { id: clip(id, 100), type: clip(type, 40), reason: inbound.reason });
      return;
    }
    if (inbound.kind === 'turn') {
      // Recorded at the door before the Bot Connector hears 200 (a failure here is a 500: the connector retries).
      const started = Date.now();
      const receipt = await context.receive(inbound.turn, inbound.reference);
      if (receipt.status === 'duplicate') return log.info('teams_turn', turnLogFields(inbound.turn, receipt, started));
      // A pressed card shows what was chosen instead of its buttons (as Slack's do), while the turn is handled.
      const { pressed } = inbound;
      const update = pressed
        ? sender.pressed(inbound.reference, pressed.activityId, pressed.note)
        : Promise.resolve(false);
      return track(finishTurn(inbound.turn, receipt.outcome, started, update, Boolean(pressed)));
    }
    track(handleInbound(inbound));
  };

  const finishTurn = async (
    turn: Turn,
    outcome: Promise<TurnOutcome>,
    started: number,
    update: Promise<boolean>,
    pressed: boolean,
  ) => {
    const [handled, updated] = await Promise.allSettled([outcome, update]);
    const id = turn.id;
    if (updated.status === 'rejected') {
      const err = updated.reason as { code?: string; kind?: string; message?: string };
      log.warn('teams_update_failed', { id, code: err.code, error_kind: err.kind, message: err.message });
    } else if (pressed && !updated.value) {
      log.info('teams_press_not_updated', { id, reason: 'message not sent by this process' });
    }
    try {
      if (handled.status === 'rejected') throw handled.reason;
      log.info('teams_turn', turnLogFields(turn, handled.value, started));
    } catch (e) {
      const err = e as { code?: string; kind?: string; message?: string };
      log.error('teams_failed', {
        id: turn.id,
        kind: 'turn',
        code: err.code,
        error_kind: err.kind,
        message: err.message,
      });
    }
  };

  /** Runs the agents' channel's or the hub's work; a failure is logged, never thrown. */
  const guarded = async (id: unknown, kind: string, work: () => Promise<void>) => {
    try {
      await work();
    } catch (e) {
      const err = e as { code?: string; kind?: string; message?: string };
      log.error('teams_failed', {
        id: clip(id, 100),
        kind,
        code: err.code,
        error_kind: err.kind,
        message: err.message,
      });
    }
  };

  const handleInbound = async (inbound: Exclude<TeamsInbound, { kind: 'ignore' | 'turn' }>) => {
    const started = Date.now();
    const id = inbound.id;
    try {
      // A welcome or a note: once per activity id, like a turn.
      if (inbound.id && !(await context.store.claimEvent(`teams:${inbound.id}`))) {
        log.info('teams_duplicate', { id: inbound.id, kind: inbound.kind });
        return;
      }
      await context.store.setAddress(inbound.conversation, { channel: 'teams', address: inbound.reference });
      const text =
        inbound.kind === 'welcome'
          ? (context.welcome?.(inbound.locale) ?? teamsText('welcome', inbound.locale))
          : teamsText('text_only', inbound.locale);
      await sender.post(inbound.reference, textActivity(text));
      log.info(`teams_${inbound.kind}`, { id, conversation: inbound.conversation, ms: Date.now() - started });
    } catch (e) {
      const err = e as { code?: string; kind?: string; message?: string };
      log.error('teams_failed', { id, kind: inbound.kind, code: err.code, error_kind: err.kind, message: err.message });
    }
  };

  const route = async (req: IncomingMessage, res: ServerResponse) => {
    let body: unknown;
    try {
      body = await readJson(req, MAX_TEAMS_BODY);
    } catch (e) {
      const status = e instanceof HttpError ? e.status : 400;
      log.warn('teams_rejected', { status, reason: (e as Error).message });
      return sendJson(res, status, { error: 'E_BAD_REQUEST', message: (e as Error).message });
    }
    if (
      typeof body !== 'object' ||
      body === null ||
      Array.isArray(body) ||
      typeof (body as { type?: unknown }).type !== 'string'
    ) {
      log.warn('teams_rejected', { status: 400, reason: 'not an activity' });
      return sendJson(res, 400, { error: 'E_BAD_REQUEST', message: 'body must be a Bot Framework activity' });
    }
    const refusal = enabled ? undefined : unauthenticatedRefusal(req, body as { serviceUrl?: unknown });
    if (refusal) {
      log.warn('teams_rejected', { status: 403, id: clip((body as { id?: unknown }).id, 100), reason: refusal });
      return sendJson(res, 403, {
        error: 'E_TEAMS_UNAUTHENTICATED',
        message:
          'Bot Framework authentication is off (MicrosoftAppId is not set): only local activities are taken — from loopback, not through a proxy, with a loopback serviceUrl',
      });
    }
    const response = new ExpressResponse(res);
    await adapter.process(
      { method: 'POST', headers: req.headers, body: body as Record<string, unknown> },
      response,
      onActivity,
    );
    if (response.statusCode >= 400) {
      log.warn('teams_rejected', {
        status: response.statusCode,
        id: clip((body as { id?: unknown }).id, 100),
        reason: response.statusCode === 401 ? 'unauthorized' : 'bot framework',
      });
    }
  };

  const warning = enabled
    ? ''
    : ' — WARNING: MicrosoftAppId is not set, so Bot Framework authentication is OFF (local development with the Bot Framework Emulator): only activities from loopback, not through a proxy, with a loopback serviceUrl are taken; the others are refused (403).';
  if (!enabled)
    log.warn('teams_auth_disabled', {
      reason: 'MicrosoftAppId is not set',
      accepted: 'loopback requests without proxy headers whose serviceUrl is on loopback',
    });
  if (enabled && !teams.appPassword && teams.appType !== 'UserAssignedMSI') {
    log.warn('teams_no_password', { reason: 'MicrosoftAppPassword is not set: replies cannot get a token' });
  }
  return {
    routes: { 'POST /api/messages': route },
    sender,
    summary: `Teams (Bot Framework) at POST /api/messages, ${enabled ? `tokens validated for app ${teams.appId}` : 'UNAUTHENTICATED'}${agents ? `; agents' channel ${agents.conversation}` : ''}${hub ? '; handoff protocol to an agent hub' : ''}${warning}`,
    async close() {
      const all = Promise.allSettled([...pending, agents?.idle(), hub?.idle()]);
      await Promise.race([all, new Promise((resolve) => setTimeout(resolve, CLOSE_WAIT_MS).unref())]);
    },
  };
}

/** The agents' channel and the hub protocol, as configured, added to the handoff service's surfaces. */
async function mountHandoff(
  context: ChannelContext,
  sender: TeamsSender,
  teams: TeamsEnv,
): Promise<{ agents?: TeamsAgentsChannel; hub?: TeamsHubHandoff }> {
  const { log, handoffs } = context;
  const settings = teams.agents;
  if (!handoffs) {
    if (settings || teams.handoff) log.warn('teams_handoff_unavailable', { reason: 'no handoff service' });
    return {};
  }
  let agents: TeamsAgentsChannel | undefined;
  if (settings) {
    const botId = `28:${teams.appId || 'switchboard'}`;
    agents = new TeamsAgentsChannel({
      settings,
      botId,
      sender,
      handoffs,
      conversations: context.store,
      config: context.config,
      log,
      exclusive: context.exclusive,
    });
    await agents.start();
    handoffs.addSurface(agents);
  }
  let hub: TeamsHubHandoff | undefined;
  if (teams.handoff === 'botframework') {
    hub = new TeamsHubHandoff({
      sender,
      handoffs,
      conversations: context.store,
      log,
      context: teams.handoffContext,
      exclusive: context.exclusive,
    });
    handoffs.addSurface(hub);
    hub.catchUp();
  }
  return { agents, hub };
}

/** A channel-supplied string for the log, cut to `max` characters (undefined when it is not a string). */
function clip(value: unknown, max: number): string | undefined {
  return typeof value === 'string' ? value.slice(0, max) : undefined;
}

/** The express-like response `CloudAdapter.process` writes to, over Node's `ServerResponse`. */
class ExpressResponse {
  statusCode = 200;
  private body: unknown;

  constructor(private readonly res: ServerResponse) {}

  get socket(): unknown {
    return this.res.socket;
  }

  status(code: number): this {
    this.statusCode = code;
    return this;
  }

  header(name: string, value: unknown): this {
    this.res.setHeader(name, String(value));
    return this;
  }

  send(body?: unknown): this {
    this.body = body;
    return this;
  }

  end(): void {
    const { res, body, statusCode } = this;
    if (res.headersSent) return void res.end();
    if (body === undefined || body === null) {
      res.writeHead(statusCode);
      return void res.end();
    }
    if (typeof body === 'string' || Buffer.isBuffer(body)) {
      res.writeHead(statusCode, { 'content-type': 'text/plain; charset=utf-8' });
      return void res.end(body);
    }
    sendJson(res, statusCode, body);
  }
}

declare module '../../turn.ts' {
  interface ChannelNames {
    teams: true;
  }
}

/** The teams channel for the registry. */
export const teamsChannel: ChannelPlugin = {
  name: 'teams',
  readEnv: readTeamsEnv,
  mount: mountTeams,
  /** The user's name in the stored ConversationReference. */
  customerName(address) {
    const name = (address as { user?: { name?: unknown } } | undefined)?.user?.name;
    return typeof name === 'string' && name.trim() ? name.trim().slice(0, 100) : undefined;
  },
};
