/**
 * The dashboard page `/dashboard` (issue 8) in headless Chromium (Debian `chromium` + playwright-core), against the real
 * server: web chat turns in English and Spanish (answers, handoffs, a 👎, an escalation, audits right and wrong), then
 * the page's numbers, tables and SVG charts are checked against `GET /api/admin/report`; a wrong token shows how to get
 * in, and a server with a fresh store shows the empty state. Skipped, with a message, on a machine without Chromium.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, haveChromium, launchChromium } from '../fixtures/chromium.ts';
import { writeDemoConfig } from '../fixtures/demo-config-copy.ts';
import { type RunningServer, spawnServer } from '../fixtures/spawn-server.ts';
import { WebChatClient } from '../fixtures/web-chat-client.ts';

if (!haveChromium) console.warn(`dashboard tests skipped: no Chromium at ${CHROMIUM} (apt-get install chromium)`);

const ADMIN = 'dashboard-admin-token';
const AGENT = 'dashboard-agent-token';
const dir = mkdtempSync(join(tmpdir(), 'switchboard-dashboard-'));
const profile = mkdtempSync(join(tmpdir(), 'switchboard-chromium-'));
let server: RunningServer | undefined;
let emptyServer: RunningServer | undefined;
let context: import('playwright-core').BrowserContext;

beforeAll(async () => {
  if (!haveChromium) return;
  // The demo config with every automated answer in the audit sample.
  writeDemoConfig(dir, 'measurement: { audit_sample: 1 }');
  const env = { SWITCHBOARD_ADMIN_TOKEN: ADMIN, SWITCHBOARD_AGENT_TOKEN: AGENT };
  const config = ['--config', join(dir, 'bot.yaml')];
  [server, emptyServer] = await Promise.all([
    spawnServer([...config, '--store', join(dir, 'traffic.db')], env),
    spawnServer([...config, '--store', join(dir, 'fresh.db')], env),
  ]);
  context = await launchChromium(profile, { width: 1280, height: 900 });
});

afterAll(async () => {
  await context?.close();
  server?.stop();
  emptyServer?.stop();
  rmSync(profile, { recursive: true, force: true });
  rmSync(dir, { recursive: true, force: true });
});

/** As the page formats them. */
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

interface Group {
  key: string;
  questions: number;
  automated_share: number;
  automation_rate: number;
  automation_rate_ci: [number, number];
  precision_estimated: boolean;
  audits_needed: number;
}
/** What the test reads of `GET /api/admin/report`. */
interface Report extends Omit<Group, 'key'> {
  audited: number;
  precision: number;
  precision_ci: [number, number];
  wrong_answer_rate: number;
  handoff_rate: number;
  clarify_rate: number;
  handoff_reasons: Record<string, number>;
  confidence_histogram: number[];
  model_versions: Record<string, number>;
  by_intent: Group[];
  by_day: Group[];
}

interface Decision {
  kind: string;
  reason: string;
  intent?: string;
}

/** One customer question in its own web chat conversation; the turn's log id and the router's decision. */
async function ask(
  base: string,
  conversation: string,
  text: string,
): Promise<{ id: string; decision: Decision; token?: string }> {
  const c = new WebChatClient(base, conversation);
  await c.connect();
  const id = `${conversation}-1`;
  const res = await c.say(text, id);
  const body = (await res.json()) as { decision: Decision };
  c.disconnect();
  return { id: `web:${id}`, decision: body.decision, token: c.token };
}

const QUESTIONS: [string, string][] = [
  ['en-alarm', 'set an alarm for 7 tomorrow'],
  ['en-weather', 'what is the weather like today'],
  ['en-time', 'what time is it'],
  ['en-train', 'book me a train ticket to paris'],
  ['en-takeaway', 'where is my takeaway order'],
  ['en-alarms', 'show my alarms'],
  ['en-joke', 'tell me a joke'],
  ['en-music', 'play some jazz'],
  ['es-alarm', 'pon una alarma a las siete de la mañana'],
  ['es-weather', '¿qué tiempo hace hoy?'],
  ['es-time', '¿qué hora es?'],
  ['es-takeaway', '¿dónde está mi pedido de comida?'],
  ['es-joke', 'cuéntame un chiste'],
  ['es-lights', 'enciende las luces'],
];

