import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, NGINX, type RunningNginx, runNginx } from '../fixtures/nginx.ts';
import { type RunningServer, spawnServer } from '../fixtures/spawn-server.ts';
import { WAIT_MS } from '../fixtures/wait.ts';

// docs/deploy/nginx-switchboard.conf, the nginx configuration the deploy guide ships, run as written with Debian's
// nginx (only its host-specific lines replaced: ports, certificate, the office network) in front of a real server,
// with TLS. Customers reach the web chat and the channels; the staff paths (agent console, dashboard, playground, NLU
// API, metrics, health) answer only from the office network; the per-customer stream limit sees each customer behind
// the proxy. The "internet" is 127.0.0.2 and 127.0.0.3, the office 127.0.0.1. Skipped without nginx or openssl.
const OPENSSL = ['/usr/bin/openssl', '/bin/openssl'].find((p) => existsSync(p));
const can = NGINX !== undefined && OPENSSL !== undefined;
if (!can) console.warn('deploy nginx test skipped: needs nginx and openssl (apt-get install nginx-light openssl)');

const AGENT_TOKEN = 'deploy-test-agent-token';
const dir = mkdtempSync(join(tmpdir(), 'switchboard-deploy-'));
let server: RunningServer | undefined;
let nginx: RunningNginx | undefined;
let https = 0;
let http = 0;

/** `from` replaced by `to` in `text`, failing loudly when the shipped file no longer has the line. */
function edit(text: string, from: string, to: string): string {
  if (!text.includes(from)) throw new Error(`docs/deploy/nginx-switchboard.conf no longer contains: ${from}`);
  return text.split(from).join(to);
}

interface Reply {
  status: number;
  type: string;
  body: string;
  location?: string;
}

/** One HTTPS request to nginx from `source` (a loopback address standing for a customer or the office). */
function call(source: string, method: string, path: string, body?: string, headers: Record<string, string> = {}) {
  return new Promise<Reply>((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: https, method, path, localAddress: source, rejectUnauthorized: false, headers },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => {
          text += d;
        });
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type'] ?? ''), body: text }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Opens an event stream through nginx from `source`; resolves with its status and a way to read and close it. */
function openStream(source: string, token: string) {
  return new Promise<{ status: number; text: () => string; close: () => void }>((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: https,
        path: `/api/chat/events?token=${token}`,
        localAddress: source,
        rejectUnauthorized: false,
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => {
          text += d;
        });
        res.on('error', () => {});
        resolve({ status: res.statusCode ?? 0, text: () => text, close: () => req.destroy() });
      },
    );
    req.on('error', reject);
    req.end();
  });
}

const newConversation = async (source: string) =>
  (JSON.parse((await call(source, 'POST', '/api/chat/conversations')).body) as { token: string }).token;

beforeAll(async () => {
  if (!can) return;
  server = await spawnServer(['--store', join(dir, 'switchboard.db')], {
    SWITCHBOARD_AGENT_TOKEN: AGENT_TOKEN,
    SWITCHBOARD_TRUSTED_PROXIES: '127.0.0.1',
    SWITCHBOARD_WEB_STREAMS_PER_CLIENT: '2',
  });
  execFileSync(
    OPENSSL as string,
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=localhost',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
    ],
    { stdio: 'ignore' },
  );
  https = await freePort();
  http = await freePort();
  let site = readFileSync('docs/deploy/nginx-switchboard.conf', 'utf8');
  site = edit(site, 'server 127.0.0.1:3978;', `server ${new URL(server.base).host.replace('localhost', '127.0.0.1')};`);
  site = edit(site, 'listen 80;', `listen 127.0.0.1:${http};`);
  site = edit(site, 'listen 443 ssl http2;', `listen 127.0.0.1:${https} ssl http2;`);
  site = edit(site, '/etc/letsencrypt/live/support.example.com/fullchain.pem', join(dir, 'cert.pem'));
  site = edit(site, '/etc/letsencrypt/live/support.example.com/privkey.pem', join(dir, 'key.pem'));
  site = edit(site, '/etc/nginx/switchboard-staff.conf', join(dir, 'staff.conf'));
  writeFileSync(join(dir, 'site.conf'), site);
  writeFileSync(
    join(dir, 'staff.conf'),
    edit(readFileSync('docs/deploy/switchboard-staff.conf', 'utf8'), 'allow 10.0.0.0/8;', 'allow 127.0.0.1;'),
  );
  nginx = await runNginx(() => `  include ${dir}/site.conf;`, `http://127.0.0.1:${http}`);
}, 180_000);

