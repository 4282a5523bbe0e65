import { createServer, type Server } from 'node:http';
import { networkInterfaces } from 'node:os';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ChannelContext } from '../../../../src/adapters/channel-mount.ts';
import { mountTeams } from '../../../../src/adapters/teams/mount-teams.ts';
import { readTeamsEnv } from '../../../../src/adapters/teams/teams-env.ts';
import { isLoopback, isLoopbackUrl } from '../../../../src/adapters/teams/unauthenticated-guard.ts';
import { BotConfigSchema } from '../../../../src/config/bot-config.ts';
import { readEnvConfig } from '../../../../src/config/env-config.ts';
import { HandoffService } from '../../../../src/handoff/handoff-service.ts';
import { memoryLogger } from '../../../../src/log.ts';
import { openStores } from '../../../../src/server/open-stores.ts';
import { MemoryConversationStore } from '../../../../src/store/conversation-store.ts';
import { MemoryEventFeed } from '../../../../src/store/event-feed.ts';
import type { Turn } from '../../../../src/turn.ts';
import type { TurnOutcome } from '../../../../src/turn-handler.ts';

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise((resolve) => s.close(resolve));
});

/** One instance: every chore runs here. */
const alone = async (_name: string, work: () => Promise<void>) => {
  await work();
  return true;
};

type Handle = (turn: Turn, address: unknown) => Promise<TurnOutcome>;

/** The door as the server has it, minus the inbox: every turn accepted and handed to `handle`. */
const receiveVia =
  (handle: Handle): ChannelContext['receive'] =>
  async (turn, address) => ({ status: 'accepted', outcome: handle(turn, address) });

function context(env: Record<string, string>, handle: Handle = vi.fn()) {
  const log = memoryLogger();
  return {
    env: readEnvConfig(env),
    store: new MemoryConversationStore(),
    events: new MemoryEventFeed(),
    exclusive: alone,
    log,
    receive: receiveVia(handle),
  } satisfies ChannelContext;
}

/** Serves the mount's one route on a loopback port. */
async function serve(routes: Awaited<ReturnType<typeof mountTeams>>['routes'], host = '127.0.0.1'): Promise<string> {
  const server = createServer((req, res) => void routes['POST /api/messages'](req, res));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return `http://127.0.0.1:${(server.address() as { port: number }).port}/api/messages`;
}

/** This machine's first non-loopback IPv4 address, when it has one. */
function externalAddress(): string | undefined {
  for (const list of Object.values(networkInterfaces()))
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  return undefined;
}

