/**
 * The Teams port of the agents' desk: a ticket's card is an Adaptive Card posted in the agents' channel (its place
 * `{conversationId, activityId}` kept with the ticket, keyed by its thread's conversation id), updated in place; notes,
 * transcript lines and what one agent needs to hear go in its reply chain as plain text (customer text cannot format
 * them). Until the channel's service URL is known nothing is posted (the desk posts the missing cards once it is).
 */
import type { Activity } from 'botbuilder';
import { isSwitchboardError, SwitchboardError } from '../../errors.ts';
import type { AgentProfile } from '../../handoff/agent-routing.ts';
import type { CardView, DeskPort } from '../../handoff/agents-desk.ts';
import type { Logger } from '../../log.ts';
import { splitText, truncateText } from '../../util/text-parts.ts';
import type { AgentsChannelAddress } from './agents-channel-address.ts';
import { textActivity } from './reply-to-teams.ts';
import type { TeamsSender } from './teams-sender.ts';
import { ticketCard } from './ticket-card.ts';

/** Where a ticket's card is. */
export interface TeamsCard {
  /** The channel's conversation id (without `;messageid=`). */
  conversationId: string;
  /** The card message's id: the root of its thread. */
  activityId: string;
}

/**
 * A relayed line's characters per thread message. Teams refuses a message over about 28 KB: 7,000 UTF-16 units are at
 * most 21 KB of UTF-8, with room for the activity around them. A longer line goes as several, numbered.
 */
export const TEAMS_LINE_PART = 7000;
/** Thread messages one line may take (35,000 characters); the rest is cut, with a marker saying how much. */
export const TEAMS_MAX_LINE_PARTS = 5;
/** What a part the Connector refused as too large or malformed is cut to when sent again. */
const REFUSED_PART = 2000;

/** The thread's conversation id: Teams' channel id with the root message's id. */
export const threadId = (card: TeamsCard) => `${card.conversationId};messageid=${card.activityId}`;

export class TeamsTicketCards implements DeskPort<TeamsCard> {
  readonly name = 'teams';
  readonly prefix = 'teams';
  readonly maxField = 128;
  private warnedUnknown = false;

  constructor(
    private readonly address: AgentsChannelAddress,
    private readonly sender: Pick<TeamsSender, 'post' | 'update'>,
    private readonly log: Logger,
  ) {}

  /** A configured agent's `teams_user`: their Entra object id or Teams user id. */
  userOf(profile: AgentProfile): string | undefined {
    return profile.teams_user;
  }

  cardOf(stored: unknown): TeamsCard | undefined {
    const c = stored as Partial<TeamsCard> | undefined;
    return typeof c?.conversationId === 'string' && typeof c.activityId === 'string'
      ? { conversationId: c.conversationId, activityId: c.activityId }
      : undefined;
  }

  keyOf(card: TeamsCard): string {
    return threadId(card);
  }

  async postCard(view: CardView): Promise<TeamsCard | undefined> {
    const reference = this.address.at();
    if (!reference) return void this.warnUnknown();
    const activityId = await this.sender.post(reference, cardActivity(view));
    if (!activityId) throw new SwitchboardError('E_TEAMS_SEND', 'remote', 'the Connector returned no id for the card');
    return { conversationId: this.address.conversation, activityId };
  }

  async updateCard(card: TeamsCard, view: CardView): Promise<void> {
    const reference = this.address.at(card.conversationId);
    if (reference) await this.sender.update(reference, card.activityId, cardActivity(view));
  }

  note(card: TeamsCard, text: string): Promise<void> {
    return this.say(threadId(card), text);
  }

  /**
   * A transcript line in the card's thread: in parts of {@link TEAMS_LINE_PART} characters (`who (2/3)`), never
   * dropped — a part the Connector refuses (400, 413) goes again cut to {@link REFUSED_PART} characters, marked.
   */
  async line(card: TeamsCard, who: string, text: string): Promise<void> {
    const parts = splitText(text, TEAMS_LINE_PART, TEAMS_MAX_LINE_PARTS);
    for (const [i, part] of parts.entries()) {
      const speaker = parts.length > 1 ? `${who} (${i + 1}/${parts.length})` : who;
      try {
        await this.say(threadId(card), `${speaker}: ${part}`);
      } catch (e) {
        if (!isSwitchboardError(e, 'E_TEAMS_SEND') || !/answered (400|413)$/.test(e.message)) throw e;
        await this.say(threadId(card), `${speaker}: ${truncateText(part, REFUSED_PART)}`);
      }
    }
  }

  alert(text: string): Promise<void> {
    return this.say(this.address.conversation, text);
  }

  /** In Teams an agent is answered in the thread they acted in (`replyTo`: its conversation id). */
  tell(replyTo: unknown, text: string): Promise<void> {
    return typeof replyTo === 'string' ? this.say(replyTo, text) : Promise.resolve();
  }

  /** Plain text throughout: nothing needs escaping. */
  escape(text: string): string {
    return text;
  }

  /** A plain-text message in the channel or one of its threads. */
  async say(conversationId: string, text: string): Promise<void> {
    const reference = this.address.at(conversationId);
    if (reference) await this.sender.post(reference, { ...textActivity(text), textFormat: 'plain' });
  }

  /** Says once that the channel cannot be posted to yet, and how to fix it. */
  warnUnknown(): void {
    if (this.warnedUnknown) return;
    this.warnedUnknown = true;
    this.log.warn('teams_agents_unknown', {
      conversation: this.address.conversation,
      reason:
        'no service URL for the agents’ channel yet: set SWITCHBOARD_TEAMS_AGENTS_SERVICE_URL or @mention the bot there once',
    });
  }
}

function cardActivity(view: CardView): Partial<Activity> {
  const { ticket } = view;
  return {
    type: 'message',
    summary: `Handoff ticket ${ticket.id} (${ticket.language}, ${ticket.reason})`,
    attachments: [ticketCard(ticket, view)],
  };
}
