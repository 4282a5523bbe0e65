/**
 * The Bot Framework handoff protocol (`SWITCHBOARD_TEAMS_HANDOFF=botframework`), an {@link AgentSurface}: when a Teams
 * customer's conversation is handed off, a `handoff.initiate` event goes into that conversation (built by botbuilder's
 * `EventFactory.createHandoffInitiation`, the ticket's transcript attached) for an external agent hub — Dynamics 365
 * Omnichannel, or another hub in the channel's path — to pick up; the hub's `handoff.status` events come back to
 * `/api/messages`: `accepted` → the ticket is claimed by agent `hub` (or the agent name the hub gives in
 * `value.agent`), `failed` → the ticket is abandoned (or closed, if the hub had it) and the customer told the bot is
 * back, `completed` → the ticket is resolved and the bot takes over. Only tickets this surface initiated are moved by
 * status events. Sending happens in the background, one ticket at a time.
 */
import {
  type Activity,
  type ConversationReference,
  EventFactory,
  HandoffEventNames,
  type Transcript,
  type TurnContext,
} from 'botbuilder';
import type { AgentSurface, HandoffService, TicketEvent } from '../../handoff/handoff-service.ts';
import { KeyedQueue } from '../../handoff/keyed-queue.ts';
import type { Ticket, TranscriptEntry } from '../../handoff/ticket.ts';
import type { Logger } from '../../log.ts';
import type { ConversationStore } from '../../store/conversation-store.ts';
import type { TeamsSender } from './teams-sender.ts';
import { TEAMS_CONVERSATION_PREFIX } from './teams-to-turn.ts';

/** The agent id of a ticket the hub accepted without naming an agent. */
export const HUB_AGENT = 'hub';
/** What the ticket remembers of the hub's part (`surfaces.botframework`). */
export interface HubState {
  /** `sending` until the Connector took the `handoff.initiate` event, then `sent`. */
  state: 'sending' | 'sent';
  at: number;
  /** The event's activity id at the Connector. */
  activity?: string;
  /** The agent id the ticket was claimed under when the hub accepted it. */
  agent?: string;
}

export interface TeamsHubHandoffOptions {
  sender: Pick<TeamsSender, 'post'>;
  handoffs: HandoffService;
  conversations: ConversationStore;
  log: Logger;
  /** Hub-specific context merged into the event's `value` (`SWITCHBOARD_TEAMS_HANDOFF_CONTEXT`). */
  context?: Record<string, unknown>;
  now?: () => number;
  /** Chores one instance at a time (the catch-up), as the agents' desks do. */
  exclusive?: (name: string, work: () => Promise<void>) => Promise<boolean>;
}

export class TeamsHubHandoff implements AgentSurface {
  readonly name = 'botframework';
  private readonly queue: KeyedQueue;
  private readonly now: () => number;

  constructor(private readonly o: TeamsHubHandoffOptions) {
    this.now = o.now ?? Date.now;
    this.queue = new KeyedQueue((ticket, e) => {
      const err = e as { code?: string; kind?: string; message?: string };
      o.log.warn('teams_handoff_failed', { ticket, code: err?.code, error_kind: err?.kind, message: err?.message });
    });
  }

  /** True for a `handoff.status` event activity. */
  static isStatus(activity: Partial<Activity> | undefined): boolean {
    return activity?.type === 'event' && activity.name === HandoffEventNames.HandoffStatus;
  }

  /** {@inheritDoc AgentSurface.notify} A Teams customer's new ticket → `handoff.initiate` (queued; returns at once). */
  async notify(event: TicketEvent): Promise<void> {
    if (event.kind === 'opened' && event.ticket.channel === 'teams') {
      const ticket = event.ticket;
      // After the customer's handoff reply: a hub that accepts at once would otherwise join before it arrives.
      this.queue.run(ticket.id, () => this.o.handoffs.afterReply(ticket.id).then(() => this.initiate(ticket)));
    }
  }

  /** Initiates the queued Teams tickets whose event never reached the Connector (a crash, a failure). */
  catchUp(): void {
    const work = async () => {
      for (const ticket of await this.o.handoffs.list('queued')) {
        const hub = ticket.surfaces[this.name] as HubState | undefined;
        if (ticket.channel === 'teams' && hub?.state !== 'sent') {
          await this.queue.run(ticket.id, () => this.initiate(ticket));
        }
      }
    };
    void this.queue.run('catch-up', async () => {
      const exclusive =
        this.o.exclusive ??
        (async (_name: string, w: () => Promise<void>) => {
          await w();
          return true;
        });
      if (!(await exclusive(`catch-up:${this.name}`, work))) this.o.log.info('hub_catch_up_elsewhere', {});
    });
  }

  idle(): Promise<void> {
    return this.queue.idle();
  }