describe('mountTeams', () => {
  it('without an app id: mounted, unauthenticated, and says so loudly', async () => {
    const c = context({});
    const mount = await mountTeams(c);
    expect(Object.keys(mount.routes)).toEqual(['POST /api/messages']);
    expect(mount.sender.channel).toBe('teams');
    expect(mount.summary).toMatch(/UNAUTHENTICATED — WARNING: MicrosoftAppId is not set.*authentication is OFF/);
    expect(mount.summary).toMatch(/only activities from loopback, not through a proxy, with a loopback serviceUrl/);
    expect(c.log.lines).toContainEqual(expect.objectContaining({ level: 'warn', event: 'teams_auth_disabled' }));
    await mount.close();
  });

  it('with an app id: tokens validated; a missing password is warned about', async () => {
    const c = context({ MicrosoftAppId: 'app-1' });
    const mount = await mountTeams(c);
    expect(mount.summary).toBe('Teams (Bot Framework) at POST /api/messages, tokens validated for app app-1');
    expect(c.log.lines.map((l) => l.event)).toEqual(['teams_no_password']);
  });

  it('hands a message to the turn handler with its ConversationReference, after acknowledging it', async () => {
    let release: () => void = () => {};
    const handled = new Promise<void>((resolve) => {
      release = resolve;
    });
    const handle = vi.fn(async () => {
      await handled;
      return { status: 'duplicate' as const };
    });
    const c = context({}, handle);
    const mount = await mountTeams(c);
    const url = await serve(mount.routes);
    const activity = {
      type: 'message',
      id: 'act-1',
      channelId: 'msteams',
      serviceUrl: 'http://127.0.0.1:9/',
      from: { id: '29:u' },
      recipient: { id: '28:b' },
      conversation: { id: 'a:c' },
      text: 'hello there',
    };
    const r = await fetch(url, { method: 'POST', body: JSON.stringify(activity) });
    expect(r.status).toBe(200); // answered while the turn is still being handled
    expect(handle).toHaveBeenCalledWith(
      expect.objectContaining({ id: 'act-1', conversation: 'teams:a:c', text: 'hello there' }),
      expect.objectContaining({ activityId: 'act-1', serviceUrl: 'http://127.0.0.1:9/', conversation: { id: 'a:c' } }),
    );
    release();
    await mount.close();
    expect(c.log.lines).toContainEqual(
      expect.objectContaining({ event: 'teams_turn', status: 'duplicate', text_chars: 11 }),
    );
    expect(JSON.stringify(c.log.lines)).not.toContain('hello there');
  });

  it('logs a failed turn instead of crashing', async () => {
    const handle = vi.fn(async () => {
      throw Object.assign(new Error('Bot Framework Connector answered 502'), { code: 'E_TEAMS_SEND', kind: 'remote' });
    });
    const c = context({}, handle);
    const mount = await mountTeams(c);
    const url = await serve(mount.routes);
    const activity = {
      type: 'message',
      id: 'act-2',
      serviceUrl: 'http://127.0.0.1:9/',
      from: { id: '29:u' },
      recipient: { id: '28:b' },
      conversation: { id: 'a:c' },
      text: 'hi',
    };
    expect((await fetch(url, { method: 'POST', body: JSON.stringify(activity) })).status).toBe(200);
    await mount.close();
    expect(c.log.lines).toContainEqual(
      expect.objectContaining({ level: 'error', event: 'teams_failed', id: 'act-2', code: 'E_TEAMS_SEND' }),
    );
  });

  it('without an app id, only local activities are taken: a remote serviceUrl, a proxy, a remote client → 403', async () => {
    const handle = vi.fn(async () => ({ status: 'duplicate' as const }));
    const c = context({}, handle);
    const mount = await mountTeams(c);
    const url = await serve(mount.routes, '0.0.0.0');
    const activity = (id: string, serviceUrl: unknown) => ({
      type: 'message',
      id,
      serviceUrl,
      from: { id: '29:u' },
      recipient: { id: '28:b' },
      conversation: { id: 'a:c' },
      text: 'hi',
    });
    const post = (body: unknown, headers: Record<string, string> = {}, to = url) =>
      fetch(to, { method: 'POST', headers, body: JSON.stringify(body) });
    // The request forgery: the bot would POST its reply to any serviceUrl.
    for (const target of [
      'https://attacker.example/',
      'http://10.0.0.5:8080/internal/',
      'http://127.0.0.1.nip.io/',
      'file:///etc/passwd',
      42,
    ]) {
      const r = await post(activity('remote', target));
      expect(r.status).toBe(403);
      expect(await r.json()).toMatchObject({ error: 'E_TEAMS_UNAUTHENTICATED' });
    }
    // Through a proxy: the port is exposed, even a loopback serviceUrl is refused.
    const local = activity('local', 'http://127.0.0.1:9/internal/');
    expect((await post(local, { 'x-forwarded-for': '203.0.113.9' })).status).toBe(403);
    expect((await post(local, { forwarded: 'for=203.0.113.9' })).status).toBe(403);
    const ip = externalAddress();
    if (ip) expect((await post(local, {}, url.replace('127.0.0.1', ip))).status).toBe(403);
    expect(handle).not.toHaveBeenCalled();
    const reasons = c.log.lines.filter((l) => l.event === 'teams_rejected').map((l) => l.reason);
    expect(reasons).toContain('remote_service_url');
    expect(reasons).toContain('proxied');
    if (ip) expect(reasons).toContain('remote_client');
    // The Bot Framework Emulator on this machine still works.
    expect((await post(activity('ok', 'http://localhost:9/'))).status).toBe(200);
    await mount.close();
    expect(handle).toHaveBeenCalledTimes(1);
  });

  it('with an app id the local-only rule does not apply (the signed token vouches for the serviceUrl)', async () => {
    const c = context({ MicrosoftAppId: 'app-1' });
    const url = await serve((await mountTeams(c)).routes);
    const r = await fetch(url, {
      method: 'POST',
      headers: { 'x-forwarded-for': '203.0.113.9' },
      body: JSON.stringify({ type: 'message', id: 'x', serviceUrl: 'https://smba.trafficmanager.net/emea/' }),
    });
    expect(r.status).toBe(401); // no token: refused by authentication, as before
  });

  it('knows loopback hosts and URLs', () => {
    for (const h of ['localhost', '127.0.0.1', '127.1.2.3', '::1', '[::1]', '::ffff:127.0.0.1'])
      expect(isLoopback(h)).toBe(true);
    for (const h of ['10.0.0.1', '192.0.2.2', '', 'localhost.example', '128.0.0.1', '::'])
      expect(isLoopback(h)).toBe(false);
    expect(isLoopbackUrl('http://127.0.0.1:3979/')).toBe(true);
    expect(isLoopbackUrl('http://[::1]:9/x')).toBe(true);
    expect(isLoopbackUrl('http://2130706433/')).toBe(true); // 127.0.0.1 as a number
    expect(isLoopbackUrl('http://127.0.0.1@attacker.example/')).toBe(false);
    expect(isLoopbackUrl('ftp://127.0.0.1/')).toBe(false);
    expect(isLoopbackUrl('not a url')).toBe(false);
  });

  it('refuses what is not a JSON activity with 400, and too much of it with 413', async () => {
    const c = context({});
    const url = await serve((await mountTeams(c)).routes);
    expect((await fetch(url, { method: 'POST', body: 'not json' })).status).toBe(400);
    expect((await fetch(url, { method: 'POST', body: '"message"' })).status).toBe(400);
    expect((await fetch(url, { method: 'POST', body: JSON.stringify({ id: 'x' }) })).status).toBe(400);
    expect((await fetch(url, { method: 'POST', body: 'x'.repeat(300_000) })).status).toBe(413);
    expect(c.log.lines.filter((l) => l.event === 'teams_rejected').map((l) => l.status)).toEqual([400, 400, 400, 413]);
  });

  it('with an agents’ channel and the hub protocol: both surfaces added; channel activities never become turns', async () => {
    const stores = await openStores({ sqliteFile: ':memory:' });
    try {
      const config = BotConfigSchema.parse({
        languages: ['en'],
        default_language: 'en',
        answers: {},
        handoff: { message: { en: 'A person will help.' } },
        clarify: { prompt: { en: 'Which?' } },
      });
      const log = memoryLogger();
      const handoffs = new HandoffService({
        store: stores.handoffs,
        conversations: stores.conversations,
        senders: {},
        config,
        log,
      });
      const handle = vi.fn(async () => ({ status: 'duplicate' as const }));
      const env = readEnvConfig({
        SWITCHBOARD_TEAMS_AGENTS_CONVERSATION: '19:agents@thread.tacv2',
        SWITCHBOARD_TEAMS_AGENTS_SERVICE_URL: 'http://127.0.0.1:9/',
        SWITCHBOARD_TEAMS_HANDOFF: 'botframework',
      });
      const mount = await mountTeams({
        env,
        store: stores.conversations,
        events: stores.events,
        exclusive: alone,
        log,
        receive: receiveVia(handle),
        handoffs,
        config,
      });
      expect(handoffs.surfaces.map((s) => s.name)).toEqual(['teams', 'botframework']);
      expect(mount.summary).toMatch(/agents' channel 19:agents@thread\.tacv2; handoff protocol to an agent hub/);
      const url = await serve(mount.routes);
      const base = {
        type: 'message',
        serviceUrl: 'http://127.0.0.1:9/',
        from: { id: '29:agent' },
        recipient: { id: '28:b' },
        text: 'I want to talk to a person',
      };
      for (const [i, conversation] of ['19:agents@thread.tacv2', '19:agents@thread.tacv2;messageid=5'].entries()) {
        const activity = { ...base, id: `agents-${i}`, conversation: { id: conversation } };
        expect((await fetch(url, { method: 'POST', body: JSON.stringify(activity) })).status).toBe(200);
      }
      const status = { ...base, type: 'event', name: 'handoff.status', id: 'st-1', conversation: { id: 'a:x' } };
      expect((await fetch(url, { method: 'POST', body: JSON.stringify(status) })).status).toBe(200);
      await mount.close();
      expect(handle).not.toHaveBeenCalled();
      expect(log.lines).toContainEqual(
        expect.objectContaining({ event: 'teams_agents_ignored', reason: 'not_in_a_thread' }),
      );
      expect(log.lines).toContainEqual(
        expect.objectContaining({ event: 'teams_agents_ignored', reason: 'not_a_ticket_thread' }),
      );
      expect(log.lines).toContainEqual(
        expect.objectContaining({ event: 'teams_handoff_ignored', reason: 'no_ticket_with_hub' }),
      );
    } finally {
      await stores.close();
    }
  });

  it('reads the handoff settings from the environment, refusing bad values with the variable’s name', () => {
    expect(readTeamsEnv({})).not.toHaveProperty('agents');
    expect(
      readTeamsEnv({
        SWITCHBOARD_TEAMS_AGENTS_CONVERSATION: '19:a@thread.tacv2',
        MicrosoftAppTenantId: 'tenant-x',
        SWITCHBOARD_TEAMS_HANDOFF_CONTEXT: '{"queue":"vip"}',
        SWITCHBOARD_TEAMS_HANDOFF: 'off',
      }),
    ).toMatchObject({
      agents: { conversation: '19:a@thread.tacv2', tenantId: 'tenant-x' },
      handoffContext: { queue: 'vip' },
    });
    expect(readTeamsEnv({ SWITCHBOARD_TEAMS_HANDOFF: 'botframework' }).handoff).toBe('botframework');
    expect(() => readTeamsEnv({ SWITCHBOARD_TEAMS_HANDOFF: 'omnichannel' })).toThrow(/SWITCHBOARD_TEAMS_HANDOFF/);
    expect(() => readTeamsEnv({ SWITCHBOARD_TEAMS_HANDOFF_CONTEXT: '[1]' })).toThrow(
      /SWITCHBOARD_TEAMS_HANDOFF_CONTEXT/,
    );
    expect(() => readTeamsEnv({ SWITCHBOARD_TEAMS_AGENTS_SERVICE_URL: 'smba' })).toThrow(
      /SWITCHBOARD_TEAMS_AGENTS_SERVICE_URL/,
    );
  });
});
