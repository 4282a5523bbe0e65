import { describe, expect, it } from 'vitest';
import type { SparseRow } from '../../../src/nlu/features/featurizer-config.ts';
import { linearScores, trainLinearSvm } from '../../../src/train/linear-svm.ts';
import { Random } from '../../../src/util/random.ts';

/** Rows with one informative feature per class (ids 1–3) plus noise features (4–20). */
function data(n: number, seed: number): { rows: SparseRow[]; y: number[] } {
  const rng = new Random(seed);
  const rows: SparseRow[] = [];
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = i % 3;
    const noise = 4 + rng.int(17);
    rows.push({ ids: Int32Array.of(1 + c, noise), values: Float32Array.of(0.9, 0.43) });
    y.push(c);
  }
  return { rows, y };
}

const argmax = (s: Float32Array) => s.indexOf(Math.max(...s));

describe('trainLinearSvm', () => {
  it('learns one-vs-rest decision values that separate the classes, on held-out rows too', () => {
    const train = data(60, 1);
    const model = trainLinearSvm(train.rows, train.y, 21, 3, { c: 1, tolerance: 0.01, maxPasses: 200, seed: 1 });
    expect(model.weights).toHaveLength(21 * 3);
    const test = data(30, 2);
    const out = new Float32Array(3);
    const right = test.rows.filter((r, i) => argmax(linearScores(model, r, out)) === test.y[i]).length;
    expect(right).toBe(30);
    // The informative feature of class 0 weighs more for class 0 than for the others.
    expect(model.weights[1 * 3 + 0]).toBeGreaterThan(model.weights[1 * 3 + 1]);
    // Margins: a class's own rows score above 0, the others' below.
    const s = linearScores(model, { ids: Int32Array.of(2), values: Float32Array.of(1) }, out);
    expect(s[1]).toBeGreaterThan(0);
    expect(s[0]).toBeLessThan(0);
  });

  it('takes multi-label 0/1 targets, and a row with label −1 is a negative for every label', () => {
    const rows: SparseRow[] = [
      { ids: Int32Array.of(1), values: Float32Array.of(1) },
      { ids: Int32Array.of(2), values: Float32Array.of(1) },
      { ids: Int32Array.of(1, 2), values: Float32Array.of(0.7, 0.7) },
      { ids: Int32Array.of(3), values: Float32Array.of(1) },
    ];
    const y = [Float32Array.of(1, 0), Float32Array.of(0, 1), Float32Array.of(1, 1), Float32Array.of(0, 0)];
    const m = trainLinearSvm(rows, y, 4, 2, { c: 10, tolerance: 0.001, maxPasses: 500, seed: 3 });
    const out = new Float32Array(2);
    expect([...linearScores(m, rows[2], out)].every((v) => v > 0)).toBe(true);
    expect([...linearScores(m, rows[3], out)].every((v) => v < 0)).toBe(true);
    const single = trainLinearSvm(rows.slice(0, 2).concat(rows[3]), [0, 1, -1], 4, 2);
    expect([...linearScores(single, rows[3], out)].every((v) => v < 0)).toBe(true);
  });

  it('is deterministic for a seed', () => {
    const { rows, y } = data(40, 5);
    const a = trainLinearSvm(rows, y, 21, 3, { c: 0.5, tolerance: 0.1, maxPasses: 50, seed: 7 });
    const b = trainLinearSvm(rows, y, 21, 3, { c: 0.5, tolerance: 0.1, maxPasses: 50, seed: 7 });
    expect(a.weights).toEqual(b.weights);
    expect(a.bias).toEqual(b.bias);
  });
});
