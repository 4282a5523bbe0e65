/**
 * Credentials where they belong (issue 15), against the real server: the web chat's token (the conversation id opens
 * nothing), stream limits (429), `/api/nlu/parse` in its own namespace, feedback only for the sender's own turns,
 * Teams with authentication off taking only local activities, `/metrics` behind its token, and crafted requests
 * answered 4xx (a malformed path escape, an absurd time, a lower-case bearer scheme).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { type ClientRequest, createServer, get, type IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, spawnServer } from '../fixtures/spawn-server.ts';
import { WebChatClient } from '../fixtures/web-chat-client.ts';

const AGENT = 'cred-agent-token';
const ADMIN = 'cred-admin-token';
const METRICS = 'cred-metrics-token';
const dir = mkdtempSync(join(tmpdir(), 'switchboard-credentials-'));
const store = join(dir, 'switchboard.db');
let server: RunningServer;
let base = '';
let port = 0;

beforeAll(async () => {
  server = await spawnServer(['--store', store], {
    SWITCHBOARD_AGENT_TOKEN: AGENT,
    SWITCHBOARD_ADMIN_TOKEN: ADMIN,
    SWITCHBOARD_METRICS_TOKEN: METRICS,
    SWITCHBOARD_WEB_STREAMS_PER_CLIENT: '3',
    SWITCHBOARD_WEB_STREAMS_MAX: '5',
    MicrosoftAppId: '',
  });
  base = server.base;
  port = Number(new URL(base).port);
}, 60_000);
afterAll(() => {
  server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const auth = (token: string, scheme = 'Bearer') => ({ authorization: `${scheme} ${token}` });

/** An event stream opened from `localAddress` (any 127.x is loopback on Linux): its status and how to close it. */
function openStream(
  token: string,
  localAddress = '127.0.0.1',
): Promise<{ status: number; body: string; close: () => void }> {
  return new Promise((resolve, reject) => {
    const req: ClientRequest = get(
      { host: '127.0.0.1', port, path: `/api/chat/events?token=${token}`, localAddress },
      (res: IncomingMessage) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => {
          body += d;
          if (res.statusCode !== 200) return;
          resolve({ status: 200, body, close: () => req.destroy() });
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, close: () => req.destroy() }));
      },
    );
    req.on('error', reject);
  });
}

/** Reads a stream for `ms` and returns what arrived. */
async function readFor(
  url: string,
  headers: Record<string, string>,
  ms: number,
): Promise<{ status: number; text: string }> {
  const abort = new AbortController();
  const res = await fetch(url, { headers, signal: abort.signal });
  if (res.status !== 200 || !res.body) return { status: res.status, text: await res.text() };
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let text = '';
  const until = Date.now() + ms;
  const timer = setTimeout(() => abort.abort(), ms);
  try {
    while (Date.now() < until) {
      const { value, done } = await reader.read();
      if (done) break;
      text += value;
    }
  } catch {
    // aborted
  }
  clearTimeout(timer);
  return { status: 200, text };
}

const start = async () => {
  const res = await fetch(`${base}/api/chat/conversations`, { method: 'POST' });
  return (await res.json()) as { token: string; conversation: string };
};

describe('web chat streams are limited per client and in total', () => {
  it('429 E_TOO_MANY_STREAMS beyond 3 per client and 5 in all; a closed stream frees its place', async () => {
    const { token } = await start();
    const a = [await openStream(token), await openStream(token), await openStream(token)];
    expect(a.map((s) => s.status)).toEqual([200, 200, 200]);
    const refused = await openStream(token);
    expect(refused.status).toBe(429);
    expect(JSON.parse(refused.body)).toMatchObject({ error: 'E_TOO_MANY_STREAMS' });
    const b = [await openStream(token, '127.0.0.2'), await openStream(token, '127.0.0.2')];
    expect(b.map((s) => s.status)).toEqual([200, 200]);
    const full = await openStream(token, '127.0.0.3');
    expect(full.status).toBe(429);
    expect(JSON.parse(full.body).message).toMatch(/at most 5 open/);
    a[0].close();
    await expect.poll(async () => (await openStream(token, '127.0.0.3')).status, { timeout: 5_000 }).toBe(200);
    for (const s of [...a, ...b]) s.close();
  });
});

