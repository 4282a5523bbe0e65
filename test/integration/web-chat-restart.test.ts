import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, haveChromium, launchChromium } from '../fixtures/chromium.ts';
import { type RunningServer, spawnServer } from '../fixtures/spawn-server.ts';

// A server with open web chat streams stops on SIGTERM (the streams used to keep it running forever), and the web chat
// page keeps its conversation across the restart: its EventSource reconnects by itself with the same token (the server
// stores none: any instance, any restart, opens the same conversation). The page part runs in headless Chromium and is
// skipped, with a message, on a machine without it.
if (!haveChromium) console.warn(`chat page restart test skipped: no Chromium at ${CHROMIUM}`);

let server: RunningServer | undefined;
let context: import('playwright-core').BrowserContext;
const profile = mkdtempSync(join(tmpdir(), 'switchboard-chromium-'));
const storeDir = mkdtempSync(join(tmpdir(), 'switchboard-store-'));

/** A loopback port free right now. */
const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });

const stopped = (s: RunningServer) =>
  new Promise<void>((resolve) => {
    s.child.once('exit', () => resolve());
    s.stop();
  });

beforeAll(async () => {
  if (haveChromium) context = await launchChromium(profile);
}, 120_000);

afterAll(async () => {
  await context?.close();
  server?.stop();
  rmSync(profile, { recursive: true, force: true });
  rmSync(storeDir, { recursive: true, force: true });
});

describe('stopping the server', () => {
  it('SIGTERM with a web chat stream open: the server still exits (after a short grace)', async () => {
    const s = await spawnServer(['--store', join(storeDir, 'stop.db')]);
    const { token } = (await (await fetch(`${s.base}/api/chat/conversations`, { method: 'POST' })).json()) as {
      token: string;
    };
    const stream = await fetch(`${s.base}/api/chat/events?token=${token}`);
    await stream.body?.getReader().read(); // ": connected"
    const t0 = Date.now();
    await stopped(s);
    expect(Date.now() - t0).toBeLessThan(15_000);
  }, 60_000);
});

describe.skipIf(!haveChromium)('web chat page', () => {
  it('reconnects with its token after a restart and goes on in the same conversation', async () => {
    const port = String(await freePort());
    const start = () => spawnServer(['--store', join(storeDir, 'switchboard.db')], { PORT: port });
    server = await start();
    const page = await context.newPage();
    await page.goto(`${server.base}/`);
    await page.fill('#text', 'wake me up at 7 tomorrow');
    await page.press('#text', 'Enter');
    await expect.poll(() => page.locator('.msg.bot').last().textContent(), { timeout: 10_000 }).toMatch(/Alarms/);
    const readyState = () => page.evaluate('events.readyState'); // the page's EventSource (a script-level let)
    expect(await readyState()).toBe(1);

    await stopped(server);
    server = await start();
    // EventSource retries by itself (same URL: the same token) until the server is back.
    await expect.poll(readyState, { timeout: 30_000 }).toBe(1);
    await page.fill('#text', 'what is the weather like today');
    await page.press('#text', 'Enter');
    await expect.poll(() => page.locator('.msg.bot').last().textContent(), { timeout: 10_000 }).toMatch(/forecast/);
    expect(await page.locator('.msg.handoff').count()).toBe(0); // no "Something went wrong"
    await page.close();
  }, 120_000);
});
