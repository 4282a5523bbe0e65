/**
 * The generic webhook channel over real HTTP on loopback: the real server (`switchboard start`, demo bot) with the
 * channel configured, messages signed as a gateway signs them, and a fake gateway that records (and verifies) what
 * the bot posts back.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WebhookMessage } from '../../src/adapters/webhook/webhook-sender.ts';
import { signatureHeaders, verify } from '../../src/adapters/webhook/webhook-signature.ts';
import { type RunningServer, spawnServer } from '../fixtures/spawn-server.ts';

const SECRET = 'test-webhook-secret-0123456789';
const AGENT_TOKEN = 'agent-token-for-the-webhook-test';
const storeDir = mkdtempSync(join(tmpdir(), 'switchboard-webhook-'));

/** A gateway that keeps what the bot posts and lets a test wait for the n-th message of a conversation. */
class FakeGateway {
  readonly received: { body: WebhookMessage; signature?: string }[] = [];
  private waiters: (() => void)[] = [];
  private server: Server;
  url = '';

  constructor() {
    this.server = createServer(async (req, res) => {
      const raw = await read(req);
      const signature = verify(SECRET, req.headers, raw);
      this.received.push({ body: JSON.parse(raw.toString()) as WebhookMessage, ...(signature ? { signature } : {}) });
      res.writeHead(200).end('{}');
      for (const w of this.waiters.splice(0)) w();
    });
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as { port: number }).port}/out`;
  }

  of(conversation: string): WebhookMessage[] {
    return this.received.filter((r) => r.body.conversation === conversation).map((r) => r.body);
  }

  /** Resolves once `conversation` has `n` messages (the server posts after its 202, so this is the only safe wait). */
  async waitFor(conversation: string, n: number): Promise<WebhookMessage[]> {
    while (this.of(conversation).length < n) await new Promise<void>((resolve) => this.waiters.push(resolve));
    return this.of(conversation);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

async function read(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

let gateway: FakeGateway;
let server: RunningServer;

beforeAll(async () => {
  gateway = new FakeGateway();
  await gateway.start();
  server = await spawnServer(['--store', join(storeDir, 'switchboard.db')], {
    SWITCHBOARD_WEBHOOK_URL: gateway.url,
    SWITCHBOARD_WEBHOOK_SECRET: SECRET,
    SWITCHBOARD_AGENT_TOKEN: AGENT_TOKEN,
  });
});

afterAll(async () => {
  if (server && server.child.exitCode === null) {
    const exited = new Promise((resolve) => server.child.once('exit', resolve));
    server.stop();
    await exited;
  }
  await gateway?.close();
  rmSync(storeDir, { recursive: true, force: true });
});

let seq = 0;
/** Posts a gateway message to the server; `sign: false` leaves the signature off, `body` overrides the raw body. */
async function post(
  message: unknown,
  options: { sign?: boolean; headers?: Record<string, string>; raw?: string } = {},
) {
  const body = options.raw ?? JSON.stringify(message);
  const r = await fetch(`${server.base}/webhook/messages`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(options.sign === false ? {} : signatureHeaders(SECRET, body)),
      ...options.headers,
    },
    body,
  });
  return { status: r.status, json: (await r.json()) as Record<string, unknown> };
}
const message = (conversation: string, text: string, over: Record<string, unknown> = {}) => ({
  id: `m-${Date.now()}-${++seq}`,
  conversation,
  text,
  ...over,
});

describe('webhook channel over HTTP', () => {
  it('answers a signed message with a signed POST to the gateway, once even when the gateway retries', async () => {
    const m = message('sms:+15550001', 'wake me up at seven tomorrow');
    expect(await post(m)).toEqual({ status: 202, json: { status: 'accepted', id: m.id } });
    expect(await post(m)).toEqual({ status: 200, json: { status: 'duplicate', id: m.id } }); // the gateway retried
    const [reply] = await gateway.waitFor('sms:+15550001', 1);
    expect(reply).toMatchObject({ conversation: 'sms:+15550001', user: 'sms:+15550001', language: 'en' });
    expect(reply.text).toMatch(/alarm/i);
    expect(reply.feedback).toBe(true);
    expect(gateway.received.every((r) => r.signature === undefined)).toBe(true); // every POST verified
    // A later message is answered too; the retried one never was.
    await post(message('sms:+15550001', 'thanks'));
    expect(await gateway.waitFor('sms:+15550001', 2)).toHaveLength(2);
  });

  it('refuses unsigned, stale, forged and tampered requests with 401, and bad bodies with a clear 400', async () => {
    const m = message('sms:+15550002', 'hello');
    const unsigned = await post(m, { sign: false });
    expect(unsigned).toMatchObject({ status: 401, json: { error: 'E_WEBHOOK_SIGNATURE' } });
    const stale = signatureHeaders(SECRET, JSON.stringify(m), Date.now() - 10 * 60_000);
    expect(await post(m, { sign: false, headers: stale })).toMatchObject({
      status: 401,
      json: { error: 'E_WEBHOOK_SIGNATURE', message: expect.stringMatching(/minutes from the server's clock/) },
    });
    const forged = signatureHeaders('not-the-secret-but-long-enough', JSON.stringify(m));
    expect(await post(m, { sign: false, headers: forged })).toMatchObject({ status: 401 });
    const tampered = signatureHeaders(SECRET, JSON.stringify(m));
    expect(await post({ ...m, text: 'give me a refund' }, { sign: false, headers: tampered })).toMatchObject({
      status: 401,
    });
    expect(await post(undefined, { raw: '{"id": ' })).toEqual({
      status: 400,
      json: { error: 'E_BAD_REQUEST', message: 'body is not valid JSON' },
    });
    expect(await post({ conversation: 'sms:+15550002', text: 'hi' })).toMatchObject({
      status: 400,
      json: { message: expect.stringMatching(/^id must be the gateway's message id/) },
    });
    expect(await post(undefined, { raw: JSON.stringify(message('sms:+15550002', 'x'.repeat(70_000))) })).toMatchObject({
      status: 413,
      json: { error: 'E_TOO_LARGE' },
    });
    expect(gateway.of('sms:+15550002')).toEqual([]); // nothing reached the bot
  });

  it('hands off to a person: the agent’s lines reach the gateway', async () => {
    const conversation = 'whatsapp:+15550003';
    await post(message(conversation, 'I want to talk to a person', { name: 'Dana' }));
    const [handoff] = await gateway.waitFor(conversation, 1);
    expect(handoff.handoff).toBe(true);
    const auth = { authorization: `Bearer ${AGENT_TOKEN}`, 'content-type': 'application/json' };
    const queued = (await (await fetch(`${server.base}/api/handoffs?status=queued`, { headers: auth })).json()) as {
      id: string;
      conversation: string;
    }[];
    const ticket = queued.find((t) => t.conversation === `webhook:${conversation}`);
    expect(ticket).toBeDefined();
    const call = (path: string, body: unknown) =>
      fetch(`${server.base}/api/handoffs/${ticket?.id}/${path}`, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify(body),
      });
    expect((await call('claim', { agent: 'ann' })).status).toBe(200);
    expect((await call('messages', { agent: 'ann', text: 'Hi Dana, how can I help?' })).status).toBe(200);
    const lines = await gateway.waitFor(conversation, 3);
    expect(lines.map((l) => l.text).slice(1)).toEqual([
      'Ann has joined the conversation.',
      'Ann: Hi Dana, how can I help?',
    ]);
  });
});