describe('the web chat token', () => {
  it('is needed to read the stream and to post: the conversation id alone opens nothing', async () => {
    // The page's old request shapes (the id as the credential) are refused.
    const old = await fetch(`${base}/api/chat/events?conversation=web-123`);
    expect(old.status).toBe(401);
    expect(await old.json()).toMatchObject({ error: 'E_CHAT_TOKEN' });
    const oldPost = await fetch(`${base}/api/chat/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ conversation: 'web-123', text: 'hello' }),
    });
    expect(oldPost.status).toBe(401);

    const customer = new WebChatClient(base, 'victim');
    await customer.connect();
    await customer.say('wake me up at 7 tomorrow');
    await customer.waitFor((e) => /Alarms/.test(e.text));
    customer.disconnect();
    const id = customer.conversation;
    expect(id).not.toBe(customer.token);
    // Someone who knows the conversation id (tickets, logs, the turn log show it) cannot replay or post.
    for (const q of [`conversation=${id}`, `token=${id}`, `conversation=web:${id}`]) {
      const r = await readFor(`${base}/api/chat/events?${q}`, { 'last-event-id': '0' }, 300);
      expect(r.status).toBe(401);
    }
    const forged = await fetch(`${base}/api/chat/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ conversation: id, token: id, text: 'I want to talk to a person' }),
    });
    expect(forged.status).toBe(401);
    // Another token is another conversation: nothing of the customer's is replayed to it.
    const other = await start();
    const stranger = await readFor(`${base}/api/chat/events?token=${other.token}`, { 'last-event-id': '0' }, 300);
    expect(stranger.status).toBe(200);
    expect(stranger.text).not.toMatch(/Alarms/);
    // The customer's own page, reconnecting with its token and Last-Event-ID, gets what it missed.
    const own = await readFor(`${base}/api/chat/events?token=${customer.token}`, { 'last-event-id': '0' }, 300);
    expect(own.text).toMatch(/Alarms/);
    // The bearer header works as well as the field (any case of the scheme).
    const viaHeader = await fetch(`${base}/api/chat/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...auth(customer.token as string, 'bearer') },
      body: JSON.stringify({ text: 'what is the weather like today', id: 'hdr-1' }),
    });
    expect(viaHeader.status).not.toBe(401);
  });

  it('agents see a display name and the conversation id, never the token', async () => {
    const customer = new WebChatClient(base, 'handoff');
    await customer.connect();
    await customer.say('I want to talk to a person about my bill');
    await customer.waitFor((e) => e.handoff === true);
    customer.disconnect();
    const tickets = (await (await fetch(`${base}/api/handoffs?status=queued`, { headers: auth(AGENT) })).json()) as {
      conversation: string;
      customer: string;
    }[];
    const ticket = tickets.find((t) => t.conversation === `web:${customer.conversation}`);
    expect(ticket?.customer).toMatch(/^Visitor [0-9A-F]{4}$/);
    expect(ticket?.customer).not.toContain(customer.conversation.slice(0, 4));
    expect(JSON.stringify(tickets)).not.toContain(customer.token);
  });

  it('an empty or blank message is refused (400): no turn, no ticket with no question', async () => {
    const customer = new WebChatClient(base, 'blank');
    for (const text of ['', '   ', '\n\t']) {
      const r = await customer.say(text);
      expect(r.status).toBe(400);
      expect(((await r.json()) as { message: string }).message).toMatch(/text is empty/);
    }
    const tickets = (await (await fetch(`${base}/api/handoffs?status=queued`, { headers: auth(AGENT) })).json()) as {
      conversation: string;
    }[];
    expect(tickets.some((t) => t.conversation === `web:${customer.conversation}`)).toBe(false);
  });
});

describe('feedback counts only for the turns of the conversation that sends it', () => {
  it('a 👎 from another conversation on this one’s answer changes nothing; its own counts', async () => {
    const report = async () =>
      (
        (await (await fetch(`${base}/api/admin/report?since=1d`, { headers: auth(ADMIN) })).json()) as {
          negative_signals: number;
        }
      ).negative_signals;
    const a = new WebChatClient(base, 'a');
    await a.connect();
    await a.say('what is the weather like today');
    const answer = await a.waitFor((e) => Boolean(e.feedback_turn));
    const before = await report();
    const b = new WebChatClient(base, 'b');
    await b.connect();
    const foreign = await b.post({ action: { kind: 'feedback', rating: 'down', turn: answer.feedback_turn } });
    expect(foreign.status).toBe(200);
    expect(await report()).toBe(before);
    await a.post({ action: { kind: 'feedback', rating: 'down', turn: answer.feedback_turn } });
    expect(await report()).toBe(before + 1);
    a.disconnect();
    b.disconnect();
  });
});

describe('POST /api/nlu/parse', () => {
  it('keeps its conversations in their own namespace: a channel’s conversation is neither read nor overwritten', async () => {
    const customer = new WebChatClient(base, 'es');
    await customer.connect();
    await customer.say('¿qué tiempo hace hoy?');
    await customer.waitFor((e) => Boolean(e.feedback_turn));
    customer.disconnect();
    const key = `web:${customer.conversation}`;
    const db = new Database(store, { readonly: true, fileMustExist: true });
    const state = (id: string) =>
      (db.prepare('SELECT state FROM conversations WHERE id = ?').get(id) as { state: string } | undefined)?.state;
    try {
      const before = state(key);
      expect(JSON.parse(before as string)).toMatchObject({ language: 'es' });
      const r = await fetch(`${base}/api/nlu/parse`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ conversation: key, text: 'what is the weather like today in London please' }),
      });
      expect(r.status).toBe(200);
      expect(state(key)).toBe(before);
      expect(JSON.parse(state(`parse:${key}`) as string)).toMatchObject({ language: 'en' });
    } finally {
      db.close();
    }
  });
});

describe('Teams with authentication off takes only local activities', () => {
  it('refuses (403) a remote serviceUrl and anything that came through a proxy; nothing is POSTed', async () => {
    const hits: string[] = [];
    const target = createServer((req, res) => {
      hits.push(`${req.method} ${req.url}`);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
    await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
    const internal = `http://127.0.0.1:${(target.address() as { port: number }).port}/internal/`;
    const activity = (id: string, serviceUrl: string) => ({
      type: 'message',
      id,
      channelId: 'emulator',
      serviceUrl,
      from: { id: 'u1', name: 'Mallory' },
      recipient: { id: 'b1' },
      conversation: { id: `forgery-${id}` },
      text: 'hello',
    });
    const post = (body: unknown, headers: Record<string, string> = {}) =>
      fetch(`${base}/api/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      });
    try {
      const remote = await post(activity('r1', 'https://attacker.example/'));
      expect(remote.status).toBe(403);
      expect(await remote.json()).toMatchObject({ error: 'E_TEAMS_UNAUTHENTICATED' });
      expect((await post(activity('p1', internal), { 'x-forwarded-for': '203.0.113.7' })).status).toBe(403);
      expect((await post(activity('p2', internal), { forwarded: 'for=203.0.113.7;proto=https' })).status).toBe(403);
      await new Promise((r) => setTimeout(r, 1_000));
      expect(hits).toEqual([]);
    } finally {
      target.close();
    }
  });
});

describe('crafted requests', () => {
  it('a malformed percent-escape and an absurd time are 400, not 500', async () => {
    expect((await fetch(`${base}/api/handoffs/%E0%A4%A`, { headers: auth(AGENT) })).status).toBe(400);
    const audit = await fetch(`${base}/api/audits/%E0%A4%A`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...auth(AGENT) },
      body: JSON.stringify({ agent: 'ann', verdict: 'correct' }),
    });
    expect(audit.status).toBe(400);
    for (const q of ['since=99999999999999999999d', 'until=99999999999999999999d', 'since=1e400d']) {
      const r = await fetch(`${base}/api/admin/report?${q}`, { headers: auth(ADMIN) });
      expect(r.status).toBe(400);
      expect(await r.json()).toMatchObject({ error: 'E_BAD_REQUEST' });
    }
  });

  it('the bearer scheme is case-insensitive', async () => {
    for (const scheme of ['bearer', 'BEARER', 'Bearer']) {
      expect((await fetch(`${base}/api/handoffs`, { headers: auth(AGENT, scheme) })).status).toBe(200);
      expect((await fetch(`${base}/api/admin/drift`, { headers: auth(ADMIN, scheme) })).status).toBe(200);
    }
  });

  it('/metrics needs SWITCHBOARD_METRICS_TOKEN when it is set', async () => {
    const none = await fetch(`${base}/metrics`);
    expect(none.status).toBe(401);
    expect(await none.json()).toMatchObject({ error: 'E_UNAUTHORIZED' });
    expect((await fetch(`${base}/metrics`, { headers: auth('wrong') })).status).toBe(401);
    expect((await fetch(`${base}/metrics`, { headers: auth(AGENT) })).status).toBe(401);
    const ok = await fetch(`${base}/metrics`, { headers: auth(METRICS, 'bearer') });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toMatch(/switchboard_/);
  });
});
