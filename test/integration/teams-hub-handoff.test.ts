/**
 * The Bot Framework handoff protocol (`SWITCHBOARD_TEAMS_HANDOFF=botframework`) over HTTP, with Bot Framework
 * authentication on: a Teams customer's handoff sends `handoff.initiate` (context + transcript) into their conversation
 * at the fake Connector, and the hub's signed `handoff.status` events (accepted / failed / completed), posted to
 * /api/messages, move the ticket.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventFactory } from 'botbuilder';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConnectorCall, FakeBotFramework } from '../fixtures/fake-bot-framework.ts';
import { type RunningServer, spawnServer } from '../fixtures/spawn-server.ts';

const dir = mkdtempSync(join(tmpdir(), 'switchboard-teams-hub-'));
const APP_ID = '5c0ffee0-0000-4000-8000-00000000b0b0';
const TOKEN = 'teams-hub-agent-token';
const BOT = { id: `28:${APP_ID}`, name: 'Switchboard' };
const USER = { id: '29:hub-customer', name: 'Hal Customer', aadObjectId: 'aad-hal' };
let seq = 0;
let fake: FakeBotFramework;
let server: RunningServer;
let stderr = '';

beforeAll(async () => {
  fake = await FakeBotFramework.start();
  server = await spawnServer(['--store', join(dir, 'switchboard.db')], {
    ...fake.env(APP_ID, 'hub-secret'),
    SWITCHBOARD_AGENT_TOKEN: TOKEN,
    SWITCHBOARD_TEAMS_HANDOFF: 'botframework',
    SWITCHBOARD_TEAMS_HANDOFF_CONTEXT: '{"queue":"billing","priority":2}',
  });
  server.child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
});

afterAll(async () => {
  server?.stop();
  await fake?.close();
  rmSync(dir, { recursive: true, force: true });
});

function message(conversation: string, text: string) {
  return {
    type: 'message',
    id: `1714${String(++seq).padStart(9, '0')}`,
    timestamp: new Date().toISOString(),
    channelId: 'msteams',
    serviceUrl: fake.serviceUrl,
    from: USER,
    recipient: BOT,
    conversation: { id: conversation, conversationType: 'personal', tenantId: 'tenant-1' },
    locale: 'en-US',
    text,
  };
}

/** A `handoff.status` event as the hub sends it (botbuilder's own factory), with the fields a channel adds. */
function status(conversation: string, state: string, extra: Record<string, unknown> = {}) {
  const event = EventFactory.createHandoffStatus({ id: conversation } as never, state, 'from the hub');
  return {
    ...JSON.parse(JSON.stringify(event)),
    id: `hub-status-${++seq}`,
    channelId: 'msteams',
    serviceUrl: fake.serviceUrl,
    from: { id: 'hub', name: 'Agent hub' },
    recipient: BOT,
    ...(Object.keys(extra).length ? { value: { ...event.value, ...extra } } : {}),
  };
}

async function post(body: unknown, signed = true): Promise<number> {
  const r = await fetch(`${server.base}/api/messages`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(signed ? { authorization: `Bearer ${fake.channelToken(APP_ID)}` } : {}),
    },
    body: JSON.stringify(body),
  });
  await r.text();
  return r.status;
}

