/**
 * The human handoff: opens a ticket when the router hands a conversation to a person, keeps the customer informed
 * (place in the queue, who joined, when the bot is back), relays messages both ways while the ticket is open and tells
 * every agent surface (Slack agents' channel, Teams agents' channel, web console) what changed.
 *
 * Delivery to the customer is durable: an agent's line is written to the transcript as undelivered first, then sent
 * through the customer's channel and marked delivered; lines a crash or a channel failure left undelivered are sent
 * again by {@link HandoffService.redeliver} (at startup and periodically).
 */
import type { ChannelSender } from '../channel-sender.ts';
import type { BotConfig } from '../config/bot-config.ts';
import { SwitchboardError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { Understanding } from '../nlu/understanding.ts';
import type { Reply } from '../responses/render-reply.ts';
import type { Decision } from '../router/decision.ts';
import { PhraseMatcher } from '../router/phrase-matcher.ts';
import type { ConversationStore } from '../store/conversation-store.ts';
import type { ChannelName, Turn } from '../turn.ts';
import { type AgentProfile, eligibleAgents } from './agent-routing.ts';
import type { DeliverySender, HandoffStore } from './handoff-store.ts';
import type { Ticket, TicketStatus, TranscriptEntry } from './ticket.ts';

/** What changed on a ticket, as agent surfaces hear it. */
export type TicketEvent =
  | { kind: 'opened'; ticket: Ticket; agents: AgentProfile[] }
  | {
      kind: 'claimed';
      ticket: Ticket /** What the claiming agent overrode (`language:de`, `skill:…`). */;
      override?: string[];
    }
  | { kind: 'resolved' | 'abandoned' | 'cancelled'; ticket: Ticket }
  | { kind: 'message'; ticket: Ticket; entry: TranscriptEntry }
  | { kind: 'alert'; ticket: Ticket; waitedMs: number };

/** A place agents work: it shows tickets and their transcripts. Failures are logged, never fail the customer's turn. */
export interface AgentSurface {
  readonly name: string;
  notify(event: TicketEvent): Promise<void>;
  /** An operational alert for the agents (e.g. drift); optional. */
  alert?(message: string): Promise<void>;
}

export interface HandoffServiceOptions {
  store: HandoffStore;
  conversations: ConversationStore;
  senders: Partial<Record<ChannelName, ChannelSender>>;
  config: BotConfig;
  log: Logger;
  now?: () => number;
  /**
   * How the customer's channel names a customer, from the address it stored (a Teams reference carries the user's
   * display name); undefined when the channel has nothing better than the user id. The server builds it from the
   * channel registry.
   */
  customerName?: (channel: ChannelName, address: unknown) => string | undefined;
  /** This instance's name among several on one database (the outbox's line leases); default: one instance. */
  instance?: string;
}

/** How long a sender holds a line: longer than a send with its retries takes (Slack's wait out rate limits ~1 min). */
const DELIVERY_LEASE_MS = 120_000;
/** The most queued tickets one sweep looks at (oldest first). */
const SWEEP_LIMIT = 500;

const DEFAULT_TEXTS = {
  queued:
    "You are number {position} in the queue; a person will be with you shortly. Write 'cancel' to go back to the bot.",
  cancelled: 'OK, you have left the queue. I am back: ask me anything.',
  nothing_to_cancel: 'There is nothing waiting to cancel. What can I help you with?',
  cancel_label: 'Cancel',
  claimed: '{agent} has joined the conversation.',
  closing: 'The conversation with our agent is closed. I am back: ask me anything.',
  abandoned: 'Sorry, nobody could take your question in time. Please write again and I will try to help.',
};

/** Always understood as leaving the queue, besides the config's `handoff.cancel` phrases. */
const DEFAULT_CANCEL = [
  'cancel',
  'cancel it',
  'never mind',
  'nevermind',
  'forget it',
  'stop waiting',
  'leave the queue',
];

/**
 * The quick-reply "intent" of the button that leaves the queue: a channel sends it back as a choice like any quick
 * reply (model intents are `\w+`, so it is never one of them).
 */
export const CANCEL_QUEUE_CHOICE = 'handoff.cancel';

/** How long a surface waits for the handoff reply of the turn that opened a ticket ({@link HandoffService.afterReply}). */
export const REPLY_WAIT_MS = 30_000;

export class HandoffService {
  readonly surfaces: AgentSurface[] = [];
  /** The phrases that leave the queue (whole messages: "cancel please" is one, "cancel my order" is not). */
  private readonly cancelPhrases: PhraseMatcher<'cancel'>;
  private readonly now: () => number;
  /** Tickets already alerted on (once per ticket per process). */
  private readonly alerted = new Set<string>();
  /** This process as the sender of outbox lines (a restart takes back the lines its previous run held). */
  private readonly sender: DeliverySender;
  /** Tickets this process opened whose customer has not yet been sent the handoff reply ({@link afterReply}). */
  private readonly replyPending = new Map<string, { sent: Promise<void>; release: () => void }>();

  constructor(private readonly options: HandoffServiceOptions) {
    this.now = options.now ?? Date.now;
    this.sender = { owner: options.instance ?? 'local', startedAt: Date.now() };
    const configured = options.config.handoff.cancel ?? {};
    this.cancelPhrases = new PhraseMatcher({
      cancel: { ...configured, en: [...DEFAULT_CANCEL, ...(configured.en ?? [])] },
    });
  }

  /**
   * One of the handoff texts the customer is told (`handoff.<key>` of the config), in `language`, else in the bot's
   * default language, else the built-in English one.
   */
  customerText(key: keyof typeof DEFAULT_TEXTS, language: string): string {
    const config = this.options.config;
    const texts = config.handoff[key];
    return texts?.[language] ?? texts?.[config.default_language] ?? DEFAULT_TEXTS[key];
  }

  /**
   * The language of the cancel phrase `text` is: `current` when it is one of the phrase's, else the bot's language with
   * the most matching words (undefined when `text` is not a cancel phrase, or in none of the bot's languages).
   */
  cancelLanguage(text: string, current: string): string | undefined {
    const m = this.cancelPhrases.match(text);
    if (!m) return undefined;
    if (m.languages.has(current)) return current;
    const served = [...m.languages].filter(([l]) => this.options.config.languages.includes(l));
    return served.sort((a, b) => b[1] - a[1])[0]?.[0];
  }

  /** Does the customer's message ask to leave the queue ("cancel", "never mind", the config's phrases)? */
  isCancel(text: string): boolean {
    return this.cancelPhrases.match(text) !== undefined;
  }

  private get store(): HandoffStore {
    return this.options.store;
  }

  /** One ticket with its transcript. */
  ticket(id: string): Promise<Ticket | undefined> {
    return this.store.get(id);
  }

  /** Tickets by status, oldest first (at most `limit`, default 500). */
  list(status?: TicketStatus, limit?: number): Promise<Ticket[]> {
    return this.store.list(status, limit);
  }

  /** The open (queued or claimed) ticket of a conversation. */
  openFor(conversation: string): Promise<Ticket | undefined> {
    return this.store.openFor(conversation);
  }

  /** Remembers where an agent surface shows the ticket (`key`: what {@link onSurface} finds it by). */
  setSurface(id: string, surface: string, value: unknown, key?: string): Promise<void> {
    return this.store.setSurface(id, surface, value, key);
  }

  /** The ticket a surface registered under `key` (a Slack card's `channel:ts`, a Teams thread id). */
  onSurface(surface: string, key: string): Promise<Ticket | undefined> {
    return this.store.findBySurface(surface, key);
  }

  /** The customer's display name as their channel knows it, when it knows one (see the `customerName` option). */
  async customerName(ticket: Ticket): Promise<string | undefined> {
    const name = this.options.customerName;
    if (!name) return undefined;
    const address = await this.options.conversations.getAddress(ticket.conversation);
    return address ? name(ticket.channel, address.address) : undefined;
  }

  addSurface(surface: AgentSurface): void {
    this.surfaces.push(surface);
  }

  /** Tells every surface that takes alerts (drift and the like); failures are logged. */
  async broadcast(message: string): Promise<void> {
    await Promise.all(
      this.surfaces.map((s) =>
        s
          .alert?.(message)
          .catch((e) =>
            this.options.log.warn('agent_surface_failed', { surface: s.name, message: (e as Error).message }),
          ),
      ),
    );
  }

  /** Display names of agents the config does not list, as the channels reported them (this process). */
  private readonly learnedNames = new Map<string, string>();

  /** Remembers the channel's display name of an agent the config does not list (what customers are told). */
  learnAgentName(agent: string, name: string): void {
    if (name.trim()) this.learnedNames.set(agent, name.trim());
  }

  /** The agent's display name: the config's, else the one its channel reported, else the id. */
  agentName(agent: string): string {
    return this.options.config.agents.find((a) => a.id === agent)?.name ?? this.learnedNames.get(agent) ?? agent;
  }

  /**
   * Opens (or finds) the conversation's ticket after the router handed `turn` off, and returns the text to add to the
   * bot's handoff message: the customer's place in the queue. With `replyFollows` (the turn handler), the caller sends
   * that message next and says so with {@link replied}: until then, what would reach the customer after it waits
   * ({@link afterReply}).
   */
  async open(
    turn: Turn,
    u: Understanding,
    decision: Decision,
    reply: Reply,
    options: { replyFollows?: boolean } = {},
  ): Promise<{ ticket: Ticket; note: string }> {
    const now = this.now();
    const { ticket, created } = await this.store.open(
      {
        conversation: turn.conversation,
        channel: turn.channel,
        customer: turn.user,
        language: decision.language,
        reason: decision.reason,
        intents: u.intents.slice(0, 3),
        entities: u.entities.map((e) => ({ type: e.type, text: e.text })),
        transcript: [
          ...(turn.text ? [{ at: turn.receivedAt, from: 'customer' as const, text: turn.text }] : []),
          { at: now, from: 'bot' as const, text: reply.text },
        ],
      },
      now,
    );
    if (created) {
      if (options.replyFollows) this.holdUntilReplied(ticket.id);
      const agents = eligibleAgents(this.options.config.agents, ticket.language, ticket.intents[0]?.intent);
      await this.tell({ kind: 'opened', ticket, agents });
    }
    return { ticket, note: await this.queueNote(ticket) };
  }

  /**
   * Resolves once the turn that opened the ticket has sent the customer its reply ("I'm passing you to a colleague…"),
   * or tried to — at once for a ticket this process is not opening. A surface that writes into the customer's own
   * conversation (the Bot Framework hub's `handoff.initiate`, after which a hub may join at once) waits for it, so the
   * customer never reads "has joined" before "passing you to a colleague". At most {@link REPLY_WAIT_MS}.
   */
  afterReply(ticketId: string): Promise<void> {
    return this.replyPending.get(ticketId)?.sent ?? Promise.resolve();
  }

  /** The turn handler's word that the reply of the turn that opened `ticketId` went out (or failed to). */
  replied(ticketId: string): void {
    this.replyPending.get(ticketId)?.release();
    this.replyPending.delete(ticketId);
  }

  private holdUntilReplied(ticketId: string): void {
    let release = () => {};
    const sent = new Promise<void>((resolve) => {
      release = resolve;
    });
    this.replyPending.set(ticketId, { sent, release });
    // A turn that never gets to its send (a fault; it is taken up again later) holds nobody for long.
    setTimeout(() => this.replied(ticketId), REPLY_WAIT_MS).unref();
  }

  /** The reply that carries the queue note, with a button to leave the queue (channels without buttons show none). */
  withCancelButton(ticket: Ticket, text: string): Reply {
    return {
      text,
      language: ticket.language,
      ...(ticket.status === 'queued'
        ? { quick_replies: [{ intent: CANCEL_QUEUE_CHOICE, label: this.text(ticket, 'cancel_label') }] }
        : {}),
    };
  }

  /**
   * A customer message while the conversation has an open ticket: into the transcript, to the agents; while queued,
   * the holding note back (with the button that leaves the queue).
   */
  async customerMessage(ticket: Ticket, turn: Turn): Promise<{ entry: TranscriptEntry; holding?: Reply }> {
    // Keyed by the turn: a turn handled again (after a crash, or by the instance that took it over) is one line.
    const { repeated, ...entry } = await this.store.append(
      ticket.id,
      { at: turn.receivedAt, from: 'customer', text: turn.text },
      `turn:${turn.id}`,
    );
    if (!repeated) await this.tell({ kind: 'message', ticket, entry });
    if (ticket.status !== 'queued') return { entry };
    const note = await this.queueNote(ticket);
    return { entry, ...(note ? { holding: this.withCancelButton(ticket, note) } : {}) };
  }

  /**
   * The customer leaves the queue (they wrote "cancel" or pressed the button): the ticket is closed as cancelled by
   * the customer, every agent surface hears it, and the reply says the bot is back. Undefined when the ticket is no
   * longer queued (an agent claimed it meanwhile: the message goes to the agent instead).
   */
  async cancelByCustomer(ticket: Ticket, turn: Turn): Promise<{ ticket: Ticket; reply: Reply } | undefined> {
    let gone: Ticket;
    try {
      gone = await this.store.cancel(ticket.id, this.now());
    } catch (e) {
      if ((e as { code?: string }).code === 'E_TICKET_STATE') return undefined;
      throw e;
    }
    const text = this.text(gone, 'cancelled');
    if (turn.text) await this.store.append(gone.id, { at: turn.receivedAt, from: 'customer', text: turn.text });
    await this.store.append(gone.id, { at: this.now(), from: 'bot', text });
    await this.tell({ kind: 'cancelled', ticket: gone });
    return { ticket: gone, reply: { text, language: gone.language } };
  }

  /**
   * What a configured agent lacks to take the ticket under the routing (agent-routing.ts): `['language:de']`,
   * `['skill:alarm_set']`; [] when the routing sends the ticket to them, or the agent is not in the config (a Slack or
   * Teams user the config does not list has no profile to check).
   */
  routingGap(ticket: Pick<Ticket, 'language' | 'intents'>, agent: string): string[] {
    const agents = this.options.config.agents;
    const profile = agents.find((a) => a.id === agent);
    if (!profile) return [];
    const intent = ticket.intents[0]?.intent;
    if (eligibleAgents(agents, ticket.language, intent).some((a) => a.id === agent)) return [];
    const speaks = profile.languages.length === 0 || profile.languages.includes(ticket.language);
    return speaks ? [`skill:${intent ?? 'none'}`] : [`language:${ticket.language}`];
  }

  /**
   * An agent claims a queued ticket; the customer is told who joined. A configured agent the routing does not send
   * the ticket to (not their language or skill) is refused with E_NOT_ELIGIBLE unless `override` is set; an override
   * is logged (`claim_override`) and the `claimed` event carries what was overridden.
   */
  async claim(id: string, agent: string, options: { override?: boolean } = {}): Promise<Ticket> {
    const current = await this.store.get(id);
    const gap = current?.status === 'queued' ? this.routingGap(current, agent) : [];
    if (gap.length > 0 && !options.override) {
      const [what, value] = gap[0].split(':');
      throw new SwitchboardError(
        'E_NOT_ELIGIBLE',
        'input',
        `ticket ${id} is routed to agents with ${what === 'language' ? `the language ${value}` : `the skill ${value}`}, which ${this.agentName(agent)} does not have in bot.yaml; claim with override to take it anyway`,
        { status: 403 },
      );
    }
    const ticket = await this.store.claim(id, agent, this.now());
    if (gap.length > 0) this.options.log.warn('claim_override', { ticket: id, agent, overridden: gap.join(',') });
    await this.tell({ kind: 'claimed', ticket, ...(gap.length > 0 ? { override: gap } : {}) });
    // A claim within moments of the handoff (an agent-API client): "has joined" after "passing you to a colleague".
    await this.afterReply(ticket.id);
    await this.toCustomer(ticket, this.text(ticket, 'claimed').replace('{agent}', this.agentName(agent)), 'bot');
    return ticket;
  }

  /**
   * An agent's message to the customer (only the agent who claimed the ticket). Durable: see the module doc. With
   * `key` (the agent's client message id) a retried request writes and sends the line once.
   */
  async agentMessage(id: string, agent: string, text: string, key?: string): Promise<TranscriptEntry> {
    const ticket = await this.store.get(id);
    if (!ticket) throw new SwitchboardError('E_TICKET_NOT_FOUND', 'input', `no ticket ${id}`, { status: 404 });
    if (ticket.status !== 'claimed')
      throw new SwitchboardError('E_TICKET_STATE', 'input', `ticket ${id} is ${ticket.status}, not claimed`, {
        status: 409,
      });
    if (ticket.agent !== agent)
      throw new SwitchboardError('E_NOT_CLAIMANT', 'input', `ticket ${id} is claimed by another agent`, {
        status: 403,
      });
    return this.toCustomer(ticket, text, 'agent', agent, key);
  }

  /** The claiming agent resolves the ticket (optionally labelling the intent); the bot takes over again. */
  async resolve(id: string, agent: string, label?: string): Promise<Ticket> {
    const ticket = await this.store.resolve(id, agent, this.now(), label);
    await this.options.conversations.set(ticket.conversation, {
      ...(await this.options.conversations.get(ticket.conversation)),
      clarifications: 0,
    });
    await this.toCustomer(ticket, this.text(ticket, 'closing'), 'bot');
    await this.tell({ kind: 'resolved', ticket });
    return ticket;
  }

  /**
   * Abandons queued tickets older than the config's `abandon_after_minutes` (the customer is told) and alerts the
   * agents once about tickets waiting longer than `alert_after_minutes`. Call periodically.
   */
  async sweep(): Promise<{ abandoned: number; alerted: number }> {
    const now = this.now();
    const { abandon_after_minutes: abandonMin, alert_after_minutes: alertMin } = this.options.config.handoff;
    let abandoned = 0;
    let alerted = 0;
    // Only tickets old enough for one of the two, and without their transcripts: every 10 s on a long queue, reading
    // each ticket's whole conversation stalled the process; an alert reads its one ticket.
    const oldEnough = now - Math.min(abandonMin, alertMin) * 60_000;
    const waiting = await this.store.queuedBefore(oldEnough, SWEEP_LIMIT);
    for (const t of waiting) {
      const waited = now - t.created_at;
      if (waited > abandonMin * 60_000) {
        try {
          await this.abandon(t.id);
          abandoned++;
        } catch (e) {
          if ((e as { code?: string }).code !== 'E_TICKET_STATE') throw e; // claimed meanwhile: fine
        }
      } else if (waited > alertMin * 60_000 && !this.alerted.has(t.id)) {
        const ticket = await this.store.get(t.id);
        if (ticket?.status !== 'queued') continue; // claimed or cancelled meanwhile
        this.alerted.add(t.id);
        alerted++;
        await this.tell({ kind: 'alert', ticket, waitedMs: waited });
      }
    }
    // Alerts are remembered only while their ticket waits (the whole old part of the queue was read: the rest left it).
    if (waiting.length < SWEEP_LIMIT) {
      const still = new Set(waiting.map((t) => t.id));
      for (const id of this.alerted) if (!still.has(id)) this.alerted.delete(id);
    }
    return { abandoned, alerted };
  }

  /**
   * Abandons a queued ticket now (nobody will take it: it waited too long, or an external agent hub refused it); the
   * customer is told the bot is back (`handoff.abandoned`) and the agent surfaces hear it. E_TICKET_STATE when the
   * ticket is not queued.
   */
  async abandon(id: string): Promise<Ticket> {
    const gone = await this.store.abandon(id, this.now());
    await this.toCustomer(gone, this.text(gone, 'abandoned'), 'bot');
    await this.tell({ kind: 'abandoned', ticket: gone });
    return gone;
  }

  /** Sends the agent lines still marked undelivered (after a crash or a channel failure); returns how many went. */
  async redeliver(): Promise<number> {
    let sent = 0;
    for (const { ticket: id, entry } of await this.store.undelivered()) {
      const ticket = await this.store.get(id);
      if (!ticket) continue;
      if (await this.deliver(ticket, entry, true)) sent++;
    }
    return sent;
  }

  /** Writes a line to the transcript and sends it to the customer's channel (agent lines durably). */
  private async toCustomer(
    ticket: Ticket,
    text: string,
    from: 'bot' | 'agent',
    agent?: string,
    key?: string,
  ): Promise<TranscriptEntry> {
    const { repeated, ...entry } = await this.store.append(
      ticket.id,
      { at: this.now(), from, text, ...(agent ? { agent } : {}), delivered: false },
      key,
    );
    if (repeated) {
      // A retried request: the line is written already; sent, unless it still waits (then the lease decides).
      if (!entry.delivered) await this.deliver(ticket, entry, true);
      return entry;
    }
    await this.deliver(ticket, entry);
    if (from === 'agent') await this.tell({ kind: 'message', ticket, entry });
    return entry;
  }

  /**
   * Sends a line under its lease and marks it delivered. `uncertain`: an earlier attempt may have reached the channel
   * (a redelivery, a retried request) — a channel that can tell (`wasSent`) is asked first.
   */
  private async deliver(ticket: Ticket, entry: TranscriptEntry, uncertain = false): Promise<boolean> {
    const address = await this.options.conversations.getAddress(ticket.conversation);
    const sender = this.options.senders[ticket.channel];
    if (!address || !sender) {
      this.options.log.warn('handoff_undeliverable', { ticket: ticket.id, channel: ticket.channel });
      return false;
    }
    const agentName = entry.from === 'agent' && entry.agent ? this.agentName(entry.agent) : undefined;
    const text = agentName !== undefined ? `${agentName}: ${entry.text}` : entry.text;
    // One sender per line: the instance that wrote it, or the redelivery — never both (a lease on the row).
    const leased = entry.delivered === false;
    if (leased && !(await this.store.leaseDelivery(ticket.id, entry.seq, DELIVERY_LEASE_MS, this.sender))) return false;
    const message = {
      reply: { text, language: ticket.language },
      turn: `${ticket.id}:${entry.seq}`,
      feedback: false,
      ...(agentName !== undefined ? { agent: { name: agentName, text: entry.text } } : {}),
    };
    try {
      if (uncertain && (await sender.wasSent?.(address.address, message, entry.at))) {
        this.options.log.info('handoff_already_sent', { ticket: ticket.id, seq: entry.seq });
      } else await sender.send(address.address, message);
    } catch (e) {
      this.options.log.warn('handoff_send_failed', {
        ticket: ticket.id,
        seq: entry.seq,
        message: (e as Error).message,
      });
      if (leased) await this.store.releaseDelivery(ticket.id, entry.seq).catch(() => {});
      return false;
    }
    await this.store.markDelivered(ticket.id, entry.seq);
    return true;
  }

  private async queueNote(ticket: Ticket): Promise<string> {
    if (ticket.status !== 'queued') return '';
    const position = await this.store.queuePosition(ticket.id);
    return position > 0 ? this.text(ticket, 'queued').replace('{position}', String(position)) : '';
  }

  private text(ticket: Ticket, key: keyof typeof DEFAULT_TEXTS): string {
    return this.customerText(key, ticket.language);
  }

  private async tell(event: TicketEvent): Promise<void> {
    await Promise.all(
      this.surfaces.map((s) =>
        s.notify(event).catch((e) =>
          this.options.log.warn('agent_surface_failed', {
            surface: s.name,
            ticket_event: event.kind,
            ticket: event.ticket.id,
            message: (e as Error).message,
          }),
        ),
      ),
    );
  }
}
