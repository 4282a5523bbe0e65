import { describe, expect, it } from 'vitest';
import type { IntentExample } from '../../../src/nlu/intent/intent-example.ts';
import { splitTrainValid } from '../../../src/train/read-intent-data.ts';

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
