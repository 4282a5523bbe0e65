import { describe, expect, it } from 'vitest';
import { calibrateThresholds, outOfScopeWeights, SCORE_NOISE } from '../../../src/eval/calibrate-thresholds.ts';

const labels = ['a', 'b', 'out_of_scope'];
const row = (a: number, b: number) => Float32Array.of(a, b, Math.max(0, 1 - a - b));

describe('calibrateThresholds', () => {
  it('picks the lowest global threshold that reaches the precision (most coverage)', () => {
    // Confident rows right, unsure rows wrong.
    const probs = [row(0.95, 0.05), row(0.9, 0.1), row(0.85, 0.1), row(0.55, 0.4), row(0.5, 0.45)];
    const gold = ['a', 'a', 'a', 'b', 'b'];
    const plan = calibrateThresholds(gold, probs, labels, 0.99, 100);
    // Just below the last answered score (0.85 in float32): that message scored again, in another batch, a few 1e-8
    // lower, is still answered; nothing between the two scores is.
    expect(plan.threshold).toBeCloseTo(Math.fround(0.85) - SCORE_NOISE, 12);
    expect(Math.fround(0.85) - 6e-8).toBeGreaterThanOrEqual(plan.threshold);
    expect(plan.expected).toMatchObject({ n: 5, coverage: 0.6, precision: 1 });
    expect(plan.thresholds).toEqual({});
  });

  it('never answers an out_of_scope top intent and counts answered out-of-scope rows as wrong', () => {
    const probs = [row(0.9, 0.05), row(0.1, 0.1), row(0.8, 0.1)];
    const plan = calibrateThresholds(['a', 'out_of_scope', 'out_of_scope'], probs, labels, 0.9, 100);
    expect(plan.threshold).toBeCloseTo(Math.fround(0.9) - SCORE_NOISE, 12);
    expect(plan.expected.coverage).toBeCloseTo(1 / 3, 6);
  });

  it('gives a well-supported intent its own threshold when that buys coverage and keeps the promise', () => {
    const probs: Float32Array[] = [];
    const gold: string[] = [];
    // Intent a: right even at 0.5. Intent b: wrong below 0.8.
    for (let i = 0; i < 40; i++) {
      probs.push(row(0.5 + i * 0.01, 0.1));
      gold.push('a');
      probs.push(row(0.05, 0.6 + i * 0.009));
      gold.push(i < 20 ? 'a' : 'b');
    }
    const plan = calibrateThresholds(gold, probs, labels, 0.95, 30);
    expect(plan.thresholds.a ?? plan.threshold).toBeLessThanOrEqual(0.5 + 1e-6);
    expect(plan.thresholds.b ?? plan.threshold).toBeGreaterThan(0.75);
    expect(plan.expected.precision).toBeGreaterThanOrEqual(0.95);
    expect(plan.expected.coverage).toBeGreaterThan(plan.global_only.coverage);
  });

  it('answers nothing when no threshold reaches the target', () => {
    const plan = calibrateThresholds(['b', 'b'], [row(0.9, 0.1), row(0.8, 0.1)], labels, 0.9, 100);
    expect(plan.threshold).toBe(1);
    expect(plan.expected.coverage).toBe(0);
  });
});

describe('calibrating for an expected out-of-scope share', () => {
  it('weights out-of-scope rows to the share; more off-topic traffic asks for a higher threshold', () => {
    const gold = ['a', 'a', 'a', 'b', 'b', 'b', 'a', 'b', 'out_of_scope', 'out_of_scope'];
    const w = outOfScopeWeights(gold, 0.5);
    // 8 in-scope rows, 2 out-of-scope: each out-of-scope row weighs 4 so that they are half of the weight.
    expect(w.filter((x, i) => gold[i] === 'out_of_scope')).toEqual([4, 4]);
    expect(w.filter((x, i) => gold[i] !== 'out_of_scope').every((x) => x === 1)).toBe(true);
    expect(() => outOfScopeWeights(['a', 'b'], 0.2)).toThrow(/out-of-scope/);

    // In-scope rows right at any score; the out-of-scope rows look like 'a' at 0.7 and 0.8.
    const probs = [
      row(0.95, 0.01),
      row(0.9, 0.01),
      row(0.85, 0.01),
      row(0.01, 0.9),
      row(0.01, 0.85),
      row(0.01, 0.95),
      row(0.75, 0.01),
      row(0.01, 0.72),
      row(0.7, 0.01),
      row(0.8, 0.01),
    ];
    const plain = calibrateThresholds(gold, probs, labels, 0.8, 100);
    const shifted = calibrateThresholds(gold, probs, labels, 0.8, 100, outOfScopeWeights(gold, 0.5));
    expect(shifted.threshold).toBeGreaterThan(plain.threshold);
    expect(shifted.expected.precision).toBeGreaterThanOrEqual(0.8);
  });
});
