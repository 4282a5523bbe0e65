import { describe, expect, it } from 'vitest';
import {
  expectedCalibrationError,
  fitTemperature,
  precisionCoverageCurve,
  probabilitiesFromLogits,
  reliabilityBins,
  temperatureNll,
  thresholdForPrecision,
} from '../../../src/eval/calibration.ts';
import { Random } from '../../../src/util/random.ts';

/** Logits whose softmax is the true distribution the gold labels are drawn from, then sharpened by 1 / `temperature`. */
function syntheticSingle(n: number, classes: number, temperature: number, seed: number) {
  const rng = new Random(seed);
  const logits: Float32Array[] = [];
  const gold: number[] = [];
  for (let i = 0; i < n; i++) {
    const z = Float32Array.from({ length: classes }, () => rng.normal() * 2);
    const p = probabilitiesFromLogits(z, 'single');
    let u = rng.next();
    let y = 0;
    while (y < classes - 1 && (u -= p[y]) > 0) y++;
    gold.push(y);
    logits.push(z.map((v) => v * temperature));
  }
  return { logits, gold };
}

describe('fitTemperature', () => {
  it('recovers a known temperature on synthetic softmax logits', () => {
    const { logits, gold } = syntheticSingle(6000, 5, 2.5, 11);
    const t = fitTemperature(logits, gold, 'single');
    expect(t).toBeGreaterThan(2.5 * 0.9);
    expect(t).toBeLessThan(2.5 * 1.1);
    expect(temperatureNll(logits, gold, 'single', t)).toBeLessThan(temperatureNll(logits, gold, 'single', 1));
  });

  it('recovers an under-confident temperature (T < 1)', () => {
    const { logits, gold } = syntheticSingle(6000, 4, 0.4, 12);
    expect(fitTemperature(logits, gold, 'single')).toBeCloseTo(0.4, 1);
  });

  it('recovers a known temperature on synthetic sigmoid (multi-label) logits', () => {
    const rng = new Random(5);
    const logits: Float32Array[] = [];
    const gold: number[][] = [];
    for (let i = 0; i < 3000; i++) {
      const z = Float32Array.from({ length: 6 }, () => rng.normal() * 3);
      gold.push([...z].flatMap((v, j) => (rng.next() < 1 / (1 + Math.exp(-v)) ? [j] : [])));
      logits.push(z.map((v) => v * 0.5));
    }
    const t = fitTemperature(logits, gold, 'multi');
    expect(t).toBeGreaterThan(0.45);
    expect(t).toBeLessThan(0.55);
  });

  it('skips rows whose gold index is unknown, and returns 1 for no data', () => {
    expect(temperatureNll([Float32Array.of(0, 0)], [-1], 'single', 1)).toBe(0);
    expect(fitTemperature([], [], 'single')).toBe(1);
  });

  it('computes softmax and sigmoid probabilities at a temperature', () => {
    const p = probabilitiesFromLogits(Float32Array.of(2, 0), 'single', 2);
    expect(p[0]).toBeCloseTo(Math.E / (Math.E + 1));
    expect(probabilitiesFromLogits(Float32Array.of(0, 4), 'multi', 2)[1]).toBeCloseTo(1 / (1 + Math.exp(-2)));
  });
});

describe('calibration error and reliability bins', () => {
  it('computes ECE by hand', () => {
    expect(expectedCalibrationError([0.9, 0.9], [true, false])).toBeCloseTo(0.4);
    expect(expectedCalibrationError([0.95, 0.25], [true, false], 10)).toBeCloseTo(0.5 * 0.05 + 0.5 * 0.25);
    expect(expectedCalibrationError([], [])).toBe(0);
  });

  it('bins are (lo, hi]: a confidence on an edge goes to the lower bin, 0 to the first', () => {
    const bins = reliabilityBins([0, 0.3, 0.35, 1], [true, true, false, true], 10);
    expect(bins).toHaveLength(10);
    expect(bins[0]).toMatchObject({ lo: 0, hi: 0.1, count: 1, accuracy: 1 });
    expect(bins[2]).toMatchObject({ count: 1, accuracy: 1 });
    expect(bins[2].confidence).toBeCloseTo(0.3);
    expect(bins[3]).toMatchObject({ count: 1, accuracy: 0 });
    expect(bins[9]).toMatchObject({ count: 1, confidence: 1 });
    expect(bins[5]).toEqual({ lo: 0.5, hi: 0.6, count: 0, confidence: 0, accuracy: 0 });
  });
});

describe('precisionCoverageCurve', () => {
  const curve = precisionCoverageCurve([0.9, 0.6, 0.6, 0.3], [true, true, false, false]);

  it('gives coverage and precision at each distinct confidence, ascending threshold', () => {
    expect(curve).toEqual([
      { threshold: 0.3, coverage: 1, precision: 0.5 },
      { threshold: 0.6, coverage: 0.75, precision: 2 / 3 },
      { threshold: 0.9, coverage: 0.25, precision: 1 },
    ]);
  });

  it('finds the lowest threshold reaching a target precision', () => {
    expect(thresholdForPrecision(curve, 0.6)?.threshold).toBe(0.6);
    expect(thresholdForPrecision(curve, 0.99)?.coverage).toBe(0.25);
    expect(thresholdForPrecision(precisionCoverageCurve([0.5], [false]), 0.5)).toBeUndefined();
  });
});
