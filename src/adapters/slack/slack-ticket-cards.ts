/**
 * The Slack port of the agents' desk: a ticket's card is a Block Kit message in the agents' channel (its place
 * `{channel, ts}` kept with the ticket under the key `channel:ts`), updated in place (`chat.update`); notes and
 * transcript lines go in its thread, a note only one agent sees is `chat.postEphemeral`, the new-intent dialog a modal.
 * Web API failures become {@link SwitchboardError}s (`E_SLACK_API`, `E_SLACK_TRANSPORT`).
 */
import { randomUUID } from 'node:crypto';
import type { webApi } from '@slack/bolt';
import { isSwitchboardError, SwitchboardError } from '../../errors.ts';
import type { AgentProfile } from '../../handoff/agent-routing.ts';
import type { CardView, DeskPort } from '../../handoff/agents-desk.ts';
import type { Ticket } from '../../handoff/ticket.ts';
import { splitText, truncateText } from '../../util/text-parts.ts';
import { escapeMrkdwn } from './reply-to-slack.ts';
import { KeyedPoster, type SlackChatClient, slackError } from './slack-sender.ts';
import { resolveModal, type SlackCard, ticketBlocks, transcriptLine } from './ticket-blocks.ts';

/** The Web API calls the agents' channel needs (a `WebClient` has them). */
export interface SlackAgentsClient {
  chat: {
    postMessage(args: webApi.ChatPostMessageArguments): Promise<{ ts?: string }>;
    update(args: webApi.ChatUpdateArguments): Promise<unknown>;
    postEphemeral(args: webApi.ChatPostEphemeralArguments): Promise<unknown>;
  };
  views: { open(args: webApi.ViewsOpenArguments): Promise<unknown> };
  /** Where a post that may or may not have reached Slack is looked up before posting again ({@link KeyedPoster}). */
  conversations?: SlackChatClient['conversations'];
}

/** The surface name the cards are stored under (`ticket.surfaces.slack`). */
export const SLACK_SURFACE = 'slack';
/** The store key of a card: its channel and ts. */
export const cardKey = (card: SlackCard) => `${card.channel}:${card.ts}`;
/** Where to tell an agent something privately: the Slack user, and the thread when it happened in one. */
export interface SlackReplyTo {
  user: string;
  threadTs?: string;
}
/** What opening the new-intent modal needs: the click's trigger (valid 3 s) and the card it came from. */
export interface SlackLabelDialog {
  triggerId?: string;
  card: SlackCard;
}
const UNMAPPED = /^slack:([A-Z0-9]{2,64})$/;
/**
 * A relayed line's characters per thread message. Slack refuses a section over 3,000 characters and a message whose
 * blocks are too long (`msg_blocks_too_long`, observed near 13,000 characters in all, below the 40,000 of `text`):
 * a customer's long message goes as several, numbered.
 */
export const LINE_PART = 3000;
/**
 * Thread messages one line may take (about 40,000 characters, the most one Slack message holds; a Teams message is at
 * most about 28 KB); the rest is cut, with a marker saying how much.
 */
export const MAX_LINE_PARTS = 14;
/** Slack's refusals of a message's blocks: the line is then sent again as plain text, cut to fit. */
const BLOCKS_REFUSED = /: (msg_blocks_too_long|invalid_blocks|invalid_blocks_format|msg_too_long)$/;

export class SlackTicketCards implements DeskPort<SlackCard> {
  readonly name = SLACK_SURFACE;
  readonly prefix = 'slack';
  readonly maxField = 80;

  private readonly poster: KeyedPoster;

  /**
   * `channel`: the agents' channel id; `poster`: posts messages (cards, notes, transcript lines) without blind
   * repeats — by default over `client`, which then must not retry a failure that may hide a posted message itself.
   */
  constructor(
    private readonly channel: string,
    private readonly client: SlackAgentsClient,
    poster?: KeyedPoster,
  ) {
    this.poster = poster ?? new KeyedPoster(client);
  }

  userOf(profile: AgentProfile): string | undefined {
    return profile.slack_user;
  }

