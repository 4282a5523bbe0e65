/**
 * The webhook channel's environment variables: `SWITCHBOARD_WEBHOOK_URL` (where the bot POSTs its replies; setting it
 * mounts the channel), `SWITCHBOARD_WEBHOOK_SECRET` (the HMAC key both ways; required) and
 * `SWITCHBOARD_WEBHOOK_UNSIGNED=1` (run without a secret: local experiments only, said loudly). docs/webhook.md.
 */
import { z } from 'zod';
import { type EnvVars, optional, readVars, url } from '../../config/env-config.ts';

/** Shortest secret accepted (bytes of UTF-8): a guessable key would make the signature worthless. */
export const MIN_SECRET = 16;

export const WebhookEnvSchema = z
  .object({
    SWITCHBOARD_WEBHOOK_URL: url,
    SWITCHBOARD_WEBHOOK_SECRET: optional.refine((s) => s === undefined || Buffer.byteLength(s) >= MIN_SECRET, {
      message: `must be at least ${MIN_SECRET} characters (e.g. openssl rand -hex 32)`,
    }),
    SWITCHBOARD_WEBHOOK_UNSIGNED: z
      .enum(['0', '1', 'true', 'false'])
      .optional()
      .transform((s) => s === '1' || s === 'true'),
  })
  .superRefine((e, ctx) => {
    if (e.SWITCHBOARD_WEBHOOK_URL && !e.SWITCHBOARD_WEBHOOK_SECRET && !e.SWITCHBOARD_WEBHOOK_UNSIGNED) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['SWITCHBOARD_WEBHOOK_SECRET'],
        message: 'required when SWITCHBOARD_WEBHOOK_URL is set (SWITCHBOARD_WEBHOOK_UNSIGNED=1 runs without one)',
      });
    }
  });

export interface WebhookEnv {
  /** Where replies are POSTed; undefined: the channel is not mounted. */
  url?: string;
  /** The HMAC-SHA256 key that signs both directions; undefined only with `unsigned`. */
  secret?: string;
  unsigned: boolean;
}

/** Reads and validates the webhook variables (E_CONFIG naming the variable when one is invalid or missing). */
export function readWebhookEnv(vars: EnvVars): WebhookEnv {
  const e = readVars(WebhookEnvSchema, vars);
  return {
    url: e.SWITCHBOARD_WEBHOOK_URL,
    secret: e.SWITCHBOARD_WEBHOOK_SECRET,
    unsigned: e.SWITCHBOARD_WEBHOOK_UNSIGNED,
  };
}
