/**
 * The {@link EventFeed} in SQL: events in `feed_events`; on PostgreSQL every append is announced with
 * `pg_notify('switchboard_feed', <stream>)` and each instance LISTENs on its own connection (re-established when it
 * drops, after which subscribers re-read everything: {@link ALL_STREAMS}). On SQLite (one instance) subscribers are
 * told in-process. Events older than a day are pruned.
 */
import { ALL_STREAMS, type EventFeed, type FeedEvent } from './event-feed.ts';
import { lockedTransaction, type SqlClient } from './sql-client.ts';

/** The NOTIFY channel. */
export const FEED_CHANNEL = 'switchboard_feed';
/** Events are kept this long (a page that comes back later starts afresh). */
const RETENTION_MS = 24 * 3600 * 1000;
/**
 * The first key of the PostgreSQL advisory locks that make appends to one stream take turns (the second is the
 * stream's hash). Ids come from a sequence, and two concurrent INSERTs can commit in the other order: a reader woken
 * by the later one would read past the earlier id before it was committed and never see that event. Holding the
 * stream's lock until commit makes each stream's ids commit in order.
 */
export const FEED_APPEND_LOCK = 7391003;

/** Subscribes to a LISTEN channel; `onLost` is called when the connection dropped and was made again. */
export type Listen = (
  channel: string,
  onNotify: (payload: string) => void,
  onLost: () => void,
) => Promise<{ close(): Promise<void> }>;

export class SqlEventFeed implements EventFeed {
  private readonly listeners = new Set<(stream: string) => void>();
  private listening: Promise<{ close(): Promise<void> }> | undefined;
  private appends = 0;

  constructor(
    private readonly client: SqlClient,
    /** PostgreSQL's LISTEN (other instances' appends); absent on SQLite. */
    private readonly listen?: Listen,
  ) {}

  async append(stream: string, data: string, dedupe?: string): Promise<number> {
    const now = Date.now();
    if (++this.appends % 1000 === 0)
      await this.client.run('DELETE FROM feed_events WHERE at < $1', [now - RETENTION_MS]);
    let [row] = await lockedTransaction(this.client, FEED_APPEND_LOCK, stream, (db) =>
      db.query<{ id: number }>(
        'INSERT INTO feed_events (stream, data, at, dedupe) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING id',
        [stream, data, now, dedupe ?? null],
      ),
    );
    if (!row) {
      // Appended before (a retried send): its id, and nothing new to announce.
      [row] = await this.client.query<{ id: number }>('SELECT id FROM feed_events WHERE stream = $1 AND dedupe = $2', [
        stream,
        dedupe,
      ]);
      return Number(row?.id ?? 0);
    }
    if (this.client.dialect === 'postgres')
      await this.client.query('SELECT pg_notify($1, $2)', [FEED_CHANNEL, stream]).catch(() => {});
    this.emit(stream); // here at once; other instances through the notification
    return Number(row.id);
  }

  async since(stream: string, afterId: number, limit = 100): Promise<FeedEvent[]> {
    const rows = await this.client.query<{ id: number; data: string }>(
      'SELECT id, data FROM feed_events WHERE stream = $1 AND id > $2 ORDER BY id LIMIT $3',
      [stream, afterId, limit],
    );
    return rows.map((r) => ({ id: Number(r.id), data: r.data }));
  }

  async last(stream: string): Promise<number> {
    const [row] = await this.client.query<{ id: number | null }>(
      'SELECT MAX(id) AS id FROM feed_events WHERE stream = $1',
      [stream],
    );
    return Number(row?.id ?? 0);
  }

  subscribe(listener: (stream: string) => void): () => void {
    this.listeners.add(listener);
    if (this.listen && !this.listening)
      this.listening = this.listen(
        FEED_CHANNEL,
        (stream) => this.emit(stream),
        () => this.emit(ALL_STREAMS),
      );
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.listeners.clear();
    const l = await this.listening?.catch(() => undefined);
    await l?.close();
  }

  private emit(stream: string): void {
    for (const l of this.listeners) {
      try {
        l(stream);
      } catch {
        // a subscriber's failure is its own
      }
    }
  }
}
