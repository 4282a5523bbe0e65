/**
 * The web chat's environment variables: how many event streams it keeps open, per client (IP address) and in total,
 * and which reverse proxies may name the client.
 */
import { isIP } from 'node:net';
import { z } from 'zod';
import { type EnvVars, optional, readVars } from '../../config/env-config.ts';

/** Open event streams one client (IP address) may hold: a customer with a few tabs, a small office behind one NAT. */
export const DEFAULT_STREAMS_PER_CLIENT = 20;
/** Open event streams in total. */
export const DEFAULT_STREAMS_MAX = 2000;

const count = (fallback: number) =>
  optional
    .transform((s) => (s === undefined ? fallback : Number(s)))
    .refine((n) => Number.isInteger(n) && n >= 1, { message: 'must be a whole number of at least 1' });

export const WebEnvSchema = z.object({
  SWITCHBOARD_WEB_STREAMS_PER_CLIENT: count(DEFAULT_STREAMS_PER_CLIENT),
  SWITCHBOARD_WEB_STREAMS_MAX: count(DEFAULT_STREAMS_MAX),
  SWITCHBOARD_TRUSTED_PROXIES: optional.refine(
    (s) => s === undefined || s.split(',').every((a) => isIP(a.trim()) !== 0),
    { message: 'must be a comma-separated list of IP addresses (the reverse proxies in front, e.g. 127.0.0.1)' },
  ),
});

export interface WebEnv {
  streamsPerClient: number;
  streamsMax: number;
  /** Reverse proxies whose `X-Forwarded-For` names the client (for the per-client limit). */
  trustedProxies: ReadonlySet<string>;
}

/** Reads and validates the web chat's variables (E_CONFIG naming the variable when one is invalid). */
export function readWebEnv(vars: EnvVars): WebEnv {
  const e = readVars(WebEnvSchema, vars);
  return {
    streamsPerClient: e.SWITCHBOARD_WEB_STREAMS_PER_CLIENT,
    streamsMax: e.SWITCHBOARD_WEB_STREAMS_MAX,
    trustedProxies: new Set(
      (e.SWITCHBOARD_TRUSTED_PROXIES ?? '')
        .split(',')
        .map((a) => a.trim())
        .filter(Boolean),
    ),
  };
}
