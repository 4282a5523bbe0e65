import { afterAll, describe, expect, it } from 'vitest';
import { automationReport, parseTime } from '../../../src/metrics/automation-report.ts';
import type { NewTurnRecord } from '../../../src/metrics/turn-log.ts';
import { openStores } from '../../../src/server/open-stores.ts';
import { turnRecord } from '../../fixtures/turn-record.ts';

const stores = await openStores({ sqliteFile: ':memory:' });
afterAll(() => stores.close());
const DAY = 86_400_000;
const t0 = Date.UTC(2026, 10, 20);

const rec = (i: number, over: Partial<NewTurnRecord>): NewTurnRecord =>
  turnRecord({ id: `web:${i}`, at: t0 + i * 1000, conversation: `c${i}`, ...over });

describe('automationReport', () => {
  it('an empty log gives zeros', async () => {
    const r = await automationReport(stores.turns, 0, Date.now());
    expect(r).toMatchObject({ questions: 0, automation_rate: 0, by_intent: [], latency_ms: { p50: 0, p99: 0 } });
  });

  it('groups by intent, language, channel and day, pages through more turns than a page holds', async () => {
    for (let i = 0; i < 45_000; i++) {
      const handoff = i % 3 === 0;
      await stores.turns.record(
        rec(i, {
          at: t0 + (i % 2) * DAY + Math.floor(i / 2), // two days, one turn per millisecond on each
          language: i % 5 === 0 ? 'es' : 'en',
          ...(handoff
            ? { decision: 'handoff', reason: 'out_of_scope', intent: undefined, intents: [{ intent: 'x', score: 0.2 }] }
            : { audit_sampled: i % 10 === 1 }),
        }),
      );
    }
    for (const t of await stores.turns.audits('pending', 100_000)) await stores.turns.audit(t.id, 'correct', 'ann', 1);
    const r = await automationReport(stores.turns, t0, t0 + 3 * DAY);
    expect(r.questions).toBe(45_000);
    expect(r.automated).toBe(30_000);
    expect(r.handoff_reasons).toEqual({ out_of_scope: 15_000 / 45_000 });
    expect(r.by_day.map((g) => [g.key, g.questions])).toEqual([
      ['2026-11-20', 22_500],
      ['2026-11-21', 22_500],
    ]);
    expect(r.by_language.find((g) => g.key === 'es')?.questions).toBe(9000);
    expect(r.by_intent[0]).toMatchObject({ key: 'alarm_set', questions: 30_000, automated: 30_000 });
    expect(r.automation_rate_ci[0]).toBeLessThanOrEqual(r.automation_rate);
    expect(r.automation_rate_ci[1]).toBeGreaterThanOrEqual(r.automation_rate);
    expect(r.confidence_histogram[9]).toBe(30_000);
    expect(r.model_versions).toEqual({ abc: 45_000 });
  });

  it('parses --since/--until as ISO times or durations back from now', () => {
    const now = Date.UTC(2026, 10, 28);
    expect(parseTime('7d', now)).toBe(now - 7 * DAY);
    expect(parseTime('2026-11-01', now)).toBe(Date.UTC(2026, 10, 1));
    expect(() => parseTime('last week', now)).toThrow(/not a time/);
    // Beyond what a Date can hold: refused here (400 in the admin API), not a RangeError later (500).
    expect(() => parseTime('99999999999999999999d', now)).toThrow(/not a time/);
    expect(() => parseTime('1e400d', now)).toThrow(/not a time/);
    expect(parseTime('36500d', now)).toBe(now - 36_500 * DAY);
  });
});
