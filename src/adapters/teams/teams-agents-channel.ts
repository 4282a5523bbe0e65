/**
 * The Teams agents' channel, an {@link AgentSurface}: every ticket becomes an Adaptive Card posted in one Teams channel
 * (`SWITCHBOARD_TEAMS_AGENTS_CONVERSATION`), updated in place when it is claimed, resolved or abandoned; the card's
 * reply chain (its thread) mirrors the customer's messages, and an agent's reply in that thread goes to the customer
 * (`handoffs.agentMessage`, delivered by the HandoffService in the customer's own channel). Claim and Resolve are the
 * card's buttons; an agent is the config's `agents[].teams_user` (aadObjectId or Teams user id), else `teams:<id>`.
 * Where each card is (`{conversationId, activityId}`) is kept with the ticket (`setSurface('teams', …)`, keyed by its
 * thread's conversation id), so threads and buttons still map to their tickets after a restart.
 *
 * Everything Teams-bound runs in the background, one ticket at a time ({@link KeyedQueue}): a customer's turn never
 * waits for the card. Logs carry ids and codes, never message text.
 */
import type { Activity, ConversationReference } from 'botbuilder';
import type { BotConfig } from '../../config/bot-config.ts';
import { isSwitchboardError } from '../../errors.ts';
import { type AgentProfile, eligibleAgents } from '../../handoff/agent-routing.ts';
import type { AgentSurface, HandoffService, TicketEvent } from '../../handoff/handoff-service.ts';
import { KeyedQueue } from '../../handoff/keyed-queue.ts';
import { OwnLines } from '../../handoff/own-lines.ts';
import type { Ticket } from '../../handoff/ticket.ts';
import { MAX_AGENT_TEXT } from '../../handoff/ticket.ts';
import { refusalText, STORE_DOWN_TEXT, threadNote } from '../../handoff/ticket-thread-notes.ts';
import type { Logger } from '../../log.ts';
import type { ConversationStore } from '../../store/conversation-store.ts';
import { isUnavailable } from '../../store/postgres-client.ts';
import { AgentsChannelAddress } from './agents-channel-address.ts';
import { textActivity } from './reply-to-teams.ts';
import { TeamsAgentIdentity } from './teams-agent-identity.ts';
import type { TeamsSender } from './teams-sender.ts';
import { stripBotMention } from './teams-to-turn.ts';
import { parseTicketSubmit, ticketCard } from './ticket-card.ts';

/** Where a ticket's card is. */
export interface TeamsCard {
  /** The channel's conversation id (without `;messageid=`). */
  conversationId: string;
  /** The card message's id: the root of its thread. */
  activityId: string;
}

export interface TeamsAgentsChannelOptions {
  /** `SWITCHBOARD_TEAMS_AGENTS_*`: the channel's conversation id, and its service URL and tenant when known. */
  settings: { conversation: string; serviceUrl?: string; tenantId?: string };
  /** The bot's Teams id (`28:<app id>`), for a reference built from the settings. */
  botId: string;
  sender: Pick<TeamsSender, 'post' | 'update'>;
  handoffs: HandoffService;
  conversations: ConversationStore;
  config?: Pick<BotConfig, 'agents'>;
  log: Logger;
}

/** Cards remembered in memory (beyond this, the oldest are looked up in the store again). */
const MAX_CARDS = 10_000;
/** The thread's conversation id: Teams' channel id with the root message's id. */
export const threadId = (card: TeamsCard) => `${card.conversationId};messageid=${card.activityId}`;

export class TeamsAgentsChannel implements AgentSurface {
  readonly name = 'teams';
  private readonly address: AgentsChannelAddress;
  private readonly queue: KeyedQueue;
  private readonly cards = new Map<string, TeamsCard>();
  /** Agent lines written in a thread here: not mirrored back into it. */
  private readonly ownLines = new OwnLines();
  private readonly identity: TeamsAgentIdentity;
  private warnedUnknown = false;

  constructor(private readonly o: TeamsAgentsChannelOptions) {
    this.address = new AgentsChannelAddress(o);
    this.identity = new TeamsAgentIdentity(
      o.config?.agents ?? [],
      (a) => o.handoffs.agentName(a),
      (a, name) => o.handoffs.learnAgentName(a, name),
    );
    this.queue = new KeyedQueue((ticket, e) => this.logFailure('teams_agents_failed', { ticket }, e));
  }

