import { describe, expect, it } from 'vitest';
import { mergeEntities } from '../../../../src/nlu/entities/merge-entities.ts';
import type { EntityMention } from '../../../../src/nlu/understanding.ts';

const text = 'call me yesterday at 5pm about ORD-123456 please';
const m = (type: string, start: number, end: number, source: EntityMention['source'], score = 1): EntityMention => ({
  type,
  start,
  end,
  text: text.slice(start, end),
  score,
  source,
});

describe('mergeEntities', () => {
  it('sorts by start and keeps disjoint mentions of every source', () => {
    const ner = [m('PER', 0, 4, 'ner', 0.7)];
    const rules = [m('datetime', 8, 24, 'rule')];
    const patterns = [m('order', 31, 41, 'pattern')];
    expect(mergeEntities(patterns, rules, ner).map((e) => e.type)).toEqual(['PER', 'datetime', 'order']);
  });

  it('lets the longer span win within a source: datetime "yesterday at 5pm" beats number "5"', () => {
    const merged = mergeEntities([m('number', 21, 22, 'rule'), m('datetime', 8, 24, 'rule')]);
    expect(merged).toEqual([m('datetime', 8, 24, 'rule')]);
  });

  it('ranks sources pattern > rule > ner on overlap, whatever the lengths', () => {
    const ner = m('MISC', 28, 41, 'ner', 0.9); // "about ORD-123456" … longer than the pattern
    const rule = m('number', 35, 41, 'rule');
    const pattern = m('order', 31, 41, 'pattern');
    expect(mergeEntities([ner], [rule], [pattern])).toEqual([pattern]);
    expect(mergeEntities([ner], [rule])).toEqual([rule]);
    expect(mergeEntities([ner, m('PER', 0, 4, 'ner')], [m('datetime', 2, 10, 'rule')])).toEqual([
      m('datetime', 2, 10, 'rule'),
      ner,
    ]);
  });

  it('keeps the earlier of two equally long overlapping spans of one source, then the first listed', () => {
    expect(mergeEntities([m('a', 5, 10, 'rule'), m('b', 3, 8, 'rule')])).toEqual([m('b', 3, 8, 'rule')]);
    expect(mergeEntities([m('a', 3, 8, 'rule')], [m('b', 3, 8, 'rule')])).toEqual([m('a', 3, 8, 'rule')]);
  });

  it('removes duplicates and treats touching spans as disjoint', () => {
    const a = m('datetime', 8, 17, 'rule');
    expect(mergeEntities([a, { ...a }], [a])).toEqual([a]);
    expect(mergeEntities([m('x', 0, 4, 'ner'), m('y', 4, 7, 'ner')])).toHaveLength(2);
  });

  it('drops empty or negative spans, accepts no lists, is pure', () => {
    const input = [m('x', 5, 5, 'rule'), m('y', 9, 3, 'ner'), { ...m('z', 0, 2, 'ner'), start: -1 }];
    const copy = structuredClone(input);
    expect(mergeEntities(input)).toEqual([]);
    expect(input).toEqual(copy);
    expect(mergeEntities()).toEqual([]);
  });

  it('handles thousands of mentions in about n log n (10× the mentions, far less than 100× the time)', () => {
    const make = (n: number) => Array.from({ length: n }, (_, i) => m('n', i, i + 1 + (i % 3), i % 2 ? 'ner' : 'rule'));
    const time = (list: ReturnType<typeof make>) => {
      const t = performance.now();
      mergeEntities(list);
      return performance.now() - t;
    };
    time(make(2_000)); // warm up
    const small = Math.min(time(make(2_000)), time(make(2_000)));
    const many = make(20_000);
    const large = Math.min(time(many), time(many)); // the least of two: a run the scheduler paused is not the cost
    // Relative, not wall-clock: a busy machine slows both; a quadratic merge would be ~100× slower.
    expect(large).toBeLessThan(40 * small + 100);
    const merged = mergeEntities(many);
    for (let i = 1; i < merged.length; i++) expect(merged[i].start).toBeGreaterThanOrEqual(merged[i - 1].end);
  });
});
