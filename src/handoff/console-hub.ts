/**
 * The web agent console's live updates: every ticket event goes to each connected console as a server-sent event
 * (`text/event-stream`, one `data:` JSON line per event; a comment line every 20 s keeps proxies from closing it).
 * Events pass through the shared {@link EventFeed}, so a console connected to any instance sees the tickets every
 * instance opens, claims and closes.
 */
import type { ServerResponse } from 'node:http';
import { ALL_STREAMS, type EventFeed, MemoryEventFeed } from '../store/event-feed.ts';
import type { AgentSurface, TicketEvent } from './handoff-service.ts';
import type { Ticket } from './ticket.ts';

/** The feed stream of ticket events for consoles. */
const STREAM = 'console';

export class ConsoleHub implements AgentSurface {
  readonly name = 'console';
  private readonly clients = new Set<ServerResponse>();
  private readonly keepAlive: NodeJS.Timeout;
  private readonly unsubscribe: () => void;
  /** The newest feed event written to the consoles (events before this hub started are not theirs). */
  private lastId: Promise<number>;
  private pushing: Promise<void> | undefined;
  private again = false;

  /**
   * @param names the customer's display name for a ticket (their channel's: a Teams or Slack profile name, "Visitor
   *   3F2A"), added to each event's ticket as `customer_name`; without it, the ticket's customer id.
   */
  constructor(
    private readonly feed: EventFeed = new MemoryEventFeed(),
    private readonly names?: (ticket: Ticket) => Promise<string | undefined>,
  ) {
    this.lastId = feed.last(STREAM).catch(() => 0);
    this.unsubscribe = feed.subscribe((stream) => {
      if (stream === STREAM || stream === ALL_STREAMS) this.push();
    });
    this.keepAlive = setInterval(() => {
      for (const c of this.clients) c.write(': keep-alive\n\n');
    }, 20_000);
    this.keepAlive.unref();
  }

  /** Connected consoles. */
  get size(): number {
    return this.clients.size;
  }

  /** Turns a response into an event stream until the client goes away. */
  attach(res: ServerResponse): void {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
    });
    res.write(': connected\n\n');
    this.clients.add(res);
    res.on('close', () => this.clients.delete(res));
  }

  async notify(event: TicketEvent): Promise<void> {
    const name = await this.names?.(event.ticket).catch(() => undefined);
    const data = JSON.stringify({
      kind: event.kind,
      ticket: { ...event.ticket, customer_name: name ?? event.ticket.customer },
      ...(event.kind === 'message' ? { entry: event.entry } : {}),
      ...(event.kind === 'alert' ? { waited_ms: event.waitedMs } : {}),
      ...(event.kind === 'opened' ? { agents: event.agents.map((a) => a.id) } : {}),
      ...(event.kind === 'claimed' && event.override ? { override: event.override } : {}),
    });
    await this.feed.append(STREAM, data);
    await this.idle();
  }

  async alert(message: string): Promise<void> {
    await this.feed.append(STREAM, JSON.stringify({ kind: 'alert_message', message }));
    await this.idle();
  }

  /** Resolves when what the feed holds has been written to the consoles. */
  async idle(): Promise<void> {
    while (this.pushing) await this.pushing;
  }

  /** Writes the feed's new console events to every console (repeats while notifications keep coming). */
  private push(): void {
    if (this.pushing) {
      this.again = true;
      return;
    }
    this.pushing = (async () => {
      try {
        do {
          this.again = false;
          let last = await this.lastId;
          for (;;) {
            const events = await this.feed.since(STREAM, last, 200);
            for (const e of events) for (const c of this.clients) c.write(`data: ${e.data}\n\n`);
            if (events.length > 0) last = events[events.length - 1].id;
            this.lastId = Promise.resolve(last);
            if (events.length < 200) break;
          }
        } while (this.again);
      } catch {
        // the database is away: the next notification (or reconnection) reads from where this stopped
      } finally {
        this.pushing = undefined;
      }
    })();
  }

  close(): void {
    this.unsubscribe();
    clearInterval(this.keepAlive);
    for (const c of this.clients) c.end();
    this.clients.clear();
  }
}
