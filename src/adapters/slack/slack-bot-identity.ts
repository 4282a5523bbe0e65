/**
 * Who the bot is in Slack (`auth.test`: its user id and bot id), to recognise its own messages and mentions. Checked at
 * startup: a token Slack refuses fails startup loudly; an unreachable Slack only warns, and the check is retried in the
 * background (events meanwhile use the bot user id Slack puts in each event's `authorizations`). Never delays an event.
 */
import { SwitchboardError } from '../../errors.ts';
import type { Logger } from '../../log.ts';
import type { SlackIdentity } from './slack-to-turn.ts';

/** The one call this needs (a `WebClient` has it). */
export interface AuthTestClient {
  auth: { test(): Promise<{ user_id?: string; bot_id?: string; team_id?: string }> };
}

/** Web API errors that mean the token itself is wrong (Slack's `auth.test` error codes). */
const TOKEN_ERRORS = new Set(['invalid_auth', 'not_authed', 'account_inactive', 'token_revoked', 'token_expired']);
/** How long after a failed check the next one may start. */
const RETRY_MS = 30_000;

export class SlackBotIdentity {
  private known?: SlackIdentity & { team?: string };
  private pending?: Promise<void>;
  private failedAt = 0;

  constructor(
    private readonly client: AuthTestClient,
    private readonly log: Logger,
  ) {}

  /** Startup check: resolves when the identity is known or Slack is unreachable; rejects when the token is refused. */
  async verify(): Promise<SlackIdentity & { team?: string }> {
    try {
      await this.check(true);
    } catch (e) {
      const code = (e as { data?: { error?: string } }).data?.error;
      throw new SwitchboardError(
        'E_SLACK_AUTH',
        'input',
        `Slack refused SLACK_BOT_TOKEN (auth.test: ${code}); check the token and the app's installation`,
        { cause: e },
      );
    }
    return this.current();
  }

  /** What is known now; starts a background check when nothing is (at most every 30 s). */
  current(): SlackIdentity & { team?: string } {
    if (this.known) return this.known;
    if (!this.pending && Date.now() - this.failedAt > RETRY_MS) void this.check(false).catch(() => {});
    return {};
  }

  private check(rethrowTokenErrors: boolean): Promise<void> {
    this.pending ??= this.client.auth
      .test()
      .then((r) => {
        this.known = { botUserId: r.user_id, botId: r.bot_id, team: r.team_id };
        this.log.info('slack_auth_ok', { team: r.team_id, bot_user: r.user_id, bot_id: r.bot_id });
      })
      .catch((e: { code?: string; data?: { error?: string }; message?: string }) => {
        this.failedAt = Date.now();
        const code = e.data?.error ?? e.code ?? 'unknown';
        this.log.warn('slack_auth_failed', { code, message: e.message });
        if (rethrowTokenErrors && TOKEN_ERRORS.has(e.data?.error ?? '')) throw e;
      })
      .finally(() => {
        this.pending = undefined;
      });
    return this.pending;
  }
}
