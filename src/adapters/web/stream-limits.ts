/**
 * Limits on open web chat event streams, per client (its IP address) and in total: each stream holds a socket and a
 * listener, so without a limit one client can open thousands. Beyond a limit the stream is refused with 429
 * (`E_TOO_MANY_STREAMS`).
 */
import type { IncomingMessage } from 'node:http';

export class StreamLimits {
  private total = 0;
  private readonly perClient = new Map<string, number>();

  constructor(
    readonly maxPerClient: number,
    readonly maxTotal: number,
  ) {}

  /**
   * Takes a stream for `client`: the function that gives it back (call once, when the stream closes), or which limit
   * refused it.
   */
  take(client: string): (() => void) | 'client' | 'total' {
    const mine = this.perClient.get(client) ?? 0;
    if (mine >= this.maxPerClient) return 'client';
    if (this.total >= this.maxTotal) return 'total';
    this.perClient.set(client, mine + 1);
    this.total++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.total--;
      const left = (this.perClient.get(client) ?? 1) - 1;
      if (left <= 0) this.perClient.delete(client);
      else this.perClient.set(client, left);
    };
  }

  /** Open streams, in total and of one client. */
  open(client?: string): number {
    return client === undefined ? this.total : (this.perClient.get(client) ?? 0);
  }
}

/**
 * The client a request counts against: the peer's IP address (an IPv4-mapped IPv6 address as plain IPv4). Behind a
 * reverse proxy every customer is the proxy: raise `SWITCHBOARD_WEB_STREAMS_PER_CLIENT` there.
 */
export function clientOf(req: IncomingMessage): string {
  const address = req.socket.remoteAddress ?? 'unknown';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}
