import { describe, expect, it } from 'vitest';
import { SlackLocales, type UsersInfoClient } from '../../../../src/adapters/slack/slack-locales.ts';
import { memoryLogger } from '../../../../src/log.ts';

/** A users.info stand-in: answers from `locales`, counts calls, can fail, hang or be rate limited. */
function client(behaviour: (user: string) => Promise<{ user?: { locale?: string } }>) {
  const calls: string[] = [];
  const c: UsersInfoClient = {
    users: {
      info: async ({ user, include_locale }) => {
        expect(include_locale).toBe(true);
        calls.push(user);
        return behaviour(user);
      },
    },
  };
  return { c, calls };
}

describe('SlackLocales', () => {
  it('looks a user up once and serves the cache after, one request for concurrent turns', async () => {
    const { c, calls } = client(async () => ({ user: { locale: 'es-ES' } }));
    const locales = new SlackLocales({ client: c, log: memoryLogger() });
    const [a, b] = await Promise.all([locales.lookup('T1', 'U1'), locales.lookup('T1', 'U1')]);
    expect([a, b]).toEqual(['es-ES', 'es-ES']);
    expect(await locales.lookup('T1', 'U1')).toBe('es-ES');
    expect(calls).toEqual(['U1']);
    await locales.lookup('T2', 'U1');
    expect(calls).toEqual(['U1', 'U1']);
  });

  it('expires entries after the TTL and keeps at most max users', async () => {
    const { c, calls } = client(async () => ({ user: { locale: 'fr-FR' } }));
    const locales = new SlackLocales({ client: c, log: memoryLogger(), ttlMs: 30, max: 2 });
    await locales.lookup('T1', 'U1');
    await locales.lookup('T1', 'U2');
    await locales.lookup('T1', 'U3');
    expect(locales.size).toBe(2);
    await new Promise((r) => setTimeout(r, 50));
    await locales.lookup('T1', 'U3');
    expect(calls).toEqual(['U1', 'U2', 'U3', 'U3']);
  });

  it('a failure gives no hint, is logged with its code only and not retried at once', async () => {
    const log = memoryLogger();
    const { c, calls } = client(async () => {
      throw Object.assign(new Error('An API error occurred: missing_scope'), {
        code: 'slack_webapi_platform_error',
        data: { ok: false, error: 'missing_scope' },
      });
    });
    const locales = new SlackLocales({ client: c, log });
    expect(await locales.lookup('T1', 'U1')).toBeUndefined();
    expect(await locales.lookup('T1', 'U1')).toBeUndefined();
    expect(calls).toHaveLength(1);
    expect(log.lines).toEqual([expect.objectContaining({ event: 'slack_locale_failed', code: 'missing_scope' })]);
  });

  it('does not hold a turn longer than waitMs; the late answer still fills the cache', async () => {
    // Slack answers only when the test says so: the lookup can only have returned through its own timeout.
    let answer: (v: { user?: { locale?: string } }) => void = () => {};
    const { c } = client(() => new Promise((r) => (answer = r)));
    const locales = new SlackLocales({ client: c, log: memoryLogger(), waitMs: 10 });
    expect(await locales.lookup('T1', 'U1')).toBeUndefined();
    answer({ user: { locale: 'de-DE' } });
    await new Promise((r) => setImmediate(r));
    expect(await locales.lookup('T1', 'U1')).toBe('de-DE');
  });

  it('ignores a locale that is not a BCP 47 tag', async () => {
    const { c } = client(async () => ({ user: { locale: '<script>' } }));
    expect(await new SlackLocales({ client: c, log: memoryLogger() }).lookup('T1', 'U1')).toBeUndefined();
  });
});