  /** Loads the channel's reference (the settings', else one stored from an earlier activity); posts missing cards. */
  async start(): Promise<void> {
    if (await this.address.load()) this.catchUp();
    else this.warnUnknown();
  }

  /** The channel's conversation id. */
  get conversation(): string {
    return this.address.conversation;
  }

  /** The channel's reference as this process knows it (tests, diagnostics). */
  get channelReference(): ConversationReference | undefined {
    return this.address.current;
  }

  /** True when `activity` comes from the agents' channel (a post, a thread reply, a card button, an install). */
  owns(activity: Partial<Activity> | undefined): boolean {
    return this.address.owns(activity);
  }

  /** {@inheritDoc AgentSurface.notify} Queues the work and returns at once. */
  async notify(event: TicketEvent): Promise<void> {
    if (event.kind === 'message') this.queue.run(event.ticket.id, () => this.mirror(event));
    else this.queue.run(event.ticket.id, () => this.apply(event));
  }

  /** {@inheritDoc AgentSurface.alert} An operational alert (drift…): a post of its own in the channel (queued). */
  async alert(message: string): Promise<void> {
    this.queue.run('alerts', async () => {
      const channel = this.address.at();
      if (channel) await this.o.sender.post(channel, { ...textActivity(`⚠️ ${message}`), textFormat: 'plain' });
    });
  }

  /** Waits for the queued Teams work (tests, shutdown). */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  /** An activity from the agents' channel (after authentication): a button, a thread reply, the bot's install. */
  async handle(activity: Partial<Activity>): Promise<void> {
    const id = typeof activity.id === 'string' ? activity.id.slice(0, 256) : undefined;
    if (!this.address.allows(activity)) return this.ignored(id, 'other_tenant');
    if (await this.address.learn(activity)) this.catchUp();
    if (activity.type === 'conversationUpdate') return this.installed(activity, id);
    if (activity.type !== 'message') return this.ignored(id, 'not_a_message');
    if (!activity.from?.id || activity.from.id === activity.recipient?.id || activity.from.role === 'bot') {
      return this.ignored(id, 'from_bot');
    }
    if (!id) return this.ignored(id, 'missing_fields');
    if (!(await this.o.conversations.claimEvent(`teams:${id}`))) return this.ignored(id, 'duplicate');
    const agent = this.identity.agentOf(activity.from);
    const thread = this.threadOf(activity);
    if (activity.value !== undefined && activity.value !== null) {
      return this.submit(id, agent, thread, activity.value);
    }
    const text = stripBotMention(activity.text ?? '', activity.entities, activity.recipient?.id ?? '');
    if (!thread) return this.ignored(id, 'not_in_a_thread');
    const ticket = await this.o.handoffs.store.findBySurface(this.name, thread);
    if (!ticket) return this.ignored(id, 'not_a_ticket_thread');
    if (!text) return this.ignored(id, 'empty');
    if (text.length > MAX_AGENT_TEXT) {
      this.o.log.info('teams_agents_refused', { id, ticket: ticket.id, action: 'message', agent, code: 'E_TOO_LONG' });
      return this.say(thread, `⚠️ Too long for the customer (${MAX_AGENT_TEXT} characters at most): not sent.`);
    }
    this.ownLines.mark(ticket.id, agent, text);
    try {
      await this.o.handoffs.agentMessage(ticket.id, agent, text);
      this.o.log.info('teams_agents_action', { id, ticket: ticket.id, action: 'message', agent, text });
    } catch (e) {
      this.ownLines.release(ticket.id, agent, text);
      await this.refuse(id, thread, ticket.id, 'message', agent, e);
    }
  }

  /** A Claim or Resolve button: only for the ticket whose card it is on. */
  private async submit(id: string, agent: string, thread: string | undefined, value: unknown): Promise<void> {
    const submit = parseTicketSubmit(value);
    if (!submit) return this.ignored(id, 'unknown_submit');
    const onCard = thread ? await this.o.handoffs.store.findBySurface(this.name, thread) : undefined;
    if (!onCard || onCard.id !== submit.ticket) {
      this.o.log.warn('teams_agents_forged', { id, ticket: submit.ticket, action: submit.action, agent });
      if (thread) await this.say(thread, '⚠️ That button does not belong to a ticket here: nothing was changed.');
      return;
    }
    try {
      if (submit.action === 'claim') await this.o.handoffs.claim(submit.ticket, agent);
      else await this.o.handoffs.resolve(submit.ticket, agent, submit.label);
      this.o.log.info('teams_agents_action', { id, ticket: submit.ticket, action: submit.action, agent });
    } catch (e) {
      await this.refuse(id, thread as string, submit.ticket, submit.action, agent, e);
    }
  }

