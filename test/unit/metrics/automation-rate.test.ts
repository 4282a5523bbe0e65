import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Bot } from '../../../src/bot.ts';
import { readBotConfig } from '../../../src/config/bot-config.ts';
import { estimateAutomation, MIN_AUDITS } from '../../../src/metrics/automation-rate.ts';
import type { TurnRecord } from '../../../src/metrics/turn-log.ts';
import { DEFAULT_BOT_CONFIG } from '../../../src/nlu/default-model.ts';
import { Random } from '../../../src/util/random.ts';

let n = 0;
const turn = (over: Partial<TurnRecord>): TurnRecord => ({
  id: `t${++n}`,
  at: n,
  channel: 'web',
  conversation: `c${n}`,
  intents: [],
  decision: 'answer',
  reason: 'confident',
  latency_ms: 1,
  nlu_ms: 1,
  escalated: false,
  recontact: false,
  audit_sampled: false,
  ...over,
});

describe('estimateAutomation', () => {
  it('an empty log: zeros, no crash', () => {
    const e = estimateAutomation([]);
    expect(e).toMatchObject({ questions: 0, automated: 0, automation_rate: 0, automation_rate_ci: [0, 0] });
    // Nothing answered: precision is the prior's ½ over [0, 1], not a measured 0 (and not "estimated").
    expect(e).toMatchObject({ precision: 0.5, precision_ci: [0, 1], precision_estimated: false, wrong_answer_rate: 0 });
  });

  it('precision counts as estimated only from MIN_AUDITS audits on; until then, how many are still needed', () => {
    const none = estimateAutomation(Array.from({ length: 50 }, () => turn({})));
    expect(none).toMatchObject({ audited: 0, precision_estimated: false, audits_needed: MIN_AUDITS });
    const audited = (k: number) =>
      estimateAutomation(
        Array.from({ length: 50 }, (_, i) => turn(i < k ? { audit_sampled: true, audit: 'correct' } : {})),
      );
    expect(audited(MIN_AUDITS - 1)).toMatchObject({ precision_estimated: false, audits_needed: 1 });
    expect(audited(MIN_AUDITS)).toMatchObject({ precision_estimated: true, audits_needed: 0 });
  });

  it('without audits the interval stays wide: not contradicted is not correct', () => {
    const e = estimateAutomation(Array.from({ length: 100 }, () => turn({})));
    expect(e.automated_share).toBe(1);
    expect(e.automation_rate_ci[0]).toBeLessThan(0.1);
    expect(e.automation_rate_ci[1]).toBeGreaterThan(0.9);
  });

  it('audits narrow it; shares of handoffs, clarifications and reasons add up', () => {
    const turns = [
      ...Array.from({ length: 60 }, (_, i) => turn({ audit_sampled: true, audit: i < 57 ? 'correct' : 'wrong' })),
      ...Array.from({ length: 20 }, () => turn({ decision: 'handoff', reason: 'out_of_scope' })),
      ...Array.from({ length: 10 }, () => turn({ decision: 'handoff', reason: 'low_confidence' })),
      ...Array.from({ length: 10 }, () => turn({ decision: 'clarify', reason: 'close_scores' })),
      turn({ decision: 'handoff', reason: 'human_requested', nlu_ms: undefined }), // a button press: not a question
    ];
    const e = estimateAutomation(turns);
    expect(e.questions).toBe(100);
    expect(e.automated_share).toBeCloseTo(0.6);
    expect(e.precision).toBeCloseTo(57 / 60, 5);
    expect(e.automation_rate).toBeCloseTo(0.57, 5);
    expect(e.automation_rate_ci[0]).toBeLessThan(0.57);
    expect(e.automation_rate_ci[1]).toBeGreaterThan(0.57);
    expect(e.automation_rate_ci[1] - e.automation_rate_ci[0]).toBeLessThan(0.25);
    expect(e.handoff_rate).toBeCloseTo(0.3);
    expect(e.clarify_rate).toBeCloseTo(0.1);
    expect(e.handoff_reasons).toEqual({ out_of_scope: 0.2, low_confidence: 0.1 });
  });
});

