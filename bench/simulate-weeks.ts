/**
 * `npx tsx bench/simulate-weeks.ts [WEEKS] [QUESTIONS_PER_WEEK]` (issue 8): does the automation rate's 95% interval
 * contain the true rate? Each simulated week replays MASSIVE test utterances (six languages) through the whole turn
 * path — TurnHandler with the demo bot, the SQLite turn log, the web channel — with simulated customers: a clarifying
 * question is answered by picking the right intent when it is offered (80%), 👎 on 35% of wrong answers and 3% of right
 * ones, a request for a person after 20% of wrong answers, and agents auditing the 10% sample by the labels. The true
 * rate comes from the labels (an answer is right when its intent is the gold one). Prints the coverage and writes
 * docs/measurement-simulation.md. Shared 2-core machine: timings are indicative only.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Bot } from '../src/bot.ts';
import { MemorySender } from '../src/channel-sender.ts';
import { readBotConfig } from '../src/config/bot-config.ts';
import { automationReport } from '../src/metrics/automation-report.ts';
import { DEFAULT_BOT_CONFIG } from '../src/nlu/default-model.ts';
import { openStores } from '../src/server/open-stores.ts';
import { TurnHandler } from '../src/turn-handler.ts';
import { Random } from '../src/util/random.ts';
import { massive } from './datasets.ts';
import { ROOT } from './lib/child-args.ts';

const WEEKS = Number(process.argv[2] ?? 100);
const PER_WEEK = Number(process.argv[3] ?? 400);
const pool = massive().test.filter((e) => typeof e.intent === 'string');
const config = readBotConfig(DEFAULT_BOT_CONFIG);
config.measurement.audit_sample = 0.1;
// A bot that answers every MASSIVE intent (the demo config answers only seven): many answers, some of them wrong.
const bot = await Bot.fromConfig(config, { answerAll: true });
const started = performance.now();
let covered = 0;
const widths: number[] = [];
const rows: string[] = [];
for (let week = 0; week < WEEKS; week++) {
  const rng = new Random(7000 + week);
  const stores = await openStores({ sqliteFile: ':memory:' });
  const handler = new TurnHandler({
    bot,
    store: stores.conversations,
    senders: { web: new MemorySender('web') },
    turnLog: stores.turns,
  });
  /** Answered turn id → right or wrong (the labels: what the auditors know). */
  const truth = new Map<string, boolean>();
  let questions = 0;
  let id = 0;
  const at = Date.UTC(2026, 10, 1) + week * 7 * 86_400_000;
  const turn = (conversation: string, over: object) => ({
    id: `w${week}-${++id}`,
    channel: 'web' as const,
    conversation,
    user: conversation,
    text: '',
    receivedAt: at + id * 1000,
    ...over,
  });
  const ask = async (conversation: string, text: string, locale?: string) => {
    questions++;
    const t = turn(conversation, { text, ...(locale ? { locale } : {}) });
    return { t, out: await handler.handle(t, { conversation }) };
  };
  for (let q = 0; q < PER_WEEK; q++) {
    const example = pool[rng.int(pool.length)];
    const gold = example.intent as string;
    const conversation = `c${week}-${q}`;
    const { t, out } = await ask(conversation, example.text, example.language);
    if (out.status !== 'replied') continue;
    let answered: { intent?: string; key: string } | undefined;
    if (out.decision.kind === 'answer') answered = { intent: out.decision.intent, key: `web:${t.id}` };
    if (out.decision.kind === 'clarify' && out.decision.choices?.some((c) => c.intent === gold) && rng.next() < 0.8) {
      const pick = turn(conversation, { action: { kind: 'choice', intent: gold } });
      const chosen = await handler.handle(pick, { conversation });
      if (chosen.status === 'replied' && chosen.decision.kind === 'answer')
        answered = { intent: gold, key: `web:${pick.id}` };
    }
    if (!answered) continue;
    const right = answered.intent === gold;
    truth.set(answered.key, right);
    if (rng.next() < (right ? 0.03 : 0.35)) {
      const fb = turn(conversation, { action: { kind: 'feedback', rating: 'down', turn: answered.key } });
      await handler.handle(fb, { conversation });
    }
    if (!right && rng.next() < 0.2) await ask(conversation, 'I want to talk to a person');
  }
  for (const s of await stores.turns.audits('pending', 100_000)) {
    const right = truth.get(s.id);
    if (right !== undefined) await stores.turns.audit(s.id, right ? 'correct' : 'wrong', 'auditor', at);
  }
  const trueRate = [...truth.values()].filter(Boolean).length / questions;
  const r = await automationReport(stores.turns, at, at + 8 * 86_400_000);
  const [lo, hi] = r.automation_rate_ci;
  const inside = lo <= trueRate && trueRate <= hi;
  if (inside) covered++;
  widths.push(hi - lo);
  if (r.questions !== questions)
    throw new Error(`week ${week}: report counts ${r.questions} questions, simulated ${questions}`);
  rows.push(
    `| ${week + 1} | ${questions} | ${(100 * r.automated_share).toFixed(1)}% | ${r.audited} | ${(100 * trueRate).toFixed(1)}% | ${(100 * r.automation_rate).toFixed(1)}% | ${(100 * lo).toFixed(1)}–${(100 * hi).toFixed(1)}% | ${inside ? 'yes' : '**no**'} |`,
  );
  await stores.close();
}
await bot.release();
widths.sort((a, b) => a - b);
const seconds = (performance.now() - started) / 1000;
const summary = `${covered}/${WEEKS} weeks: the 95% interval contained the true automation rate (median width ${(100 * widths[Math.floor(widths.length / 2)]).toFixed(1)} points)`;
console.log(summary);
writeFileSync(
  join(ROOT, 'docs', 'measurement-simulation.md'),
  `# Simulated weeks: is the automation rate's interval honest?

Generated by \`npx tsx bench/simulate-weeks.ts ${WEEKS} ${PER_WEEK}\` on ${new Date().toISOString().slice(0, 10)} (${seconds.toFixed(0)} s on a shared 2-core machine).
Each week: ${PER_WEEK} MASSIVE test utterances (six languages, drawn with a seeded generator) through the whole turn path —
the demo config's NLU and policy answering every one of the 60 intents, the SQLite turn log — with simulated customers (a clarifying question answered with the right choice when
it is offered, 80%; 👎 on 35% of wrong answers and 3% of right ones; a request for a person after 20% of wrong answers)
and agents auditing the 10% audit sample by the labels. The true rate comes from the labels.

**${summary}.** Target (issue 8): at least 90 of 100.

| week | questions | automated | audited | true rate | estimate | 95% interval | contains the truth |
|---|---|---|---|---|---|---|---|
${rows.join('\n')}
`,
);
