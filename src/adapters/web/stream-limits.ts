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
 * The client a request comes from: its socket's address, or — when that is a trusted reverse proxy
 * (`SWITCHBOARD_TRUSTED_PROXIES`) — the nearest address in `X-Forwarded-For` that is not one of them. Without trusted
 * proxies the header is ignored (anyone can write it); behind nginx without them every customer would share the
 * proxy's limit.
 */
export function clientOf(req: IncomingMessage, trustedProxies: ReadonlySet<string> = new Set()): string {
  const plain = (a: string) => (a.startsWith('::ffff:') ? a.slice(7) : a);
  const address = plain(req.socket.remoteAddress ?? 'unknown');
  if (!trustedProxies.has(address)) return address;
  const header = req.headers['x-forwarded-for'];
  const hops = (Array.isArray(header) ? header.join(',') : (header ?? '')).split(',').map((h) => plain(h.trim()));
  for (let i = hops.length - 1; i >= 0; i--) if (hops[i] && !trustedProxies.has(hops[i])) return hops[i];
  return address;
}