/**
 * Simulated weeks (issue 8 target): the demo bot answers labelled utterances once; each week replays 300 of them with
 * simulated customers (👎 more often on wrong answers, but also on some right ones; escalations), a 15% audit sample
 * judged by the labels, and quick-reply choices after clarifications. The week's true automation rate comes from the
 * labels; its 95% interval must contain it in at least 90 of 100 seeded weeks.
 */
describe('automation rate interval over 100 simulated weeks', () => {
  let bot: Bot;
  const pool: { decision: TurnRecord['decision']; reason: TurnRecord['reason']; correct: boolean }[] = [];
  beforeAll(async () => {
    // A team that answers every intent with a low threshold: more automation, and some wrong answers to find.
    const config = readBotConfig(DEFAULT_BOT_CONFIG);
    config.policy.threshold = 0.3;
    bot = await Bot.fromConfig(config, { answerAll: true });
    const lines = readFileSync(join(import.meta.dirname, '../../fixtures/data/demo-week.jsonl'), 'utf8')
      .trim()
      .split('\n');
    for (const line of lines) {
      const { text, intent } = JSON.parse(line) as { text: string; intent: string };
      const { decision } = await bot.respond(text);
      pool.push({ decision: decision.kind, reason: decision.reason, correct: decision.intent === intent });
    }
  });
  afterAll(async () => bot.release());

  it('contains the true rate in at least 90 of 100 weeks', () => {
    const answered = pool.filter((p) => p.decision === 'answer');
    // The pool must exercise both right and wrong answers for the test to mean something.
    expect(answered.some((p) => p.correct)).toBe(true);
    expect(answered.some((p) => !p.correct)).toBe(true);
    let covered = 0;
    for (let week = 0; week < 100; week++) {
      const rng = new Random(1000 + week);
      const turns: TurnRecord[] = [];
      let trulyCorrect = 0;
      let questions = 0;
      for (let i = 0; i < 300; i++) {
        const p = pool[rng.int(pool.length)];
        questions++;
        const base = { conversation: `w${week}-${i}`, decision: p.decision, reason: p.reason };
        if (p.decision === 'answer') {
          if (p.correct) trulyCorrect++;
          const down = rng.next() < (p.correct ? 0.03 : 0.35);
          const escalated = rng.next() < (p.correct ? 0.02 : 0.2);
          const sampled = rng.next() < 0.15;
          turns.push(
            turn({
              ...base,
              ...(down ? { feedback: 'down' as const } : {}),
              escalated,
              audit_sampled: sampled,
              ...(sampled ? { audit: p.correct ? ('correct' as const) : ('wrong' as const) } : {}),
            }),
          );
        } else {
          turns.push(turn(base));
          if (p.decision === 'clarify' && rng.next() < 0.7) {
            // The customer picks a quick reply: an automated answer, right 90% of the time.
            const right = rng.next() < 0.9;
            if (right) trulyCorrect++;
            const sampled = rng.next() < 0.15;
            turns.push(
              turn({
                conversation: base.conversation,
                decision: 'answer',
                reason: 'chosen',
                nlu_ms: undefined,
                audit_sampled: sampled,
                ...(sampled ? { audit: right ? ('correct' as const) : ('wrong' as const) } : {}),
              }),
            );
          }
        }
      }
      const truth = trulyCorrect / questions;
      const [low, high] = estimateAutomation(turns, week + 1).automation_rate_ci;
      if (low <= truth && truth <= high) covered++;
    }
    console.log(`automation rate interval covered the true rate in ${covered}/100 simulated weeks`);
    expect(covered).toBeGreaterThanOrEqual(90);
  });
});
