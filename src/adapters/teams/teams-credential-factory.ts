/**
 * The bot's own credentials for calls to the Bot Framework Connector (sending replies). For Microsoft's clouds
 * (`https://login.microsoftonline.com/…`, `https://login.microsoftonline.us/…`) botbuilder's own factory is used
 * unchanged (MSAL). For any other login URL (`ToChannelFromBotLoginUrl`: a private cloud, a test harness) the token is
 * fetched with a plain OAuth 2.0 client-credentials request to `<login URL>/oauth2/v2.0/token`, as Microsoft Entra ID
 * serves it: botbuilder's MSAL path would first ask login.microsoftonline.com to vouch for that host (instance
 * discovery) and insists on HTTPS, so it cannot reach a login server it does not know.
 */
import { ConfigurationServiceClientCredentialFactory } from 'botbuilder';
import { SwitchboardError } from '../../errors.ts';

type Credentials = Awaited<ReturnType<ConfigurationServiceClientCredentialFactory['createCredentials']>>;
type Fetch = typeof fetch;

/** Login hosts botbuilder's MSAL credentials handle themselves. */
const MICROSOFT_LOGIN_PREFIXES = ['https://login.microsoftonline.com/', 'https://login.microsoftonline.us/'];
/** Renew a token this long before it expires. */
const EXPIRY_MARGIN_MS = 5 * 60_000;
const TOKEN_TIMEOUT_MS = 10_000;

export interface TeamsCredentialOptions {
  MicrosoftAppId?: string;
  MicrosoftAppPassword?: string;
  MicrosoftAppType?: string;
  MicrosoftAppTenantId?: string;
}

/** {@link ConfigurationServiceClientCredentialFactory} plus client-credentials tokens for non-Microsoft login URLs. */
export class TeamsCredentialFactory extends ConfigurationServiceClientCredentialFactory {
  private readonly tokens = new Map<string, Promise<{ token: string; expiresAt: number }>>();

  constructor(
    private readonly options: TeamsCredentialOptions,
    private readonly fetchImpl: Fetch = fetch,
  ) {
    super(options);
  }

  override async createCredentials(
    appId: string,
    audience: string,
    loginEndpoint: string,
    validateAuthority: boolean,
  ): Promise<Credentials> {
    const microsoft = MICROSOFT_LOGIN_PREFIXES.some((p) => loginEndpoint?.toLowerCase().startsWith(p));
    if (microsoft || (await this.isAuthenticationDisabled())) {
      return super.createCredentials(appId, audience, loginEndpoint, validateAuthority);
    }
    if (!(await this.isValidAppId(appId))) throw new Error('Invalid appId.');
    const tokenUrl = `${loginEndpoint.replace(/\/+$/, '')}/oauth2/v2.0/token`;
    const scope = audience.endsWith('/.default') ? audience : `${audience}/.default`;
    const signRequest: Credentials['signRequest'] = async (request) => {
      request.headers.set('authorization', `Bearer ${await this.token(tokenUrl, scope)}`);
      return request;
    };
    return { signRequest };
  }

  /** A cached token for `scope`, fetched again shortly before it expires; one request at a time per scope. */
  private async token(tokenUrl: string, scope: string): Promise<string> {
    const key = `${tokenUrl} ${scope}`;
    const cached = this.tokens.get(key);
    if (cached) {
      const t = await cached.catch(() => undefined);
      if (t && t.expiresAt > Date.now()) return t.token;
      if (this.tokens.get(key) === cached) this.tokens.delete(key);
    }
    let pending = this.tokens.get(key);
    if (!pending) {
      pending = this.fetchToken(tokenUrl, scope);
      this.tokens.set(key, pending);
    }
    try {
      return (await pending).token;
    } catch (e) {
      if (this.tokens.get(key) === pending) this.tokens.delete(key);
      throw e;
    }
  }

  private async fetchToken(tokenUrl: string, scope: string): Promise<{ token: string; expiresAt: number }> {
    const body = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: this.options.MicrosoftAppId ?? '',
      client_secret: this.options.MicrosoftAppPassword ?? '',
      scope,
    });
    let res: Response;
    try {
      res = await this.fetchImpl(tokenUrl, { method: 'POST', body, signal: AbortSignal.timeout(TOKEN_TIMEOUT_MS) });
    } catch (e) {
      throw new SwitchboardError('E_TEAMS_TOKEN', 'transport', `token request failed: ${(e as Error).message}`, {
        cause: e,
      });
    }
    const json = (await res.json().catch(() => undefined)) as
      | { access_token?: unknown; expires_in?: unknown; error?: unknown }
      | undefined;
    if (!res.ok || typeof json?.access_token !== 'string') {
      const error = typeof json?.error === 'string' ? ` (${json.error.slice(0, 80)})` : '';
      throw new SwitchboardError('E_TEAMS_TOKEN', 'remote', `token endpoint answered ${res.status}${error}`);
    }
    const seconds = Number(json.expires_in);
    const lifetime = Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 3600_000;
    return { token: json.access_token, expiresAt: Date.now() + Math.max(lifetime - EXPIRY_MARGIN_MS, lifetime / 2) };
  }
}
