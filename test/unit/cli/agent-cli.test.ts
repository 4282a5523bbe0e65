import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { BotConfigSchema } from '../../../src/config/bot-config.ts';
import { verifyPassword } from '../../../src/util/password-hash.ts';

const cli = (args: string[], input: string) =>
  spawnSync(process.execPath, ['bin/switchboard.js', ...args], { input, encoding: 'utf8', timeout: 60_000 });

const base = {
  languages: ['en'],
  default_language: 'en',
  answers: {},
  handoff: { message: { en: 'A person will help.' } },
  clarify: { prompt: { en: 'Which?' } },
};

describe('switchboard agent hash-password', () => {
  it('prints a hash of the password on stdin that bot.yaml accepts and that verifies it; never the password', async () => {
    const r = cli(['agent', 'hash-password'], 'tulip garden 42\n');
    expect(r.status).toBe(0);
    const hash = r.stdout.trim();
    expect(r.stdout + r.stderr).not.toContain('tulip');
    expect(await verifyPassword('tulip garden 42', hash)).toBe(true);
    const config = BotConfigSchema.parse({ ...base, agents: [{ id: 'ann', password_hash: hash }] });
    expect(config.agents[0].password_hash).toBe(hash);
    // A password pasted where its hash belongs is refused by the config.
    expect(
      BotConfigSchema.safeParse({ ...base, agents: [{ id: 'ann', password_hash: 'tulip garden 42' }] }).success,
    ).toBe(false);
  });

  it('refuses a short password and a stray argument, saying why', () => {
    const short = cli(['agent', 'hash-password'], 'abc\n');
    expect(short.status).toBe(1);
    expect(short.stderr).toMatch(/at least 8 characters/);
    const stray = cli(['agent', 'hash-password', '--password', 'x'], '');
    expect(stray.status).toBe(1);
    expect(stray.stderr).toMatch(/E_USAGE/);
  });
});
