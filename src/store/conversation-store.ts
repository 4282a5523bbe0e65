import type { ConversationState } from '../router/decide.ts';

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
  close(): Promise<void>;
}

/** Longest conversation id accepted (channel ids are far shorter). */
export const MAX_CONVERSATION_ID = 256;

/** In-memory store: the test fake, and fine for a single demo process. */
export class MemoryConversationStore implements ConversationStore {
  private readonly map = new Map<string, StoredConversation>();

  async get(conversation: string): Promise<StoredConversation> {
    return { ...(this.map.get(conversation) ?? { clarifications: 0 }) };
  }

  async set(conversation: string, state: StoredConversation): Promise<void> {
    this.map.set(conversation, { ...state });
  }

  async close(): Promise<void> {
    this.map.clear();
  }
}
