/**
 * The conversation store: each conversation's state (language, clarifications), where to reach it (the channel's
 * address), and events claimed once (idempotent turns); the interface and its in-memory fake.
 */
import type { ConversationState } from '../router/decide.ts';
import type { ChannelName } from '../turn.ts';

/** What the bot remembers of a conversation between turns. */
export interface StoredConversation extends ConversationState {
  /** The conversation's language so far (a hint for the next turn). */
  language?: string;
}

/**
 * Conversation state, keyed by conversation id. Implementations: {@link MemoryConversationStore} (tests, one process)
 * and `SqliteConversationStore` (the embedded default, a file under `data/`). The handoff issue extends this.
 */
export interface ConversationStore {
  /** The state of a conversation; a fresh one (`{ clarifications: 0 }`) if it is unknown. */
  get(conversation: string): Promise<StoredConversation>;
  set(conversation: string, state: StoredConversation): Promise<void>;
  /**
   * Records a channel event (`<channel>:<event id>`) as processed; false when it already was (a retry of the same
   * event). Durable: after a restart the same event is still refused. Atomic: of two concurrent claims one wins.
   */
  claimEvent(key: string): Promise<boolean>;
  /** Where replies to a conversation go: the adapter's address (a Slack channel + thread, a Teams ConversationReference). */
  setAddress(conversation: string, address: ConversationAddress): Promise<void>;
  getAddress(conversation: string): Promise<ConversationAddress | undefined>;
  /**
   * 👍/👎 on the automated answer to `turn`: `recorded`; `duplicate` when that turn already has feedback (the first
   * one counts); `repeat` when it has this very feedback (rating and time): the feedback turn handled again.
   */
  recordFeedback(turn: string, rating: 'up' | 'down', at: number): Promise<'recorded' | 'duplicate' | 'repeat'>;
  close(): Promise<void>;
}

/** A conversation's channel and the adapter's address for it (JSON-serializable). */
export interface ConversationAddress {
  channel: ChannelName;
  address: unknown;
}

/** Longest conversation id accepted (channel ids are far shorter). */
export const MAX_CONVERSATION_ID = 256;

/** In-memory store: the test fake, and fine for a single demo process. */
export class MemoryConversationStore implements ConversationStore {
  private readonly map = new Map<string, StoredConversation>();
  private readonly events = new Set<string>();
  private readonly addresses = new Map<string, ConversationAddress>();
  readonly feedback = new Map<string, { rating: 'up' | 'down'; at: number }>();

  async get(conversation: string): Promise<StoredConversation> {
    return { ...(this.map.get(conversation) ?? { clarifications: 0 }) };
  }

  async set(conversation: string, state: StoredConversation): Promise<void> {
    this.map.set(conversation, { ...state });
  }

  async claimEvent(key: string): Promise<boolean> {
    if (this.events.has(key)) return false;
    this.events.add(key);
    return true;
  }

  async setAddress(conversation: string, address: ConversationAddress): Promise<void> {
    this.addresses.set(conversation, structuredClone(address));
  }

  async getAddress(conversation: string): Promise<ConversationAddress | undefined> {
    const a = this.addresses.get(conversation);
    return a ? structuredClone(a) : undefined;
  }

  async recordFeedback(turn: string, rating: 'up' | 'down', at: number): Promise<'recorded' | 'duplicate' | 'repeat'> {
    const had = this.feedback.get(turn);
    if (had) return had.rating === rating && had.at === at ? 'repeat' : 'duplicate';
    this.feedback.set(turn, { rating, at });
    return 'recorded';
  }

  async close(): Promise<void> {
    this.map.clear();
  }
}
