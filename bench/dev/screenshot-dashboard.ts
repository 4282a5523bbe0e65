/**
 * `npx tsx bench/dev/screenshot-dashboard.ts [QUESTIONS]`: writes docs/images/dashboard.png, the README screenshot of
 * the dashboard over a simulated week of traffic (needs Debian chromium).
 *
 * The week (default 300 questions) is replayed through the whole turn path — the demo bot, TurnHandler, the SQLite turn
 * log — spread over the last seven days (the HTTP chat API stamps every turn "now", which would put a week on one day),
 * on the web, Slack and Teams channels. Utterances are MASSIVE test lines in six languages from ../shared/data
 * (test/fixtures/data/demo-week.jsonl when that is missing), 70% of them from intents the demo bot answers. Simulated
 * customers pick the right choice of a clarifying question (80%), give 👎 to 35% of wrong answers and 3% of right ones
 * (👍 to 20% of right ones), and ask for a person after 20% of wrong answers; agents audit most of the 25% audit sample
 * by the labels. Then the real server opens that store and the page is captured.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { Bot } from '../../src/bot.ts';
import { MemorySender } from '../../src/channel-sender.ts';
import { readBotConfig } from '../../src/config/bot-config.ts';
import { DEFAULT_BOT_CONFIG } from '../../src/nlu/default-model.ts';
import { openStores } from '../../src/server/open-stores.ts';
import type { ChannelName, Turn, TurnAction } from '../../src/turn.ts';
import { TurnHandler } from '../../src/turn-handler.ts';
import { Random } from '../../src/util/random.ts';
import { spawnServer } from '../../test/fixtures/spawn-server.ts';
import { DATA_ROOT, massive } from '../datasets.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const QUESTIONS = Number(process.argv[2] ?? 300);
const DAY = 86_400_000;
const OUT = join(ROOT, 'docs', 'images', 'dashboard.png');

interface Example {
  text: string;
  intent: string;
  language: string;
}

function examples(): Example[] {
  if (existsSync(join(DATA_ROOT, 'massive', 'en')))
    return massive().test.filter((e): e is Example => typeof e.intent === 'string' && e.language !== undefined);
  console.warn(`no MASSIVE data under ${DATA_ROOT}: using test/fixtures/data/demo-week.jsonl`);
  return readFileSync(join(ROOT, 'test', 'fixtures', 'data', 'demo-week.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Example);
}

const config = readBotConfig(DEFAULT_BOT_CONFIG);
config.measurement.audit_sample = 0.25;
const answered = new Set(Object.keys(config.answers));
const pool = examples();
const inDomain = pool.filter((e) => answered.has(e.intent));
const other = pool.filter((e) => !answered.has(e.intent));

const dir = mkdtempSync(join(tmpdir(), 'switchboard-dashboard-shot-'));
const storeFile = join(dir, 'switchboard.db');
const stores = await openStores({ sqliteFile: storeFile });
// As the server runs it: rule recognizers in their worker thread, within the entity budget.
const bot = await Bot.fromConfig(config, { ruleThread: true });
await bot.nlu.entities.warmUp();
const senders = { web: new MemorySender('web'), slack: new MemorySender('slack'), teams: new MemorySender('teams') };
const handler = new TurnHandler({ bot, store: stores.conversations, senders, turnLog: stores.turns });
const rng = new Random(2026);

// Arrival times over the last seven days: fewer questions at the weekend, none in the future.
const now = Date.now();
const weights = Array.from({ length: 7 }, (_, d) => {
  const weekday = new Date(now - (6 - d) * DAY).getUTCDay();
  return weekday === 0 || weekday === 6 ? 0.55 : 1 + 0.3 * rng.next();
});
const totalWeight = weights.reduce((a, b) => a + b, 0);
const arrivals: number[] = [];
weights.forEach((w, d) => {
  const n = Math.round((QUESTIONS * w) / totalWeight);
  for (let i = 0; i < n; i++) arrivals.push(now - (7 - d) * DAY + rng.next() * (DAY - 600_000));
});
arrivals.sort((a, b) => a - b);

let seq = 0;
const truth = new Map<string, boolean>();
const channelOf = (): ChannelName => {
  const x = rng.next();
  return x < 0.45 ? 'web' : x < 0.8 ? 'slack' : 'teams';
};
for (const [q, at] of arrivals.entries()) {
  const e = rng.next() < 0.7 ? inDomain[rng.int(inDomain.length)] : other[rng.int(other.length)];
  const channel = channelOf();
  const conversation = `${channel}:c${q}`;
  let clock: number | undefined;
  const send = async (over: { text?: string; action?: TurnAction }) => {
    // The question at its arrival time, what follows it seconds later.
    clock = clock === undefined ? at : clock + 5_000 + rng.next() * 40_000;
    const turn: Turn = {
      id: `t${++seq}`,
      channel,
      conversation,
      user: `u${q}`,
      text: over.text ?? '',
      ...(over.action ? { action: over.action } : {}),
      ...(channel !== 'web' || rng.next() < 0.5 ? { locale: e.language } : {}),
      receivedAt: clock,
    };
    return { key: `${channel}:${turn.id}`, out: await handler.handle(turn, { conversation }) };
  };
  const first = await send({ text: e.text });
  if (first.out.status !== 'replied') continue;
  let answer: { key: string; right: boolean } | undefined;
  if (first.out.decision.kind === 'answer') answer = { key: first.key, right: first.out.decision.intent === e.intent };
  if (first.out.decision.kind === 'clarify' && first.out.decision.choices?.some((c) => c.intent === e.intent)) {
    if (rng.next() < 0.8) {
      const pick = await send({ action: { kind: 'choice', intent: e.intent } });
      if (pick.out.status === 'replied' && pick.out.decision.kind === 'answer') answer = { key: pick.key, right: true };
    }
  }
  if (!answer) continue;
  truth.set(answer.key, answer.right);
  const r = rng.next();
  if (r < (answer.right ? 0.03 : 0.35)) await send({ action: { kind: 'feedback', rating: 'down', turn: answer.key } });
  else if (answer.right && r < 0.23) await send({ action: { kind: 'feedback', rating: 'up', turn: answer.key } });
  if (!answer.right && rng.next() < 0.2) await send({ text: 'I want to talk to a person' });
}
let audited = 0;
for (const t of await stores.turns.audits('pending', 100_000)) {
  const right = truth.get(t.id);
  if (right === undefined || rng.next() < 0.15) continue; // some of the sample still waits for an agent
  await stores.turns.audit(t.id, right ? 'correct' : 'wrong', rng.next() < 0.5 ? 'ann' : 'bo', t.at + 3_600_000);
  audited++;
}
await stores.close();
await bot.release();
const rightShare = [...truth.values()].filter(Boolean).length / arrivals.length;
console.log(
  `simulated ${arrivals.length} questions, ${truth.size} automated answers, ${audited} audited; true automation rate ${(100 * rightShare).toFixed(1)}%`,
);

const ADMIN = 'screenshot-admin-token';
const server = await spawnServer(['--store', storeFile], { SWITCHBOARD_ADMIN_TOKEN: ADMIN });
const profile = mkdtempSync(join(tmpdir(), 'shots-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/lib/chromium/chromium',
  headless: true,
  viewport: { width: 1280, height: 900 },
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking'],
});
try {
  const page = await context.newPage();
  await page.goto(`${server.base}/dashboard#token=${ADMIN}`);
  await page.locator('body[data-state="ready"]').waitFor({ timeout: 15_000 });
  await page.screenshot({ path: OUT, fullPage: true });
  console.log(`wrote ${OUT}`);
} finally {
  await context.close();
  server.stop();
  rmSync(profile, { recursive: true, force: true });
  rmSync(dir, { recursive: true, force: true });
}
