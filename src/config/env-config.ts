/**
 * The process environment as one typed, validated object: the only module that reads `process.env` (DESIGN.md).
 * Names follow each SDK's convention (Slack's `SLACK_*`, Bot Framework's `MicrosoftApp*`). Read once at startup; an
 * invalid value fails there with the variable's name.
 */
import { z } from 'zod';
import { SwitchboardError } from '../errors.ts';

const optional = z
  .string()
  .optional()
  .transform((s) => (s?.trim() ? s.trim() : undefined));
const url = optional.refine((s) => s === undefined || /^https?:\/\/[^\s]+$/.test(s), {
  message: 'must be an http(s) URL',
});

const EnvSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3978),
  HOST: z.string().default('127.0.0.1'),
  SWITCHBOARD_LANGUAGES: optional,
  SLACK_SIGNING_SECRET: optional,
  SLACK_BOT_TOKEN: optional,
  SLACK_API_URL: url,
  MicrosoftAppId: optional,
  MicrosoftAppPassword: optional,
  MicrosoftAppType: z.enum(['MultiTenant', 'SingleTenant', 'UserAssignedMSI']).optional(),
  MicrosoftAppTenantId: optional,
  DATABASE_URL: optional,
  SWITCHBOARD_AGENT_TOKEN: optional,
  SWITCHBOARD_ADMIN_TOKEN: optional,
  /**
   * Bot Framework endpoints, under the names `ConfigurationBotFrameworkAuthentication` reads (private clouds, tests);
   * unset: Microsoft's public cloud. Any one set → the others default to the public cloud's values.
   */
  ToBotFromChannelOpenIdMetadataUrl: url,
  ToBotFromChannelTokenIssuer: optional,
  ToChannelFromBotLoginUrl: url,
  ToChannelFromBotOAuthScope: optional,
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
  slack: { signingSecret?: string; botToken?: string; apiUrl?: string };
  teams: {
    appId?: string;
    appPassword?: string;
    appType?: string;
    tenantId?: string;
    /** `ToBotFromChannelOpenIdMetadataUrl`: where the keys that sign the channel's tokens are published. */
    openIdMetadataUrl?: string;
    /** `ToBotFromChannelTokenIssuer`: the `iss` of the channel's tokens. */
    tokenIssuer?: string;
    /** `ToChannelFromBotLoginUrl`: where the bot gets its own token for the Connector. */
    loginUrl?: string;
    /** `ToChannelFromBotOAuthScope`: the audience of the bot's token. */
    oauthScope?: string;
  };
  databaseUrl?: string;
  agentToken?: string;
  adminToken?: string;
  logText: boolean;
}

/** Reads and validates the environment (default `process.env`). */
export function readEnvConfig(env: NodeJS.ProcessEnv = process.env): EnvConfig {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new SwitchboardError('E_CONFIG', 'input', `environment: ${issues}`);
  }
  const e = parsed.data;
  const languages = e.SWITCHBOARD_LANGUAGES?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return {
    port: e.PORT,
    host: e.HOST,
    ...(languages?.length ? { languages } : {}),
    slack: { signingSecret: e.SLACK_SIGNING_SECRET, botToken: e.SLACK_BOT_TOKEN, apiUrl: e.SLACK_API_URL },
    teams: {
      appId: e.MicrosoftAppId,
      appPassword: e.MicrosoftAppPassword,
      appType: e.MicrosoftAppType,
      tenantId: e.MicrosoftAppTenantId,
      openIdMetadataUrl: e.ToBotFromChannelOpenIdMetadataUrl,
      tokenIssuer: e.ToBotFromChannelTokenIssuer,
      loginUrl: e.ToChannelFromBotLoginUrl,
      oauthScope: e.ToChannelFromBotOAuthScope,
    },
    databaseUrl: e.DATABASE_URL,
    agentToken: e.SWITCHBOARD_AGENT_TOKEN,
    adminToken: e.SWITCHBOARD_ADMIN_TOKEN,
    logText: e.SWITCHBOARD_LOG_TEXT,
  };
}
