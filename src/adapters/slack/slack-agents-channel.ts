/**
 * The Slack agents' channel, an {@link AgentSurface}: every ticket becomes a Block Kit card posted in one Slack channel
 * (`SWITCHBOARD_SLACK_AGENTS_CHANNEL`), updated in place (`chat.update`) when it is claimed, resolved or abandoned; the
 * card's thread mirrors the customer's messages, and an agent's reply in that thread goes to the customer
 * (`handoffs.agentMessage`, delivered by the HandoffService in the customer's own channel: Slack, Teams or web chat).
 * Claim and Resolve are the card's buttons (Resolve with the intent chosen in the card's menu, or typed in a modal for
 * "Other / new intent…"); an agent is the config's `agents[].slack_user`, else `slack:<user id>`. Moves the ticket's
 * state does not allow (not the claimant, closed…) are explained to that agent alone (`chat.postEphemeral`); nothing
 * changes. Where each card is (`{channel, ts}`) is kept with the ticket (`setSurface('slack', …)`, keyed `channel:ts`),
 * so threads and buttons still map to their tickets after a restart, and a button is only taken from its ticket's card.
 *
 * Everything Slack-bound runs in the background, one ticket at a time ({@link KeyedQueue}): a customer's turn never
 * waits for the card. Logs carry ids and codes, never message text.
 */
import type { BotConfig } from '../../config/bot-config.ts';
import { isSwitchboardError } from '../../errors.ts';
import type { AgentSurface, HandoffService, TicketEvent } from '../../handoff/handoff-service.ts';
import { KeyedQueue } from '../../handoff/keyed-queue.ts';
import { OwnLines } from '../../handoff/own-lines.ts';
import { MAX_AGENT_TEXT } from '../../handoff/ticket.ts';
import { refusalText, STORE_DOWN_TEXT, threadNote } from '../../handoff/ticket-thread-notes.ts';
import type { Logger } from '../../log.ts';
import type { ConversationStore } from '../../store/conversation-store.ts';
import { isUnavailable } from '../../store/postgres-client.ts';
import { escapeMrkdwn } from './reply-to-slack.ts';
import { SlackAgentIdentity } from './slack-agent-identity.ts';
import { type AgentsInbound, agentsInbound, isAgentsBody } from './slack-agents-inbound.ts';
import { asCard, SLACK_SURFACE, type SlackAgentsClient, SlackTicketCards } from './slack-ticket-cards.ts';
import type { SlackIdentity } from './slack-to-turn.ts';
import { resolveModal, type SlackCard, transcriptLine } from './ticket-blocks.ts';

export type { SlackAgentsClient } from './slack-ticket-cards.ts';

export interface SlackAgentsChannelOptions {
  /** The agents' channel id (`C…`). */
  channel: string;
  client: SlackAgentsClient;
  handoffs: HandoffService;
  conversations: ConversationStore;
  config?: Pick<BotConfig, 'agents'>;
  log: Logger;
}

type Action = 'claim' | 'resolve' | 'message';
type Button = Extract<AgentsInbound, { kind: 'button' }>;
type Submit = Extract<AgentsInbound, { kind: 'submit' }>;

const FORGED = '⚠️ That button does not belong to a ticket here: nothing was changed.';

export class SlackAgentsChannel implements AgentSurface {
  readonly name = SLACK_SURFACE;
  readonly channel: string;
  private readonly queue: KeyedQueue;
  private readonly cards: SlackTicketCards;
  /** Agent lines written in a thread here: not mirrored back into it. */
  private readonly ownLines = new OwnLines();
  private readonly identity: SlackAgentIdentity;

  constructor(private readonly o: SlackAgentsChannelOptions) {
    this.channel = o.channel;
    this.identity = new SlackAgentIdentity(
      o.config?.agents ?? [],
      (a) => o.handoffs.agentName(a),
      (a, name) => o.handoffs.learnAgentName(a, name),
    );
    this.cards = new SlackTicketCards({ ...o, identity: this.identity });
    this.queue = new KeyedQueue((ticket, e) => this.logFailure({ ticket }, e));
  }

  /** Posts the cards of open tickets that have none (opened before the channel was configured, or lost to a failure). */
  start(): void {
    this.queue.run('catch-up', async () => {
      for (const status of ['queued', 'claimed'] as const) {
        for (const ticket of await this.o.handoffs.store.list(status)) {
          if (!asCard(ticket.surfaces[this.name])) {
            this.queue.run(ticket.id, async () => void (await this.cards.ensure(ticket)));
          }
        }
      }
    });
  }

