import { describe, expect, it } from 'vitest';
import type { FeatureBag } from '../../../../src/nlu/features/featurizer-config.ts';
import {
  forwardReference,
  linearFeatures,
  linearLogits,
  probabilitiesFromLogits,
  towerLogits,
} from '../../../../src/nlu/intent/forward-reference.ts';
import type { IntentModelWeights, TowerWeights } from '../../../../src/nlu/intent/intent-weights.ts';

// V=3 buckets, D=2, no hidden layer, C=2: small enough to compute by hand.
const tower: TowerWeights = {
  dim: 2,
  hidden: 0,
  labels: 2,
  buckets: 3,
  embedding: Float32Array.of(0, 0, 1, 0, 0, 1),
  idf: Float32Array.of(0, 3, 4),
  w2: Float32Array.of(1, 0, 0, 1), // identity
  b2: Float32Array.of(0.5, -0.5),
};
const bag = (ids: number[], counts: number[]): FeatureBag => ({
  ids: Int32Array.from(ids),
  counts: Float32Array.from(counts),
});

describe('towerLogits', () => {
  it('weights rows by count × idf, L2-normalised, then relu and the output layer', () => {
    // w = [3, 4], ‖w‖ = 5 → e = [0.6, 0.8]; logits = e + b2
    const logits = towerLogits(tower, bag([1, 2], [1, 1]));
    expect(logits[0]).toBeCloseTo(1.1, 12);
    expect(logits[1]).toBeCloseTo(0.3, 12);
  });

  it('applies relu before the output layer and the hidden layer when present', () => {
    const neg = { ...tower, embedding: Float32Array.of(0, 0, -1, 0, 0, 1) };
    expect([...towerLogits(neg, bag([1, 2], [1, 1]))]).toEqual([0.5, expect.closeTo(0.3, 12)]);
    const hidden: TowerWeights = {
      ...tower,
      hidden: 1,
      w1: Float32Array.of(1, -1), // h = relu(e0 - e1)
      b1: Float32Array.of(0.25),
      w2: Float32Array.of(2, -2),
    };
    // e = [0.6, 0.8] → h = relu(-0.2 + 0.25) = 0.05 → logits = [0.1 + 0.5, -0.1 - 0.5]
    const logits = towerLogits(hidden, bag([1, 2], [1, 1]));
    expect(logits[0]).toBeCloseTo(0.6, 6);
    expect(logits[1]).toBeCloseTo(-0.6, 6);
  });

  it('maps an empty bag to the bias (no NaN)', () => {
    expect([...towerLogits(tower, bag([], []))]).toEqual([0.5, -0.5]);
  });
});

describe('forwardReference', () => {
  const model: IntentModelWeights = { mode: 'single', labels: ['a', 'b'], towers: [tower], temperature: 2 };

  it('returns softmax(logits / T) for single-label models', () => {
    const [p] = forwardReference(model, [bag([1, 2], [1, 1])]);
    const z = Math.exp(1.1 / 2) + Math.exp(0.3 / 2);
    expect(p[0]).toBeCloseTo(Math.exp(1.1 / 2) / z, 6);
    expect(p[0] + p[1]).toBeCloseTo(1, 6);
  });

  it('returns sigmoid(logits / T) for multi-label models', () => {
    const [p] = forwardReference({ ...model, mode: 'multi' }, [bag([1, 2], [1, 1])]);
    expect(p[0]).toBeCloseTo(1 / (1 + Math.exp(-1.1 / 2)), 6);
    expect(p[1]).toBeCloseTo(1 / (1 + Math.exp(-0.3 / 2)), 6);
  });

  it('averages the logits of the towers of an ensemble, then applies the temperature', () => {
    const other = { ...tower, b2: Float32Array.of(-3, 3) };
    const [p] = forwardReference({ ...model, towers: [tower, other] }, [bag([2], [2])]);
    const z1 = towerLogits(tower, bag([2], [2]));
    const z2 = towerLogits(other, bag([2], [2]));
    const mean = Float64Array.from(z1, (z, c) => (z + z2[c]) / 2);
    expect(p[0]).toBeCloseTo(probabilitiesFromLogits(mean, 'single', 2)[0], 6);
  });

  it('adds the scaled linear member and the bias to the logits', () => {
    // Rows 1 and 2 are word rows, row 3 a character row; idf 1, 2, 4.
    const linear = {
      rows: 4,
      labels: 2,
      weights: Float32Array.of(0, 0, 1, 0, 0, 1, 2, -1),
      bias: Float32Array.of(0.1, -0.1),
      idf: Float32Array.of(0, 1, 2, 4),
      wordRows: Uint8Array.of(0, 1, 1, 0),
    };
    const x = linearFeatures(bag([1, 2, 3], [1, Math.E, 1]), linear.idf, linear.wordRows);
    // Sublinear tf: 1 + ln e = 2 → word values 1·1 and 2·2, L2-normalised together; the char row alone → 1.
    expect([...x.ids]).toEqual([1, 2, 3]);
    expect(x.values[0]).toBeCloseTo(1 / Math.sqrt(17), 6);
    expect(x.values[1]).toBeCloseTo(4 / Math.sqrt(17), 6);
    expect(x.values[2]).toBeCloseTo(1, 6);
    const s = linearLogits(linear, bag([1, 2, 3], [1, Math.E, 1]));
    expect(s[0]).toBeCloseTo(0.1 + 1 / Math.sqrt(17) + 2, 6);
    expect(s[1]).toBeCloseTo(-0.1 + 4 / Math.sqrt(17) - 1, 6);
    // With the tower (rows 1–2 only: the tower has 3 rows).
    const b = bag([1, 2], [1, Math.E]);
    const both = { ...model, linear, linearScale: 3, bias: Float32Array.of(0.5, 0) };
    const sb = linearLogits(linear, b);
    const expected = Float64Array.from(towerLogits(tower, b), (v, c) => v / 2 + 3 * sb[c] + (c === 0 ? 0.5 : 0));
    const [p] = forwardReference(both, [b]);
    expect(p[0]).toBeCloseTo(probabilitiesFromLogits(expected, 'single', 1)[0], 6);
    // The linear member alone (no towers).
    const [q] = forwardReference({ ...both, towers: [], bias: undefined }, [bag([1, 2, 3], [1, Math.E, 1])]);
    const onlyLinear = Float64Array.from(s, (v) => 3 * v);
    expect(q[1]).toBeCloseTo(probabilitiesFromLogits(onlyLinear, 'single', 1)[1], 6);
  });

  it('keeps softmax finite for huge logits', () => {
    const p = probabilitiesFromLogits(Float64Array.of(1e6, 0), 'single', 1);
    expect([...p]).toEqual([1, 0]);
  });
});
