/**
 * The database goes down mid-run (PostgreSQL behind a proxy the test cuts): turns go to the durable spool, /healthz
 * turns red, and when the database is back the spooled turn is answered — none lost. Runs when TEST_DATABASE_URL is set.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dbCutDrill } from '../fixtures/db-cut.ts';
import { type RunningServer, spawnServer } from '../fixtures/spawn-server.ts';
import { TcpProxy } from '../fixtures/tcp-proxy.ts';
import { freshPostgresSchema, TEST_DATABASE_URL } from '../fixtures/test-databases.ts';
import { WAIT_MS } from '../fixtures/wait.ts';
import { WebChatClient } from '../fixtures/web-chat-client.ts';

const dir = mkdtempSync(join(tmpdir(), 'switchboard-outage-'));
let server: RunningServer | undefined;
let cleanup: (() => Promise<void>) | undefined;
afterAll(async () => {
  server?.stop();
  await cleanup?.();
  rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!TEST_DATABASE_URL)('database outage', () => {
  it('spools turns while PostgreSQL is down and answers them when it is back', async () => {
    const schema = await freshPostgresSchema(TEST_DATABASE_URL as string);
    const target = new URL(TEST_DATABASE_URL as string);
    const proxy = new TcpProxy(target.hostname, Number(target.port || 5432));
    await proxy.listen();
    cleanup = async () => {
      await proxy.close();
      await schema.drop();
    };
    const viaProxy = new URL(schema.url);
    viaProxy.host = `127.0.0.1:${proxy.port}`;
    server = await spawnServer(['--store', join(dir, 'unused.db')], {
      DATABASE_URL: viaProxy.toString(),
      SWITCHBOARD_AGENT_TOKEN: 'outage-agent',
    });
    const base = server.base;
    const health = async () => {
      const r = await fetch(`${base}/healthz`);
      return { status: r.status, body: (await r.json()) as Record<string, unknown> };
    };
    expect((await health()).body).toMatchObject({ ok: true, database: 'up', spooled_turns: 0 });

    const customer = new WebChatClient(base, 'outage');
    await customer.connect();
    await customer.say('wake me up at 7 tomorrow');
    await customer.waitFor((e) => /Alarms/.test(e.text));

    proxy.cut();
    const r = await customer.say('what is the weather like today');
    expect(await r.json()).toMatchObject({ status: 'spooled' });
    const red = await health();
    expect(red.status).toBe(503);
    expect(red.body).toMatchObject({ ok: false, database: 'down', spooled_turns: 1 });
    // The agent API says the database is down (503) rather than failing vaguely.
    const agents = await fetch(`${base}/api/handoffs?status=queued`, {
      headers: { authorization: 'Bearer outage-agent' },
    });
    expect(agents.status).toBe(503);
    expect(((await agents.json()) as { error: string }).error).toBe('E_STORE_UNAVAILABLE');

    proxy.restore();
    await customer.waitFor((e) => /forecast/.test(e.text), WAIT_MS);
    await expect.poll(async () => (await health()).status, { timeout: 10_000 }).toBe(200);
    expect(customer.events.filter((e) => /forecast/.test(e.text))).toHaveLength(1);
  }, 60_000);

  it('a cut in the middle of a burst of answers and handoffs: no crash, every message answered exactly once', async () => {
    const r = await dbCutDrill({
      databaseUrl: TEST_DATABASE_URL as string,
      storeDir: dir,
      messages: 30,
      customers: 6,
      cutMs: 3000,
    });
    expect(r).toMatchObject({ crashed: false, lost: 0, duplicated: 0 });
    expect(r.acknowledged).toBe(r.messages);
    expect(r.once).toBe(r.messages);
  }, 150_000);
});

describe('database unreachable at startup', () => {
  it('the server refuses to start and says which database (without its password)', async () => {
    const started = spawnServer(['--store', join(dir, 'x.db')], {
      DATABASE_URL: 'postgres://postgres:s3cret@127.0.0.1:1/test',
    });
    const error = await started.then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error?.message).toMatch(/cannot reach PostgreSQL at postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:1\/test/);
    expect(error?.message).not.toContain('s3cret');
  });
});
