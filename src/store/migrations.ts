/**
 * The database schema, as numbered migrations applied in order and recorded in `schema_migrations` (the same SQL for
 * SQLite and PostgreSQL, but for a `postgres` variant where they differ). Append new ones; never edit one that has shipped. Two processes starting at once on one
 * PostgreSQL serialize on an advisory lock; SQLite serializes writers itself.
 */
import { SwitchboardError } from '../errors.ts';
import type { SqlClient, SqliteClient } from './sql-client.ts';

const CREATE_LOG =
  'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)';

export interface Migration {
  version: number;
  name: string;
  sql: string;
  /** PostgreSQL's own SQL, where the two differ (an auto-incremented key). */
  postgres?: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'conversations, processed events, addresses, feedback',
    sql: `
CREATE TABLE IF NOT EXISTS conversations (id TEXT PRIMARY KEY, state TEXT NOT NULL, updated_at BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS processed_events (key TEXT PRIMARY KEY, at BIGINT NOT NULL);
CREATE INDEX IF NOT EXISTS processed_events_at ON processed_events (at);
CREATE TABLE IF NOT EXISTS conversation_addresses (
  conversation TEXT PRIMARY KEY, channel TEXT NOT NULL, address TEXT NOT NULL, updated_at BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS feedback (turn TEXT PRIMARY KEY, rating TEXT NOT NULL, at BIGINT NOT NULL);`,
  },
  {
    version: 2,
    name: 'handoff tickets and transcripts',
    sql: `
CREATE TABLE tickets (
  id TEXT PRIMARY KEY, status TEXT NOT NULL, conversation TEXT NOT NULL, channel TEXT NOT NULL,
  customer TEXT NOT NULL, language TEXT NOT NULL, reason TEXT NOT NULL, intents TEXT NOT NULL, entities TEXT NOT NULL,
  agent TEXT, label TEXT, created_at BIGINT NOT NULL, claimed_at BIGINT, closed_at BIGINT,
  surfaces TEXT NOT NULL DEFAULT '{}');
CREATE UNIQUE INDEX tickets_open_conversation ON tickets (conversation) WHERE status IN ('queued', 'claimed');
CREATE INDEX tickets_status_created ON tickets (status, created_at);
CREATE TABLE ticket_messages (
  ticket_id TEXT NOT NULL, seq INTEGER NOT NULL, at BIGINT NOT NULL, sender TEXT NOT NULL, agent TEXT,
  text TEXT NOT NULL, delivered INTEGER, PRIMARY KEY (ticket_id, seq));
CREATE INDEX ticket_messages_undelivered ON ticket_messages (delivered) WHERE delivered = 0;
CREATE TABLE ticket_surfaces (surface TEXT NOT NULL, key TEXT NOT NULL, ticket_id TEXT NOT NULL, PRIMARY KEY (surface, key));`,
  },
  {
    version: 3,
    name: 'turn log with outcomes',
    sql: `
CREATE TABLE turns (
  id TEXT PRIMARY KEY, at BIGINT NOT NULL, channel TEXT NOT NULL, conversation TEXT NOT NULL, language TEXT,
  intents TEXT NOT NULL, top_intent TEXT, top_score REAL, decision TEXT NOT NULL, reason TEXT NOT NULL, intent TEXT,
  latency_ms REAL, nlu_ms REAL, model_version TEXT, text TEXT,
  feedback TEXT, feedback_at BIGINT, escalated INTEGER NOT NULL DEFAULT 0, recontact INTEGER NOT NULL DEFAULT 0,
  audit_sampled INTEGER NOT NULL DEFAULT 0, audit TEXT, audit_intent TEXT, audit_agent TEXT, audit_at BIGINT,
  label TEXT);
CREATE INDEX turns_at ON turns (at);
CREATE INDEX turns_conversation_at ON turns (conversation, at);
CREATE INDEX turns_audit ON turns (audit_sampled, audit);`,
  },
  {
    version: 4,
    name: 'durable inbox of customer turns',
    sql: `
CREATE TABLE turn_inbox (
  key TEXT PRIMARY KEY, status TEXT NOT NULL, turn TEXT, address TEXT, owner TEXT NOT NULL,
  lease_until BIGINT NOT NULL, attempts INTEGER NOT NULL, error TEXT, created_at BIGINT NOT NULL, done_at BIGINT);
CREATE INDEX turn_inbox_pending ON turn_inbox (created_at) WHERE status = 'pending';
CREATE INDEX turn_inbox_finished ON turn_inbox (done_at) WHERE status <> 'pending';`,
  },
  {
    version: 5,
    name: 'event feed (web chat streams, agent consoles) shared by instances',
    sql: `
CREATE TABLE feed_events (
  id INTEGER PRIMARY KEY AUTOINCREMENT, stream TEXT NOT NULL, data TEXT NOT NULL, at BIGINT NOT NULL, dedupe TEXT);
CREATE INDEX feed_events_stream ON feed_events (stream, id);
CREATE INDEX feed_events_at ON feed_events (at);
CREATE UNIQUE INDEX feed_events_dedupe ON feed_events (stream, dedupe) WHERE dedupe IS NOT NULL;`,
    postgres: `
CREATE TABLE feed_events (
  id BIGSERIAL PRIMARY KEY, stream TEXT NOT NULL, data TEXT NOT NULL, at BIGINT NOT NULL, dedupe TEXT);
CREATE INDEX feed_events_stream ON feed_events (stream, id);
CREATE INDEX feed_events_at ON feed_events (at);
CREATE UNIQUE INDEX feed_events_dedupe ON feed_events (stream, dedupe) WHERE dedupe IS NOT NULL;`,
  },
  {
    version: 6,
    name: 'cluster leases (chores run by one instance at a time)',
    sql: `CREATE TABLE cluster_leases (name TEXT PRIMARY KEY, owner TEXT NOT NULL, until BIGINT NOT NULL);`,
  },
  {
    version: 7,
    name: 'a per-line lease on the handoff outbox (one sender per line across instances); agents’ client message ids',
    sql: `
ALTER TABLE ticket_messages ADD COLUMN send_lease BIGINT;
ALTER TABLE ticket_messages ADD COLUMN send_owner TEXT;
ALTER TABLE ticket_messages ADD COLUMN send_boot BIGINT;
ALTER TABLE ticket_messages ADD COLUMN client_key TEXT;
CREATE UNIQUE INDEX ticket_messages_client_key ON ticket_messages (ticket_id, client_key) WHERE client_key IS NOT NULL;`,
  },
];