afterAll(async () => {
  await nginx?.stop();
  server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!can)('docs/deploy/nginx-switchboard.conf with Debian nginx', () => {
  it('plain HTTP is redirected to HTTPS', async () => {
    const r = await new Promise<Reply>((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port: http, path: '/', localAddress: '127.0.0.2' }, (res) => {
        res.resume();
        resolve({ status: res.statusCode ?? 0, type: '', body: '', location: String(res.headers.location) });
      });
      req.on('error', reject);
      req.end();
    });
    expect(r.status).toBe(301);
    expect(r.location).toMatch(/^https:\/\//);
  });

  it('a customer on the internet chats: the page, a conversation, an answer over the event stream', async () => {
    const page = await call('127.0.0.2', 'GET', '/');
    expect(page.status).toBe(200);
    expect(page.type).toMatch(/text\/html/);
    const token = await newConversation('127.0.0.2');
    const stream = await openStream('127.0.0.2', token);
    try {
      expect(stream.status).toBe(200);
      const sent = await call(
        '127.0.0.2',
        'POST',
        '/api/chat/messages',
        JSON.stringify({ text: 'wake me up at 7 tomorrow' }),
        { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      );
      expect(sent.status).toBe(200);
      // Unbuffered through nginx: the answer arrives while the stream stays open.
      await expect.poll(() => stream.text(), { timeout: WAIT_MS }).toMatch(/Alarms/);
    } finally {
      stream.close();
    }
  });

  it('the channels reach the server (which checks their credentials), nothing else does', async () => {
    // Slack is not configured here, so the server answers 404 itself (JSON): the path went through.
    const slack = await call('127.0.0.2', 'POST', '/slack/events', '{}', { 'content-type': 'application/json' });
    expect(slack.type).toMatch(/json/);
    // Teams with authentication off refuses anything that came through a proxy (403 from the server, JSON).
    const activity = {
      type: 'message',
      id: 'a1',
      channelId: 'emulator',
      serviceUrl: 'http://127.0.0.1:9/',
      from: { id: 'user-1' },
      recipient: { id: 'bot' },
      conversation: { id: 'conv-1' },
      text: 'hello',
    };
    const teams = await call('127.0.0.2', 'POST', '/api/messages', JSON.stringify(activity), {
      'content-type': 'application/json',
    });
    expect(teams.status).toBe(403);
    expect(teams.type).toMatch(/json/);
    const other = await call('127.0.0.2', 'GET', '/api/chat/../../etc/passwd');
    expect([400, 404]).toContain(other.status);
    const unknown = await call('127.0.0.2', 'GET', '/wp-admin');
    expect(unknown.status).toBe(404);
    expect(unknown.type).not.toMatch(/json/); // nginx's own 404: the server never saw it
  });

  it('staff paths are refused from the internet and served to the office network', async () => {
    const staff: [string, string, string?][] = [
      ['GET', '/agents'],
      ['GET', '/dashboard'],
      ['GET', '/playground'],
      ['GET', '/healthz'],
      ['GET', '/metrics'],
      ['GET', '/api/handoffs'],
      ['GET', '/api/audits'],
      ['GET', '/api/admin/report'],
      ['POST', '/api/nlu/parse', JSON.stringify({ text: 'hello' })],
    ];
    const auth = { authorization: `Bearer ${AGENT_TOKEN}`, 'content-type': 'application/json' };
    for (const [method, path, body] of staff) {
      expect({ path, status: (await call('127.0.0.2', method, path, body, auth)).status }).toEqual({
        path,
        status: 403,
      });
    }
    for (const [method, path] of [
      ['GET', '/agents'],
      ['GET', '/healthz'],
      ['GET', '/api/handoffs'],
    ] as const)
      expect({ path, status: (await call('127.0.0.1', method, path, undefined, auth)).status }).toEqual({
        path,
        status: 200,
      });
    const parse = await call('127.0.0.1', 'POST', '/api/nlu/parse', JSON.stringify({ text: 'hello' }), auth);
    expect(parse.status).toBe(200);
  });

  it('behind the proxy each customer has their own stream limit (SWITCHBOARD_TRUSTED_PROXIES)', async () => {
    const token = await newConversation('127.0.0.2');
    const open = [await openStream('127.0.0.2', token), await openStream('127.0.0.2', token)];
    try {
      expect(open.map((s) => s.status)).toEqual([200, 200]);
      const third = await openStream('127.0.0.2', token);
      third.close();
      expect(third.status).toBe(429);
      // Another customer, same proxy: not affected by the first one's streams.
      const other = await openStream('127.0.0.3', await newConversation('127.0.0.3'));
      other.close();
      expect(other.status).toBe(200);
    } finally {
      for (const s of open) s.close();
    }
  });
});
