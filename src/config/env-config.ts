/**
 * The process environment as one typed, validated object: the only module that reads `process.env`. Read once at
 * startup; an invalid value fails there with the variable's name. Each channel plug-in declares and validates its own
 * variables (names after its SDK's convention: Slack's `SLACK_*`, Bot Framework's `MicrosoftApp*`) with
 * {@link readVars} over the `vars` read here, so adding a channel adds nothing to this file.
 */

import { z } from 'zod';
import { SwitchboardError } from '../errors.ts';
import { PASSWORD_HASH } from '../util/password-hash.ts';
import { zodIssues } from '../util/zod-issues.ts';

/** An optional variable: trimmed, blank = unset. */
export const optional = z
  .string()
  .optional()
  .transform((s) => (s?.trim() ? s.trim() : undefined));
/** An optional http(s) URL. */
/** True when `s` parses as a URL. */
function parses(s: string): boolean {
  try {
    new URL(s);
    return true;
  } catch {
    return false;
  }
}

export const url = optional.refine((s) => s === undefined || (/^https?:\/\/[^\s]+$/.test(s) && parses(s)), {
  message: 'must be an http(s) URL',
});

/** The environment as read at startup (string values only). */
export type EnvVars = Readonly<Record<string, string | undefined>>;

/**
 * Validates variables against a schema; an invalid one fails with E_CONFIG naming it.
 *
 * @example readVars(z.object({ PORT: z.coerce.number() }), { PORT: 'eighty' }) // throws 'environment: PORT: …'
 */
export function readVars<T extends z.ZodTypeAny>(schema: T, vars: EnvVars): z.output<T> {
  const parsed = schema.safeParse(vars);
  if (!parsed.success) {
    const issues = zodIssues(parsed.error).join('; ');
    throw new SwitchboardError('E_CONFIG', 'input', `environment: ${issues}`);
  }
  return parsed.data;
}

const EnvSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3978),
  HOST: z.string().default('127.0.0.1'),
  SWITCHBOARD_LANGUAGES: optional,
  DATABASE_URL: optional,
  SWITCHBOARD_AGENT_TOKEN: optional,
  SWITCHBOARD_ADMIN_TOKEN: optional,
  /**
   * Agents' password hashes, `ann=scrypt$…,luis=scrypt$…` (from `switchboard agent hash-password`); an agent listed here
   * and in bot.yaml (`agents[].password_hash`) takes this one.
   */
  SWITCHBOARD_AGENT_PASSWORD_HASHES: optional.transform((s, ctx) => {
    const hashes: Record<string, string> = {};
    for (const part of (s ?? '')
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean)) {
      const eq = part.indexOf('=');
      const [agent, hash] = [part.slice(0, eq).trim(), part.slice(eq + 1).trim()];
      if (eq < 1 || !PASSWORD_HASH.test(hash)) {
        ctx.addIssue({
          code: 'custom',
          message: `each entry must be <agent id>=scrypt$… (from switchboard agent hash-password); got ${JSON.stringify(part.slice(0, 20))}…`,
        });
        return z.NEVER;
      }
      hashes[agent] = hash;
    }
    return hashes;
  }),
  /** This instance's name in the inbox's leases (default: host and port). Unique per instance on one database. */
  SWITCHBOARD_INSTANCE_ID: optional,
  /** When set, `GET /metrics` needs `Authorization: Bearer <it>` (unset: open, as Prometheus scrapes by default). */
  SWITCHBOARD_METRICS_TOKEN: optional,
  /** Print stack traces of CLI errors. */
  SWITCHBOARD_DEBUG: optional,
  /** Log customer text (off by default: logs hold event ids and sizes only). */
  SWITCHBOARD_LOG_TEXT: z
    .enum(['0', '1', 'true', 'false'])
    .optional()
    .transform((s) => s === '1' || s === 'true'),
});

/** What the server and the CLI read from the environment. */
export interface EnvConfig {
  port: number;
  host: string;
  /** `SWITCHBOARD_LANGUAGES` (comma-separated ISO 639-1), for `predict` without `--languages`. */
  languages?: string[];
  databaseUrl?: string;
  agentToken?: string;
  adminToken?: string;
  /** `SWITCHBOARD_AGENT_PASSWORD_HASHES`: agent id → password hash. */
  agentPasswordHashes: Record<string, string>;
  /** `SWITCHBOARD_INSTANCE_ID`: this instance's name among several on one database. */
  instanceId?: string;
  /** `SWITCHBOARD_METRICS_TOKEN`: the bearer token `/metrics` needs; unset, `/metrics` is open. */
  metricsToken?: string;
  logText: boolean;
  /** `SWITCHBOARD_DEBUG`: stack traces of CLI errors. */
  debug: boolean;
  /** Every variable as read (for the channel plug-ins' own schemas: {@link readVars}). */
  vars: EnvVars;
}

/** Reads and validates the environment (default `process.env`). */
export function readEnvConfig(env: NodeJS.ProcessEnv = process.env): EnvConfig {
  const e = readVars(EnvSchema, env);
  const vars: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(env)) if (typeof v === 'string') vars[k] = v;
  const languages = e.SWITCHBOARD_LANGUAGES?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return {
    port: e.PORT,
    host: e.HOST,
    ...(languages?.length ? { languages } : {}),
    databaseUrl: e.DATABASE_URL,
    agentToken: e.SWITCHBOARD_AGENT_TOKEN,
    adminToken: e.SWITCHBOARD_ADMIN_TOKEN,
    agentPasswordHashes: e.SWITCHBOARD_AGENT_PASSWORD_HASHES,
    instanceId: e.SWITCHBOARD_INSTANCE_ID,
    metricsToken: e.SWITCHBOARD_METRICS_TOKEN,
    logText: e.SWITCHBOARD_LOG_TEXT,
    debug: Boolean(e.SWITCHBOARD_DEBUG),
    vars: Object.freeze(vars),
  };
}
