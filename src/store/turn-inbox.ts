/**
 * The durable inbox: every inbound customer turn is recorded here, with its channel event id, before the channel is
 * acknowledged, and marked done only when its reply or handoff is recorded. A row is worked on under a lease (owner +
 * expiry); rows whose lease ran out — their instance crashed — are taken up by the next instance that looks (at start
 * and periodically), so an acknowledged turn is finished even when the process that acknowledged it is gone. The
 * inbox is also what refuses a retried event: one row per `<channel>:<event id>`. The interface and its in-memory fake.
 */
import type { Turn } from '../turn.ts';

/** An unfinished turn taken from the inbox. */
export interface InboxEntry {
  key: string;
  turn: Turn;
  address: unknown;
  /** How many times a worker has taken it (1 on the first). */
  attempts: number;
}

export interface TurnInbox {
  /**
   * Records an inbound turn, leased to `owner` until `now + leaseMs`; `duplicate` when the key is already recorded
   * (a retry of the same event — done or still being worked on). Durable once it resolves.
   */
  accept(turn: Turn, address: unknown, owner: string, leaseMs: number): Promise<'accepted' | 'duplicate'>;
  /** The turn is finished (its reply or handoff is recorded): the row keeps only its key, to refuse retries. */
  complete(key: string): Promise<void>;
  /** The turn cannot be finished (not a database fault): kept, marked `failed` with the error code, not retried. */
  fail(key: string, code: string): Promise<void>;
  /**
   * The fence before a turn's reply is sent: true when `owner` still holds the unfinished row `key` as taken at
   * `attempt` (no one took it since: its lease did not run out into another instance's sweep), and then its lease is
   * renewed; false when it does not (another instance took the turn and sends its reply).
   */
  hold(key: string, owner: string, attempt: number, leaseMs: number): Promise<boolean>;
  /** Extends the lease of turns `owner` is still working on. */
  renew(keys: readonly string[], owner: string, leaseMs: number): Promise<void>;
  /**
   * Takes up to `limit` unfinished turns for `owner`: those whose lease ran out, and those `owner` recorded before
   * `ownBefore` (its previous run: the restart of the same instance) that it is not working on now (`exceptKeys`).
   * Oldest first; two instances never take the same row.
   */
  take(
    owner: string,
    leaseMs: number,
    limit: number,
    exceptKeys: ReadonlySet<string>,
    ownBefore: number,
  ): Promise<InboxEntry[]>;
  /**
   * The unfinished row `key` when `owner` holds it (its lease renewed), else undefined: a turn whose record this
   * instance could not confirm (the database failed during the insert) is found again this way.
   */
  reclaim(key: string, owner: string, leaseMs: number): Promise<InboxEntry | undefined>;
  /** Unfinished turns (health, tests). */
  pending(): Promise<number>;
}

/** The inbox key of a turn. */
export const inboxKey = (turn: Pick<Turn, 'channel' | 'id'>): string => `${turn.channel}:${turn.id}`;

interface MemoryRow {
  turn: Turn;
  address: unknown;
  status: 'pending' | 'done' | 'failed';
  owner: string;
  leaseUntil: number;
  attempts: number;
  at: number;
}

/** In-memory inbox (tests, one process): durable only as long as the process. */
export class MemoryTurnInbox implements TurnInbox {
  readonly rows = new Map<string, MemoryRow>();

  constructor(private readonly now: () => number = Date.now) {}

  async accept(turn: Turn, address: unknown, owner: string, leaseMs: number): Promise<'accepted' | 'duplicate'> {
    const key = inboxKey(turn);
    if (this.rows.has(key)) return 'duplicate';
    const at = this.now();
    this.rows.set(key, {
      turn: structuredClone(turn),
      address: structuredClone(address),
      status: 'pending',
      owner,
      leaseUntil: at + leaseMs,
      attempts: 1,
      at,
    });
    return 'accepted';
  }

  async complete(key: string): Promise<void> {
    const row = this.rows.get(key);
    if (row) row.status = 'done';
  }

  async fail(key: string): Promise<void> {
    const row = this.rows.get(key);
    if (row) row.status = 'failed';
  }

  async hold(key: string, owner: string, attempt: number, leaseMs: number): Promise<boolean> {
    const row = this.rows.get(key);
    if (row?.status !== 'pending' || row.owner !== owner || row.attempts !== attempt) return false;
    row.leaseUntil = this.now() + leaseMs;
    return true;
  }

  async renew(keys: readonly string[], owner: string, leaseMs: number): Promise<void> {
    for (const key of keys) {
      const row = this.rows.get(key);
      if (row?.status === 'pending' && row.owner === owner) row.leaseUntil = this.now() + leaseMs;
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
    const out: InboxEntry[] = [];
    const rows = [...this.rows.entries()].filter(([, r]) => r.status === 'pending').sort((a, b) => a[1].at - b[1].at);
    for (const [key, row] of rows) {
      if (out.length >= limit) break;
      const free = row.leaseUntil < now || (row.owner === owner && row.at < ownBefore && !exceptKeys.has(key));
      if (!free) continue;
      row.owner = owner;
      row.leaseUntil = now + leaseMs;
      row.attempts++;
      out.push({ key, turn: structuredClone(row.turn), address: structuredClone(row.address), attempts: row.attempts });
    }
    return out;
  }

  async reclaim(key: string, owner: string, leaseMs: number): Promise<InboxEntry | undefined> {
    const row = this.rows.get(key);
    if (row?.status !== 'pending' || row.owner !== owner) return undefined;
    row.leaseUntil = this.now() + leaseMs;
    row.attempts++;
    return { key, turn: structuredClone(row.turn), address: structuredClone(row.address), attempts: row.attempts };
  }

  async pending(): Promise<number> {
    return [...this.rows.values()].filter((r) => r.status === 'pending').length;
  }
}
