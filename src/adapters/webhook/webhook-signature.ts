/**
 * The webhook channel's request signature, the same both ways: `X-Switchboard-Timestamp` (Unix seconds) and
 * `X-Switchboard-Signature: v1=<hex HMAC-SHA256(secret, "v1:" + timestamp + ":" + raw body)>`. A request is accepted
 * only with a signature that matches (compared in constant time) and a timestamp within five minutes of our clock, so a
 * captured request cannot be replayed later.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

export const TIMESTAMP_HEADER = 'x-switchboard-timestamp';
export const SIGNATURE_HEADER = 'x-switchboard-signature';
/** Requests whose timestamp is further than this from our clock are refused. */
export const MAX_SKEW_S = 5 * 60;

/**
 * The signature of `body` sent at `timestamp` (Unix seconds).
 *
 * @example sign('a-secret-of-16-bytes', 1712000000, '{"id":"1"}') // 'v1=5c0e…'
 */
export function sign(secret: string, timestamp: number, body: string | Buffer): string {
  const mac = createHmac('sha256', secret);
  mac.update(`v1:${timestamp}:`);
  mac.update(body);
  return `v1=${mac.digest('hex')}`;
}

/** The headers that sign `body` now (outgoing requests). */
export function signatureHeaders(secret: string, body: string, nowMs = Date.now()): Record<string, string> {
  const timestamp = Math.floor(nowMs / 1000);
  return { [TIMESTAMP_HEADER]: String(timestamp), [SIGNATURE_HEADER]: sign(secret, timestamp, body) };
}

/** Why a request's signature is refused, or undefined when it is good. */
export function verify(
  secret: string,
  headers: IncomingHttpHeaders,
  body: Buffer,
  nowMs = Date.now(),
): string | undefined {
  const timestamp = header(headers, TIMESTAMP_HEADER);
  const signature = header(headers, SIGNATURE_HEADER);
  if (!timestamp || !signature) return `${TIMESTAMP_HEADER} and ${SIGNATURE_HEADER} are required`;
  if (!/^\d{1,12}$/.test(timestamp)) return `${TIMESTAMP_HEADER} must be Unix seconds`;
  if (Math.abs(nowMs / 1000 - Number(timestamp)) > MAX_SKEW_S) {
    return `${TIMESTAMP_HEADER} is more than ${MAX_SKEW_S / 60} minutes from the server's clock`;
  }
  const expected = Buffer.from(sign(secret, Number(timestamp), body));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'signature does not match';
  return undefined;
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return typeof v === 'string' ? v.trim() : undefined;
}