  /** Sends the ticket's `handoff.initiate` into the customer's conversation. */
  async initiate(ticket: Ticket): Promise<void> {
    const address = await this.o.conversations.getAddress(ticket.conversation);
    if (address?.channel !== 'teams') {
      this.o.log.warn('teams_handoff_no_address', { ticket: ticket.id });
      return;
    }
    const reference = address.address as ConversationReference;
    await this.o.handoffs.setSurface(ticket.id, this.name, { state: 'sending', at: this.now() });
    const value = {
      ...this.o.context,
      ticket: ticket.id,
      language: ticket.language,
      reason: ticket.reason,
      ...(ticket.intents[0] ? { skill: ticket.intents[0].intent } : {}),
      intents: ticket.intents,
      entities: ticket.entities,
    };
    const transcript = handoffTranscript(ticket, reference);
    const activity = await this.o.sender.post(reference, (context: TurnContext) => {
      const event = EventFactory.createHandoffInitiation(context, value, transcript);
      // The event relates to the customer's conversation at the message that was handed off.
      event.relatesTo = { ...event.relatesTo, ...reference };
      return event;
    });
    const state: HubState = { state: 'sent', at: this.now(), ...(activity ? { activity } : {}) };
    await this.o.handoffs.setSurface(ticket.id, this.name, state);
    this.o.log.info('teams_handoff_initiated', {
      ticket: ticket.id,
      activity,
      transcript: transcript.activities.length,
    });
  }

  /** A `handoff.status` event from the hub (after authentication; once per activity id). */
  async handleStatus(activity: Partial<Activity>): Promise<void> {
    const id = typeof activity.id === 'string' ? activity.id.slice(0, 256) : undefined;
    if (id && !(await this.o.conversations.claimEvent(`teams:${id}`))) return this.ignored(id, 'duplicate');
    const conversation = activity.conversation?.id;
    const value = (activity.value ?? {}) as { state?: unknown; agent?: unknown; message?: unknown };
    const state = typeof value.state === 'string' ? value.state : undefined;
    if (typeof conversation !== 'string') return this.ignored(id, 'missing_fields');
    const ticket = await this.o.handoffs.openFor(TEAMS_CONVERSATION_PREFIX + conversation);
    const hub = ticket?.surfaces[this.name] as HubState | undefined;
    if (!ticket || !hub) return this.ignored(id, 'no_ticket_with_hub', state);
    const hubHasIt = ticket.status === 'claimed' && ticket.agent === hub.agent;
    const fields = { id, ticket: ticket.id, state, status: ticket.status };
    switch (state) {
      case 'accepted': {
        if (ticket.status !== 'queued') return this.ignored(id, 'not_queued', state);
        const agent = hubAgent(value.agent);
        await this.o.handoffs.setSurface(ticket.id, this.name, { ...hub, agent });
        await this.o.handoffs.claim(ticket.id, agent);
        break;
      }
      case 'failed':
        if (ticket.status === 'queued') await this.o.handoffs.abandon(ticket.id);
        else if (hubHasIt) await this.o.handoffs.resolve(ticket.id, ticket.agent as string);
        else return this.ignored(id, 'claimed_by_another_agent', state);
        break;
      case 'completed': {
        if (ticket.status === 'queued') {
          const agent = hubAgent(value.agent);
          await this.o.handoffs.setSurface(ticket.id, this.name, { ...hub, agent });
          await this.o.handoffs.claim(ticket.id, agent);
          await this.o.handoffs.resolve(ticket.id, agent);
        } else if (hubHasIt) await this.o.handoffs.resolve(ticket.id, ticket.agent as string);
        else return this.ignored(id, 'claimed_by_another_agent', state);
        break;
      }
      default:
        return this.ignored(id, 'unknown_state');
    }
    // The hub's `message` (why a handoff failed) is its own text, not the customer's: it is logged as its size only.
    this.o.log.info('teams_handoff_status', {
      ...fields,
      text: typeof value.message === 'string' ? value.message : undefined,
    });
  }

  private ignored(id: string | undefined, reason: string, state?: string): void {
    this.o.log.info('teams_handoff_ignored', { id, reason, ...(state ? { state } : {}) });
  }
}

/** The hub's agent: `value.agent` (a name, or `{name}`) when it gives one, else `hub`. */
function hubAgent(agent: unknown): string {
  const name = typeof agent === 'string' ? agent : (agent as { name?: unknown } | undefined)?.name;
  return typeof name === 'string' && name.trim() && name.trim().length <= 64 ? name.trim() : HUB_AGENT;
}

/**
 * The ticket's transcript as Bot Framework activities (the Transcript schema): the customer's lines from the user, the
 * bot's and agents' from the bot, each with its time.
 */
export function handoffTranscript(ticket: Ticket, reference: Partial<ConversationReference>): Transcript {
  const activity = (e: TranscriptEntry): Partial<Activity> => {
    const fromCustomer = e.from === 'customer';
    const bot = e.from === 'agent' ? { ...reference.bot, name: e.agent ?? 'agent', role: 'bot' } : reference.bot;
    return {
      type: 'message',
      id: `${ticket.id}:${e.seq}`,
      timestamp: new Date(e.at),
      channelId: reference.channelId ?? 'msteams',
      serviceUrl: reference.serviceUrl,
      conversation: reference.conversation,
      from: fromCustomer ? reference.user : bot,
      recipient: fromCustomer ? reference.bot : reference.user,
      text: e.text,
      textFormat: 'plain',
      locale: ticket.language,
    } as Partial<Activity>;
  };
  return { activities: ticket.transcript.map(activity) as Activity[] };
}