  /** True when a request body is the agents' channel's (an event in it, a ticket button, the new-intent modal). */
  owns(body: unknown): boolean {
    return isAgentsBody(body, this.channel);
  }

  /** {@inheritDoc AgentSurface.notify} Queues the work and returns at once. */
  async notify(event: TicketEvent): Promise<void> {
    if (event.kind === 'message') this.queue.run(event.ticket.id, () => this.mirror(event));
    else this.queue.run(event.ticket.id, () => this.apply(event));
  }

  /** {@inheritDoc AgentSurface.alert} An operational alert (drift…): a post of its own in the channel (queued). */
  async alert(message: string): Promise<void> {
    this.queue.run(
      'alerts',
      async () => void (await this.cards.post({ channel: this.channel, text: `⚠️ ${escapeMrkdwn(message)}` })),
    );
  }

  /** Waits for the queued Slack work (tests, shutdown). */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  /** A verified request {@link owns} accepted: a thread reply, a button, the modal submitted. */
  async handle(body: unknown, bot: SlackIdentity = {}): Promise<void> {
    const inbound = agentsInbound(body, bot);
    if (inbound.kind === 'ignore') return this.ignored(inbound.reason, inbound);
    if (inbound.kind === 'reply') return this.reply(inbound);
    if (inbound.kind === 'button') return this.button(inbound);
    return this.submit(inbound);
  }

  /** An agent's reply in a card's thread: to the customer (only from the claimant). */
  private async reply(r: Extract<AgentsInbound, { kind: 'reply' }>): Promise<void> {
    // Keyed by the message, not the event: a mention arrives as `message` and as `app_mention`; retries repeat both.
    if (!(await this.o.conversations.claimEvent(`slack:agents:${r.channel}:${r.ts}`))) {
      return this.ignored('duplicate');
    }
    const ticket = await this.o.handoffs.store.findBySurface(this.name, `${r.channel}:${r.threadTs}`);
    if (!ticket) return this.ignored('not_a_ticket_thread');
    const agent = this.identity.agentOf(r.user);
    const note = (text: string) => this.cards.ephemeral(r.user, text, r.threadTs);
    if (r.text.length > MAX_AGENT_TEXT) {
      this.o.log.info('slack_agents_refused', { ticket: ticket.id, action: 'message', agent, code: 'E_TOO_LONG' });
      return note(`⚠️ Too long for the customer (${MAX_AGENT_TEXT} characters at most): not sent.`);
    }
    this.ownLines.mark(ticket.id, agent, r.text);
    try {
      await this.o.handoffs.agentMessage(ticket.id, agent, r.text);
      this.o.log.info('slack_agents_action', { ticket: ticket.id, action: 'message', agent, text: r.text });
    } catch (e) {
      this.ownLines.release(ticket.id, agent, r.text);
      await this.refuse(ticket.id, 'message', agent, e, note);
    }
  }

  /** Claim or Resolve: only from the card of the ticket the button names. */
  private async button(b: Button): Promise<void> {
    if (!(await this.o.conversations.claimEvent(`slack:agents-action:${b.clickId}`))) return this.ignored('duplicate');
    const agent = this.identity.agentOf(b.user, b.userName);
    const card = { channel: b.channel, ts: b.messageTs };
    if (!(await this.cards.isCardOf(card, b.ticket))) return this.forged(b.ticket, b.action, agent, b.channel, b.user);
    const note = (text: string) => this.cards.ephemeral(b.user, text);
    try {
      if (b.action === 'claim') await this.o.handoffs.claim(b.ticket, agent);
      else if (b.other) return await this.askLabel(b, agent, card, note);
      else await this.o.handoffs.resolve(b.ticket, agent, b.label);
      this.o.log.info('slack_agents_action', { ticket: b.ticket, action: b.action, agent });
    } catch (e) {
      await this.refuse(b.ticket, b.action, agent, e, note);
    }
  }

  /** "Other / new intent…": the modal asking for the name, once the agent may resolve the ticket at all. */
  private async askLabel(b: Button, agent: string, card: SlackCard, note: (text: string) => Promise<void>) {
    const ticket = await this.o.handoffs.store.get(b.ticket);
    if (ticket?.status !== 'claimed' || ticket.agent !== agent) {
      this.o.log.info('slack_agents_refused', { ticket: b.ticket, action: 'resolve', agent, code: 'E_TICKET_STATE' });
      return note(refusalText(ticket, 'resolve', (a) => this.identity.nameOf(a)));
    }
    if (!b.triggerId) return this.ignored('missing_fields');
    await this.cards.openModal(b.triggerId, resolveModal(ticket, card));
    this.o.log.info('slack_agents_modal', { ticket: b.ticket, agent });
  }

