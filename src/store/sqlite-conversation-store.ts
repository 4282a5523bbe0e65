import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { SwitchboardError } from '../errors.ts';
import type { ChannelName } from '../turn.ts';
import type { ConversationAddress, ConversationStore, StoredConversation } from './conversation-store.ts';

/** Processed channel event ids are kept this long (then pruned). */
const EVENT_RETENTION_MS = 24 * 3600 * 1000;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS conversations (id TEXT PRIMARY KEY, state TEXT NOT NULL, updated_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS processed_events (key TEXT PRIMARY KEY, at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS processed_events_at ON processed_events (at);
CREATE TABLE IF NOT EXISTS conversation_addresses (
  conversation TEXT PRIMARY KEY, channel TEXT NOT NULL, address TEXT NOT NULL, updated_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS feedback (turn TEXT PRIMARY KEY, rating TEXT NOT NULL, at INTEGER NOT NULL);
`;

/**
 * Conversation state in an embedded SQLite file (better-sqlite3, WAL mode): the default when no `DATABASE_URL` is
 * set. One row per conversation, the state as JSON. An unopenable file fails at startup (`E_STORE_OPEN`) with its path.
 */
export class SqliteConversationStore implements ConversationStore {
  private readonly db: Database.Database;
  private readonly select: Database.Statement<[string], { state: string }>;
  private readonly upsert: Database.Statement<[string, string, number]>;
  private readonly insertEvent: Database.Statement<[string, number]>;
  private readonly pruneEvents: Database.Statement<[number]>;
  private readonly upsertAddress: Database.Statement<[string, string, string, number]>;
  private readonly selectAddress: Database.Statement<[string], { channel: string; address: string }>;
  private readonly insertFeedback: Database.Statement<[string, string, number]>;
  private claims = 0;

  constructor(readonly file: string) {
    try {
      if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
      this.db = new Database(file);
      this.db.pragma('journal_mode = WAL');
      this.db.exec(SCHEMA);
    } catch (e) {
      throw new SwitchboardError(
        'E_STORE_OPEN',
        'transport',
        `cannot open the SQLite store ${file}: ${(e as Error).message}`,
        {
          cause: e,
        },
      );
    }
    this.select = this.db.prepare('SELECT state FROM conversations WHERE id = ?');
    this.insertEvent = this.db.prepare('INSERT OR IGNORE INTO processed_events (key, at) VALUES (?, ?)');
    this.pruneEvents = this.db.prepare('DELETE FROM processed_events WHERE at < ?');
    this.upsertAddress = this.db.prepare(
      'INSERT INTO conversation_addresses (conversation, channel, address, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT(conversation) DO UPDATE SET channel = excluded.channel, address = excluded.address, updated_at = excluded.updated_at',
    );
    this.selectAddress = this.db.prepare('SELECT channel, address FROM conversation_addresses WHERE conversation = ?');
    this.insertFeedback = this.db.prepare('INSERT OR IGNORE INTO feedback (turn, rating, at) VALUES (?, ?, ?)');
    this.upsert = this.db.prepare(
      'INSERT INTO conversations (id, state, updated_at) VALUES (?, ?, ?) ON CONFLICT(id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at',
    );
  }

  async get(conversation: string): Promise<StoredConversation> {
    const row = this.select.get(conversation);
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
    this.upsert.run(conversation, JSON.stringify(state), Date.now());
  }

  async claimEvent(key: string): Promise<boolean> {
    const now = Date.now();
    // Channels retry for minutes to hours (Slack: three retries within about an hour): a day of ids is plenty.
    if (++this.claims % 1000 === 0) this.pruneEvents.run(now - EVENT_RETENTION_MS);
    return this.insertEvent.run(key, now).changes === 1;
  }

  async setAddress(conversation: string, address: ConversationAddress): Promise<void> {
    this.upsertAddress.run(conversation, address.channel, JSON.stringify(address.address ?? null), Date.now());
  }

  async getAddress(conversation: string): Promise<ConversationAddress | undefined> {
    const row = this.selectAddress.get(conversation);
    if (!row) return undefined;
    try {
      return { channel: row.channel as ChannelName, address: JSON.parse(row.address) };
    } catch {
      return undefined;
    }
  }

  async recordFeedback(turn: string, rating: 'up' | 'down', at: number): Promise<boolean> {
    return this.insertFeedback.run(turn, rating, at).changes === 1;
  }

  async close(): Promise<void> {
    this.db.close();
  }
}
