/** Bearer-token checks for the agent and admin APIs (constant-time comparison). */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** A token from the environment, or a random one generated at startup (printed once, as Jupyter does). */
export function tokenOrRandom(configured: string | undefined): { token: string; generated: boolean } {
  return configured
    ? { token: configured, generated: false }
    : { token: randomBytes(24).toString('base64url'), generated: true };
}

/** True when the request carries `Authorization: Bearer <token>`. */
export function hasBearer(req: IncomingMessage, token: string): boolean {
  const header = req.headers.authorization;
  if (typeof header !== 'string' || !header.startsWith('Bearer ')) return false;
  const given = Buffer.from(header.slice(7).trim());
  const want = Buffer.from(token);
  return given.length === want.length && timingSafeEqual(given, want);
}
