/**
 * `npx tsx bench/dev/screenshot-pages.ts`: starts the server with the demo config and writes README screenshots of
 * the playground and the web chat to docs/images/ (needs Debian chromium).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { spawnServer } from '../../test/fixtures/spawn-server.ts';

const server = await spawnServer(['--store', ':memory:']);
const base = server.base;
const context = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'shots-')), {
  executablePath: '/usr/lib/chromium/chromium',
  headless: true,
  viewport: { width: 1000, height: 760 },
  args: ['--no-sandbox', '--disable-gpu'],
});
const page = await context.newPage();
await page.goto(`${base}/playground`);
await page.fill('#text', 'Hi, this is John Smith: wake me up at 7 tomorrow and email me at john@example.com');
await page.click('button');
await page.locator('#result').waitFor({ state: 'visible' });
await page.screenshot({ path: 'docs/images/playground.png', fullPage: true });
await page.goto(`${base}/`);
for (const text of ['¿qué tiempo hace mañana en Sevilla?', 'my parcel arrived broken, I want a refund']) {
  await page.fill('#text', text);
  await page.press('#text', 'Enter');
  await page.waitForTimeout(800);
}
await page.screenshot({ path: 'docs/images/web-chat.png' });
await context.close();
server.stop();
console.log('wrote docs/images/playground.png and docs/images/web-chat.png');
