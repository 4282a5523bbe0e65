import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { webhookChannel } from '../../../../src/adapters/webhook/mount-webhook.ts';
import { readWebhookEnv } from '../../../../src/adapters/webhook/webhook-env.ts';
import { WebhookSender } from '../../../../src/adapters/webhook/webhook-sender.ts';
import {
  SIGNATURE_HEADER,
  sign,
  signatureHeaders,
  TIMESTAMP_HEADER,
  verify,
} from '../../../../src/adapters/webhook/webhook-signature.ts';
import { webhookToTurn } from '../../../../src/adapters/webhook/webhook-to-turn.ts';

const SECRET = 'a-secret-of-at-least-16-bytes';
const NOW = 1_712_000_000_000;

describe('webhook signature', () => {
  const body = Buffer.from('{"id":"m1"}');
  const headers = signatureHeaders(SECRET, body.toString(), NOW);

  it('accepts its own signature within five minutes, from either side of the clock', () => {
    expect(verify(SECRET, headers, body, NOW)).toBeUndefined();
    expect(verify(SECRET, headers, body, NOW + 299_000)).toBeUndefined();
    expect(verify(SECRET, headers, body, NOW - 299_000)).toBeUndefined();
  });

  it('refuses a missing, stale, wrong or tampered signature, saying why', () => {
    expect(verify(SECRET, {}, body, NOW)).toMatch(/are required/);
    expect(verify(SECRET, headers, body, NOW + 301_000)).toMatch(/more than 5 minutes/);
    expect(verify(SECRET, { ...headers, [TIMESTAMP_HEADER]: 'soon' }, body, NOW)).toMatch(/Unix seconds/);
    expect(verify('another-secret-of-16-bytes', headers, body, NOW)).toBe('signature does not match');
    expect(verify(SECRET, headers, Buffer.from('{"id":"m2"}'), NOW)).toBe('signature does not match');
    expect(verify(SECRET, { ...headers, [SIGNATURE_HEADER]: 'v1=00' }, body, NOW)).toBe('signature does not match');
  });

  it('is HMAC-SHA256 over "v1:<timestamp>:<body>" (what a gateway computes)', () => {
    // Computed independently: printf 'v1:1712000000:{"id":"m1"}' | openssl dgst -sha256 -hmac "$SECRET"
    expect(sign(SECRET, 1_712_000_000, body)).toBe(
      'v1=1946d4fdf0f36c382fe901c0723f6819920796bb7d65cf15ff509505780b80db',
    );
    expect(headers[TIMESTAMP_HEADER]).toBe('1712000000');
    expect(headers[SIGNATURE_HEADER]).toBe(sign(SECRET, 1_712_000_000, body));
  });
});

describe('webhookToTurn', () => {
  it('maps a message to a turn of its own conversation, and a button to an action', () => {
    const r = webhookToTurn(
      { id: 'wamid.1', conversation: 'whatsapp:+4915112345678', text: 'Hallo', locale: 'de-DE', name: ' Anna ' },
      NOW,
    );
    expect(r).toEqual({
      kind: 'turn',
      turn: {
        id: 'wamid.1',
        channel: 'webhook',
        conversation: 'webhook:whatsapp:+4915112345678',
        user: 'whatsapp:+4915112345678',
        text: 'Hallo',
        locale: 'de-DE',
        receivedAt: NOW,
      },
      address: { conversation: 'whatsapp:+4915112345678', user: 'whatsapp:+4915112345678', name: 'Anna' },
    });
    // Agents' cards show the name the gateway sent.
    expect(r.kind === 'turn' && webhookChannel.customerName?.(r.address)).toBe('Anna');
    const button = webhookToTurn({ id: 'm2', conversation: 'sms:1', user: 'u1', action: { kind: 'human' } }, NOW);
    expect(button).toMatchObject({ kind: 'turn', turn: { text: '', action: { kind: 'human' }, user: 'u1' } });
  });

  it('says what is wrong with a bad body', () => {
    const bad = (body: unknown) => {
      const r = webhookToTurn(body, NOW);
      return r.kind === 'error' ? r.message : 'accepted';
    };
    expect(bad([])).toBe('body must be a JSON object');
    expect(bad({ conversation: 'c', text: 'x' })).toMatch(/^id must be/);
    expect(bad({ id: 'm', conversation: 'a b', text: 'x' })).toMatch(/^conversation must be an id/);
    expect(bad({ id: 'm', conversation: 'c', text: 'x', user: '' })).toMatch(/^user must be an id/);
    expect(bad({ id: 'm', conversation: 'c' })).toBe('text must be a string (or give an action)');
    expect(bad({ id: 'm', conversation: 'c', text: '  ' })).toBe('text must not be empty');
    expect(bad({ id: 'm', conversation: 'c', action: { kind: 'dance' } })).toMatch(/^action must be/);
    expect(bad({ id: 'm', conversation: 'c', text: 'x', locale: 'not a locale' })).toMatch(/^locale must be/);
    expect(bad({ id: 'm', conversation: 'c', text: 'x', name: 7 })).toMatch(/^name must be/);
    expect(bad({ id: 'x'.repeat(201), conversation: 'c', text: 'x' })).toMatch(/^id must be/);
  });
});

describe('webhook environment', () => {
  it('is off without a URL, and needs a secret of 16+ characters with one (unless explicitly unsigned)', () => {
    expect(readWebhookEnv({})).toEqual({ url: undefined, secret: undefined, unsigned: false });
    expect(() => readWebhookEnv({ SWITCHBOARD_WEBHOOK_URL: 'http://127.0.0.1:9/out' })).toThrow(
      /SWITCHBOARD_WEBHOOK_SECRET: required when SWITCHBOARD_WEBHOOK_URL is set/,
    );
    expect(() =>
      readWebhookEnv({ SWITCHBOARD_WEBHOOK_URL: 'http://x/out', SWITCHBOARD_WEBHOOK_SECRET: 'short' }),
    ).toThrow(/SWITCHBOARD_WEBHOOK_SECRET: must be at least 16 characters/);
    expect(() => readWebhookEnv({ SWITCHBOARD_WEBHOOK_URL: 'gateway.example' })).toThrow(/SWITCHBOARD_WEBHOOK_URL/);
    expect(() =>
      readWebhookEnv({ SWITCHBOARD_WEBHOOK_URL: 'http://[bad', SWITCHBOARD_WEBHOOK_SECRET: SECRET }),
    ).toThrow(/SWITCHBOARD_WEBHOOK_URL: must be an http\(s\) URL/);
    expect(readWebhookEnv({ SWITCHBOARD_WEBHOOK_URL: 'http://x/out', SWITCHBOARD_WEBHOOK_UNSIGNED: '1' })).toEqual({
      url: 'http://x/out',
      secret: undefined,
      unsigned: true,
    });
  });
});

describe('WebhookSender', () => {
  it('never follows a redirect: the reply goes to the configured URL or the send fails', async () => {
    const hits: string[] = [];
    const server = createServer((req, res) => {
      hits.push(req.url ?? '');
      req.resume();
      if (req.url === '/out') res.writeHead(307, { location: '/elsewhere' }).end();
      else res.writeHead(200).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    try {
      const sender = new WebhookSender(`http://127.0.0.1:${port}/out`, SECRET);
      await expect(
        sender.send({ conversation: 'sms:+1', user: '+1' }, { reply: { text: 'hi', language: 'en' } } as never),
      ).rejects.toThrow(/webhook POST failed/);
      expect(hits).toEqual(['/out']);
    } finally {
      server.close();
    }
  });
});
