import { describe, expect, it } from 'vitest';
import type { IntentExample } from '../../../src/nlu/intent/intent-example.ts';
import { splitTrainValid } from '../../../src/train/read-intent-data.ts';
import { stratifiedFolds } from '../../../src/train/split-train-valid.ts';

function examples(counts: Record<string, number>): IntentExample[] {
  return Object.entries(counts).flatMap(([label, n]) =>
    Array.from({ length: n }, (_, i) => ({ text: `${label} ${i}`, intent: label })),
  );
}

const count = (list: IntentExample[], label: string) => list.filter((e) => e.intent === label).length;

describe('splitTrainValid', () => {
  const data = examples({ a: 50, b: 20, c: 2, d: 1 });

  it('is stratified: each label gets about its share of validation rows', () => {
    const { train, valid } = splitTrainValid(data, 0.2, 1);
    expect(train.length + valid.length).toBe(data.length);
    expect(valid.length).toBe(Math.round(data.length * 0.2));
    expect(count(valid, 'a')).toBe(10);
    expect(count(valid, 'b')).toBe(4);
  });

  it('keeps at least one example per label in train, and single examples in train', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const { train, valid } = splitTrainValid(data, 0.5, seed);
      for (const label of ['a', 'b', 'c', 'd']) expect(count(train, label)).toBeGreaterThan(0);
      expect(count(valid, 'd')).toBe(0);
    }
  });

  it('is reproducible for a seed and differs across seeds', () => {
    const one = splitTrainValid(data, 0.2, 7).valid.map((e) => e.text);
    expect(splitTrainValid(data, 0.2, 7).valid.map((e) => e.text)).toEqual(one);
    expect(splitTrainValid(data, 0.2, 8).valid.map((e) => e.text)).not.toEqual(one);
  });

  it('keeps every multi-label label in train', () => {
    const multi: IntentExample[] = [
      ...Array.from({ length: 10 }, (_, i) => ({ text: `x${i}`, intent: ['a'] })),
      ...Array.from({ length: 10 }, (_, i) => ({ text: `y${i}`, intent: [] as string[] })),
      { text: 'ab', intent: ['a', 'rare'] },
      { text: 'ab2', intent: ['a', 'rare'] },
    ];
    for (const seed of [1, 2, 3]) {
      const { train, valid } = splitTrainValid(multi, 0.5, seed);
      expect(train.some((e) => e.intent.includes('rare'))).toBe(true);
      expect(valid.some((e) => e.intent.length === 0)).toBe(true);
    }
  });

  it('rejects a fraction outside [0, 1)', () => {
    expect(() => splitTrainValid(data, 1, 1)).toThrow(RangeError);
    expect(splitTrainValid(data, 0, 1).valid).toEqual([]);
  });
});

describe('stratifiedFolds', () => {
  const data = examples({ a: 23, b: 10, c: 3, d: 1 });

  it('deals each label evenly over the folds and never holds out a single-example label', () => {
    const fold = stratifiedFolds(data, 5, 1);
    const sizes = [0, 1, 2, 3, 4].map((f) => fold.filter((x) => x === f).length);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    for (let f = 0; f < 5; f++) {
      const a = data.filter((e, i) => fold[i] === f && e.intent === 'a').length;
      expect(a === 4 || a === 5).toBe(true);
      expect(data.filter((e, i) => fold[i] === f && e.intent === 'b').length).toBe(2);
    }
    expect(fold[data.findIndex((e) => e.intent === 'd')]).toBe(-1);
  });

  it('keeps every label in train whichever fold is held out (multi-label too), and is reproducible', () => {
    const multi: IntentExample[] = [
      ...Array.from({ length: 9 }, (_, i) => ({ text: `x${i}`, intent: ['a'] })),
      { text: 'both', intent: ['a', 'rare'] },
      { text: 'rare alone', intent: ['rare'] },
    ];
    const fold = stratifiedFolds(multi, 3, 2);
    for (let f = 0; f < 3; f++) {
      const trainLabels = new Set(multi.filter((_, i) => fold[i] !== f).flatMap((e) => e.intent as string[]));
      expect(trainLabels).toEqual(new Set(['a', 'rare']));
    }
    expect(stratifiedFolds(multi, 3, 2)).toEqual(fold);
    expect(() => stratifiedFolds(multi, 1, 2)).toThrow(/folds must be an integer ≥ 2/);
  });
});
