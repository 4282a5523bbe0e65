import { describe, expect, it } from 'vitest';
import { fitCombination, type StackRow, stackNll } from '../../../src/train/combine-members.ts';
import { Random } from '../../../src/util/random.ts';

/** Rows whose labels are drawn from softmax(a·z + g·s): the fit should find weights near (a, g). */
function rows(n: number, a: number, g: number, seed: number, useful = true): StackRow[] {
  const rng = new Random(seed);
  const out: StackRow[] = [];
  for (let i = 0; i < n; i++) {
    const z = Float32Array.from({ length: 3 }, () => rng.normal() * 2);
    const s = Float32Array.from({ length: 3 }, () => rng.normal());
    const logits = [0, 1, 2].map((c) => a * z[c] + (useful ? g * s[c] : 0));
    const m = Math.max(...logits);
    const p = logits.map((l) => Math.exp(l - m));
    const sum = p.reduce((x, y) => x + y, 0);
    let u = rng.next() * sum;
    let target = 0;
    while (u > p[target] && target < 2) u -= p[target++];
    out.push({ z, s, target });
  }
  return out;
}

describe('fitCombination', () => {
  it('recovers the weights that generated the labels', () => {
    const data = rows(4000, 0.8, 2.5, 1);
    const w = fitCombination(data, 'single', 3);
    expect(w.deep).toBeGreaterThan(0.6);
    expect(w.deep).toBeLessThan(1.0);
    expect(w.linear).toBeGreaterThan(2.0);
    expect(w.linear).toBeLessThan(3.0);
    expect(stackNll(data, w, 'single', 3)).toBeLessThanOrEqual(
      stackNll(data, { deep: 1, linear: 1, offset: 0 }, 'single', 3),
    );
  });

  it('gives a member that carries no signal (almost) no weight', () => {
    const data = rows(4000, 1.2, 0, 2, false);
    const w = fitCombination(data, 'single', 3);
    expect(w.linear).toBeLessThan(0.3);
    expect(w.deep).toBeGreaterThan(1.0);
  });

  it('fits a multi-label offset and handles absent members', () => {
    const data: StackRow[] = Array.from({ length: 400 }, (_, i) => ({
      s: Float32Array.of(i % 2 ? 1 : -1, -1),
      target: Float32Array.of(i % 2 ? 1 : 0, 0),
    }));
    const w = fitCombination(data, 'multi', 2);
    expect(w.deep).toBe(0);
    expect(w.linear).toBeGreaterThan(1);
    expect(fitCombination([], 'single', 2)).toEqual({ deep: 0, linear: 0, offset: 0 });
  });
});
