import { describe, expect, it } from 'vitest';
import { type AuthTestClient, SlackBotIdentity } from '../../../../src/adapters/slack/slack-bot-identity.ts';
import { isSwitchboardError } from '../../../../src/errors.ts';
import { memoryLogger } from '../../../../src/log.ts';

const platformError = (error: string) =>
  Object.assign(new Error(`An API error occurred: ${error}`), { code: 'slack_webapi_platform_error', data: { error } });

function client(answers: (() => Promise<{ user_id?: string; bot_id?: string; team_id?: string }>)[]) {
  let calls = 0;
  const c: AuthTestClient = { auth: { test: () => answers[Math.min(calls++, answers.length - 1)]() } };
  return { c, calls: () => calls };
}

describe('SlackBotIdentity', () => {
  it('knows the bot after auth.test', async () => {
    const { c } = client([async () => ({ user_id: 'UBOT', bot_id: 'BBOT', team_id: 'T1' })]);
    const identity = new SlackBotIdentity(c, memoryLogger());
    expect(await identity.verify()).toEqual({ botUserId: 'UBOT', botId: 'BBOT', team: 'T1' });
    expect(identity.current()).toEqual({ botUserId: 'UBOT', botId: 'BBOT', team: 'T1' });
  });

  it('fails startup when Slack refuses the token', async () => {
    const { c } = client([() => Promise.reject(platformError('invalid_auth'))]);
    const e = await new SlackBotIdentity(c, memoryLogger()).verify().catch((x) => x);
    expect(isSwitchboardError(e, 'E_SLACK_AUTH')).toBe(true);
    expect(e.message).toMatch(/SLACK_BOT_TOKEN.*invalid_auth/);
  });

  it('starts anyway when Slack is unreachable, and never makes an event wait for it', async () => {
    const log = memoryLogger();
    const transport = Object.assign(new Error('connect ECONNREFUSED'), { code: 'slack_webapi_request_error' });
    const { c, calls } = client([() => Promise.reject(transport), async () => ({ user_id: 'UBOT' })]);
    const identity = new SlackBotIdentity(c, log);
    expect(await identity.verify()).toEqual({});
    expect(log.lines[0]).toMatchObject({ event: 'slack_auth_failed', code: 'slack_webapi_request_error' });
    // Within 30 s of the failure no new check starts; what is known (nothing) is returned at once.
    expect(identity.current()).toEqual({});
    expect(calls()).toBe(1);
  });
});
