/**
 * Conversation state, processed channel events, reply addresses and feedback in SQL (SQLite or PostgreSQL through a
 * {@link SqlClient}). One row per conversation, the state as JSON.
 */
import type { ChannelName } from '../turn.ts';
import type { ConversationAddress, ConversationStore, StoredConversation } from './conversation-store.ts';
import type { SqlClient } from './sql-client.ts';

/** Processed channel event ids are kept this long (then pruned). */
const EVENT_RETENTION_MS = 24 * 3600 * 1000;

export class SqlConversationStore implements ConversationStore {
  private claims = 0;

  constructor(readonly client: SqlClient) {}

  async get(conversation: string): Promise<StoredConversation> {
    const [row] = await this.client.query<{ state: string }>('SELECT state FROM conversations WHERE id = $1', [
      conversation,
    ]);
    if (!row) return { clarifications: 0 };
    try {
      const s = JSON.parse(row.state) as StoredConversation;
      return {
        clarifications: Number(s.clarifications) || 0,
        ...(typeof s.language === 'string' ? { language: s.language } : {}),
      };
    } catch {
      return { clarifications: 0 }; // a damaged row starts the conversation afresh rather than failing the turn
    }
  }

  async set(conversation: string, state: StoredConversation): Promise<void> {
    await this.client.run(
      'INSERT INTO conversations (id, state, updated_at) VALUES ($1, $2, $3) ON CONFLICT (id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at',
      [conversation, JSON.stringify(state), Date.now()],
    );
  }

  async claimEvent(key: string): Promise<boolean> {
    const now = Date.now();
    // Channels retry for minutes to hours (Slack: three retries within about an hour): a day of ids is plenty.
    if (++this.claims % 1000 === 0)
      await this.client.run('DELETE FROM processed_events WHERE at < $1', [now - EVENT_RETENTION_MS]);
    return (
      (await this.client.run('INSERT INTO processed_events (key, at) VALUES ($1, $2) ON CONFLICT DO NOTHING', [
        key,
        now,
      ])) === 1
    );
  }

  async setAddress(conversation: string, address: ConversationAddress): Promise<void> {
    await this.client.run(
      'INSERT INTO conversation_addresses (conversation, channel, address, updated_at) VALUES ($1, $2, $3, $4) ON CONFLICT (conversation) DO UPDATE SET channel = excluded.channel, address = excluded.address, updated_at = excluded.updated_at',
      [conversation, address.channel, JSON.stringify(address.address ?? null), Date.now()],
    );
  }

  async getAddress(conversation: string): Promise<ConversationAddress | undefined> {
    const [row] = await this.client.query<{ channel: string; address: string }>(
      'SELECT channel, address FROM conversation_addresses WHERE conversation = $1',
      [conversation],
    );
    if (!row) return undefined;
    try {
      return { channel: row.channel as ChannelName, address: JSON.parse(row.address) };
    } catch {
      return undefined;
    }
  }

  async recordFeedback(turn: string, rating: 'up' | 'down', at: number): Promise<'recorded' | 'duplicate' | 'repeat'> {
    const inserted = await this.client.run(
      'INSERT INTO feedback (turn, rating, at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING',
      [turn, rating, at],
    );
    if (inserted === 1) return 'recorded';
    const [row] = await this.client.query<{ rating: string; at: unknown }>(
      'SELECT rating, at FROM feedback WHERE turn = $1',
      [turn],
    );
    return row?.rating === rating && Number(row.at) === at ? 'repeat' : 'duplicate';
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}
