import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { SwitchboardError } from '../errors.ts';
import type { ConversationStore, StoredConversation } from './conversation-store.ts';

/**
 * Conversation state in an embedded SQLite file (better-sqlite3, WAL mode): the default when no `DATABASE_URL` is
 * set. One row per conversation, the state as JSON. An unopenable file fails at startup (`E_STORE_OPEN`) with its path.
 */
export class SqliteConversationStore implements ConversationStore {
  private readonly db: Database.Database;
  private readonly select: Database.Statement<[string], { state: string }>;
  private readonly upsert: Database.Statement<[string, string, number]>;

  constructor(readonly file: string) {
    try {
      if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
      this.db = new Database(file);
      this.db.pragma('journal_mode = WAL');
      this.db.exec(
        'CREATE TABLE IF NOT EXISTS conversations (id TEXT PRIMARY KEY, state TEXT NOT NULL, updated_at INTEGER NOT NULL)',
      );
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

  async close(): Promise<void> {
    this.db.close();
  }
}
