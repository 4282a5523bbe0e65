/**
 * The web agent console's live updates: every ticket event goes to each connected console as a server-sent event
 * (`text/event-stream`, one `data:` JSON line per event; a comment line every 20 s keeps proxies from closing it).
 */
import type { ServerResponse } from 'node:http';
import type { AgentSurface, TicketEvent } from './handoff-service.ts';

export class ConsoleHub implements AgentSurface {
  readonly name = 'console';
  private readonly clients = new Set<ServerResponse>();
  private readonly keepAlive: NodeJS.Timeout;

  constructor() {
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
    const data = JSON.stringify({
      kind: event.kind,
      ticket: event.ticket,
      ...(event.kind === 'message' ? { entry: event.entry } : {}),
      ...(event.kind === 'alert' ? { waited_ms: event.waitedMs } : {}),
      ...(event.kind === 'opened' ? { agents: event.agents.map((a) => a.id) } : {}),
    });
    for (const c of this.clients) c.write(`data: ${data}\n\n`);
  }

  async alert(message: string): Promise<void> {
    const data = JSON.stringify({ kind: 'alert_message', message });
    for (const c of this.clients) c.write(`data: ${data}\n\n`);
  }

  close(): void {
    clearInterval(this.keepAlive);
    for (const c of this.clients) c.end();
    this.clients.clear();
  }
}