const api = async (path: string) => {
  const r = await fetch(`${server.base}/api/handoffs${path}`, { headers: { authorization: `Bearer ${TOKEN}` } });
  // biome-ignore lint/suspicious/noExplicitAny: JSON read by the tests
  return (await r.json()) as any;
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const messages = (conversation: string) => fake.callsTo(conversation).filter((c) => c.activity.type === 'message');

async function initiation(conversation: string): Promise<ConnectorCall> {
  const find = () => fake.callsTo(conversation).find((c) => c.activity.name === 'handoff.initiate');
  await fake.waitFor(() => find() !== undefined);
  return find() as ConnectorCall;
}

async function nthMessage(conversation: string, n: number): Promise<ConnectorCall> {
  await fake.waitFor(() => messages(conversation).length >= n);
  return messages(conversation)[n - 1];
}

/** The conversation's latest ticket (agent API). */
async function ticketOf(conversation: string): Promise<{ id: string; agent?: string }> {
  const all = (await api('')) as { conversation: string; id: string; agent?: string }[];
  const ticket = all.filter((t) => t.conversation === `teams:${conversation}`).at(-1);
  if (!ticket) throw new Error(`no ticket for ${conversation}`);
  return ticket;
}

describe('Bot Framework handoff protocol', () => {
  it('handoff.initiate with context and transcript → accepted (named agent) → completed → the bot again', async () => {
    const conv = 'a:hub-accepted';
    const ask = message(conv, 'I want to talk to a person about my contract');
    expect(await post(ask)).toBe(200);
    expect((await nthMessage(conv, 1)).activity.text).toMatch(/passing you to a colleague/);
    const init = await initiation(conv);
    // The event as botbuilder builds it, replying to the customer's message, signed with the bot's token.
    expect(init.replyToId).toBe(ask.id);
    expect(init.authorization).toMatch(/^Bearer bot-token-/);
    expect(init.activity).toMatchObject({
      type: 'event',
      name: 'handoff.initiate',
      conversation: { id: conv },
      relatesTo: { conversation: { id: conv }, user: { id: USER.id }, activityId: ask.id },
    });
    const ticket = await ticketOf(conv);
    expect(init.activity.value).toMatchObject({
      queue: 'billing',
      priority: 2,
      ticket: ticket.id,
      language: 'en',
      reason: 'human_requested',
    });
    const [attachment] = init.activity.attachments;
    expect(attachment).toMatchObject({ contentType: 'application/json', name: 'Transcript' });
    const lines = attachment.content.activities;
    expect(lines[0]).toMatchObject({
      type: 'message',
      text: 'I want to talk to a person about my contract',
      from: { id: USER.id },
    });
    expect(lines[1]).toMatchObject({ type: 'message', from: { id: BOT.id }, text: expect.stringMatching(/colleague/) });
    expect(typeof lines[0].timestamp).toBe('string');

    // The hub accepts, naming its agent: the ticket is claimed by that agent, the customer is told.
    expect(await post(status(conv, 'accepted', { agent: { name: 'Maria' } }))).toBe(200);
    expect((await nthMessage(conv, 2)).activity.text).toBe('Maria has joined the conversation.');
    expect(await api(`/${ticket.id}`)).toMatchObject({ status: 'claimed', agent: 'Maria' });
    // While the hub has it, the customer's messages are kept in the ticket, not answered by the bot.
    await post(message(conv, 'my contract number is 5521'));
    await sleep(300);
    expect(messages(conv)).toHaveLength(2);
    // Completed: the ticket is resolved and the bot is back.
    expect(await post(status(conv, 'completed'))).toBe(200);
    expect((await nthMessage(conv, 3)).activity.text).toMatch(/I am back/);
    const done = await api(`/${ticket.id}`);
    expect(done.status).toBe('resolved');
    expect(done.transcript.map((e: { text: string }) => e.text)).toContain('my contract number is 5521');
    await post(message(conv, 'wake me up at 7 tomorrow'));
    expect((await nthMessage(conv, 4)).activity.text).toMatch(/Settings → Alarms/);
  });

  it('failed → the ticket is abandoned and the customer told the bot is back; accepted without a name → agent hub', async () => {
    const conv = 'a:hub-failed';
    await post(message(conv, 'get me a human please'));
    await initiation(conv);
    const ticket = await ticketOf(conv);
    expect(await post(status(conv, 'failed'))).toBe(200);
    expect((await nthMessage(conv, 2)).activity.text).toMatch(/nobody could take your question/);
    expect((await api(`/${ticket.id}`)).status).toBe('abandoned');

    const conv2 = 'a:hub-anonymous';
    await post(message(conv2, 'let me talk to a real person'));
    await initiation(conv2);
    await post(status(conv2, 'accepted'));
    expect((await nthMessage(conv2, 2)).activity.text).toBe('hub has joined the conversation.');
    expect((await ticketOf(conv2)).agent).toBe('hub');
    // A hub failure after accepting: the ticket is closed and the bot is back.
    await post(status(conv2, 'failed'));
    expect((await nthMessage(conv2, 3)).activity.text).toMatch(/I am back/);
  });

  it('refuses unsigned status events, ignores repeats, unknown states and conversations it did not hand off', async () => {
    const conv = 'a:hub-guarded';
    await post(message(conv, 'I want to speak to an agent'));
    await initiation(conv);
    const ticket = await ticketOf(conv);
    expect(await post(status(conv, 'accepted'), false)).toBe(401);
    expect(await post(status(conv, 'maybe'))).toBe(200);
    expect(await post(status('a:never-handed-off', 'accepted'))).toBe(200);
    const accepted = status(conv, 'accepted');
    expect(await post(accepted)).toBe(200);
    expect(await post(accepted)).toBe(200); // Bot Framework's retry of the same activity
    await nthMessage(conv, 2);
    await sleep(300);
    expect(messages(conv)).toHaveLength(2);
    expect((await api(`/${ticket.id}`)).status).toBe('claimed');
    expect(fake.callsTo('a:never-handed-off')).toHaveLength(0);
    const events = stderr
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l));
    expect(events).toContainEqual(expect.objectContaining({ event: 'teams_handoff_ignored', reason: 'unknown_state' }));
    expect(events).toContainEqual(
      expect.objectContaining({ event: 'teams_handoff_ignored', reason: 'no_ticket_with_hub' }),
    );
    expect(events).toContainEqual(expect.objectContaining({ event: 'teams_handoff_ignored', reason: 'duplicate' }));
    expect(stderr).not.toContain('I want to speak to an agent');
  });
});
