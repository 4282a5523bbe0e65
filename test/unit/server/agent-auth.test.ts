import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { BotConfigSchema } from '../../../src/config/bot-config.ts';
import { memoryLogger } from '../../../src/log.ts';
import { AgentAuth } from '../../../src/server/agent-auth.ts';
import { hashPassword } from '../../../src/util/password-hash.ts';

const config = async () =>
  BotConfigSchema.parse({
    languages: ['en'],
    default_language: 'en',
    answers: {},
    handoff: { message: { en: 'A person will help.' } },
    clarify: { prompt: { en: 'Which?' } },
    agents: [
      { id: 'ann', name: 'Ann', languages: ['en'], password_hash: await hashPassword('ann password 1') },
      { id: 'luis', name: 'Luis', languages: ['es'] },
    ],
  });
const req = (token?: string) => ({ headers: token ? { authorization: `Bearer ${token}` } : {} }) as IncomingMessage;

describe('AgentAuth', () => {
  it('signs an agent in with the right password only; an unknown id gets the same answer as a wrong password', async () => {
    const log = memoryLogger();
    const auth = new AgentAuth({ agents: (await config()).agents, machineToken: 'machine', log });
    const s = await auth.signIn({ agent: 'ann', password: 'ann password 1' });
    expect(s).toMatchObject({ agent: 'ann', name: 'Ann' });
    expect(auth.caller(req(s.token))).toEqual({ kind: 'agent', agent: 'ann' });
    const wrong = auth.signIn({ agent: 'ann', password: 'nope nope' });
    await expect(wrong).rejects.toMatchObject({ code: 'E_SIGN_IN', status: 401 });
    const unknown = auth.signIn({ agent: 'bob', password: 'ann password 1' });
    await expect(unknown).rejects.toMatchObject({ code: 'E_SIGN_IN', message: 'wrong agent id or password' });
    // Luis has no password: he cannot sign in with one (his way in is a one-time link).
    await expect(auth.signIn({ agent: 'luis', password: '' })).rejects.toMatchObject({ code: 'E_BAD_REQUEST' });
    await expect(auth.signIn({ agent: 'luis', password: 'anything 1' })).rejects.toMatchObject({ code: 'E_SIGN_IN' });
    expect(JSON.stringify(log.lines)).not.toContain('nope nope');
  });

  it('a session token is refused once tampered with, expired, or signed with another agent token', async () => {
    const agents = (await config()).agents;
    const now = { t: 1_000_000 };
    const auth = new AgentAuth({ agents, machineToken: 'machine', log: memoryLogger(), now: () => now.t });
    const { token } = await auth.signIn({ agent: 'ann', password: 'ann password 1' });
    const [v, payload, mac] = token.split('.');
    const forged = Buffer.from(JSON.stringify({ a: 'luis', e: now.t + 1e9 })).toString('base64url');
    expect(auth.caller(req(`${v}.${forged}.${mac}`))).toBeUndefined();
    expect(auth.caller(req(`${v}.${payload}.${mac.slice(1)}`))).toBeUndefined();
    const other = new AgentAuth({ agents, machineToken: 'another', log: memoryLogger(), now: () => now.t });
    expect(other.caller(req(token))).toBeUndefined();
    expect(auth.caller(req('machine'))).toEqual({ kind: 'machine' });
    expect(auth.caller(req())).toBeUndefined();
    now.t += 13 * 3600_000;
    expect(auth.caller(req(token))).toBeUndefined();
  });

  it('one-time links for agents without a password: each works once', async () => {
    const auth = new AgentAuth({ agents: (await config()).agents, machineToken: 'm', log: memoryLogger() });
    const links = auth.issueLinks();
    expect(links.map((l) => l.agent)).toEqual(['luis']);
    const s = await auth.signIn({ code: links[0].code });
    expect(auth.caller(req(s.token))).toEqual({ kind: 'agent', agent: 'luis' });
    await expect(auth.signIn({ code: links[0].code })).rejects.toMatchObject({ code: 'E_SIGN_IN' });
    await expect(auth.signIn({ code: 'made-up' })).rejects.toMatchObject({ code: 'E_SIGN_IN' });
  });

  it('a password hash from the environment takes precedence over bot.yaml’s', async () => {
    const hashes = { ann: await hashPassword('from the environment'), luis: await hashPassword('luis password 2') };
    const auth = new AgentAuth({ agents: (await config()).agents, hashes, machineToken: 'm', log: memoryLogger() });
    await expect(auth.signIn({ agent: 'ann', password: 'ann password 1' })).rejects.toMatchObject({
      code: 'E_SIGN_IN',
    });
    expect(await auth.signIn({ agent: 'ann', password: 'from the environment' })).toMatchObject({ agent: 'ann' });
    expect(await auth.signIn({ agent: 'luis', password: 'luis password 2' })).toMatchObject({ agent: 'luis' });
    expect(auth.issueLinks()).toEqual([]);
  });

  it('five wrong passwords in a row pause that agent id’s sign-in for a minute, even with the right one', async () => {
    const now = { t: 0 };
    const auth = new AgentAuth({
      agents: (await config()).agents,
      machineToken: 'm',
      log: memoryLogger(),
      now: () => now.t,
    });
    for (let i = 0; i < 5; i++)
      await expect(auth.signIn({ agent: 'ann', password: `guess ${i}` })).rejects.toMatchObject({ code: 'E_SIGN_IN' });
    await expect(auth.signIn({ agent: 'ann', password: 'ann password 1' })).rejects.toMatchObject({
      code: 'E_SIGN_IN_LOCKED',
      status: 429,
    });
    now.t += 61_000;
    expect(await auth.signIn({ agent: 'ann', password: 'ann password 1' })).toMatchObject({ agent: 'ann' });
  });
});
