/**
 * What the turn handler asks a channel to do: send the bot's reply into a conversation. Each adapter implements it
 * over its own protocol (Slack Web API `chat.postMessage`, Bot Framework Connector); the address is the adapter's own
 * (a Slack channel and thread, a Teams `ConversationReference`), stored by the handler and given back unread.
 */
import type { Reply } from './responses/render-reply.ts';
import type { ChannelName } from './turn.ts';

/** One message of the bot to a customer. */
export interface OutgoingMessage {
  reply: Reply;
  /** The id of the turn this replies to (`<channel>:<turn id>`): feedback buttons refer to it. */
  turn: string;
  /** Offer 👍/👎 (automated answers). */
  feedback: boolean;
  /** Offer a "Talk to a person" button (after 👎). */
  offerHuman?: boolean;
  /**
   * A line an agent wrote (`reply.text` is then `<name>: <text>`, what a plain-text channel shows): the agent's display
   * name and their words alone, for a channel that shows who wrote it on its own (the web chat).
   */
  agent?: { name: string; text: string };
}

export interface ChannelSender {
  readonly channel: ChannelName;
  /** Sends into the conversation at `address`; rejects with a SwitchboardError (`remote` or `transport`) on failure. */
  send(address: unknown, message: OutgoingMessage): Promise<void>;
  /**
   * Whether `message` (by its `turn` key) was already sent to `address` since `sinceMs` — asked before sending again
   * what a crash may have sent already (a turn taken up after a restart, an outbox line whose sender stopped). Only
   * channels that can look it up implement it; an error or no answer means "not known": the message is sent.
   */
  wasSent?(address: unknown, message: OutgoingMessage, sinceMs: number): Promise<boolean>;
}

/** A sender that keeps what it was asked to send: the test fake, and the web chat's (its replies go in the HTTP response). */
export class MemorySender implements ChannelSender {
  readonly sent: { address: unknown; message: OutgoingMessage }[] = [];
  constructor(readonly channel: ChannelName) {}
  async send(address: unknown, message: OutgoingMessage): Promise<void> {
    this.sent.push({ address, message });
  }
}
