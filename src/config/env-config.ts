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
  /** The Slack agents' channel: its channel id (`C…`, or `G…` for an old private channel; docs/slack.md). */
  SWITCHBOARD_SLACK_AGENTS_CHANNEL: optional.refine((s) => s === undefined || /^[CG][A-Z0-9]{2,62}$/.test(s), {
    message: 'must be a Slack channel id (C… or G…, from the channel details), not its name',
  }),
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
  /** The Teams agents' channel: its conversation id (`19:…@thread.tacv2`), service URL and tenant (docs/teams.md). */
  SWITCHBOARD_TEAMS_AGENTS_CONVERSATION: optional,
  SWITCHBOARD_TEAMS_AGENTS_SERVICE_URL: url,
  SWITCHBOARD_TEAMS_AGENTS_TENANT: optional,
  /** `botframework`: Teams customers' tickets also go to an external agent hub (Bot Framework handoff protocol). */
  SWITCHBOARD_TEAMS_HANDOFF: optional.refine((s) => s === undefined || s === 'botframework' || s === 'off', {
    message: 'must be botframework or off',
  }),
  /** Extra hub-specific context for `handoff.initiate` (a JSON object). */
  SWITCHBOARD_TEAMS_HANDOFF_CONTEXT: optional.refine((s) => s === undefined || isJsonObject(s), {
    message: 'must be a JSON object',
  }),
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
  slack: {
    signingSecret?: string;
    botToken?: string;
    apiUrl?: string;
    /** `SWITCHBOARD_SLACK_AGENTS_CHANNEL`: the agents' channel id; tickets are posted there as cards. */
    agentsChannel?: string;
  };
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
    /**
     * The agents' channel (`SWITCHBOARD_TEAMS_AGENTS_*`): tickets are posted there as cards. Without `serviceUrl` it is
     * learnt from the first activity the bot receives from that channel.
     */
    agents?: { conversation: string; serviceUrl?: string; tenantId?: string };
    /** `SWITCHBOARD_TEAMS_HANDOFF=botframework`: the Bot Framework handoff protocol to an external agent hub. */
    handoff?: 'botframework';
    /** `SWITCHBOARD_TEAMS_HANDOFF_CONTEXT`: merged into the `handoff.initiate` event's context. */
    handoffContext?: Record<string, unknown>;
  };
  databaseUrl?: string;
  agentToken?: string;
  adminToken?: string;
  logText: boolean;
  /** `SWITCHBOARD_DEBUG`: stack traces of CLI errors. */
  debug: boolean;
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
    slack: {
      signingSecret: e.SLACK_SIGNING_SECRET,
      botToken: e.SLACK_BOT_TOKEN,
      apiUrl: e.SLACK_API_URL,
      ...(e.SWITCHBOARD_SLACK_AGENTS_CHANNEL ? { agentsChannel: e.SWITCHBOARD_SLACK_AGENTS_CHANNEL } : {}),
    },
    teams: {
      appId: e.MicrosoftAppId,
      appPassword: e.MicrosoftAppPassword,
      appType: e.MicrosoftAppType,
      tenantId: e.MicrosoftAppTenantId,
      openIdMetadataUrl: e.ToBotFromChannelOpenIdMetadataUrl,
      tokenIssuer: e.ToBotFromChannelTokenIssuer,
      loginUrl: e.ToChannelFromBotLoginUrl,
      oauthScope: e.ToChannelFromBotOAuthScope,
      ...(e.SWITCHBOARD_TEAMS_AGENTS_CONVERSATION
        ? {
            agents: {
              conversation: e.SWITCHBOARD_TEAMS_AGENTS_CONVERSATION,
              serviceUrl: e.SWITCHBOARD_TEAMS_AGENTS_SERVICE_URL,
              tenantId: e.SWITCHBOARD_TEAMS_AGENTS_TENANT ?? e.MicrosoftAppTenantId,
            },
          }
        : {}),
      ...(e.SWITCHBOARD_TEAMS_HANDOFF === 'botframework' ? { handoff: 'botframework' as const } : {}),
      ...(e.SWITCHBOARD_TEAMS_HANDOFF_CONTEXT
        ? { handoffContext: JSON.parse(e.SWITCHBOARD_TEAMS_HANDOFF_CONTEXT) as Record<string, unknown> }
        : {}),
    },
    databaseUrl: e.DATABASE_URL,
    agentToken: e.SWITCHBOARD_AGENT_TOKEN,
    adminToken: e.SWITCHBOARD_ADMIN_TOKEN,
    logText: e.SWITCHBOARD_LOG_TEXT,
    debug: Boolean(e.SWITCHBOARD_DEBUG),
  };
}

/** True when `s` parses as a JSON object (not an array or a scalar). */
function isJsonObject(s: string): boolean {
  try {
    const v: unknown = JSON.parse(s);
    return typeof v === 'object' && v !== null && !Array.isArray(v);
  } catch {
    return false;
  }
}
