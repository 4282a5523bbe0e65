/**
 * The ticket cards of the Slack agents' channel and the Web API calls around them: posting a ticket's card (once; its
 * place `{channel, ts}` kept with the ticket under the key `channel:ts`, so a restart and a button still find it),
 * updating it in place, thread posts, notes only one agent sees, the new-intent modal. Web API failures become
 * {@link SwitchboardError}s (`E_SLACK_API`, `E_SLACK_TRANSPORT`).
 */
import type { types, webApi } from '@slack/bolt';
import type { BotConfig } from '../../config/bot-config.ts';
import { type AgentProfile, eligibleAgents } from '../../handoff/agent-routing.ts';
import type { HandoffService } from '../../handoff/handoff-service.ts';
import type { Ticket } from '../../handoff/ticket.ts';
import type { Logger } from '../../log.ts';
import type { ConversationStore } from '../../store/conversation-store.ts';
import type { SlackMessage } from './reply-to-slack.ts';
import type { SlackAgentIdentity } from './slack-agent-identity.ts';
import { slackError } from './slack-sender.ts';
import { type SlackCard, ticketBlocks } from './ticket-blocks.ts';

/** The Web API calls the agents' channel needs (a `WebClient` has them). */
export interface SlackAgentsClient {
  chat: {
    postMessage(args: webApi.ChatPostMessageArguments): Promise<{ ts?: string }>;
    update(args: webApi.ChatUpdateArguments): Promise<unknown>;
    postEphemeral(args: webApi.ChatPostEphemeralArguments): Promise<unknown>;
  };
  views: { open(args: webApi.ViewsOpenArguments): Promise<unknown> };
}

export interface SlackTicketCardsOptions {
  /** The agents' channel id. */
  channel: string;
  client: SlackAgentsClient;
  handoffs: HandoffService;
  conversations: ConversationStore;
  config?: Pick<BotConfig, 'agents'>;
  identity: SlackAgentIdentity;
  log: Logger;
}

/** The surface name the cards are stored under (`ticket.surfaces.slack`). */
export const SLACK_SURFACE = 'slack';
/** Cards (and customer names) remembered in memory; beyond this, the oldest are looked up in the store again. */
const MAX_CARDS = 10_000;
/** The store key of a card: its channel and ts. */
export const cardKey = (card: SlackCard) => `${card.channel}:${card.ts}`;

export class SlackTicketCards {
  private readonly cards = new Map<string, SlackCard>();
  private readonly names = new Map<string, string | undefined>();

  constructor(private readonly o: SlackTicketCardsOptions) {}

  /**
   * The ticket's card, posting it (in the ticket's current state) when it has none yet; `fresh` when just posted.
   * `opened`: the ticket was just created, so it has no card anywhere (no store lookup), routed to these agents.
   */
  async ensure(
    ticket: Ticket,
    opened?: { agents: readonly AgentProfile[] },
  ): Promise<{ card: SlackCard; fresh: boolean } | undefined> {
    const known =
      this.cards.get(ticket.id) ??
      asCard(ticket.surfaces[SLACK_SURFACE]) ??
      (opened ? undefined : asCard((await this.o.handoffs.store.get(ticket.id))?.surfaces[SLACK_SURFACE]));
    if (known) return { card: known, fresh: false };
    const ts = await this.post({ channel: this.o.channel, ...(await this.message(ticket, opened?.agents)) });
    if (!ts) throw new Error('chat.postMessage returned no ts for the card');
    const card = { channel: this.o.channel, ts };
    remember(this.cards, ticket.id, card);
    await this.o.handoffs.store.setSurface(ticket.id, SLACK_SURFACE, card, cardKey(card));
    this.o.log.info('slack_agents_card', { ticket: ticket.id, ts });
    return { card, fresh: true };
  }

  /** The card shows the ticket's current state (`chat.update`). */
  async update(ticket: Ticket, card: SlackCard): Promise<void> {
    const message = await this.message(ticket);
    await call('chat.update', () => this.o.client.chat.update({ channel: card.channel, ts: card.ts, ...message }));
  }

  /** A closed ticket's card need not stay in memory. */
  forget(ticket: string): void {
    this.cards.delete(ticket);
    this.names.delete(ticket);
  }

  /** True when `card` (a message in the agents' channel) is ticket `ticket`'s card. */
  async isCardOf(card: SlackCard, ticket: string): Promise<boolean> {
    if (card.channel !== this.o.channel) return false;
    return (await this.o.handoffs.store.findBySurface(SLACK_SURFACE, cardKey(card)))?.id === ticket;
  }

  /** chat.postMessage (links not unfurled); the message's ts. */
  async post(args: webApi.ChatPostMessageArguments): Promise<string | undefined> {
    const r = await call('chat.postMessage', () =>
      this.o.client.chat.postMessage({ ...args, unfurl_links: false, unfurl_media: false }),
    );
    return r.ts;
  }

  /** A note only `user` sees, in the agents' channel (or a thread of it). */
  async ephemeral(user: string, text: string, threadTs?: string): Promise<void> {
    const thread = threadTs ? { thread_ts: threadTs } : {};
    await call('chat.postEphemeral', () =>
      this.o.client.chat.postEphemeral({ channel: this.o.channel, user, text, ...thread }),
    );
  }

  /** Opens a modal for the user whose click gave `triggerId` (valid for 3 s). */
  async openModal(triggerId: string, view: types.ModalView): Promise<void> {
    await call('views.open', () => this.o.client.views.open({ trigger_id: triggerId, view }));
  }

  /** A Teams customer's display name from their stored ConversationReference (Slack's own ids are shown as they are). */
  async customerName(ticket: Ticket): Promise<string | undefined> {
    if (ticket.channel !== 'teams') return undefined;
    if (this.names.has(ticket.id)) return this.names.get(ticket.id);
    const address = await this.o.conversations.getAddress(ticket.conversation);
    const name = (address?.address as { user?: { name?: unknown } } | undefined)?.user?.name;
    const clean = typeof name === 'string' && name.trim() ? name.trim().slice(0, 100) : undefined;
    remember(this.names, ticket.id, clean);
    return clean;
  }

  private async message(ticket: Ticket, agents?: readonly AgentProfile[]): Promise<SlackMessage> {
    const routed = agents ?? eligibleAgents(this.o.config?.agents ?? [], ticket.language, ticket.intents[0]?.intent);
    const { identity } = this.o;
    return ticketBlocks(ticket, {
      customerName: await this.customerName(ticket),
      agents: routed,
      agentName: (a) => identity.nameOf(a),
      agentPlainName: (a) => identity.plainNameOf(a),
    });
  }
}

/** A stored card location, checked (the surfaces column is JSON from the database). */
export function asCard(v: unknown): SlackCard | undefined {
  const c = v as Partial<SlackCard> | undefined;
  return typeof c?.channel === 'string' && typeof c.ts === 'string' ? { channel: c.channel, ts: c.ts } : undefined;
}

function remember<V>(map: Map<string, V>, key: string, value: V): void {
  if (map.size >= MAX_CARDS && !map.has(key)) map.delete(map.keys().next().value as string);
  map.set(key, value);
}

async function call<T>(method: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    throw slackError(method, e);
  }
}
