import { afterEach, describe, expect, it, vi } from 'vitest';
import { TeamsCredentialFactory } from '../../../../src/adapters/teams/teams-credential-factory.ts';

const LOGIN = 'http://127.0.0.1:9/botframework.com';
const SCOPE = 'https://api.botframework.com';

/** A fetch that answers token requests from `answers` in turn and records them. */
function fakeFetch(...answers: (Response | Error)[]) {
  const requests: { url: string; form: URLSearchParams }[] = [];
  const fn = vi.fn(async (url: string | URL | Request, init?: RequestInit) => {
    requests.push({ url: String(url), form: new URLSearchParams(String(init?.body)) });
    const next = answers.length > 1 ? answers.shift()! : answers[0];
    if (next instanceof Error) throw next;
    return next.clone();
  });
  return { fetch: fn as unknown as typeof fetch, requests };
}

const tokenResponse = (token: string, expiresIn = 3599) =>
  new Response(JSON.stringify({ token_type: 'Bearer', expires_in: expiresIn, access_token: token }), { status: 200 });

/** Signs a request like the Connector client does and returns its Authorization header. */
async function authorization(credentials: Awaited<ReturnType<TeamsCredentialFactory['createCredentials']>>) {
  const headers = new Map<string, string>();
  await credentials.signRequest({ headers: { set: (k: string, v: string) => headers.set(k, v) } } as never);
  return headers.get('authorization');
}

afterEach(() => vi.useRealTimers());

describe('TeamsCredentialFactory', () => {
  it('gets a client-credentials token from a non-Microsoft login URL once and reuses it', async () => {
    const { fetch, requests } = fakeFetch(tokenResponse('t-1'));
    const factory = new TeamsCredentialFactory({ MicrosoftAppId: 'app', MicrosoftAppPassword: 'pw' }, fetch);
    const credentials = await factory.createCredentials('app', SCOPE, LOGIN, true);
    expect(await authorization(credentials)).toBe('Bearer t-1');
    const again = await factory.createCredentials('app', SCOPE, LOGIN, true);
    expect(await Promise.all([authorization(again), authorization(credentials)])).toEqual(['Bearer t-1', 'Bearer t-1']);
    expect(requests).toHaveLength(1);
    expect(requests[0].url).toBe('http://127.0.0.1:9/botframework.com/oauth2/v2.0/token');
    expect(Object.fromEntries(requests[0].form)).toEqual({
      grant_type: 'client_credentials',
      client_id: 'app',
      client_secret: 'pw',
      scope: 'https://api.botframework.com/.default',
    });
  });

  it('fetches a new token when the old one is about to expire', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const { fetch, requests } = fakeFetch(tokenResponse('t-1', 3600), tokenResponse('t-2', 3600));
    const factory = new TeamsCredentialFactory({ MicrosoftAppId: 'app', MicrosoftAppPassword: 'pw' }, fetch);
    const credentials = await factory.createCredentials('app', SCOPE, LOGIN, true);
    expect(await authorization(credentials)).toBe('Bearer t-1');
    vi.setSystemTime(Date.now() + 54 * 60_000);
    expect(await authorization(credentials)).toBe('Bearer t-1');
    vi.setSystemTime(Date.now() + 2 * 60_000); // within 5 minutes of expiry
    expect(await authorization(credentials)).toBe('Bearer t-2');
    expect(requests).toHaveLength(2);
  });

  it('fails with E_TEAMS_TOKEN (remote or transport) and tries again on the next request', async () => {
    const refused = new Response(JSON.stringify({ error: 'invalid_client' }), { status: 401 });
    const { fetch, requests } = fakeFetch(refused, new Error('connect ECONNREFUSED'), tokenResponse('t-3'));
    const factory = new TeamsCredentialFactory({ MicrosoftAppId: 'app', MicrosoftAppPassword: 'wrong' }, fetch);
    const credentials = await factory.createCredentials('app', SCOPE, LOGIN, true);
    await expect(authorization(credentials)).rejects.toMatchObject({
      code: 'E_TEAMS_TOKEN',
      kind: 'remote',
      message: 'token endpoint answered 401 (invalid_client)',
    });
    await expect(authorization(credentials)).rejects.toMatchObject({ code: 'E_TEAMS_TOKEN', kind: 'transport' });
    expect(await authorization(credentials)).toBe('Bearer t-3');
    expect(requests).toHaveLength(3);
  });

  it('refuses another app id', async () => {
    const { fetch } = fakeFetch(tokenResponse('t'));
    const factory = new TeamsCredentialFactory({ MicrosoftAppId: 'app', MicrosoftAppPassword: 'pw' }, fetch);
    await expect(factory.createCredentials('other', SCOPE, LOGIN, true)).rejects.toThrow(/Invalid appId/);
  });

  it('leaves Microsoft’s login hosts to botbuilder (MSAL), and sends no token when authentication is off', async () => {
    const { fetch, requests } = fakeFetch(tokenResponse('t'));
    const factory = new TeamsCredentialFactory({ MicrosoftAppId: 'app', MicrosoftAppPassword: 'pw' }, fetch);
    const msal = await factory.createCredentials(
      'app',
      SCOPE,
      'https://login.microsoftonline.com/botframework.com',
      true,
    );
    expect(msal.constructor.name).toBe('MicrosoftAppCredentials');
    const off = new TeamsCredentialFactory({}, fetch);
    const empty = await off.createCredentials('', SCOPE, LOGIN, true);
    expect(await authorization(empty)).toBeUndefined();
    expect(requests).toHaveLength(0);
  });
});
