import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../src/util/password-hash.ts';
import { CHROMIUM, haveChromium, launchChromium, newChatCustomer } from '../fixtures/chromium.ts';
import { writeDemoConfig } from '../fixtures/demo-config-copy.ts';
import { type RunningServer, spawnServer } from '../fixtures/spawn-server.ts';
import { RULE_WARM_UP_MS, untilRuleEntitiesReady, WAIT_MS } from '../fixtures/wait.ts';

// The web chat and playground pages in headless Chromium (Debian `chromium` + playwright-core), against the real
// server with the demo config. Skipped, with a message, on a machine without Chromium.
if (!haveChromium) console.warn(`page tests skipped: no Chromium at ${CHROMIUM} (apt-get install chromium)`);

let server: RunningServer | undefined;
let base = '';
let context: import('playwright-core').BrowserContext;
const profile = mkdtempSync(join(tmpdir(), 'switchboard-chromium-'));
const storeDir = mkdtempSync(join(tmpdir(), 'switchboard-store-'));
const TOKEN = 'page-test-agent-token';
const ANN_PASSWORD = 'ann page password';

beforeAll(async () => {
  if (!haveChromium) return;
  // The demo bot with every automated answer sampled for audit (the audit panel has something to show).
  const config = writeDemoConfig(storeDir, 'measurement:\n  audit_sample: 1');
  server = await spawnServer(['--store', join(storeDir, 'switchboard.db'), '--config', config], {
    SWITCHBOARD_AGENT_TOKEN: TOKEN,
    SWITCHBOARD_AGENT_PASSWORD_HASHES: `ann=${await hashPassword(ANN_PASSWORD)}`,
  });
  base = server.base;
  // The playground waits for every entity: let the rule recognizers' thread finish its warm-up first.
  await untilRuleEntitiesReady(base);
  context = await launchChromium(profile);
}, RULE_WARM_UP_MS);

afterAll(async () => {
  await context?.close();
  server?.stop();
  rmSync(profile, { recursive: true, force: true });
  rmSync(storeDir, { recursive: true, force: true });
});

