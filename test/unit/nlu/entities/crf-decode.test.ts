import { describe, expect, it } from 'vitest';
import { bioConstraints, marginals, viterbi } from '../../../../src/nlu/entities/crf-decode.ts';
import { Random } from '../../../../src/util/random.ts';

const tags = ['O', 'B-PER', 'I-PER', 'B-LOC', 'I-LOC'];
const k = tags.length;
const c = bioConstraints(tags);

function randomVector(seed: number, n: number) {
  const r = new Random(seed);
  return Float64Array.from({ length: n }, () => r.normal());
}
const randomParams = (seed: number) => ({
  tags,
  transitions: randomVector(seed, k * k),
  start: randomVector(seed + 1, k),
  end: randomVector(seed + 2, k),
});

function valid(path: number[]): boolean {
  return path.every((y, t) => (t === 0 ? c.allowedStart[y] === 1 : c.allowed[path[t - 1] * k + y] === 1));
}

describe('CRF decoding', () => {
  it('Viterbi finds the best valid sequence (checked by brute force)', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const p = randomParams(seed);
      const n = 4;
      const em = randomVector(seed + 100, n * k);
      let best = Number.NEGATIVE_INFINITY;
      let bestPath: number[] = [];
      for (let code = 0; code < k ** n; code++) {
        const path = Array.from({ length: n }, (_, t) => Math.floor(code / k ** t) % k);
        if (!valid(path)) continue;
        let s = p.start[path[0]] + p.end[path[n - 1]];
        path.forEach((y, t) => {
          s += em[t * k + y] + (t > 0 ? p.transitions[path[t - 1] * k + y] : 0);
        });
        if (s > best) [best, bestPath] = [s, path];
      }
      expect(Array.from(viterbi(em, n, p, c))).toEqual(bestPath);
    }
  });

  it('never starts with I- or jumps from O to I-, even when the emissions want it', () => {
    const p = { tags, transitions: new Float64Array(k * k), start: new Float64Array(k), end: new Float64Array(k) };
    const em = new Float64Array(2 * k);
    em[2] = 10; // I-PER first: impossible
    em[k + 4] = 10; // I-LOC second: needs B-LOC or I-LOC before it
    expect(Array.from(viterbi(em, 2, p, c), (y) => tags[y])).toEqual(['B-LOC', 'I-LOC']);
  });

  it('marginals are probabilities summing to 1 per token, 0 for impossible tags', () => {
    const p = randomParams(7);
    const em = randomVector(8, 3 * k);
    const m = marginals(em, 3, p, c);
    for (let t = 0; t < 3; t++) {
      let sum = 0;
      for (let y = 0; y < k; y++) sum += m[t * k + y];
      expect(sum).toBeCloseTo(1, 9);
    }
    expect(m[2]).toBe(0); // I-PER cannot start
    expect(m[4]).toBe(0);
  });
});
