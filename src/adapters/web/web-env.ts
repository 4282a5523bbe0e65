/**
 * The web chat's environment variables: how many event streams it keeps open, per client (IP address) and in total.
 */
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
});

export interface WebEnv {
  streamsPerClient: number;
  streamsMax: number;
}

/** Reads and validates the web chat's variables (E_CONFIG naming the variable when one is invalid). */
export function readWebEnv(vars: EnvVars): WebEnv {
  const e = readVars(WebEnvSchema, vars);
  return { streamsPerClient: e.SWITCHBOARD_WEB_STREAMS_PER_CLIENT, streamsMax: e.SWITCHBOARD_WEB_STREAMS_MAX };
}
