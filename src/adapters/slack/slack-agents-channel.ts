/**
 * The Slack agents' channel (`SWITCHBOARD_SLACK_AGENTS_CHANNEL`): the agents' desk ({@link AgentsDesk}) over the Slack
 * port ({@link SlackTicketCards}). Every ticket is a Block Kit card in the channel; Claim and Resolve are the card's
 * buttons (Resolve with the intent chosen in the card's menu, or typed in a modal for "Other / new intent…"), and an
 * agent's reply in the card's thread goes to the customer. An agent is the config's `agents[].slack_user`, else
 * `slack:<user id>`. This module only turns Slack requests into the desk's {@link AgentAction}s.
 */
import type { BotConfig } from '../../config/bot-config.ts';
import { type AgentAction, AgentsDesk, type AgentsDeskOptions } from '../../handoff/agents-desk.ts';
import type { HandoffService } from '../../handoff/handoff-service.ts';
import type { Logger } from '../../log.ts';
import type { ConversationStore } from '../../store/conversation-store.ts';
import { type AgentsInbound, agentsInbound, isAgentsBody } from './slack-agents-inbound.ts';
import type { KeyedPoster } from './slack-sender.ts';
import { cardKey, type SlackAgentsClient, type SlackLabelDialog, SlackTicketCards } from './slack-ticket-cards.ts';
import type { SlackIdentity } from './slack-to-turn.ts';
import type { SlackCard } from './ticket-blocks.ts';

export type { SlackAgentsClient } from './slack-ticket-cards.ts';

export interface SlackAgentsChannelOptions {
  /** The agents' channel id (`C…`). */
  channel: string;
  client: SlackAgentsClient;
  /** Posts cards, notes and lines without blind repeats (default: over `client`, see {@link SlackTicketCards}). */
  poster?: KeyedPoster;
  handoffs: HandoffService;
  conversations: ConversationStore;
  config?: Pick<BotConfig, 'agents'>;
  log: Logger;
  /** Chores one instance at a time (the catch-up). */
  exclusive?: AgentsDeskOptions<SlackCard>['exclusive'];
}

export class SlackAgentsChannel extends AgentsDesk<SlackCard> {
  readonly channel: string;

  constructor(o: SlackAgentsChannelOptions) {
    super({
      port: new SlackTicketCards(o.channel, o.client, o.poster),
      handoffs: o.handoffs,
      conversations: o.conversations,
      agents: o.config?.agents,
      log: o.log,
      exclusive: o.exclusive,
    });
    this.channel = o.channel;
  }

  /** Posts the cards of open tickets that have none (opened before the channel was configured, or lost to a failure). */
  start(): void {
    this.catchUp();
  }

  /** True when a request body is the agents' channel's (an event in it, a ticket button, the new-intent modal). */
  owns(body: unknown): boolean {
    return isAgentsBody(body, this.channel);
  }

  /** A verified request {@link owns} accepted: a thread reply, a button, the modal submitted. */
  async handle(body: unknown, bot: SlackIdentity = {}): Promise<void> {
    const inbound = agentsInbound(body, bot);
    if (inbound.kind === 'ignore') return this.ignored(inbound.reason, { ...inbound, kind: undefined });
    return this.act(this.action(inbound));
  }

  private action(inbound: Exclude<AgentsInbound, { kind: 'ignore' }>): AgentAction {
    // A card here is one of this channel's messages; anything else is named by no card (a forgery).
    const here = (card: SlackCard) => (card.channel === this.channel ? cardKey(card) : undefined);
    if (inbound.kind === 'reply') {
      const { user, channel, ts, threadTs, text } = inbound;
      // Keyed by the message, not the event: a mention arrives as `message` and as `app_mention`; retries repeat both.
      return {
        kind: 'reply',
        event: `slack:agents:${channel}:${ts}`,
        by: { ids: [user] },
        card: cardKey({ channel, ts: threadTs }),
        replyTo: { user, threadTs },
        text,
      };
    }
    const by = { ids: [inbound.user], ...(inbound.userName ? { name: inbound.userName } : {}) };
    const replyTo = inbound.channel === this.channel ? { user: inbound.user } : undefined;
    if (inbound.kind === 'submit') {
      const card = { channel: inbound.channel, ts: inbound.ts };
      return {
        kind: 'resolve',
        event: `slack:agents-view:${inbound.viewId}`,
        by,
        card: here(card),
        replyTo,
        logged: { channel: inbound.channel },
        ticket: inbound.ticket,
        ...(inbound.label ? { label: inbound.label } : {}),
      };
    }
    const card = { channel: inbound.channel, ts: inbound.messageTs };
    const logged = { channel: inbound.channel };
    const common = { event: `slack:agents-action:${inbound.clickId}`, by, card: here(card), replyTo, logged };
    if (inbound.action === 'claim') return { kind: 'claim', ticket: inbound.ticket, ...common };
    if (inbound.other) {
      const dialog: SlackLabelDialog = { card, ...(inbound.triggerId ? { triggerId: inbound.triggerId } : {}) };
      return { kind: 'ask_label', ticket: inbound.ticket, dialog, ...common };
    }
    return { kind: 'resolve', ticket: inbound.ticket, ...(inbound.label ? { label: inbound.label } : {}), ...common };
  }
}
