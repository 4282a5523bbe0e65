/**
 * With Bot Framework authentication off (no `MicrosoftAppId`: local development with the Bot Framework Emulator),
 * anyone who reaches `/api/messages` could post an activity whose `serviceUrl` the bot then POSTs its reply to — a
 * request forgery. So in that mode an activity is only taken when everything is local: the request comes from a
 * loopback address, carries no proxy header (`X-Forwarded-For`, `Forwarded`, `X-Real-IP`: a reverse proxy in front
 * means the port is exposed), and its `serviceUrl`, when it has one, is on loopback. With authentication on, the
 * channel's signed token vouches for the `serviceUrl` and none of this applies.
 */
import type { IncomingMessage } from 'node:http';

/** Headers a reverse proxy adds. */
const PROXY_HEADERS = ['x-forwarded-for', 'forwarded', 'x-real-ip'] as const;

/**
 * True for a loopback host or address: `localhost`, 127.0.0.0/8, `::1` (bracketed or not), IPv4-mapped 127.x.
 *
 * @example isLoopback('127.0.0.1') // true
 * @example isLoopback('[::1]') // true
 * @example isLoopback('10.0.0.5') // false
 */
export function isLoopback(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  if (h === 'localhost' || h === '::1') return true;
  const v4 = h.startsWith('::ffff:') ? h.slice(7) : h;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4);
}

/** True when `serviceUrl` is an http(s) URL on a loopback host. */
export function isLoopbackUrl(serviceUrl: string): boolean {
  try {
    const u = new URL(serviceUrl);
    return (u.protocol === 'http:' || u.protocol === 'https:') && isLoopback(u.hostname);
  } catch {
    return false;
  }
}

/**
 * Why an activity is refused while authentication is off, or undefined when it may be handled: `proxied`,
 * `remote_client` or `remote_service_url`.
 */
export function unauthenticatedRefusal(
  req: IncomingMessage,
  activity: { serviceUrl?: unknown },
): 'proxied' | 'remote_client' | 'remote_service_url' | undefined {
  if (PROXY_HEADERS.some((h) => req.headers[h] !== undefined)) return 'proxied';
  if (!isLoopback(req.socket.remoteAddress ?? '')) return 'remote_client';
  const url = activity.serviceUrl;
  if (url !== undefined && url !== null && (typeof url !== 'string' || !isLoopbackUrl(url)))
    return 'remote_service_url';
  return undefined;
}
