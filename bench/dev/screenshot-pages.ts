/**
 * `npx tsx bench/dev/screenshot-pages.ts`: starts the server with the demo config and writes the README screenshots to
 * docs/images/: the playground, the web chat (greeting, an answer, a handoff, the agent's reply) and the agent console
 * (needs Debian chromium).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchChromium } from '../../test/fixtures/chromium.ts';
import { spawnServer } from '../../test/fixtures/spawn-server.ts';
import { untilRuleEntitiesReady } from '../../test/fixtures/wait.ts';

const dir = mkdtempSync(join(tmpdir(), 'shots-'));
const server = await spawnServer(['--store', join(dir, 'shots.db')]);
const base = server.base;
await untilRuleEntitiesReady(base); // the playground shows every entity: after the warm-up
const link = async () => {
  for (;;) {
    const m = server.output().match(/sign-in link for agent ann[^\n]*(\/agents#signin=[\w-]+)\n/);
    if (m) return m[1];
    await new Promise((r) => setTimeout(r, 50));
  }
};
const context = await launchChromium(join(dir, 'profile'), { width: 1000, height: 760 });
const page = await context.newPage();
await page.goto(`${base}/playground`);
await page.fill('#text', 'Hi, this is John Smith: wake me up at 7 tomorrow and email me at john@example.com');
await page.click('button');
await page.locator('#result').waitFor({ state: 'visible' });
await page.screenshot({ path: 'docs/images/playground.png', fullPage: true });

const customer = await context.newPage();
await customer.goto(`${base}/`);
const replies = () => customer.locator('.msg.bot, .msg.agent, .msg.handoff').count();
const say = async (text: string) => {
  const before = await replies();
  await customer.fill('#text', text);
  await customer.press('#text', 'Enter');
  while ((await replies()) <= before) await customer.waitForTimeout(50);
};
await say('Hola');
await say('¿qué tiempo hace mañana en Sevilla?');
await say('my parcel arrived broken, I want to talk to a person');

const agent = await (await launchChromium(join(dir, 'agent'), { width: 1000, height: 760 })).newPage();
await agent.goto(`${base}${await link()}`);
await agent.locator('#queued .ticket').first().click();
await agent.click('#claim');
await agent.fill('#reply #text', 'Hi, I am Ann. Sorry about the parcel: could you send me the order number?');
await agent.press('#reply #text', 'Enter');
await customer.locator('.msg.agent').waitFor();
// To the agent now, not the bot: no reply to wait for.
await customer.fill('#text', 'Sure, it is 5521');
await customer.press('#text', 'Enter');
await agent.locator('#transcript .line.customer', { hasText: '5521' }).waitFor();
await customer.screenshot({ path: 'docs/images/web-chat.png' });
await agent.screenshot({ path: 'docs/images/agent-console.png' });
await agent.context().close();
await context.close();
server.stop();
console.log('wrote docs/images/playground.png, web-chat.png and agent-console.png');
