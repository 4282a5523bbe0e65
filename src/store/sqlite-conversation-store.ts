/**
 * The conversation store on an SQLite file of its own (tests and tools; the server opens all stores on one database).
 */
import { SwitchboardError } from '../errors.ts';
import { migrateSqlite } from './migrations.ts';
import { SqliteClient } from './sql-client.ts';
import { SqlConversationStore } from './sql-conversation-store.ts';

/**
 * Conversation state in an embedded SQLite file (better-sqlite3, WAL mode): the default when no `DATABASE_URL` is
 * set. An unopenable file fails at construction (`E_STORE_OPEN`) with its path; the schema is migrated on open.
 */
export class SqliteConversationStore extends SqlConversationStore {
  constructor(readonly file: string) {
    const client = new SqliteClient(file);
    try {
      migrateSqlite(client);
    } catch (e) {
      void client.close();
      throw new SwitchboardError(
        'E_STORE_OPEN',
        'transport',
        `cannot open the SQLite store ${file}: ${(e as Error).message}`,
        {
          cause: e,
        },
      );
    }
    super(client);
  }
}
