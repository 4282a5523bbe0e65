import { describe, expect, it } from 'vitest';
import { readSlackEnv } from '../../../src/adapters/slack/slack-env.ts';
import { readTeamsEnv } from '../../../src/adapters/teams/teams-env.ts';
import { readEnvConfig } from '../../../src/config/env-config.ts';

describe('readEnvConfig', () => {
  it('defaults with an empty environment: port 3978 on loopback, nothing configured', () => {
    const c = readEnvConfig({});
    expect(c).toMatchObject({ port: 3978, host: '127.0.0.1', logText: false, vars: {} });
    expect(c.databaseUrl).toBeUndefined();
    expect(c.metricsToken).toBeUndefined();
    expect(readEnvConfig({ SWITCHBOARD_METRICS_TOKEN: '  ' }).metricsToken).toBeUndefined();
    expect(readEnvConfig({ SWITCHBOARD_METRICS_TOKEN: ' m3trics ' }).metricsToken).toBe('m3trics');
  });

  it('SWITCHBOARD_AGENT_PASSWORD_HASHES: id=hash pairs; a malformed entry fails naming the variable', () => {
    const hash = `scrypt$16384$8$1$${'a'.repeat(22)}$${'b'.repeat(43)}`;
    expect(readEnvConfig({}).agentPasswordHashes).toEqual({});
    expect(
      readEnvConfig({ SWITCHBOARD_AGENT_PASSWORD_HASHES: ` ann=${hash}, luis = ${hash} ` }).agentPasswordHashes,
    ).toEqual({
      ann: hash,
      luis: hash,
    });
    expect(() => readEnvConfig({ SWITCHBOARD_AGENT_PASSWORD_HASHES: 'ann=hunter2' })).toThrow(
      /SWITCHBOARD_AGENT_PASSWORD_HASHES: each entry must be <agent id>=scrypt/,
    );
    expect(() => readEnvConfig({ SWITCHBOARD_AGENT_PASSWORD_HASHES: hash })).toThrow(
      /SWITCHBOARD_AGENT_PASSWORD_HASHES/,
    );
  });

  it('reads the SDKs’ variable names, trims values, and treats blank ones as unset', () => {
    const c = readEnvConfig({
      PORT: '0',
      SLACK_SIGNING_SECRET: ' s3cret ',
      SLACK_BOT_TOKEN: '',
      SLACK_API_URL: 'http://127.0.0.1:9999/api/',
      MicrosoftAppId: 'app-id',
      MicrosoftAppType: 'SingleTenant',
      SWITCHBOARD_LANGUAGES: 'en, es,,fr',
      SWITCHBOARD_LOG_TEXT: '1',
    });
    expect(c.port).toBe(0);
    expect(readSlackEnv(c.vars)).toEqual({
      signingSecret: 's3cret',
      botToken: undefined,
      apiUrl: 'http://127.0.0.1:9999/api/',
    });
    expect(readTeamsEnv(c.vars)).toMatchObject({ appId: 'app-id', appType: 'SingleTenant' });
    expect(c.languages).toEqual(['en', 'es', 'fr']);
    expect(c.logText).toBe(true);
  });

  it('fails with the variable name on an invalid value', () => {
    expect(() => readEnvConfig({ PORT: 'eighty' })).toThrow(/environment: PORT/);
    expect(() => readSlackEnv({ SLACK_API_URL: 'slack.com' })).toThrow(/SLACK_API_URL: must be an http\(s\) URL/);
    expect(() => readTeamsEnv({ MicrosoftAppType: 'Anything' })).toThrow(/MicrosoftAppType/);
  });
});
