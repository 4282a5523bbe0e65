/**
 * The agent REST API and the handoff lifecycle over HTTP, against the real server with a web chat customer: tokens,
 * 404/409/403/400, relay both ways, and a restart in the middle of an open handoff (nothing lost, nothing twice).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../src/util/password-hash.ts';
import { type RunningServer, spawnServer } from '../fixtures/spawn-server.ts';
import { WAIT_MS } from '../fixtures/wait.ts';
import { WebChatClient } from '../fixtures/web-chat-client.ts';

const TOKEN = 'agent-api-test-token';
const dir = mkdtempSync(join(tmpdir(), 'switchboard-agent-api-'));
const store = join(dir, 'switchboard.db');
let server: RunningServer;
afterAll(() => {
  server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

// Ann and Luis (config/demo.yaml) have passwords; Claire and Priya sign in with the links the server prints.
const PASSWORDS = { ann: 'ann-secret-1', luis: 'luis-secret-2' };
const hashes = Promise.all(Object.entries(PASSWORDS).map(async ([id, pw]) => `${id}=${await hashPassword(pw)}`));
const start = async () => {
  server = await spawnServer(['--store', store], {
    SWITCHBOARD_AGENT_TOKEN: TOKEN,
    SWITCHBOARD_AGENT_PASSWORD_HASHES: (await hashes).join(','),
  });
  return server.base;
};
const signIn = (base: string, body: unknown) =>
  fetch(`${base}/api/agents/sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
const sessionOf = async (base: string, agent: keyof typeof PASSWORDS) => {
  const r = await signIn(base, { agent, password: PASSWORDS[agent] });
  expect(r.status).toBe(200);
  return ((await r.json()) as { token: string }).token;
};
/** What the tests read of a ticket from the API. */
interface ApiTicket {
  id: string;
  conversation: string;
  customer_name: string;
}
/** A web chat customer whose conversation was handed to a person, and their ticket. */
const handedOff = async (base: string, name: string, text: string) => {
  const customer = new WebChatClient(base, name);
  await customer.connect();
  await customer.say(text);
  await customer.waitFor((e) => e.handoff === true);
  const queued = (await (await api(base, '?status=queued')).json()) as ApiTicket[];
  const ticket = queued.find((t) => t.conversation === `web:${customer.conversation}`) as ApiTicket;
  return { customer, ticket };
};
const api = (base: string, path: string, body?: unknown, token = TOKEN) =>
  fetch(`${base}/api/handoffs${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
const stopped = (s: RunningServer) =>
  new Promise<void>((resolve) => {
    s.child.once('exit', () => resolve());
    s.stop();
  });

describe('agent API', () => {
  it('needs the token', async () => {
    const base = await start();
    expect((await fetch(`${base}/api/handoffs`)).status).toBe(401);
    expect((await api(base, '', undefined, 'wrong-token')).status).toBe(401);
    expect((await api(base, '?status=queued')).status).toBe(200);
    expect((await api(base, '?status=bogus')).status).toBe(400);
  });

  it('agents sign in: a wrong password or a made-up id is refused; a session acts as its own agent only', async () => {
    const base = server.base;
    for (const body of [
      { agent: 'ann', password: 'wrong' },
      { agent: 'bob', password: 'ann-secret-1' },
    ]) {
      const r = await signIn(base, body);
      expect(r.status).toBe(401);
      expect(await r.json()).toMatchObject({ error: 'E_SIGN_IN' });
    }
    expect((await signIn(base, { agent: 'ann' })).status).toBe(400);
    const ann = await sessionOf(base, 'ann');
    expect(
      await (await fetch(`${base}/api/agents/me`, { headers: { authorization: `Bearer ${ann}` } })).json(),
    ).toMatchObject({ agent: 'ann', name: 'Ann', languages: ['en', 'de'], alert_after_minutes: 5 });
    // A session token is no machine token: a forged one is refused like no token at all.
    expect((await api(base, '?status=queued', undefined, `${ann}x`)).status).toBe(401);

    const { customer, ticket } = await handedOff(base, 'c-session', 'I need to talk to a real person about my bill');
    expect(ticket.customer_name).toMatch(/^Visitor [0-9A-F]{4}$/);
    // Ann's session cannot act as someone else, and needs no agent field: the claim is hers.
    const asLuis = await api(base, `/${ticket.id}/claim`, { agent: 'luis' }, ann);
    expect(asLuis.status).toBe(403);
    expect(await asLuis.json()).toMatchObject({ error: 'E_NOT_YOU' });
    const claimed = await api(base, `/${ticket.id}/claim`, {}, ann);
    expect(claimed.status).toBe(200);
    expect(await claimed.json()).toMatchObject({ status: 'claimed', agent: 'ann' });
    expect((await api(base, `/${ticket.id}/messages`, { text: 'Which invoice?' }, ann)).status).toBe(200);
    // The web chat hears an agent's line as such: who wrote it, and their words apart from the name.
    const line = await customer.waitFor((e) => e.from === 'agent');
    expect(line).toMatchObject({
      from: 'agent',
      agent_name: 'Ann',
      agent_text: 'Which invoice?',
      text: 'Ann: Which invoice?',
    });
    expect(customer.events.filter((e) => e.from !== 'agent').every((e) => e.from === 'bot')).toBe(true);
    expect((await api(base, `/${ticket.id}/resolve`, {}, ann)).status).toBe(200);
    customer.disconnect();
  });

  it('routing at claim: an agent without the skill or language is refused; an explicit override claims', async () => {
    const base = server.base;
    const luis = await sessionOf(base, 'luis');
    // Luis speaks English but handles only alarms, takeaway and transport; a billing question is not his.
    const { customer, ticket } = await handedOff(base, 'c-routing', 'I need to talk to a real person about my bill');
    const refused = await api(base, `/${ticket.id}/claim`, {}, luis);
    expect(refused.status).toBe(403);
    const why = (await refused.json()) as { error: string; message: string };
    expect(why.error).toBe('E_NOT_ELIGIBLE');
    expect(why.message).toMatch(/skill/);
    expect(why.message).toMatch(/override/);
    expect((await (await api(base, `/${ticket.id}`)).json()) as object).toMatchObject({ status: 'queued' });
    expect((await api(base, `/${ticket.id}/claim`, { override: 'yes' }, luis)).status).toBe(400);
    const forced = await api(base, `/${ticket.id}/claim`, { override: true }, luis);
    expect(forced.status).toBe(200);
    expect(await forced.json()).toMatchObject({ status: 'claimed', agent: 'luis' });
    const overrideLogged = () =>
      server
        .output()
        .split('\n')
        .some((l) => l.includes('"event":"claim_override"') && l.includes('"agent":"luis"'));
    await expect.poll(overrideLogged, { timeout: WAIT_MS }).toBe(true);
    customer.disconnect();
  });

  it('one-time sign-in links for the agents without a password: printed at start, good once', async () => {
    const base = server.base;
    const code = server.output().match(/sign-in link for agent claire[^\n]*#signin=([\w-]+)/)?.[1];
    expect(code).toBeDefined();
    expect(server.output()).not.toMatch(/sign-in link for agent ann/); // Ann has a password
    const first = await signIn(base, { code });
    expect(first.status).toBe(200);
    expect(await first.json()).toMatchObject({ agent: 'claire', name: 'Claire' });
    expect((await signIn(base, { code })).status).toBe(401);
  });

  it('a ticket from a handoff: claim, relay both ways, resolve with a label; wrong moves are refused', async () => {
    const base = server.base;
    const customer = new WebChatClient(base, 'c-lifecycle');
    await customer.connect();
    await customer.say('I need to talk to a real person about my bill');
    await customer.waitFor((e) => e.handoff === true);
    const queued = (await (await api(base, '?status=queued')).json()) as Record<string, any>[];
    const ticket = queued.find((t) => t.conversation === `web:${customer.conversation}`);
    expect(ticket).toMatchObject({ status: 'queued', channel: 'web', language: 'en', reason: 'human_requested' });
    expect(ticket?.transcript[0]).toMatchObject({
      from: 'customer',
      text: 'I need to talk to a real person about my bill',
    });
    const id = ticket?.id as string;

    expect((await api(base, '/t_nope/claim', { agent: 'ann' })).status).toBe(404);
    expect((await api(base, `/${id}/messages`, { agent: 'ann', text: 'hi' })).status).toBe(409);
    expect((await api(base, `/${id}/claim`, {})).status).toBe(400);
    expect((await api(base, `/${id}/claim`, { agent: 'ann' })).status).toBe(200);
    expect((await api(base, `/${id}/claim`, { agent: 'bob' })).status).toBe(409);
    await customer.waitFor((e) => /Ann has joined/.test(e.text));
    expect((await api(base, `/${id}/messages`, { agent: 'bob', text: 'hi' })).status).toBe(403);
    expect((await api(base, `/${id}/messages`, { agent: 'ann', text: '' })).status).toBe(400);
    expect((await api(base, `/${id}/messages`, { agent: 'ann', text: 'x'.repeat(5000) })).status).toBe(400);

    expect((await api(base, `/${id}/messages`, { agent: 'ann', text: 'Which invoice?' })).status).toBe(200);
    await customer.waitFor((e) => e.text === 'Ann: Which invoice?');
    await customer.say('the one from March');
    const withReply = (await (await api(base, `/${id}`)).json()) as Record<string, any>;
    expect(withReply.transcript.map((e: any) => e.text)).toContain('the one from March');
    // The customer's message went to the agent, not to the bot: no new bot answer arrived.
    expect(customer.events.filter((e) => !/Ann/.test(e.text) && !e.handoff)).toHaveLength(0);

    expect((await api(base, `/${id}/resolve`, { agent: 'bob' })).status).toBe(403);
    const resolved = await api(base, `/${id}/resolve`, { agent: 'ann', intent: 'bill_query' });
    expect(resolved.status).toBe(200);
    expect(await resolved.json()).toMatchObject({ status: 'resolved', label: 'bill_query' });
    await customer.waitFor((e) => /I am back/.test(e.text));
    expect((await api(base, `/${id}/claim`, { agent: 'ann' })).status).toBe(409);
    customer.disconnect();
  });

  it("an agent's message sent again with the same id (an answer lost on the way) is written and delivered once", async () => {
    const base = server.base;
    const customer = new WebChatClient(base, 'c-retry');
    await customer.connect();
    await customer.say('let me speak to a human please', 'r1');
    await customer.waitFor((e) => e.handoff === true);
    const [ticket] = (
      (await (await api(base, '?status=queued')).json()) as { id: string; conversation: string }[]
    ).filter((t) => t.conversation === `web:${customer.conversation}`);
    await api(base, `/${ticket.id}/claim`, { agent: 'ann' });
    const line = { agent: 'ann', text: 'Looking into it.', id: 'console-line-1' };
    const [first, again] = await Promise.all([
      api(base, `/${ticket.id}/messages`, line),
      api(base, `/${ticket.id}/messages`, line),
    ]);
    expect([first.status, again.status]).toEqual([200, 200]);
    expect(((await first.json()) as { seq: number }).seq).toBe(((await again.json()) as { seq: number }).seq);
    await customer.waitFor((e) => e.text === 'Ann: Looking into it.');
    const t = (await (await api(base, `/${ticket.id}`)).json()) as { transcript: { text: string }[] };
    expect(t.transcript.filter((e) => e.text === 'Looking into it.')).toHaveLength(1);
    // A later line proves the stream is past any second copy.
    await api(base, `/${ticket.id}/messages`, { agent: 'ann', text: 'Done.' });
    await customer.waitFor((e) => e.text === 'Ann: Done.');
    expect(customer.events.filter((e) => e.text === 'Ann: Looking into it.')).toHaveLength(1);
    expect((await api(base, `/${ticket.id}/messages`, { ...line, id: '' })).status).toBe(400);
    customer.disconnect();
  });

  it('a restart in the middle of a handoff loses nothing and repeats nothing', async () => {
    let base = server.base;
    const customer = new WebChatClient(base, 'c-restart');
    await customer.connect();
    await customer.say('let me speak to a human please', 'm1');
    await customer.waitFor((e) => e.handoff === true);
    const [ticket] = (
      (await (await api(base, '?status=queued')).json()) as { id: string; conversation: string }[]
    ).filter((t) => t.conversation === `web:${customer.conversation}`);
    await api(base, `/${ticket.id}/claim`, { agent: 'ann' });
    await customer.say('my number is 0612', 'm2');
    customer.disconnect();
    // The server notices the closed stream before it answers requests sent after it (one event loop, loopback):
    // a round trip, not a guess at a duration, orders the two.
    for (let i = 0; i < 3; i++) await (await fetch(`${base}/healthz`)).text();
    // The customer's page is gone: the agent's line cannot be delivered yet and waits in the outbox.
    expect((await api(base, `/${ticket.id}/messages`, { agent: 'ann', text: 'Got it, checking.' })).status).toBe(200);
    await stopped(server);

    base = await start();
    const again = new WebChatClient(base, 'c-restart', customer.token); // the page keeps its token
    again.lastEventId = customer.lastEventId; // and, as EventSource does, the id of the last event it saw
    // The channel retries the customer's message after the restart: it is not recorded twice.
    await again.say('my number is 0612', 'm2');
    await again.connect();
    await again.waitFor((e) => e.text === 'Ann: Got it, checking.', WAIT_MS);
    const t = (await (await api(base, `/${ticket.id}`)).json()) as { status: string; transcript: { text: string }[] };
    expect(t.status).toBe('claimed');
    expect(t.transcript.filter((e) => e.text === 'my number is 0612')).toHaveLength(1);
    expect(t.transcript.filter((e) => e.text === 'Got it, checking.')).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 11_000)); // one more outbox round: delivered once, not again
    expect(again.events.filter((e) => e.text === 'Ann: Got it, checking.')).toHaveLength(1);
    again.disconnect();
  });
});