/**
 * Refuses a database a newer switchboard has migrated: this code does not know its tables, and writing to them could
 * lose what the newer one keeps (an upgrade is undone by restoring the backup taken before it, docs/deploy.md).
 */
function refuseNewer(done: ReadonlySet<number>): void {
  const known = Math.max(...MIGRATIONS.map((m) => m.version));
  const newest = Math.max(0, ...done);
  if (newest > known)
    throw new SwitchboardError(
      'E_STORE_OPEN',
      'input',
      `the database has schema version ${newest}, from a newer switchboard (this one knows up to ${known}): run the newer version, or restore the backup taken before the upgrade`,
    );
}

/** SQLite: applies the migrations the file has not seen, synchronously (at construction); returns their versions. */
export function migrateSqlite(client: SqliteClient): number[] {
  const db = client.db;
  db.exec(CREATE_LOG);
  return db
    .transaction(() => {
      const done = new Set(
        (db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map((r) => r.version),
      );
      refuseNewer(done);
      const applied: number[] = [];
      for (const m of MIGRATIONS) {
        if (done.has(m.version)) continue;
        db.exec(m.sql);
        db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)').run(m.version, Date.now());
        applied.push(m.version);
      }
      return applied;
    })
    .immediate();
}

/** Applies the migrations the database has not seen; returns the versions applied. */
export async function migrate(client: SqlClient): Promise<number[]> {
  try {
    await client.exec(CREATE_LOG);
  } catch {
    await client.exec(CREATE_LOG); // two processes creating it at once: one loses the race, the retry sees it
  }
  return client.transaction(async (tx) => {
    if (tx.dialect === 'postgres') await tx.query('SELECT pg_advisory_xact_lock(7391001)');
    const done = new Set(
      (await tx.query<{ version: number }>('SELECT version FROM schema_migrations')).map((r) => Number(r.version)),
    );
    refuseNewer(done);
    const applied: number[] = [];
    for (const m of MIGRATIONS) {
      if (done.has(m.version)) continue;
      await tx.exec(m.postgres ?? m.sql);
      await tx.run('INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)', [m.version, Date.now()]);
      applied.push(m.version);
    }
    return applied;
  });
}
