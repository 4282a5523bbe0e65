/**
 * The Slack channel's environment variables (Slack's own names): `SLACK_SIGNING_SECRET` and `SLACK_BOT_TOKEN` (both
 * needed to mount the channel), `SLACK_API_URL` (another Web API base: self-hosting, tests) and
 * `SWITCHBOARD_SLACK_AGENTS_CHANNEL` (the agents' channel id; docs/slack.md).
 */
import { z } from 'zod';
import { type EnvVars, optional, readVars, url } from '../../config/env-config.ts';

export const SlackEnvSchema = z.object({
  SLACK_SIGNING_SECRET: optional,
  SLACK_BOT_TOKEN: optional,
  SLACK_API_URL: url,
  /** The Slack agents' channel: its channel id (`C…`, or `G…` for an old private channel). */
  SWITCHBOARD_SLACK_AGENTS_CHANNEL: optional.refine((s) => s === undefined || /^[CG][A-Z0-9]{2,62}$/.test(s), {
    message: 'must be a Slack channel id (C… or G…, from the channel details), not its name',
  }),
});

export interface SlackEnv {
  signingSecret?: string;
  botToken?: string;
  apiUrl?: string;
  /** `SWITCHBOARD_SLACK_AGENTS_CHANNEL`: the agents' channel id; tickets are posted there as cards. */
  agentsChannel?: string;
}

/** Reads and validates the Slack variables (E_CONFIG naming the variable when one is invalid). */
export function readSlackEnv(vars: EnvVars): SlackEnv {
  const e = readVars(SlackEnvSchema, vars);
  return {
    signingSecret: e.SLACK_SIGNING_SECRET,
    botToken: e.SLACK_BOT_TOKEN,
    apiUrl: e.SLACK_API_URL,
    ...(e.SWITCHBOARD_SLACK_AGENTS_CHANNEL ? { agentsChannel: e.SWITCHBOARD_SLACK_AGENTS_CHANNEL } : {}),
  };
}
