/**
 * The agents' desk, written once for every chat platform: an {@link AgentSurface} that shows each ticket as a card in
 * one agents' channel, updates the card when the ticket changes and notes the change in the card's thread, mirrors the
 * customer's lines (and other surfaces' agents' lines) into that thread, and turns what agents do there — claim,
 * resolve, reply in the thread — into HandoffService calls. Moves the ticket's state does not allow are explained to
 * that agent alone; a database outage is said as such; nothing changes either way.
 *
 * A platform supplies a small {@link DeskPort} (post a card, update it, post in its thread, tell an agent privately)
 * and parses its inbound payloads into {@link AgentAction}s. Where each card is lives with the ticket
 * (`setSurface(port.name, card, key)`), so threads and buttons still map to their tickets after a restart, and a
 * button is only taken from its own ticket's card.
 *
 * Everything platform-bound runs in the background, one ticket at a time ({@link KeyedQueue}): a customer's turn never
 * waits for a card. Logs carry ids and codes, never message text.
 */

import { isSwitchboardError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { ConversationStore } from '../store/conversation-store.ts';
import { isStoreFault } from '../store/postgres-client.ts';
import { AgentIdentity } from './agent-identity.ts';
import { type AgentProfile, eligibleAgents } from './agent-routing.ts';
import type { AgentAction, CardView, DeskPort } from './desk-port.ts';
import type { AgentSurface, HandoffService, TicketEvent } from './handoff-service.ts';
import { KeyedQueue } from './keyed-queue.ts';
import { OwnLines } from './own-lines.ts';
import { MAX_AGENT_TEXT, type Ticket } from './ticket.ts';
import { refusalText, STORE_DOWN_TEXT, threadNote } from './ticket-thread-notes.ts';

export interface AgentsDeskOptions<Card> {
  port: DeskPort<Card>;
  handoffs: HandoffService;
  /** Where inbound events are claimed once (`claimEvent`). */
  conversations: Pick<ConversationStore, 'claimEvent'>;
  /** The bot config's agents (their platform ids, the routing of cards). */
  agents?: readonly AgentProfile[];
  log: Logger;
  /**
   * Runs a chore only where no other instance runs it now (false: another does); the catch-up uses it, so instances
   * sharing a database post one card per ticket, not one each. Without it the chore just runs.
   */
  exclusive?: (name: string, work: () => Promise<void>) => Promise<boolean>;
}

/** Cards (and customer names) remembered in memory; beyond this, the oldest are looked up in the store again. */
const MAX_CARDS = 10_000;
const FORGED = '⚠️ That button does not belong to a ticket here: nothing was changed.';
const TOO_LONG = `⚠️ Too long for the customer (${MAX_AGENT_TEXT} characters at most): not sent.`;

type Verb = 'claim' | 'resolve' | 'message';

export type { AgentAction, CardView, DeskPort } from './desk-port.ts';

export class AgentsDesk<Card> implements AgentSurface {
  readonly name: string;
  readonly identity: AgentIdentity;
  protected readonly queue: KeyedQueue;
  private readonly deskPort: DeskPort<Card>;
  private readonly cardCache = new Map<string, Card>();
  private readonly customers = new Map<string, string | undefined>();
  /** Agent lines written in a thread here: not mirrored back into it. */
  private readonly ownLines = new OwnLines();

  constructor(private readonly d: AgentsDeskOptions<Card>) {
    this.deskPort = d.port;
    this.name = d.port.name;
    this.identity = new AgentIdentity(d.agents ?? [], d.handoffs, d.port);
    this.queue = new KeyedQueue((ticket, e) => this.logFailure({ ticket }, e));
  }

  /** {@inheritDoc AgentSurface.notify} Queues the work and returns at once. */
  async notify(event: TicketEvent): Promise<void> {
    if (event.kind === 'message') this.queue.run(event.ticket.id, () => this.mirror(event));
    else this.queue.run(event.ticket.id, () => this.apply(event));
  }

  /** {@inheritDoc AgentSurface.alert} An operational alert (drift…): a post of its own in the channel (queued). */
  async alert(message: string): Promise<void> {
    this.queue.run('alerts', () => this.deskPort.alert(`⚠️ ${this.deskPort.escape(message)}`));
  }

  /** Waits for the queued platform work (tests, shutdown). */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  /** Posts the cards of open tickets that have none (opened before the channel was known, or lost to a failure). */
  catchUp(): void {
    const work = async () => {
      for (const status of ['queued', 'claimed'] as const) {
        for (const ticket of await this.d.handoffs.list(status)) {
          if (!this.deskPort.cardOf(ticket.surfaces[this.name])) {
            await this.queue.run(ticket.id, async () => void (await this.ensure(ticket)));
          }
        }
      }
    };
    void this.queue.run('catch-up', async () => {
      const exclusive =
        this.d.exclusive ??
        (async (_name: string, w: () => Promise<void>) => {
          await w();
          return true;
        });
      if (!(await exclusive(`catch-up:${this.name}`, work)))
        this.d.log.info('desk_catch_up_elsewhere', { desk: this.name });
    });
  }

  /** An agent's action, parsed by the port: claimed once, checked against its card, then done or explained. */
  async act(action: AgentAction): Promise<void> {
    if (!(await this.d.conversations.claimEvent(action.event))) return this.ignored('duplicate');
    const agent = this.identity.agentOf(action.by);
    if (action.kind === 'reply') return this.reply(action, agent);
    const onCard = action.card ? await this.d.handoffs.onSurface(this.name, action.card) : undefined;
    const verb = action.kind === 'claim' ? 'claim' : 'resolve';
    if (!onCard || onCard.id !== action.ticket) {
      this.d.log.warn(`${this.name}_agents_forged`, { ...action.logged, ticket: action.ticket, action: verb, agent });
      if (action.replyTo !== undefined) await this.deskPort.tell(action.replyTo, FORGED);
      return;
    }
    try {
      if (action.kind === 'ask_label') return await this.askLabel(action, agent, onCard);
      if (action.kind === 'claim') await this.d.handoffs.claim(action.ticket, agent);
      else await this.d.handoffs.resolve(action.ticket, agent, action.label);
      this.d.log.info(`${this.name}_agents_action`, { ticket: action.ticket, action: verb, agent });
    } catch (e) {
      await this.refuse(action.ticket, verb, agent, e, action.replyTo);
    }
  }

  /** An agent's line in a card's thread: to the customer (only from the claimant). */
  private async reply(r: Extract<AgentAction, { kind: 'reply' }>, agent: string): Promise<void> {
    const ticket = r.card ? await this.d.handoffs.onSurface(this.name, r.card) : undefined;
    if (!ticket) return this.ignored('not_a_ticket_thread');
    if (!r.text) return this.ignored('empty');
    if (r.text.length > MAX_AGENT_TEXT) {
      this.d.log.info(`${this.name}_agents_refused`, {
        ticket: ticket.id,
        action: 'message',
        agent,
        code: 'E_TOO_LONG',
      });
      return this.deskPort.tell(r.replyTo, TOO_LONG);
    }
    this.ownLines.mark(ticket.id, agent, r.text);
    try {
      await this.d.handoffs.agentMessage(ticket.id, agent, r.text);
      this.d.log.info(`${this.name}_agents_action`, { ticket: ticket.id, action: 'message', agent, text: r.text });
    } catch (e) {
      this.ownLines.release(ticket.id, agent, r.text);
      await this.refuse(ticket.id, 'message', agent, e, r.replyTo);
    }
  }

  /** "Other / new intent…": the dialog asking for the name, once the agent may resolve the ticket at all. */
  private async askLabel(a: Extract<AgentAction, { kind: 'ask_label' }>, agent: string, ticket: Ticket) {
    if (ticket.status !== 'claimed' || ticket.agent !== agent) {
      this.d.log.info(`${this.name}_agents_refused`, {
        ticket: ticket.id,
        action: 'resolve',
        agent,
        code: 'E_TICKET_STATE',
      });
      return this.deskPort.tell(
        a.replyTo,
        refusalText(ticket, 'resolve', (id) => this.markupName(id)),
      );
    }
    if (!(await this.deskPort.openLabelDialog?.(a.dialog, ticket))) return this.ignored('missing_fields');
    this.d.log.info(`${this.name}_agents_modal`, { ticket: ticket.id, agent });
  }

  /**
   * An action the ticket's state does not allow (or a database down or busy): explained to the agent, nothing changed.
   */
  private async refuse(id: string, verb: Verb, agent: string, e: unknown, replyTo: unknown): Promise<void> {
    if (isStoreFault(e)) {
      this.d.log.warn(`${this.name}_agents_store_down`, { ticket: id, action: verb, agent });
      return this.deskPort.tell(replyTo, STORE_DOWN_TEXT);
    }
    if (!isSwitchboardError(e) || e.kind !== 'input') throw e;
    this.d.log.info(`${this.name}_agents_refused`, { ticket: id, action: verb, agent, code: e.code });
    // Not the agent's language or skill: the routing's reason (an override is the web console's, where it is logged).
    if (e.code === 'E_NOT_ELIGIBLE')
      return this.deskPort.tell(replyTo, `⚠️ ${this.deskPort.escape(e.message)} (in the web console at /agents).`);
    const ticket = await this.d.handoffs.ticket(id);
    await this.deskPort.tell(
      replyTo,
      refusalText(ticket, verb, (a) => this.markupName(a)),
    );
  }

  /** A ticket's state changed: its card (posted if missing, else updated) and a note in its thread. */
  private async apply(event: Exclude<TicketEvent, { kind: 'message' }>): Promise<void> {
    const { ticket } = event;
    const placed = await this.ensure(ticket, event.kind === 'opened' ? event.agents : undefined);
    if (!placed || event.kind === 'opened') return;
    const { card } = placed;
    if (!placed.fresh && event.kind !== 'alert') await this.deskPort.updateCard(card, await this.view(ticket));
    // The label was typed by an agent: escaped like any text (the names come in the platform's markup already).
    const safe = { ...event, ticket: { ...ticket, label: ticket.label && this.deskPort.escape(ticket.label) } };
    const note = threadNote(safe, (a) => this.markupName(a));
    // A waiting alert also shows in the channel, where everyone sees it.
    if (note) await this.deskPort.note(card, note, event.kind === 'alert');
    if (event.kind === 'resolved' || event.kind === 'abandoned' || event.kind === 'cancelled') {
      this.cardCache.delete(ticket.id);
      this.customers.delete(ticket.id);
    }
  }

  /** A transcript line: the customer's (and other surfaces' agents') into the card's thread. */
  private async mirror(event: Extract<TicketEvent, { kind: 'message' }>): Promise<void> {
    const { ticket, entry } = event;
    if (entry.from === 'bot') return;
    if (entry.from === 'agent' && this.ownLines.release(ticket.id, entry.agent, entry.text)) return;
    const placed = await this.ensure(ticket);
    if (!placed) return;
    const who =
      entry.from === 'customer'
        ? ((await this.customerName(ticket)) ?? 'Customer')
        : `${this.identity.nameOf(entry.agent ?? 'agent')} (agent)`;
    await this.deskPort.line(placed.card, who, entry.text);
  }

  /**
   * The ticket's card, posting it (in the ticket's current state) when it has none yet; `fresh` when just posted.
   * `opened`: the ticket was just created, so it has no card anywhere (no store lookup), routed to these agents.
   */
  private async ensure(
    ticket: Ticket,
    opened?: readonly AgentProfile[],
  ): Promise<{ card: Card; fresh: boolean } | undefined> {
    const known =
      this.cardCache.get(ticket.id) ??
      this.deskPort.cardOf(ticket.surfaces[this.name]) ??
      (opened ? undefined : this.deskPort.cardOf((await this.d.handoffs.ticket(ticket.id))?.surfaces[this.name]));
    if (known) return { card: known, fresh: false };
    const card = await this.deskPort.postCard(await this.view(ticket, opened));
    if (card === undefined) return undefined;
    remember(this.cardCache, ticket.id, card);
    const key = this.deskPort.keyOf(card);
    await this.d.handoffs.setSurface(ticket.id, this.name, card, key);
    this.d.log.info(`${this.name}_agents_card`, { ticket: ticket.id, card: key });
    return { card, fresh: true };
  }

  private async view(ticket: Ticket, agents?: readonly AgentProfile[]): Promise<CardView> {
    const routed = agents ?? eligibleAgents(this.d.agents ?? [], ticket.language, ticket.intents[0]?.intent);
    const customerName = await this.customerName(ticket);
    return {
      ticket,
      ...(customerName ? { customerName } : {}),
      agents: routed,
      agentName: (a) => this.markupName(a),
      agentPlainName: (a) => this.identity.nameOf(a),
    };
  }

  private async customerName(ticket: Ticket): Promise<string | undefined> {
    if (this.customers.has(ticket.id)) return this.customers.get(ticket.id);
    const name = await this.d.handoffs.customerName(ticket);
    remember(this.customers, ticket.id, name);
    return name;
  }

  private markupName(agent: string): string {
    const plain = this.identity.nameOf(agent);
    const configured = this.identity.isConfigured(agent);
    return this.deskPort.markupName ? this.deskPort.markupName(agent, plain, configured) : this.deskPort.escape(plain);
  }

  /** Logs an inbound event the desk does nothing with. */
  protected ignored(reason: string, fields: Record<string, unknown> = {}): void {
    this.d.log.info(`${this.name}_agents_ignored`, { ...fields, reason });
  }

  private logFailure(fields: Record<string, unknown>, e: unknown): void {
    const err = e as { code?: string; kind?: string; message?: string };
    this.d.log.warn(`${this.name}_agents_failed`, {
      ...fields,
      code: err?.code,
      error_kind: err?.kind,
      message: err?.message,
    });
  }
}

function remember<V>(map: Map<string, V>, key: string, value: V): void {
  if (map.size >= MAX_CARDS && !map.has(key)) map.delete(map.keys().next().value as string);
  map.set(key, value);
}
