import { describe, expect, it } from 'vitest';
import {
  botFrameworkSettings,
  createTeamsAuthentication,
} from '../../../../src/adapters/teams/teams-authentication.ts';
import { readTeamsEnv } from '../../../../src/adapters/teams/teams-env.ts';

describe('botFrameworkSettings', () => {
  it('is empty without configuration (public cloud, authentication off)', () => {
    expect(botFrameworkSettings(readTeamsEnv({}))).toEqual({});
  });

  it('passes the app credentials under botbuilder’s names', () => {
    const env = readTeamsEnv({
      MicrosoftAppId: 'app',
      MicrosoftAppPassword: 'pw',
      MicrosoftAppType: 'SingleTenant',
      MicrosoftAppTenantId: 'tenant',
    });
    expect(botFrameworkSettings(env)).toEqual({
      MicrosoftAppId: 'app',
      MicrosoftAppPassword: 'pw',
      MicrosoftAppType: 'SingleTenant',
      MicrosoftAppTenantId: 'tenant',
    });
  });

  it('fills in the public cloud’s endpoints when only some are overridden', () => {
    const env = readTeamsEnv({
      MicrosoftAppId: 'app',
      ToBotFromChannelOpenIdMetadataUrl: 'http://127.0.0.1:9/v1/.well-known/openidconfiguration',
      ToChannelFromBotLoginUrl: 'http://127.0.0.1:9/botframework.com',
    });
    expect(botFrameworkSettings(env)).toEqual({
      MicrosoftAppId: 'app',
      ToBotFromChannelOpenIdMetadataUrl: 'http://127.0.0.1:9/v1/.well-known/openidconfiguration',
      ToBotFromChannelTokenIssuer: 'https://api.botframework.com',
      ToChannelFromBotLoginUrl: 'http://127.0.0.1:9/botframework.com',
      ToChannelFromBotOAuthScope: 'https://api.botframework.com',
      ToBotFromEmulatorOpenIdMetadataUrl:
        'https://login.microsoftonline.com/common/v2.0/.well-known/openid-configuration',
      OAuthUrl: 'https://api.botframework.com',
      CallerId: 'urn:botframework:azure',
    });
  });

  it('rejects a URL that is not http(s) in the environment', () => {
    expect(() => readTeamsEnv({ ToChannelFromBotLoginUrl: 'login.example' })).toThrow(/ToChannelFromBotLoginUrl/);
  });
});

describe('createTeamsAuthentication', () => {
  it('is disabled without an app id and refuses nothing', async () => {
    const { authentication, enabled } = createTeamsAuthentication({});
    expect(enabled).toBe(false);
    const activity = { type: 'message', channelId: 'msteams', serviceUrl: 'http://127.0.0.1:9/' };
    await expect(authentication.authenticateRequest(activity as never, '')).resolves.toBeDefined();
  });

  it('with an app id, refuses a request without a token as 401', async () => {
    const { authentication, enabled } = createTeamsAuthentication({ appId: 'app', appPassword: 'pw' });
    expect(enabled).toBe(true);
    const activity = { type: 'message', channelId: 'msteams', serviceUrl: 'http://127.0.0.1:9/' };
    await expect(authentication.authenticateRequest(activity as never, '')).rejects.toMatchObject({ statusCode: 401 });
  });

  it('fails with E_CONFIG on inconsistent settings (a single-tenant bot without its tenant)', () => {
    expect(() => createTeamsAuthentication({ appId: 'app', appPassword: 'pw', appType: 'SingleTenant' })).toThrow(
      /Teams \(Bot Framework\) settings: MicrosoftAppTenantId is required/,
    );
  });
});
