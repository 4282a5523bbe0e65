import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, haveChromium, launchChromium, newChatCustomer } from '../fixtures/chromium.ts';
import { type RunningServer, spawnServer } from '../fixtures/spawn-server.ts';
import { WAIT_MS } from '../fixtures/wait.ts';

// The web chat page as a customer uses it (issue 18): the conversation survives a reload, a message written while
// offline is sent when the connection is back, many tabs share one event stream, and the browser's language is only
// a hint. Headless Chromium against the real server with the demo bot; skipped, saying so, without Chromium.
if (!haveChromium) console.warn(`web chat page tests skipped: no Chromium at ${CHROMIUM}`);

let server: RunningServer | undefined;
let base = '';
let context: import('playwright-core').BrowserContext;
const profile = mkdtempSync(join(tmpdir(), 'switchboard-chromium-'));
const storeDir = mkdtempSync(join(tmpdir(), 'switchboard-store-'));

beforeAll(async () => {
  if (!haveChromium) return;
  server = await spawnServer(['--store', join(storeDir, 'switchboard.db')]);
  base = server.base;
  context = await launchChromium(profile);
}, 180_000);

afterAll(async () => {
  await context?.close();
  server?.stop();
  rmSync(profile, { recursive: true, force: true });
  rmSync(storeDir, { recursive: true, force: true });
});

type Page = import('playwright-core').Page;
const lastBot = (page: Page) => page.locator('.msg.bot').last().textContent();
/** The page has read its history and this browser's event stream is open (this tab's, or another tab's). */
const ready = (page: Page) => page.evaluate('caughtUp && (events === undefined || events.readyState === 1)');
/** Runs `use` with a new customer's page and closes it whatever happens (an open tab would keep the stream). */
async function withCustomer(use: (page: Page) => Promise<void>): Promise<void> {
  const page = await newChatCustomer(context, base);
  try {
    await use(page);
  } finally {
    await page.close();
  }
}

describe.skipIf(!haveChromium)('web chat page', () => {
  it('a reload keeps the conversation: its history comes back from the server and it goes on', () =>
    withCustomer(async (page) => {
      const token = () => page.evaluate(() => JSON.parse(localStorage.getItem('switchboard.chat') ?? '{}').token);
      await page.fill('#text', 'wake me up at 7 tomorrow');
      await page.press('#text', 'Enter');
      await expect.poll(() => lastBot(page), { timeout: WAIT_MS }).toMatch(/Alarms/);
      const before = await token();
      await page.reload();
      await expect
        .poll(() => page.locator('.msg').allTextContents(), { timeout: WAIT_MS })
        .toEqual([expect.stringMatching(/wake me up at 7 tomorrow/), expect.stringMatching(/Alarms/)]);
      expect(await token()).toBe(before);
      await page.fill('#text', 'what is the weather like today');
      await page.press('#text', 'Enter');
      await expect.poll(() => lastBot(page), { timeout: WAIT_MS }).toMatch(/forecast/);
      // Each line once: the page's own echo and the server's copy of it are the same message.
      expect(await page.locator('.msg.customer').allTextContents()).toEqual([
        'wake me up at 7 tomorrow',
        'what is the weather like today',
      ]);
    }));

  it('a message written while offline waits, marked as sending, and goes out once the connection is back', () =>
    withCustomer(async (page) => {
      await expect.poll(() => ready(page), { timeout: WAIT_MS }).toBe(true);
      await context.setOffline(true);
      try {
        await page.fill('#text', 'what is the weather like today');
        await page.press('#text', 'Enter');
        const bubble = page.locator('.msg.customer').last();
        await expect.poll(() => bubble.getAttribute('class'), { timeout: WAIT_MS }).toMatch(/pending/);
        await expect.poll(() => page.textContent('#status'), { timeout: WAIT_MS }).toMatch(/offline|reconnecting/i);
        // Still waiting (kept in localStorage, so a reload would not lose it either).
        expect(
          await page.evaluate(() => JSON.parse(localStorage.getItem('switchboard.chat.outbox') ?? '[]').length),
        ).toBe(1);
      } finally {
        await context.setOffline(false);
      }
      await expect.poll(() => lastBot(page), { timeout: WAIT_MS }).toMatch(/forecast/);
      expect(await page.locator('.msg.customer').allTextContents()).toEqual(['what is the weather like today']);
      expect(await page.locator('.msg.customer.pending').count()).toBe(0);
    }));

  it('eight tabs of one conversation share one event stream, and every tab shows every line', async () => {
    const first = await newChatCustomer(context, base);
    await expect.poll(() => first.evaluate('events?.readyState'), { timeout: WAIT_MS }).toBe(1);
    const streams: string[] = [];
    context.on('request', (r) => {
      if (r.url().includes('/api/chat/events')) streams.push(r.url());
    });
    const tabs = [first];
    try {
      for (let i = 1; i < 8; i++) {
        const tab = await context.newPage();
        await tab.goto(`${base}/`);
        tabs.push(tab);
      }
      const last = tabs[7];
      await last.fill('#text', 'wake me up at 7 tomorrow');
      await last.press('#text', 'Enter');
      for (const tab of tabs) await expect.poll(() => lastBot(tab), { timeout: WAIT_MS }).toMatch(/Alarms/);
      for (const tab of tabs)
        expect(await tab.locator('.msg.customer').allTextContents()).toEqual(['wake me up at 7 tomorrow']);
      expect(streams).toEqual([]); // the first tab's stream serves all eight
      // The tab holding the stream closes: another takes over and the conversation goes on.
      await first.close();
      await expect.poll(() => streams.length, { timeout: WAIT_MS }).toBe(1);
      await last.fill('#text', 'what is the weather like today');
      await last.press('#text', 'Enter');
      for (const tab of tabs.slice(1)) await expect.poll(() => lastBot(tab), { timeout: WAIT_MS }).toMatch(/forecast/);
    } finally {
      for (const tab of tabs) if (!tab.isClosed()) await tab.close();
    }
  });

  it('the browser language is a hint only: "Hallo" from an en-US browser is answered in German', () =>
    withCustomer(async (page) => {
      expect(await page.evaluate(() => navigator.language)).toMatch(/^en/);
      await page.fill('#text', 'Hallo');
      await page.press('#text', 'Enter');
      await expect
        .poll(() => page.locator('.msg.bot, .msg.handoff').last().textContent(), { timeout: WAIT_MS })
        .toMatch(/Hallo!|Ich verbinde Sie/);
    }));
});
