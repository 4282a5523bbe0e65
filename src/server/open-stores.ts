/**
 * The server's stores on one database: PostgreSQL when `DATABASE_URL` is set, else the embedded SQLite file. The
 * schema is migrated on open; a database that cannot be reached fails here, at startup, with E_STORE_OPEN.
 */
import { SqlHandoffStore } from '../handoff/sql-handoff-store.ts';
import { SqlTurnLog } from '../metrics/sql-turn-log.ts';
import { SqlClusterLeases } from '../store/cluster-leases.ts';
import { migrate, migrateSqlite } from '../store/migrations.ts';
import { listenPostgres, PostgresClient, redactUrl } from '../store/postgres-client.ts';
import { type SqlClient, SqliteClient } from '../store/sql-client.ts';
import { SqlConversationStore } from '../store/sql-conversation-store.ts';
import { SqlEventFeed } from '../store/sql-event-feed.ts';
import { SqlTurnInbox } from '../store/sql-turn-inbox.ts';

export interface Stores {
  client: SqlClient;
  conversations: SqlConversationStore;
  handoffs: SqlHandoffStore;
  turns: SqlTurnLog;
  /** The durable inbox of customer turns. */
  inbox: SqlTurnInbox;
  /** Events for browsers (web chat, agent consoles), shared by every instance on the database. */
  events: SqlEventFeed;
  /** Chores one instance at a time. */
  leases: SqlClusterLeases;
  /** e.g. `SQLite data/switchboard.db` or `PostgreSQL postgres://…@host/db` (no password). */
  description: string;
  /** True when a trivial query succeeds (health checks). */
  healthy(): Promise<boolean>;
  close(): Promise<void>;
}

export async function openStores(options: { databaseUrl?: string; sqliteFile: string }): Promise<Stores> {
  let client: SqlClient;
  let description: string;
  let events: SqlEventFeed;
  if (options.databaseUrl) {
    const pg = await PostgresClient.connect(options.databaseUrl);
    client = pg;
    events = new SqlEventFeed(client, (channel, onNotify, onLost) => listenPostgres(pg.url, channel, onNotify, onLost));
    await migrate(client);
    description = `PostgreSQL ${redactUrl(options.databaseUrl)}`;
  } else {
    const sqlite = new SqliteClient(options.sqliteFile);
    migrateSqlite(sqlite);
    client = sqlite;
    events = new SqlEventFeed(client);
    description = `SQLite ${options.sqliteFile}`;
  }
  return {
    client,
    conversations: new SqlConversationStore(client),
    handoffs: new SqlHandoffStore(client),
    turns: new SqlTurnLog(client),
    inbox: new SqlTurnInbox(client),
    events,
    leases: new SqlClusterLeases(client),
    description,
    healthy: async () => {
      try {
        await client.query('SELECT 1 AS ok');
        return true;
      } catch {
        return false;
      }
    },
    close: async () => {
      await events.close();
      await client.close();
    },
  };
}