  /** The new-intent modal submitted: resolve with the typed name (the card it names must still be the ticket's). */
  private async submit(s: Submit): Promise<void> {
    if (!(await this.o.conversations.claimEvent(`slack:agents-view:${s.viewId}`))) return this.ignored('duplicate');
    const agent = this.identity.agentOf(s.user, s.userName);
    if (!(await this.cards.isCardOf({ channel: s.channel, ts: s.ts }, s.ticket))) {
      return this.forged(s.ticket, 'resolve', agent, s.channel, s.user);
    }
    try {
      await this.o.handoffs.resolve(s.ticket, agent, s.label);
      this.o.log.info('slack_agents_action', { ticket: s.ticket, action: 'resolve', agent });
    } catch (e) {
      await this.refuse(s.ticket, 'resolve', agent, e, (text) => this.cards.ephemeral(s.user, text));
    }
  }

  private async forged(ticket: string, action: string, agent: string, channel: string, user: string): Promise<void> {
    this.o.log.warn('slack_agents_forged', { ticket, action, agent, channel });
    if (channel === this.channel) await this.cards.ephemeral(user, FORGED);
  }

  /** An action the ticket's state does not allow: explained to the agent alone, nothing changed. */
  private async refuse(
    ticketId: string,
    action: Action,
    agent: string,
    e: unknown,
    note: (t: string) => Promise<void>,
  ) {
    if (isUnavailable(e)) {
      this.o.log.warn('slack_agents_store_down', { ticket: ticketId, action, agent });
      await note(STORE_DOWN_TEXT);
      return;
    }
    if (!isSwitchboardError(e) || e.kind !== 'input') throw e;
    this.o.log.info('slack_agents_refused', { ticket: ticketId, action, agent, code: e.code });
    const ticket = await this.o.handoffs.store.get(ticketId);
    await note(refusalText(ticket, action, (a) => this.identity.nameOf(a)));
  }

  /** A ticket's state changed: its card (posted if missing, else updated) and a note in its thread. */
  private async apply(event: Exclude<TicketEvent, { kind: 'message' }>): Promise<void> {
    const { ticket } = event;
    const placed = await this.cards.ensure(ticket, event.kind === 'opened' ? { agents: event.agents } : undefined);
    if (!placed || event.kind === 'opened') return;
    const { card } = placed;
    if (!placed.fresh && event.kind !== 'alert') await this.cards.update(ticket, card);
    // The label was typed by an agent: escaped like any text, the names are mrkdwn already.
    const safe = { ...event, ticket: { ...ticket, label: ticket.label && escapeMrkdwn(ticket.label) } };
    const note = threadNote(safe, (a) => this.identity.nameOf(a));
    // A waiting alert also shows in the channel, where everyone sees it.
    if (note)
      await this.cards.post({
        channel: card.channel,
        thread_ts: card.ts,
        text: note,
        reply_broadcast: event.kind === 'alert',
      });
    if (event.kind === 'resolved' || event.kind === 'abandoned') this.cards.forget(ticket.id);
  }

  /** A transcript line: the customer's (and other surfaces' agents') into the card's thread. */
  private async mirror(event: Extract<TicketEvent, { kind: 'message' }>): Promise<void> {
    const { ticket, entry } = event;
    if (entry.from === 'bot') return;
    if (entry.from === 'agent' && this.ownLines.release(ticket.id, entry.agent, entry.text)) return;
    const placed = await this.cards.ensure(ticket);
    if (!placed) return;
    const who =
      entry.from === 'customer'
        ? ((await this.cards.customerName(ticket)) ?? 'Customer')
        : `${this.identity.plainNameOf(entry.agent ?? 'agent')} (agent)`;
    await this.cards.post({
      channel: placed.card.channel,
      thread_ts: placed.card.ts,
      ...transcriptLine(who, entry.text),
    });
  }

  private ignored(reason: string, fields: Record<string, unknown> = {}): void {
    this.o.log.info('slack_agents_ignored', { ...fields, kind: undefined, reason });
  }

  private logFailure(fields: Record<string, unknown>, e: unknown): void {
    const err = e as { code?: string; kind?: string; message?: string };
    this.o.log.warn('slack_agents_failed', {
      ...fields,
      code: err?.code,
      error_kind: err?.kind,
      message: err?.message,
    });
  }
}