  /** An action the ticket's state does not allow: explained in the thread, nothing changed. */
  private async refuse(
    id: string,
    thread: string,
    ticketId: string,
    action: 'claim' | 'resolve' | 'message',
    agent: string,
    e: unknown,
  ): Promise<void> {
    if (isUnavailable(e)) {
      this.o.log.warn('teams_agents_store_down', { ticket: ticketId, action, agent });
      await this.say(thread, STORE_DOWN_TEXT);
      return;
    }
    if (!isSwitchboardError(e) || e.kind !== 'input') throw e;
    this.o.log.info('teams_agents_refused', { id, ticket: ticketId, action, agent, code: e.code });
    const ticket = await this.o.handoffs.store.get(ticketId);
    const text = refusalText(ticket, action, (a) => this.identity.nameOf(a));
    await this.say(thread, text);
  }

  /** A ticket's state changed: its card (posted if missing, else updated) and a note in its thread. */
  private async apply(event: Exclude<TicketEvent, { kind: 'message' }>): Promise<void> {
    const { ticket } = event;
    const placed = await this.ensureCard(ticket, event.kind === 'opened' ? { agents: event.agents } : undefined);
    if (!placed) return;
    if (event.kind === 'opened') return;
    if (!placed.fresh && event.kind !== 'alert') await this.updateCard(ticket, placed.card);
    const note = threadNote(event, (a) => this.identity.nameOf(a));
    if (note) await this.say(threadId(placed.card), note);
    if (event.kind === 'resolved' || event.kind === 'abandoned') this.cards.delete(ticket.id);
  }

  /** A transcript line: the customer's (and other surfaces' agents') into the card's thread. */
  private async mirror(event: Extract<TicketEvent, { kind: 'message' }>): Promise<void> {
    const { ticket, entry } = event;
    if (entry.from === 'bot') return;
    if (entry.from === 'agent' && this.ownLines.release(ticket.id, entry.agent, entry.text)) return;
    const placed = await this.ensureCard(ticket);
    if (!placed) return;
    const who =
      entry.from === 'customer'
        ? ((await this.customerName(ticket)) ?? 'Customer')
        : `${this.identity.nameOf(entry.agent ?? 'agent')} (agent)`;
    await this.say(threadId(placed.card), `${who}: ${entry.text}`);
  }

  /**
   * The ticket's card, posting it (in the ticket's current state) when it has none yet. `opened`: the ticket was just
   * created, so it has no card anywhere (no store lookup).
   */
  private async ensureCard(
    ticket: Ticket,
    opened?: { agents: readonly AgentProfile[] },
  ): Promise<{ card: TeamsCard; fresh: boolean } | undefined> {
    const known =
      this.cards.get(ticket.id) ??
      asCard(ticket.surfaces[this.name]) ??
      (opened ? undefined : asCard((await this.o.handoffs.store.get(ticket.id))?.surfaces[this.name]));
    if (known) return { card: known, fresh: false };
    const reference = this.address.at();
    if (!reference) return void this.warnUnknown();
    const activityId = await this.o.sender.post(reference, await this.cardActivity(ticket, opened?.agents));
    if (!activityId) throw new Error('the Connector returned no id for the card');
    const card = { conversationId: this.conversation, activityId };
    this.remember(ticket.id, card);
    await this.o.handoffs.store.setSurface(ticket.id, this.name, card, threadId(card));
    this.o.log.info('teams_agents_card', { ticket: ticket.id, activity: activityId });
    return { card, fresh: true };
  }

  private async updateCard(ticket: Ticket, card: TeamsCard): Promise<void> {
    const reference = this.address.at(card.conversationId);
    if (reference) await this.o.sender.update(reference, card.activityId, await this.cardActivity(ticket));
  }

