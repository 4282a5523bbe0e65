/** Bearer-token checks for the agent and admin APIs (constant-time comparison). */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { bearerToken } from '../http/http-utils.ts';

/** A token from the environment, or a random one generated at startup (printed once, as Jupyter does). */
export function tokenOrRandom(configured: string | undefined): { token: string; generated: boolean } {
  return configured
    ? { token: configured, generated: false }
    : { token: randomBytes(24).toString('base64url'), generated: true };
}

/** True when the request carries `Authorization: Bearer <token>` (the scheme in any case). */
export function hasBearer(req: IncomingMessage, token: string): boolean {
  const bearer = bearerToken(req);
  if (bearer === undefined) return false;
  const given = Buffer.from(bearer);
  const want = Buffer.from(token);
  return given.length === want.length && timingSafeEqual(given, want);
}
