/**
 * The durable inbox ({@link TurnInbox}) in SQL, SQLite or PostgreSQL. Taking rows is one transaction: PostgreSQL locks
 * the candidates with `FOR UPDATE SKIP LOCKED`, so two instances never take the same row; SQLite has one writer.
 * A finished row keeps its key (retries of the event are refused for a day) but not the customer's text.
 */
import type { Turn } from '../turn.ts';
import type { SqlClient } from './sql-client.ts';
import { type InboxEntry, inboxKey, type TurnInbox } from './turn-inbox.ts';

/** Finished rows are kept this long, to refuse the channel's retries (Slack retries within about an hour). */
const DONE_RETENTION_MS = 24 * 3600 * 1000;

export class SqlTurnInbox implements TurnInbox {
  private accepted = 0;

  constructor(
    readonly client: SqlClient,
    private readonly now: () => number = Date.now,
  ) {}

  async accept(turn: Turn, address: unknown, owner: string, leaseMs: number): Promise<'accepted' | 'duplicate'> {
    const at = this.now();
    if (++this.accepted % 1000 === 0)
      await this.client.run("DELETE FROM turn_inbox WHERE status <> 'pending' AND done_at < $1", [
        at - DONE_RETENTION_MS,
      ]);
    const inserted = await this.client.run(
      `INSERT INTO turn_inbox (key, status, turn, address, owner, lease_until, attempts, created_at)
       VALUES ($1, 'pending', $2, $3, $4, $5, 1, $6) ON CONFLICT DO NOTHING`,
      [inboxKey(turn), JSON.stringify(turn), JSON.stringify(address ?? null), owner, at + leaseMs, at],
    );
    return inserted === 1 ? 'accepted' : 'duplicate';
  }

  async complete(key: string): Promise<void> {
    await this.client.run(
      "UPDATE turn_inbox SET status = 'done', turn = NULL, address = NULL, done_at = $2 WHERE key = $1",
      [key, this.now()],
    );
  }

  async fail(key: string, code: string): Promise<void> {
    await this.client.run(
      "UPDATE turn_inbox SET status = 'failed', turn = NULL, address = NULL, error = $2, done_at = $3 WHERE key = $1",
      [key, code.slice(0, 100), this.now()],
    );
  }

  async hold(key: string, owner: string, attempt: number, leaseMs: number): Promise<boolean> {
    const held = await this.client.run(
      `UPDATE turn_inbox SET lease_until = $4
       WHERE key = $1 AND owner = $2 AND attempts = $3 AND status = 'pending'`,
      [key, owner, attempt, this.now() + leaseMs],
    );
    return held === 1;
  }

  async renew(keys: readonly string[], owner: string, leaseMs: number): Promise<void> {
    const until = this.now() + leaseMs;
    // One statement per 500 keys (a busy instance has hundreds in progress).
    for (let i = 0; i < keys.length; i += 500) {
      const batch = keys.slice(i, i + 500);
      const list = batch.map((_k, j) => `$${j + 3}`).join(', ');
      await this.client.run(
        `UPDATE turn_inbox SET lease_until = $2 WHERE owner = $1 AND status = 'pending' AND key IN (${list})`,
        [owner, until, ...batch],
      );
    }
  }

  async take(
    owner: string,
    leaseMs: number,
    limit: number,
    exceptKeys: ReadonlySet<string>,
    ownBefore: number,
  ): Promise<InboxEntry[]> {
    const now = this.now();
    const lock = this.client.dialect === 'postgres' ? ' FOR UPDATE SKIP LOCKED' : '';
    return this.client.transaction(async (tx) => {
      const candidates = await tx.query<{ key: string }>(
        `SELECT key FROM turn_inbox WHERE status = 'pending' AND (lease_until < $1 OR (owner = $2 AND created_at < $4))
         ORDER BY created_at LIMIT $3${lock}`,
        [now, owner, limit + exceptKeys.size, ownBefore],
      );
      const taken: InboxEntry[] = [];
      for (const { key } of candidates) {
        if (exceptKeys.has(key) || taken.length >= limit) continue;
        const [row] = await tx.query<{ turn: string; address: string; attempts: number }>(
          `UPDATE turn_inbox SET owner = $2, lease_until = $3, attempts = attempts + 1
           WHERE key = $1 AND status = 'pending' RETURNING turn, address, attempts`,
          [key, owner, now + leaseMs],
        );
        if (!row) continue;
        const entry = toEntry(key, row);
        if (entry) taken.push(entry);
        else {
          // A damaged row cannot be handled; it is marked so it is not taken again.
          await tx.run("UPDATE turn_inbox SET status = 'failed', error = 'E_INBOX_ROW', done_at = $2 WHERE key = $1", [
            key,
            now,
          ]);
        }
      }
      return taken;
    });
  }

  async reclaim(key: string, owner: string, leaseMs: number): Promise<InboxEntry | undefined> {
    const [row] = await this.client.query<{ turn: string; address: string; attempts: number }>(
      `UPDATE turn_inbox SET lease_until = $3, attempts = attempts + 1
       WHERE key = $1 AND owner = $2 AND status = 'pending' RETURNING turn, address, attempts`,
      [key, owner, this.now() + leaseMs],
    );
    return row ? toEntry(key, row) : undefined;
  }

  async pending(): Promise<number> {
    const [row] = await this.client.query<{ n: number }>(
      "SELECT COUNT(*) AS n FROM turn_inbox WHERE status = 'pending'",
    );
    return Number(row?.n ?? 0);
  }
}

/** A row taken back as an entry; undefined when its stored turn cannot be read. */
function toEntry(key: string, row: { turn: string; address: string; attempts: number }): InboxEntry | undefined {
  try {
    return {
      key,
      turn: JSON.parse(row.turn) as Turn,
      address: JSON.parse(row.address),
      attempts: Number(row.attempts),
    };
  } catch {
    return undefined;
  }
}