  private async cardActivity(ticket: Ticket, agents?: readonly AgentProfile[]): Promise<Partial<Activity>> {
    const routed = agents ?? eligibleAgents(this.o.config?.agents ?? [], ticket.language, ticket.intents[0]?.intent);
    const attachment = ticketCard(ticket, {
      customerName: await this.customerName(ticket),
      agents: routed,
      agentName: (a) => this.identity.nameOf(a),
    });
    return {
      type: 'message',
      summary: `Handoff ticket ${ticket.id} (${ticket.language}, ${ticket.reason})`,
      attachments: [attachment],
    };
  }

  /** A plain-text message in a thread (plain: customer text cannot format it). */
  private async say(thread: string, text: string): Promise<void> {
    const reference = this.address.at(thread);
    if (reference) await this.o.sender.post(reference, { ...textActivity(text), textFormat: 'plain' });
  }

  /** A Teams customer's display name from their stored ConversationReference. */
  private async customerName(ticket: Ticket): Promise<string | undefined> {
    if (ticket.channel !== 'teams') return undefined;
    const address = await this.o.conversations.getAddress(ticket.conversation);
    const name = (address?.address as Partial<ConversationReference> | undefined)?.user?.name;
    return typeof name === 'string' && name.trim() ? name.trim().slice(0, 100) : undefined;
  }

  /** The thread an activity belongs to: its conversation id's `;messageid=`, else the message it replies to. */
  private threadOf(activity: Partial<Activity>): string | undefined {
    const id = activity.conversation?.id ?? '';
    if (/;messageid=[^;]+/.test(id)) return `${this.conversation};messageid=${/;messageid=([^;]+)/.exec(id)?.[1]}`;
    return typeof activity.replyToId === 'string' && activity.replyToId
      ? `${this.conversation};messageid=${activity.replyToId}`
      : undefined;
  }

  /** The bot added to the agents' channel: say what the channel is for (once per activity). */
  private async installed(activity: Partial<Activity>, id: string | undefined): Promise<void> {
    const added = activity.membersAdded ?? [];
    if (!added.some((m) => m.id === activity.recipient?.id)) return this.ignored(id, 'members_added');
    if (id && !(await this.o.conversations.claimEvent(`teams:${id}`))) return this.ignored(id, 'duplicate');
    const channel = this.address.at();
    if (!channel) return;
    await this.o.sender.post(channel, {
      ...textActivity(
        'Handoff tickets will be posted in this channel. Claim one with its button, reply in its thread to talk to ' +
          'the customer, and resolve it when done.',
      ),
      textFormat: 'plain',
    });
  }

  /** Cards for the open tickets that have none (posted before the channel was known, or lost to a failure). */
  private catchUp(): void {
    this.queue.run('catch-up', async () => {
      for (const status of ['queued', 'claimed'] as const) {
        for (const ticket of await this.o.handoffs.store.list(status)) {
          if (!asCard(ticket.surfaces[this.name])) {
            this.queue.run(ticket.id, async () => void (await this.ensureCard(ticket)));
          }
        }
      }
    });
  }

  private remember(ticket: string, card: TeamsCard): void {
    if (this.cards.size >= MAX_CARDS) this.cards.delete(this.cards.keys().next().value as string);
    this.cards.set(ticket, card);
  }

  private warnUnknown(): void {
    if (this.warnedUnknown) return;
    this.warnedUnknown = true;
    this.o.log.warn('teams_agents_unknown', {
      conversation: this.conversation,
      reason:
        'no service URL for the agents’ channel yet: set SWITCHBOARD_TEAMS_AGENTS_SERVICE_URL or @mention the bot there once',
    });
  }

  private ignored(id: string | undefined, reason: string): void {
    this.o.log.info('teams_agents_ignored', { id, reason });
  }

  private logFailure(event: string, fields: Record<string, unknown>, e: unknown): void {
    const err = e as { code?: string; kind?: string; message?: string };
    this.o.log.warn(event, { ...fields, code: err?.code, error_kind: err?.kind, message: err?.message });
  }
}

/** A stored card location, checked (the surfaces column is JSON from the database). */
function asCard(v: unknown): TeamsCard | undefined {
  const c = v as Partial<TeamsCard> | undefined;
  return typeof c?.conversationId === 'string' && typeof c.activityId === 'string'
    ? { conversationId: c.conversationId, activityId: c.activityId }
    : undefined;
}
