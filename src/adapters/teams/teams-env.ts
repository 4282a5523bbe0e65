/**
 * The Teams channel's environment variables: the Bot Framework's own names (`MicrosoftApp*`, and the
 * `ToBotFrom…`/`ToChannelFrom…` endpoints `ConfigurationBotFrameworkAuthentication` reads), the agents' channel
 * (`SWITCHBOARD_TEAMS_AGENTS_*`) and the handoff protocol to an external hub (`SWITCHBOARD_TEAMS_HANDOFF*`;
 * docs/teams.md).
 */
import { z } from 'zod';
import { type EnvVars, optional, readVars, url } from '../../config/env-config.ts';

export const TeamsEnvSchema = z.object({
  MicrosoftAppId: optional,
  MicrosoftAppPassword: optional,
  MicrosoftAppType: z.enum(['MultiTenant', 'SingleTenant', 'UserAssignedMSI']).optional(),
  MicrosoftAppTenantId: optional,
  /**
   * Bot Framework endpoints (private clouds, tests); unset: Microsoft's public cloud. Any one set → the others default
   * to the public cloud's values.
   */
  ToBotFromChannelOpenIdMetadataUrl: url,
  ToBotFromChannelTokenIssuer: optional,
  ToChannelFromBotLoginUrl: url,
  ToChannelFromBotOAuthScope: optional,
  /** The Teams agents' channel: its conversation id (`19:…@thread.tacv2`), service URL and tenant. */
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
});

export interface TeamsEnv {
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
}

/** Reads and validates the Teams variables (E_CONFIG naming the variable when one is invalid). */
export function readTeamsEnv(vars: EnvVars): TeamsEnv {
  const e = readVars(TeamsEnvSchema, vars);
  return {
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