describe.skipIf(!haveChromium)('pages', () => {
  it('agent console: sign in (a wrong password is refused), empty states say what to do, claims are the agent’s', async () => {
    const agent = await context.newPage();
    await agent.goto(`${base}/agents`);
    await agent.locator('#signin').waitFor({ state: 'visible', timeout: WAIT_MS });
    expect(await agent.locator('#console').isVisible()).toBe(false);
    expect(await agent.textContent('#signin-help')).toMatch(/hash-password/);
    await agent.fill('#signin-agent', 'ann');
    await agent.fill('#signin-password', 'not the password');
    await agent.click('#signin-form button');
    await expect
      .poll(() => agent.textContent('#signin-error'), { timeout: WAIT_MS })
      .toMatch(/wrong agent id or password/);
    await agent.fill('#signin-password', ANN_PASSWORD);
    await agent.click('#signin-form button');
    await expect.poll(() => agent.textContent('#me'), { timeout: WAIT_MS }).toMatch(/Signed in as Ann \(ann\)/);
    await expect.poll(() => agent.textContent('#status'), { timeout: WAIT_MS }).toBe('live');
    // Nothing yet: each list says what will appear there, and how.
    expect(await agent.textContent('#queued')).toMatch(/No customer is waiting/);
    expect(await agent.textContent('#claimed')).toMatch(/Claim/);
    await expect.poll(() => agent.textContent('#audits'), { timeout: WAIT_MS }).toMatch(/Nothing to audit/);

    const customer = await context.newPage();
    await customer.goto(`${base}/`);
    await customer.fill('#text', 'I want to talk to a human');
    await customer.press('#text', 'Enter');
    await customer.locator('.msg.handoff').first().waitFor({ timeout: WAIT_MS });
    const card = agent.locator('#queued .ticket').first();
    await card.waitFor({ timeout: WAIT_MS });
    // A web customer by a display name, never a raw id; a ticket a second old is not "waiting long".
    expect(await card.locator('.who').textContent()).toMatch(/^Visitor [0-9A-F]{4}$/);
    const badge = card.locator('.badge.alert');
    expect(await badge.count()).toBe(1);
    expect(await badge.isVisible()).toBe(false);
    expect(await badge.evaluate((e) => getComputedStyle(e).display)).toBe('none');
    // No agent id to type: the claim is the signed-in agent's.
    await card.click();
    await agent.click('#claim');
    await expect
      .poll(() => customer.locator('.msg.bot').last().textContent(), { timeout: WAIT_MS })
      .toMatch(/Ann has joined/);
    const claimed = (await (
      await fetch(`${base}/api/handoffs?status=claimed`, { headers: { authorization: `Bearer ${TOKEN}` } })
    ).json()) as { agent: string }[];
    expect(claimed.map((t) => t.agent)).toEqual(['ann']);
    await agent.click('#resolve');
    await expect
      .poll(() => customer.locator('.msg.bot').last().textContent(), { timeout: WAIT_MS })
      .toMatch(/I am back/);

    // An automated answer is sampled for audit: its card's controls stay inside the card.
    await customer.fill('#text', 'wake me up at 7 tomorrow');
    await customer.press('#text', 'Enter');
    await expect.poll(() => customer.locator('.msg.bot').last().textContent(), { timeout: WAIT_MS }).toMatch(/Alarms/);
    await agent.reload(); // the session survives a reload
    await expect.poll(() => agent.textContent('#me'), { timeout: WAIT_MS }).toMatch(/Signed in as Ann/);
    // … and a closed tab: a new one is still Ann's (the one-time link cannot be used twice).
    const another = await context.newPage();
    await another.goto(`${base}/agents`);
    await expect.poll(() => another.textContent('#me'), { timeout: WAIT_MS }).toMatch(/Signed in as Ann/);
    await another.close();
    const audit = agent.locator('#audits .audit').first();
    await audit.waitFor({ timeout: WAIT_MS });
    const box = await audit.boundingBox();
    for (const part of ['.ok', '.bad', '.right']) {
      const b = await audit.locator(part).boundingBox();
      expect(b && box && b.x + b.width <= box.x + box.width + 0.5).toBe(true);
    }
    await audit.locator('.ok').click();
    // The verdict is the signed-in agent's.
    const audited = async () =>
      (
        (await (
          await fetch(`${base}/api/audits?status=done`, { headers: { authorization: `Bearer ${TOKEN}` } })
        ).json()) as { audit?: string; audit_agent?: string; audit_intent?: string }[]
      ).map((t) => `${t.audit} by ${t.audit_agent}${t.audit_intent ? ` (${t.audit_intent})` : ''}`);
    await expect.poll(audited, { timeout: WAIT_MS }).toContain('correct by ann');
    // A mis-click is corrected with one click: the verdict just given can be changed.
    const change = agent.locator('#audits .last-audit .change');
    await expect.poll(() => change.textContent(), { timeout: WAIT_MS }).toBe('Change to wrong');
    await agent.fill('#audits .last-audit .right', 'alarm_query');
    await change.click();
    await expect.poll(audited, { timeout: WAIT_MS }).toContain('wrong by ann (alarm_query)');
    expect(await audited()).not.toContain('correct by ann');
    await expect.poll(() => change.textContent(), { timeout: WAIT_MS }).toBe('Change to correct');
    await customer.close();
    await agent.close();
  });

  it('web chat: the bot answers, and hands over when asked for a person', async () => {
    const page = await newChatCustomer(context, base);
    await page.fill('#text', 'wake me up at 7 tomorrow');
    await page.press('#text', 'Enter');
    await expect.poll(() => page.locator('.msg.bot').last().textContent(), { timeout: WAIT_MS }).toMatch(/Alarms/);
    await page.fill('#text', 'I want to talk to a human');
    await page.press('#text', 'Enter');
    const notice = page.locator('.msg.handoff');
    await notice.waitFor({ timeout: WAIT_MS });
    expect(await notice.getAttribute('data-handoff')).toBe('true');
    expect(await notice.textContent()).toMatch(/colleague/);
    expect(await notice.textContent()).toMatch(/number \d+ in the queue/);
    await page.close();
  });

  it('web chat: the page gets its token from the server and sends it; the conversation id alone is never sent', async () => {
    const page = await context.newPage();
    const urls: string[] = [];
    const authorizations: string[] = [];
    page.on('request', (r) => {
      urls.push(r.url());
      const a = r.headers().authorization;
      if (a) authorizations.push(a);
    });
    // The first load's start (its conversation, its stream) must be over before the page forgets it: on a busy
    // machine its requests could otherwise land after the reset below and be taken for the reloaded page's.
    const firstStream = page.waitForRequest((r) => r.url().includes('/api/chat/events'), { timeout: WAIT_MS });
    await page.goto(`${base}/`);
    await firstStream;
    // A customer of its own: forget the conversation an earlier test left in this browser, and watch from here.
    await page.evaluate(() => localStorage.removeItem('switchboard.chat'));
    urls.length = 0;
    authorizations.length = 0;
    await page.reload();
    await page.fill('#text', 'wake me up at 7 tomorrow');
    await page.press('#text', 'Enter');
    await expect.poll(() => page.locator('.msg.bot').last().textContent(), { timeout: WAIT_MS }).toMatch(/Alarms/);
    expect(urls).toContain(`${base}/api/chat/conversations`);
    const stream = urls.find((u) => u.includes('/api/chat/events'));
    const token = stream?.match(/[?&]token=([A-Za-z0-9_-]{43})$/)?.[1];
    expect(token).toBeDefined();
    expect(urls.some((u) => u.includes('conversation='))).toBe(false);
    expect(authorizations).toContain(`Bearer ${token}`);
    expect(await page.content()).not.toContain(token);
    await page.close();
  });

  it('handoff end to end in two browsers: a web chat customer, an agent in the console', async () => {
    const customer = await newChatCustomer(context, base);
    await customer.fill('#text', 'my parcel never arrived and I want to speak to a person');
    await customer.press('#text', 'Enter');
    await customer.locator('.msg.handoff').first().waitFor({ timeout: WAIT_MS });

    const agent = await context.newPage();
    await agent.goto(`${base}/agents#token=${TOKEN}`);
    await agent.fill('#agent', 'ann');
    await agent.press('#agent', 'Tab');
    const card = agent.locator('#queued .ticket', { hasText: 'my parcel never arrived' });
    await card.waitFor({ timeout: WAIT_MS });
    await card.click();
    await agent.click('#claim');
    await expect
      .poll(() => customer.locator('.msg.bot').last().textContent(), { timeout: WAIT_MS })
      .toMatch(/Ann has joined/);
    // The customer writes while the agent handles the ticket: it reaches the console live, not the bot.
    await customer.fill('#text', 'order 5521, it was due Monday');
    await customer.press('#text', 'Enter');
    await agent.locator('#transcript .line.customer', { hasText: 'order 5521' }).waitFor({ timeout: WAIT_MS });
    await agent.fill('#text', 'Sorry about that, I have sent a new one today.');
    await agent.press('#text', 'Enter');
    // The agent's line: their name above their words, not the bot's style.
    await expect
      .poll(() => customer.locator('.msg.agent').last().textContent(), { timeout: WAIT_MS })
      .toBe('AnnSorry about that, I have sent a new one today.');
    expect(await customer.locator('.msg.agent .who').last().textContent()).toBe('Ann');
    await agent.fill('#label', 'delivery_missing');
    await agent.click('#resolve');
    await expect
      .poll(() => customer.locator('.msg.bot').last().textContent(), { timeout: WAIT_MS })
      .toMatch(/I am back/);
    // The bot answers again.
    await customer.fill('#text', 'wake me up at 7 tomorrow');
    await customer.press('#text', 'Enter');
    await expect.poll(() => customer.locator('.msg.bot').last().textContent(), { timeout: WAIT_MS }).toMatch(/Alarms/);
    const resolved = await fetch(`${base}/api/handoffs?status=resolved`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    const tickets = (await resolved.json()) as { label?: string; agent?: string }[];
    expect(tickets.some((t) => t.label === 'delivery_missing' && t.agent === 'ann')).toBe(true);
    // The answer the bot gave after the handoff is in the audit queue (demo config: 10% sample) or not; the
    // audit panel shows the count the API has.
    const pending = (await (
      await fetch(`${base}/api/audits?status=pending`, { headers: { authorization: `Bearer ${TOKEN}` } })
    ).json()) as unknown[];
    await agent.reload();
    await expect.poll(() => agent.textContent('#audit-count'), { timeout: WAIT_MS }).toBe(String(pending.length));
    await customer.close();
    await agent.close();
  });

  it('agent console: the one-time link printed at start signs the agent in, also pasted into an open tab', async () => {
    const code = server?.output().match(/sign-in link for agent luis[^\n]*#signin=([\w-]+)/)?.[1];
    expect(code).toBeDefined();
    const page = await context.newPage();
    await page.goto(`${base}/agents`);
    // This browser still holds Ann's session from the first test (a session outlives its tab): forget it.
    await page.evaluate(() => localStorage.removeItem('switchboard-session'));
    await page.reload();
    await page.locator('#signin').waitFor({ state: 'visible', timeout: WAIT_MS });
    await page.evaluate((c) => {
      location.hash = `signin=${c}`;
    }, code as string);
    await expect.poll(() => page.textContent('#me'), { timeout: WAIT_MS }).toMatch(/Signed in as Luis \(luis\)/);
    expect(page.url()).not.toContain(code as string);
    // Used: a second page with the same link is told so and stays at the sign-in form.
    const again = await context.newPage();
    await again.goto(`${base}/agents#signin=${code}`);
    await expect
      .poll(() => again.textContent('#signin-error'), { timeout: WAIT_MS })
      .toMatch(/used already or has expired/);
    expect(await again.locator('#console').isVisible()).toBe(false);
    await page.close();
    await again.close();
  });

  it('playground: language, intent bars, highlighted entities, the decision and timings', async () => {
    const page = await context.newPage();
    await page.goto(`${base}/playground`);
    await page.fill('#text', 'wake me up at 7 tomorrow');
    await page.click('button');
    await page.locator('#result').waitFor({ state: 'visible', timeout: WAIT_MS });
    expect(await page.textContent('#decision')).toBe('answer · confident');
    expect(await page.textContent('#language')).toMatch(/^en/);
    expect(await page.locator('#intents .bar').count()).toBe(6);
    expect(await page.locator('#marked mark.rule small').allTextContents()).toContain('datetime');
    expect(await page.textContent('#timings')).toMatch(/total [\d.]+ ms/);
    // Entity values as a person reads them ("2026-12-07 07:00 (or 2026-12-07 19:00?)"), never raw JSON.
    const values = await page.locator('#entities td:nth-child(4)').allTextContents();
    expect(values.join(' ')).toMatch(/\d{4}-\d{2}-\d{2} 07:00/);
    expect(values.join(' ')).not.toMatch(/[{}"]/);
    await page.close();
  });

  it('playground: an empty message is refused on the page and by the API', async () => {
    const page = await context.newPage();
    await page.goto(`${base}/playground`);
    let parsed = 0;
    page.on('request', (r) => {
      if (r.url().endsWith('/api/nlu/parse')) parsed++;
    });
    await page.fill('#text', '   ');
    await page.click('button');
    expect(await page.textContent('#error')).toMatch(/Type a customer message first/);
    expect(await page.locator('#result').isHidden()).toBe(true);
    expect(parsed).toBe(0);
    const res = await fetch(`${base}/api/nlu/parse`, { method: 'POST', body: JSON.stringify({ text: ' ' }) });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toMatch(/empty/);
    await page.close();
  });
});
