/**
 * Bot Framework authentication from the environment: `MicrosoftAppId` set → every request to `/api/messages` must carry
 * a token the channel signed (botbuilder's `ConfigurationBotFrameworkAuthentication` validates issuer, audience = the app
 * id, expiry, signature against the keys published at the OpenID metadata URL, and the `serviceurl` claim); unset →
 * authentication is off (local development only). The endpoints default to Microsoft's public cloud; the
 * `ToBotFrom…`/`ToChannelFrom…` variables (botbuilder's own setting names) point them elsewhere.
 */
import {
  CallerIdConstants,
  ConfigurationBotFrameworkAuthentication,
  type ConfigurationBotFrameworkAuthenticationOptions,
} from 'botbuilder';
import { AuthenticationConstants, AuthenticationError } from 'botframework-connector';
import { SwitchboardError } from '../../errors.ts';
import { TeamsCredentialFactory } from './teams-credential-factory.ts';
import type { TeamsEnv } from './teams-env.ts';

/**
 * The settings `ConfigurationBotFrameworkAuthentication` reads. When any endpoint is overridden botbuilder takes all
 * endpoints as given, so the ones not overridden are filled in with the public cloud's.
 *
 * @example botFrameworkSettings({ appId: 'a', loginUrl: 'http://127.0.0.1:9/botframework.com' }).ToBotFromChannelTokenIssuer
 * // 'https://api.botframework.com'
 */
export function botFrameworkSettings(teams: TeamsEnv): ConfigurationBotFrameworkAuthenticationOptions {
  const settings: ConfigurationBotFrameworkAuthenticationOptions = {
    ...(teams.appId ? { MicrosoftAppId: teams.appId } : {}),
    ...(teams.appPassword ? { MicrosoftAppPassword: teams.appPassword } : {}),
    ...(teams.appType ? { MicrosoftAppType: teams.appType } : {}),
    ...(teams.tenantId ? { MicrosoftAppTenantId: teams.tenantId } : {}),
  };
  if (!(teams.openIdMetadataUrl || teams.tokenIssuer || teams.loginUrl || teams.oauthScope)) return settings;
  return {
    ...settings,
    ToBotFromChannelOpenIdMetadataUrl:
      teams.openIdMetadataUrl ?? AuthenticationConstants.ToBotFromChannelOpenIdMetadataUrl,
    ToBotFromChannelTokenIssuer: teams.tokenIssuer ?? AuthenticationConstants.ToBotFromChannelTokenIssuer,
    ToChannelFromBotLoginUrl: teams.loginUrl ?? AuthenticationConstants.ToChannelFromBotLoginUrl,
    ToChannelFromBotOAuthScope: teams.oauthScope ?? AuthenticationConstants.ToChannelFromBotOAuthScope,
    ToBotFromEmulatorOpenIdMetadataUrl: AuthenticationConstants.ToBotFromEmulatorOpenIdMetadataUrl,
    OAuthUrl: AuthenticationConstants.OAuthUrl,
    CallerId: CallerIdConstants.PublicAzureChannel,
  };
}

/**
 * botbuilder's authentication, with one fix: a token that fails `jsonwebtoken`'s checks in a way botbuilder does not
 * wrap (a bad signature under a known key id, `nbf` in the future) is refused as 401 rather than surfacing as a 500.
 */
export class TeamsAuthentication extends ConfigurationBotFrameworkAuthentication {
  override async authenticateRequest(
    ...args: Parameters<ConfigurationBotFrameworkAuthentication['authenticateRequest']>
  ): ReturnType<ConfigurationBotFrameworkAuthentication['authenticateRequest']> {
    try {
      return await super.authenticateRequest(...args);
    } catch (e) {
      const name = (e as Error)?.name;
      if (name === 'JsonWebTokenError' || name === 'NotBeforeError' || name === 'TokenExpiredError') {
        throw new AuthenticationError(`Unauthorized: ${(e as Error).message}`, 401);
      }
      throw e;
    }
  }
}

/** The authentication for the adapter; `enabled` is false when no app id is configured. Bad settings: `E_CONFIG`. */
export function createTeamsAuthentication(teams: TeamsEnv): { authentication: TeamsAuthentication; enabled: boolean } {
  const settings = botFrameworkSettings(teams);
  try {
    const credentials = new TeamsCredentialFactory(settings);
    return { authentication: new TeamsAuthentication(settings, credentials), enabled: Boolean(teams.appId) };
  } catch (e) {
    throw new SwitchboardError('E_CONFIG', 'input', `Teams (Bot Framework) settings: ${(e as Error).message}`, {
      cause: e,
    });
  }
}
