/**
 * A durable feed of events in named streams, shared by every instance on one database: what the web chat pushes to
 * customers' pages (one stream per conversation) and what agent consoles are told about tickets. An event is appended
 * once, kept (for a day) so a page that reconnects — to any instance — gets what it missed, and every subscriber on
 * every instance hears which stream changed (PostgreSQL LISTEN/NOTIFY; in-process on SQLite). Subscribers then read
 * what is new with {@link EventFeed.since}: a repeated or lost notification costs a read, never an event.
 */

/** One event of a stream; `id` grows with every append (across streams). */
export interface FeedEvent {
  id: number;
  data: string;
}

/** The stream name a subscriber hears when it must re-read every stream it follows (a lost LISTEN connection). */
export const ALL_STREAMS = '*';

export interface EventFeed {
  /**
   * Appends an event to `stream` and tells every subscriber; resolves with its id once it is durable. With `dedupe`,
   * a second append of the same key to the same stream (a retried send) is the first one's id, not a new event.
   */
  append(stream: string, data: string, dedupe?: string): Promise<number>;
  /** The events of `stream` after `afterId`, oldest first, at most `limit`. */
  since(stream: string, afterId: number, limit?: number): Promise<FeedEvent[]>;
  /** The id of the newest event of `stream`; 0 when it has none. */
  last(stream: string): Promise<number>;
  /** Calls `listener(stream)` when an event was appended to `stream`, here or on another instance. */
  subscribe(listener: (stream: string) => void): () => void;
  close(): Promise<void>;
}

/** A feed in memory (tests, one process). */
export class MemoryEventFeed implements EventFeed {
  private readonly events: { id: number; stream: string; data: string }[] = [];
  private readonly listeners = new Set<(stream: string) => void>();
  private readonly keys = new Map<string, number>();

  async append(stream: string, data: string, dedupe?: string): Promise<number> {
    const key = dedupe === undefined ? undefined : `${stream}\n${dedupe}`;
    const known = key === undefined ? undefined : this.keys.get(key);
    if (known !== undefined) return known;
    const id = this.events.length + 1;
    if (key !== undefined) this.keys.set(key, id);
    this.events.push({ id, stream, data });
    for (const l of this.listeners) l(stream);
    return id;
  }

  async since(stream: string, afterId: number, limit = 100): Promise<FeedEvent[]> {
    return this.events
      .filter((e) => e.stream === stream && e.id > afterId)
      .slice(0, limit)
      .map(({ id, data }) => ({ id, data }));
  }

  async last(stream: string): Promise<number> {
    for (let i = this.events.length - 1; i >= 0; i--) if (this.events[i].stream === stream) return this.events[i].id;
    return 0;
  }

  subscribe(listener: (stream: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.listeners.clear();
  }
}
