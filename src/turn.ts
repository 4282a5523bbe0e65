/**
 * The normalized customer turn every channel adapter produces (`Turn {id, channel, conversation, user, text, locale?,
 * receivedAt}`), plus the button actions the bot's messages carry: a quick-reply choice, feedback, a request for a
 * person. Adapters only translate; nothing after them knows Slack or Teams.
 */
import type { LanguageHints } from './nlu/language/language-detection.ts';

/**
 * The channels a turn can come from, one key per channel plug-in: each adds its own name where it registers itself,
 * `declare module '../../turn.ts' { interface ChannelNames { slack: true } }`, so the core lists none of them.
 */
// biome-ignore lint/suspicious/noEmptyInterface: filled in by the channel plug-ins (declaration merging)
export interface ChannelNames {}

/** A registered channel's name (`slack`, `teams`, `web`, …). */
export type ChannelName = keyof ChannelNames & string;

/** A button the customer pressed on one of the bot's messages. */
export type TurnAction =
  /** A quick reply of a clarifying question: the intent the customer chose. */
  | { kind: 'choice'; intent: string }
  /** 👍/👎 on an automated answer; `turn` is the id of the turn that answer replied to. */
  | { kind: 'feedback'; rating: 'up' | 'down'; turn: string }
  /** "Talk to a person" (offered after 👎). */
  | { kind: 'human' };

export interface Turn {
  /** The channel's id of this event or message, unique within the channel: the key that makes retries idempotent. */
  id: string;
  channel: ChannelName;
  /** The conversation, unique across channels (e.g. `slack:T1:C2:1712.0001`, `teams:19:abc…`): the store's key. */
  conversation: string;
  /** The customer (channel user id). */
  user: string;
  /** What the customer wrote (mentions of the bot removed); empty for a button action. */
  text: string;
  /** The customer's locale as the channel reports it (BCP 47, e.g. `es-ES`): a language hint. */
  locale?: string;
  /** More language hints the adapter knows (a workspace default…). */
  hints?: LanguageHints;
  /** A button pressed instead of text. */
  action?: TurnAction;
  /** When the channel delivered it (epoch ms). */
  receivedAt: number;
}

/** Longest text the bot reads of one message (longer ones are cut, never rejected: a chat turn must not be lost). */
export const MAX_TURN_TEXT = 4000;