describe.skipIf(!haveChromium)('dashboard', () => {
  it('shows the report of the turn log: headline numbers, charts, tables, drift', async () => {
    const base = server?.base as string;
    const turns = new Map<string, { id: string; decision: Decision; token?: string }>();
    for (const [conversation, text] of QUESTIONS) turns.set(conversation, await ask(base, conversation, text));
    expect(turns.get('en-alarm')?.decision).toMatchObject({ kind: 'answer', intent: 'alarm_set' });
    expect(turns.get('es-weather')?.decision).toMatchObject({ kind: 'answer', intent: 'weather_query' });
    expect(turns.get('en-joke')?.decision).toMatchObject({ kind: 'handoff', reason: 'no_answer' });
    const answered = [...turns.values()].filter((t) => t.decision.kind === 'answer');
    expect(answered.length).toBeGreaterThanOrEqual(8);

    // 👎 on an answer, then a request for a person after another one (an escalation, and a handoff).
    const chat = new WebChatClient(base, 'en-weather', turns.get('en-weather')?.token);
    await chat.connect();
    const down = await chat.post({ action: { kind: 'feedback', rating: 'down', turn: turns.get('en-weather')?.id } });
    expect(down.status).toBe(200);
    chat.disconnect();
    const person = new WebChatClient(base, 'en-time', turns.get('en-time')?.token);
    await person.connect();
    expect(
      ((await (await person.say('I want to talk to a human', 'en-time-2')).json()) as { decision: Decision }).decision,
    ).toMatchObject({
      kind: 'handoff',
      reason: 'human_requested',
    });
    person.disconnect();

    // Agents audit every sampled answer but one: the Spanish takeaway answer and the weather answer are wrong.
    const auth = { authorization: `Bearer ${AGENT}`, 'content-type': 'application/json' };
    const pending = (await (await fetch(`${base}/api/audits?status=pending`, { headers: auth })).json()) as {
      id: string;
    }[];
    expect(pending.length).toBe(answered.length);
    const wrong = new Set([turns.get('es-takeaway')?.id, turns.get('en-weather')?.id]);
    for (const t of pending.filter((p) => p.id !== turns.get('en-alarms')?.id)) {
      const verdict = wrong.has(t.id) ? 'wrong' : 'correct';
      const r = await fetch(`${base}/api/audits/${t.id}`, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify({ agent: 'ann', verdict }),
      });
      expect(r.status).toBe(200);
    }

    const report = (await (
      await fetch(`${base}/api/admin/report?since=7d`, { headers: { authorization: `Bearer ${ADMIN}` } })
    ).json()) as Report;
    expect(report).toMatchObject({
      questions: QUESTIONS.length + 1,
      audited: answered.length - 1,
      audited_correct: answered.length - 3,
    });

    const page = await context.newPage();
    await page.goto(`${base}/dashboard#token=${ADMIN}`);
    await page.locator('body[data-state="ready"]').waitFor({ timeout: 10_000 });
    expect(page.url()).not.toContain(ADMIN); // the token leaves the address bar
    // Headline cards.
    expect(await page.textContent('#card-questions .value')).toBe(String(report.questions));
    // A handful of audits is too few to estimate precision: no assumed figure, but how many audits are still needed,
    // and the automation rate as what it is known to be at most.
    expect(report).toMatchObject({ precision_estimated: false, audits_needed: 20 - report.audited });
    const needed = `precision not estimated yet — audit ${report.audits_needed} answers`;
    expect(await page.textContent('#card-precision .value')).toBe('not estimated yet');
    expect(await page.textContent('#card-precision .sub')).toContain(needed);
    expect(await page.textContent('#card-wrong .value')).toBe('not estimated yet');
    expect(await page.textContent('#card-automation .value')).toBe(`≤ ${pct(report.automated_share)}`);
    expect(await page.textContent('#card-automation .sub')).toContain(needed);
    expect(await page.textContent('#cards')).not.toContain(pct(report.precision));
    expect(await page.textContent('#cards')).not.toContain(pct(report.wrong_answer_rate));
    expect(await page.textContent('#card-automated .value')).toBe(pct(report.automated_share));
    expect(await page.textContent('#card-handoff .value')).toBe(pct(report.handoff_rate));
    expect(await page.textContent('#card-clarify .value')).toBe(pct(report.clarify_rate));
    expect(await page.textContent('#card-audited .value')).toBe(String(report.audited));
    expect(await page.textContent('main')).not.toMatch(/NaN|undefined|Infinity/);

    // Tables: every intent, both languages, the web channel.
    const keys = (table: string) =>
      page.locator(`#${table} tbody tr`).evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.key));
    const intents = await keys('table-intent');
    expect(intents.sort()).toEqual(report.by_intent.map((g) => g.key).sort());
    expect(intents).toEqual(expect.arrayContaining(['alarm_set', 'weather_query', 'takeaway_query', 'general_joke']));
    expect((await keys('table-language')).sort()).toEqual(['en', 'es']);
    expect(await keys('table-channel')).toEqual(['web']);
    const alarm = report.by_intent.find((g) => g.key === 'alarm_set') as Group;
    const alarmRow = page.locator('#table-intent tr[data-key="alarm_set"] td');
    expect(await alarmRow.nth(1).textContent()).toBe(String(alarm.questions));
    expect(await alarmRow.nth(3).textContent()).toBe('—');
    expect(await alarmRow.nth(4).textContent()).toBe(`≤ ${pct(alarm.automated_share)}`);
    // Sorting by a header: intents A→Z, then Z→A.
    await page.click('#table-intent th:nth-child(1) button');
    expect(await keys('table-intent')).toEqual([...intents].sort((a, b) => (a as string).localeCompare(b as string)));
    expect(await page.getAttribute('#table-intent th:nth-child(1)', 'aria-sort')).toBe('ascending');
    await page.click('#table-intent th:nth-child(1) button');
    expect((await keys('table-intent'))[0]).toBe([...intents].sort().at(-1));

    // Charts: a point per day, a bar per handoff reason, ten confidence bins holding every question, four latencies.
    expect(await page.locator('#chart-days circle.point').count()).toBe(report.by_day.length);
    // A day with too few audits is drawn at its upper bound, saying why.
    const day = page.locator('#chart-days circle.point').first();
    expect(await day.getAttribute('class')).toBe('point bound');
    expect(await day.locator('title').textContent()).toContain('precision not estimated yet');
    // One day of traffic: its interval is a whisker (a band needs two days or more).
    expect(await page.locator('#chart-days .whisker, #chart-days .band').count()).toBe(1);
    expect(Object.keys(report.handoff_reasons).sort()).toEqual(['human_requested', 'low_confidence', 'no_answer']);
    expect(await page.locator('#chart-reasons rect.bar').count()).toBe(3);
    const bins = await page
      .locator('#chart-confidence rect.bar')
      .evaluateAll((bars) => bars.map((b) => Number(b.getAttribute('data-count'))));
    expect(bins).toEqual(report.confidence_histogram);
    expect(await page.locator('#chart-latency rect.bar').count()).toBe(4);
    expect(await page.textContent('#chart-latency')).toMatch(/NLU p99.*ms/);
    // Drift (the server checks every 10 minutes: not yet): too few questions, so no signal value beside the count.
    expect(await page.textContent('#drift')).toMatch(/not enough traffic/);
    expect(await page.locator('#drift tr[data-signal]').count()).toBe(0);
    expect(await page.textContent('#drift')).not.toMatch(/psi|\d\.\d{3}/);
    expect(await page.textContent('#models')).toContain(Object.keys(report.model_versions)[0]);

    // Another period: the same turns are in the last 24 hours.
    await page.click('#periods button[data-since="24h"]');
    await expect.poll(() => page.url()).toMatch(/\?since=24h$/);
    expect(await page.getAttribute('#periods button[data-since="24h"]', 'aria-pressed')).toBe('true');
    await page.locator('body[data-state="ready"]').waitFor({ timeout: 10_000 });
    expect(await page.textContent('#card-questions .value')).toBe(String(report.questions));
    await page.close();
  });

  it('a wrong token: tells how to get in; the right #token= typed into the same tab loads the report', async () => {
    const page = await context.newPage();
    await page.goto(`${server?.base}/dashboard#token=not-the-token`);
    await page.locator('body[data-state="unauthorized"]').waitFor({ timeout: 10_000 });
    expect(await page.isVisible('#error')).toBe(true);
    expect(await page.textContent('#error')).toMatch(/Not authorized.*open the dashboard URL the server printed/i);
    expect(await page.isVisible('#content')).toBe(false);
    // Same tab, only the fragment changes (no page load): the page takes the token and loads.
    await page.evaluate((t) => {
      location.hash = `token=${t}`;
    }, ADMIN);
    await page.locator('body[data-state="ready"]').waitFor({ timeout: 10_000 });
    expect(await page.isVisible('#error')).toBe(false);
    expect(page.url()).not.toContain(ADMIN);
    await page.close();
  });

  it('an empty turn log: "no questions in this period", no NaN', async () => {
    const page = await context.newPage();
    await page.goto(`${emptyServer?.base}/dashboard#token=${ADMIN}`);
    await page.locator('body[data-state="empty"]').waitFor({ timeout: 10_000 });
    expect(await page.isVisible('#empty')).toBe(true);
    expect(await page.textContent('#empty')).toMatch(/No questions in this period/);
    expect(await page.isVisible('#content')).toBe(false);
    expect(await page.textContent('main')).not.toMatch(/NaN|undefined|Infinity/);
    for (const since of ['24h', '30d']) {
      await page.click(`#periods button[data-since="${since}"]`);
      await expect.poll(() => page.getAttribute(`#periods button[data-since="${since}"]`, 'aria-pressed')).toBe('true');
      await page.locator('body[data-state="empty"]').waitFor();
    }
    await page.close();
  });
});
