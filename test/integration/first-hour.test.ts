import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, haveChromium, launchChromium } from '../fixtures/chromium.ts';
import { type RunningServer, spawnServer } from '../fixtures/spawn-server.ts';
import { WAIT_MS } from '../fixtures/wait.ts';

// The first hour, walked as people do it (issue 18), in headless Chromium against `switchboard start` with the demo
// bot and nothing configured: a customer greets, gets an answer, asks for a person, can leave the queue, asks again;
// the agent signs in with the link the server printed, claims, replies (the customer sees the agent's name), reads
// the customer, resolves; the customer is back with the bot, thanks it and says goodbye. In English and in German,
// each customer in a browser of their own. Skipped, saying so, without Chromium.
if (!haveChromium) console.warn(`first-hour walk skipped: no Chromium at ${CHROMIUM}`);

const dir = mkdtempSync(join(tmpdir(), 'switchboard-first-hour-'));
let server: RunningServer | undefined;
let base = '';
const browsers: BrowserContext[] = [];
let agent: Page;

beforeAll(async () => {
  if (!haveChromium) return;
  server = await spawnServer(['--store', join(dir, 'switchboard.db')]);
  base = server.base;
  // The agent signs in with the one-time link `start` printed for Ann (no password, no token typed anywhere).
  const printed = () => server?.output().match(/sign-in link for agent ann[^\n]*(\/agents#signin=[\w-]+)\n/)?.[1];
  while (!printed()) await new Promise((r) => setTimeout(r, 50)); // printed right after "listening"
  const link = printed() as string;
  const desk = await launchChromium(join(dir, 'agent'));
  browsers.push(desk);
  agent = await desk.newPage();
  await agent.goto(`${base}${link}`);
  await agent.locator('#me', { hasText: 'Signed in as Ann' }).waitFor({ timeout: WAIT_MS });
}, 180_000);

afterAll(async () => {
  for (const b of browsers) await b.close();
  server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** The newest line the customer sees from the bot, an agent, or the handoff notices. */
const lastLine = (page: Page) => page.locator('.msg.bot, .msg.agent, .msg.handoff').last().textContent();

async function say(page: Page, text: string, expected: RegExp): Promise<void> {
  await page.fill('#text', text);
  await page.press('#text', 'Enter');
  await expect.poll(() => lastLine(page), { timeout: WAIT_MS }).toMatch(expected);
}

interface Walk {
  language: string;
  hello: string;
  greeting: RegExp;
  question: string;
  answer: RegExp;
  person: string;
  queued: RegExp;
  cancel?: [string, RegExp];
  claimed: RegExp;
  line: string;
  closing: RegExp;
  thanks: [string, RegExp];
  bye: [string, RegExp];
}

const walks: Walk[] = [
  {
    language: 'English',
    hello: 'Hello',
    greeting: /^Hello! I can help/,
    question: 'wake me up at 7 tomorrow',
    answer: /Alarms are set in the app/,
    person: 'I want to talk to a person',
    queued: /Write 'cancel' to go back to the bot/,
    cancel: ['never mind', /you have left the queue/],
    claimed: /Ann has joined the conversation/,
    line: 'my order never arrived',
    closing: /I am back/,
    thanks: ['thanks!', /You're welcome/],
    bye: ['bye', /Goodbye/],
  },
  {
    language: 'German',
    hello: 'Hallo',
    greeting: /^Hallo! Ich helfe/,
    question: 'Weck mich morgen um 7 Uhr',
    answer: /Wecker stellen Sie in der App ein/,
    person: 'Ich möchte mit einem Menschen sprechen',
    queued: /Schreiben Sie „abbrechen“/,
    claimed: /Ann ist dem Gespräch beigetreten/,
    line: 'meine Bestellung ist nie angekommen',
    closing: /Ich bin wieder da/,
    thanks: ['Danke schön', /Gern geschehen/],
    bye: ['Tschüss', /Auf Wiedersehen/],
  },
];

describe.skipIf(!haveChromium)('the first hour', () => {
  it.each(walks)('a customer writing in $language, the bot, and an agent who signs in', async (w) => {
    const browser = await launchChromium(join(dir, `customer-${w.language}`));
    browsers.push(browser);
    const customer = await browser.newPage();
    await customer.goto(`${base}/`);
    await expect.poll(() => customer.textContent('#botname'), { timeout: WAIT_MS }).toBe('switchboard demo');

    // Greeted and answered by the bot, in the customer's language (the browser says en-US: only a hint).
    await say(customer, w.hello, w.greeting);
    await say(customer, w.question, w.answer);

    // A person: the customer is queued, told how to leave, and can.
    await say(customer, w.person, w.queued);
    if (w.cancel) {
      await say(customer, w.cancel[0], w.cancel[1]);
      await say(customer, w.question, w.answer);
      await say(customer, w.person, w.queued);
    }

    // The agent sees a visitor (never a raw id), claims it — the claim is Ann's — and replies.
    const card = agent.locator('#queued .ticket').first();
    await card.waitFor({ timeout: WAIT_MS });
    expect(await card.locator('.who').textContent()).toMatch(/^Visitor [0-9A-F]{4}$/);
    await card.click();
    await agent.click('#claim');
    await expect.poll(() => lastLine(customer), { timeout: WAIT_MS }).toMatch(w.claimed);
    await agent.fill('#reply #text', 'Hi, this is Ann. How can I help?');
    await agent.press('#reply #text', 'Enter');
    const fromAnn = customer.locator('.msg.agent').last();
    await fromAnn.waitFor({ timeout: WAIT_MS });
    expect(await fromAnn.locator('.who').textContent()).toBe('Ann');
    expect(await fromAnn.textContent()).toMatch(/Hi, this is Ann/);
    // The agent's line looks unlike the bot's.
    const colour = (sel: string) =>
      customer
        .locator(sel)
        .last()
        .evaluate((e) => getComputedStyle(e).backgroundColor);
    expect(await colour('.msg.agent')).not.toBe(await colour('.msg.bot'));

    // What the customer writes now reaches Ann, not the bot.
    await customer.fill('#text', w.line);
    await customer.press('#text', 'Enter');
    await agent.locator('#transcript .line.customer', { hasText: w.line }).waitFor({ timeout: WAIT_MS });

    // Resolved: the customer is back with the bot, which answers, thanks and says goodbye.
    await agent.click('#resolve');
    await expect.poll(() => lastLine(customer), { timeout: WAIT_MS }).toMatch(w.closing);
    await say(customer, w.question, w.answer);
    await say(customer, ...w.thanks);
    await say(customer, ...w.bye);

    // A reload keeps the whole conversation.
    const before = await customer.locator('.msg').count();
    await customer.reload();
    await expect.poll(() => customer.locator('.msg').count(), { timeout: WAIT_MS }).toBe(before);
    await customer.close();
  });
});