  cardOf(stored: unknown): SlackCard | undefined {
    return asCard(stored);
  }

  keyOf(card: SlackCard): string {
    return cardKey(card);
  }

  async postCard(view: CardView): Promise<SlackCard> {
    const ts = await this.post({ channel: this.channel, ...ticketBlocks(view.ticket, view) });
    if (!ts) throw new SwitchboardError('E_SLACK_API', 'remote', 'chat.postMessage returned no ts for the card');
    return { channel: this.channel, ts };
  }

  async updateCard(card: SlackCard, view: CardView): Promise<void> {
    const message = ticketBlocks(view.ticket, view);
    await call('chat.update', () => this.client.chat.update({ channel: card.channel, ts: card.ts, ...message }));
  }

  async note(card: SlackCard, text: string, broadcast: boolean): Promise<void> {
    await this.post({ channel: card.channel, thread_ts: card.ts, text, reply_broadcast: broadcast });
  }

  /**
   * A transcript line in the card's thread: in parts of {@link LINE_PART} characters (`who (2/3)`), never dropped —
   * if Slack refuses a part's blocks, that part goes again as plain text (escaped, cut to fit, marked).
   */
  async line(card: SlackCard, who: string, text: string): Promise<void> {
    const parts = splitText(text, LINE_PART, MAX_LINE_PARTS);
    for (const [i, part] of parts.entries()) {
      const speaker = parts.length > 1 ? `${who} (${i + 1}/${parts.length})` : who;
      const thread = { channel: card.channel, thread_ts: card.ts };
      try {
        await this.post({ ...thread, ...transcriptLine(speaker, part) });
      } catch (e) {
        if (!isSwitchboardError(e, 'E_SLACK_API') || !BLOCKS_REFUSED.test(e.message)) throw e;
        const plain = `*${escapeMrkdwn(speaker)}:* ${escapeMrkdwn(truncateText(part, LINE_PART))}`;
        await this.post({ ...thread, text: plain });
      }
    }
  }

  async alert(text: string): Promise<void> {
    await this.post({ channel: this.channel, text });
  }

  /** A note only the user sees, in the agents' channel (or the thread it happened in). */
  async tell(replyTo: unknown, text: string): Promise<void> {
    const to = replyTo as SlackReplyTo | undefined;
    if (!to?.user) return;
    const thread = to.threadTs ? { thread_ts: to.threadTs } : {};
    await call('chat.postEphemeral', () =>
      this.client.chat.postEphemeral({ channel: this.channel, user: to.user, text, ...thread }),
    );
  }

  escape(text: string): string {
    return escapeMrkdwn(text);
  }

  /** A configured agent's name (escaped); an unmapped Slack agent as a mention, which Slack shows as their name. */
  markupName(agent: string, plain: string, configured: boolean): string {
    const user = configured ? undefined : UNMAPPED.exec(agent)?.[1];
    return user ? `<@${user}>` : escapeMrkdwn(plain);
  }

  async openLabelDialog(dialog: unknown, ticket: Ticket): Promise<boolean> {
    const { triggerId, card } = dialog as SlackLabelDialog;
    if (!triggerId) return false;
    const view = resolveModal(ticket, card);
    await call('views.open', () => this.client.views.open({ trigger_id: triggerId, view }));
    return true;
  }

  /**
   * chat.postMessage (links not unfurled) under a key of its own: an attempt that may have reached Slack is looked up
   * before it is posted again, so a slow Slack never gets a card or a line twice. The message's ts.
   */
  private async post(args: webApi.ChatPostMessageArguments): Promise<string | undefined> {
    return this.poster.post({ ...args, unfurl_links: false, unfurl_media: false }, `desk:${randomUUID()}`);
  }
}

/** A stored card location, checked (the surfaces column is JSON from the database). */
export function asCard(v: unknown): SlackCard | undefined {
  const c = v as Partial<SlackCard> | undefined;
  return typeof c?.channel === 'string' && typeof c.ts === 'string' ? { channel: c.channel, ts: c.ts } : undefined;
}

async function call<T>(method: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    throw slackError(method, e);
  }
}
