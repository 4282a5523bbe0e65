import { afterAll, describe, expect, it } from 'vitest';
import { memoryLogger } from '../../../src/log.ts';
import { type Baseline, DriftMonitor, driftSignals, psi, tvd } from '../../../src/metrics/drift.ts';
import type { TurnRecord } from '../../../src/metrics/turn-log.ts';
import { openStores } from '../../../src/server/open-stores.ts';

const stores = await openStores({ sqliteFile: ':memory:' });
afterAll(() => stores.close());

const baseline: Baseline = {
  n: 1000,
  data: 'valid.jsonl',
  confidence_histogram: [0, 0, 0, 0, 0, 0.05, 0.05, 0.1, 0.1, 0.7],
  languages: { en: 0.5, es: 0.5 },
  threshold: 0.6,
  below_threshold: 0.05,
};

describe('drift', () => {
  it('PSI is 0 for the same histogram and grows with the shift; TVD of language mixes', () => {
    expect(psi(baseline.confidence_histogram, baseline.confidence_histogram)).toBeCloseTo(0, 10);
    expect(psi(baseline.confidence_histogram, [0, 0, 0.1, 0.2, 0.2, 0.1, 0.1, 0.1, 0.1, 0.1])).toBeGreaterThan(1);
    expect(tvd({ en: 0.5, es: 0.5 }, { en: 0.5, es: 0.5 })).toBe(0);
    expect(tvd({ en: 0.5, es: 0.5 }, { en: 0.2, fr: 0.8 })).toBeCloseTo(0.8);
  });

  it('counts out-of-scope answers as rejections on the live side, as the baseline does', () => {
    // Confident out_of_scope on top: handed off, though above the threshold.
    const turns = Array.from(
      { length: 100 },
      (_, i) =>
        ({
          id: `web:oos${i}`,
          at: i,
          channel: 'web',
          conversation: `o${i}`,
          language: 'en',
          intents: [{ intent: i < 80 ? 'out_of_scope' : 'alarm_set', score: 0.95 }],
          decision: i < 80 ? 'handoff' : 'answer',
          reason: i < 80 ? 'out_of_scope' : 'confident',
          latency_ms: 1,
          nlu_ms: 1,
          audit_sampled: false,
        }) as TurnRecord,
    );
    expect(driftSignals(turns, baseline, 0.6).low_confidence_excess).toBeCloseTo(0.8 - 0.05);
  });

  it('says so when the model has no baseline', async () => {
    const monitor = new DriftMonitor({
      turns: stores.turns,
      baseline: () => undefined,
      threshold: () => 0.6,
      log: memoryLogger(),
    });
    expect(await monitor.check()).toMatchObject({ checked: true, baseline: false, drifting: [] });
  });

  it('alerts once when traffic shifts (low confidence, new language), not before there is enough of it', async () => {
    const now = Date.UTC(2026, 10, 28, 12);
    const alerts: string[] = [];
    const log = memoryLogger();
    const monitor = new DriftMonitor({
      turns: stores.turns,
      baseline: () => baseline,
      threshold: () => 0.6,
      log,
      onAlert: async (m) => void alerts.push(m),
      now: () => now,
      minTurns: 100,
    });
    const add = async (i: number, score: number, language: string) =>
      stores.turns.record({
        id: `web:${i}`,
        at: now - 1000 * (i + 1),
        channel: 'web',
        conversation: `c${i}`,
        language,
        intents: [{ intent: 'alarm_set', score }],
        decision: score >= 0.6 ? 'answer' : 'handoff',
        reason: score >= 0.6 ? 'confident' : 'low_confidence',
        latency_ms: 1,
        nlu_ms: 1,
        audit_sampled: false,
      });
    const empty = await monitor.check();
    expect(empty).toMatchObject({ insufficient: true, window_turns: 0, signals: {} });
    for (let i = 0; i < 50; i++) await add(i, 0.3, 'th');
    // A window too small to judge carries no signal value (a PSI beside "50 questions" would read as a measurement).
    expect(await monitor.check()).toMatchObject({ insufficient: true, window_turns: 50, signals: {}, drifting: [] });
    expect(alerts).toHaveLength(0);
    for (let i = 50; i < 300; i++) await add(i, i % 2 ? 0.3 : 0.95, i % 3 ? 'th' : 'en');
    const check = await monitor.check();
    expect(check?.drifting).toEqual(
      expect.arrayContaining(['confidence_psi', 'language_tvd', 'low_confidence_excess']),
    );
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatch(/differ from the model's validation data/);
    await monitor.check();
    expect(alerts).toHaveLength(1); // the same drift is not re-announced
    expect(log.lines.some((l) => l.event === 'drift_alert')).toBe(true);
  });
});
