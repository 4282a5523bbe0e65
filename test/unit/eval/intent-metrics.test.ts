import { describe, expect, it } from 'vitest';
import { chooseRejection, confidenceFloor } from '../../../src/eval/choose-threshold.ts';
import {
  chooseMultiLabelThreshold,
  chooseOosThreshold,
  confidenceOutcomes,
  multiLabelMetrics,
  NONE_LABEL,
  predictSingleLabel,
  singleLabelMetrics,
  topConfusions,
} from '../../../src/eval/intent-metrics.ts';

const rows = (...r: number[][]) => r.map((x) => Float32Array.from(x));

describe('singleLabelMetrics', () => {
  // argmax predictions: a, b, b, c, a
  const labels = ['a', 'b', 'c'];
  const gold = ['a', 'a', 'b', 'c', 'c'];
  const probs = rows([0.7, 0.2, 0.1], [0.3, 0.6, 0.1], [0.1, 0.8, 0.1], [0.1, 0.1, 0.8], [0.5, 0.2, 0.3]);

  it('computes accuracy and macro-F1 (hand-computed)', () => {
    const m = singleLabelMetrics(gold, probs, labels);
    expect(m.n).toBe(5);
    expect(m.accuracy).toBeCloseTo(3 / 5);
    // F1: a = 0.5 (P 1/2, R 1/2), b = 2/3 (P 1/2, R 1), c = 2/3 (P 1, R 1/2)
    expect(m.macro_f1).toBeCloseTo((0.5 + 2 / 3 + 2 / 3) / 3);
    expect(m.per_label.map((s) => s.label)).toEqual(['a', 'b', 'c']);
    expect(m.per_label[1]).toMatchObject({ precision: 0.5, recall: 1, support: 1, predicted: 2 });
    expect(m).not.toHaveProperty('in_scope_accuracy');
  });

  it('lists confusions, most frequent first, with example rows', () => {
    const m = singleLabelMetrics(gold, probs, labels);
    expect(m.confusions).toEqual([
      { gold: 'a', predicted: 'b', count: 1, rows: [1] },
      { gold: 'c', predicted: 'a', count: 1, rows: [4] },
    ]);
  });

  it('averages macro-F1 over the data’s labels, not a class that is only predicted', () => {
    // A model with a background out_of_scope class on data without out-of-scope rows: row 2 is refused.
    const labels = ['a', 'b', 'out_of_scope'];
    const m = singleLabelMetrics(
      ['a', 'b'],
      [new Float32Array([0.9, 0.05, 0.05]), new Float32Array([0.1, 0.2, 0.7])],
      labels,
    );
    expect(m.accuracy).toBe(0.5);
    expect(m.per_label.find((s) => s.label === 'out_of_scope')).toMatchObject({ support: 0, predicted: 1, f1: 0 });
    expect(m.macro_f1).toBe(0.5); // (1 + 0) / 2, not (1 + 0 + 0) / 3
  });

  it('ignores the threshold when no out_of_scope rows exist', () => {
    expect(singleLabelMetrics(gold, probs, labels, 0.99).accuracy).toBeCloseTo(3 / 5);
  });
});

describe('out-of-scope threshold rule (CLINC150 convention)', () => {
  const labels = ['a', 'b'];
  const gold = ['a', 'b', 'out_of_scope', 'out_of_scope', 'a'];
  const probs = rows([0.9, 0.1], [0.45, 0.55], [0.5, 0.5], [0.2, 0.8], [0.3, 0.7]);

  it('rejects a top probability below the threshold; a rejected in-scope query is wrong', () => {
    expect(predictSingleLabel(probs, labels, 0.6)).toEqual(['a', 'out_of_scope', 'out_of_scope', 'b', 'b']);
    const m = singleLabelMetrics(gold, probs, labels, 0.6);
    expect(m.in_scope_accuracy).toBeCloseTo(1 / 3);
    expect(m.oos_recall).toBeCloseTo(1 / 2);
    expect(m.accuracy).toBeCloseTo(2 / 5);
    expect(m.threshold).toBe(0.6);
    expect(m.confusions[0]).toEqual({ gold: 'a', predicted: 'b', count: 1, rows: [4] });
  });

  it('a per-label threshold replaces the global one for its label', () => {
    // b needs 0.75: the 0.7 and 0.55 answers of b are rejected; a keeps the global 0.6.
    expect(predictSingleLabel(probs, labels, 0.6, { b: 0.75 })).toEqual([
      'a',
      'out_of_scope',
      'out_of_scope',
      'b',
      'out_of_scope',
    ]);
    const m = singleLabelMetrics(gold, probs, labels, 0.6, 50, { b: 0.75 });
    expect(m.in_scope_accuracy).toBeCloseTo(1 / 3);
    expect(m.oos_recall).toBeCloseTo(1 / 2);
    expect(predictSingleLabel(probs, labels, 0.6, { a: 0.95 })[0]).toBe('out_of_scope');
  });

  it('data of out_of_scope rows only has an out-of-scope recall and no in-scope accuracy', () => {
    const m = singleLabelMetrics(['out_of_scope', 'out_of_scope'], rows([0.9, 0.1], [0.5, 0.5]), labels, 0.6);
    expect(m.oos_recall).toBe(0.5);
    expect(m).not.toHaveProperty('in_scope_accuracy');
  });

  it('without a threshold, is plain argmax', () => {
    const m = singleLabelMetrics(gold, probs, labels);
    expect(m.in_scope_accuracy).toBeCloseTo(2 / 3);
    expect(m.oos_recall).toBe(0);
    expect(m.threshold).toBe(0);
  });

  it('counts an out_of_scope class predicted by the model as recalled', () => {
    const m = singleLabelMetrics(['out_of_scope'], rows([0.2, 0.8]), ['a', 'out_of_scope'], 0.5);
    expect(m.oos_recall).toBe(1);
  });

  it('chooses the threshold maximising validation accuracy over all rows (lowest of equally good cuts)', () => {
    // Accuracy over the 5 rows: no cut 2/5, above 0.5 → 3/5, above 0.55 or 0.7 → 2/5, above 0.8 → 3/5 (tie, higher).
    const t = chooseOosThreshold(gold, probs, labels);
    expect(t).toBeCloseTo((0.5 + 0.55) / 2, 5);
    expect(singleLabelMetrics(gold, probs, labels, t).accuracy).toBeCloseTo(3 / 5);
  });

  it('returns 0 without out_of_scope rows or when rejecting nothing is best', () => {
    expect(chooseOosThreshold(['a', 'b'], rows([0.9, 0.1], [0.2, 0.8]), labels)).toBe(0);
    expect(chooseOosThreshold(['a', 'out_of_scope'], rows([0.6, 0.4], [0.9, 0.1]), labels)).toBe(0);
  });

  it('weights out-of-scope rows to a share and respects an in-scope loss budget', () => {
    // Top probabilities: in-scope rows (right) at 0.9, 0.8, 0.55, 0.5; out-of-scope rows (top label a) at 0.75, 0.6.
    const g = ['a', 'a', 'a', 'a', 'out_of_scope', 'out_of_scope'];
    const p = rows([0.9, 0.1], [0.8, 0.2], [0.55, 0.45], [0.5, 0.5], [0.75, 0.25], [0.6, 0.4]);
    const l = ['a', 'b'];
    // Unweighted, cutting above 0.75 (2 in-scope lost, 2 OOS caught) only ties with no cut: no threshold.
    expect(chooseOosThreshold(g, p, l)).toBe(0);
    // With out-of-scope rows weighted to half of all rows, that cut wins: 6/8 against 4/8.
    expect(chooseOosThreshold(g, p, l, { oosShare: 0.5 })).toBeCloseTo((0.75 + 0.8) / 2, 5);
    // …unless at most a quarter of the correct in-scope answers (one row) may be lost.
    expect(chooseOosThreshold(g, p, l, { oosShare: 0.5, maxInScopeLoss: 0.25 })).toBe(0);
  });
});

describe('chooseRejection', () => {
  const labels = ['a', 'b', 'out_of_scope'];
  it('shifts the out_of_scope logit down when the class steals correct in-scope answers', () => {
    // In-scope rows where out_of_scope narrowly wins, and out-of-scope rows it wins clearly.
    const gold = ['a', 'a', 'b', 'b', 'out_of_scope', 'out_of_scope'];
    const probs = rows(
      [0.45, 0.05, 0.5],
      [0.8, 0.1, 0.1],
      [0.05, 0.44, 0.51],
      [0.1, 0.8, 0.1],
      [0.05, 0.05, 0.9],
      [0.1, 0.1, 0.8],
    );
    const rule = chooseRejection(gold, probs, labels, { maxInScopeLoss: 0 });
    expect(rule.oosShift).toBeLessThan(0);
    expect(rule.score).toBeCloseTo(1, 5);
    // Without a label to shift, only the threshold is chosen.
    const noClass = chooseRejection(['a', 'out_of_scope'], rows([0.9, 0.1], [0.55, 0.45]), ['a', 'b']);
    expect(noClass.oosShift).toBe(0);
    expect(noClass.threshold).toBeGreaterThan(0.55);
    expect(chooseRejection(['a'], rows([0.9, 0.1]), ['a', 'b']).threshold).toBe(0);
  });
});

describe('confidenceFloor', () => {
  it('sits below all but the given share of correct answers', () => {
    expect(confidenceFloor([0.99, 0.97, 0.6, 0.95], 0.25)).toBeCloseTo((0.6 + 0.95) / 2, 6);
    expect(confidenceFloor([0.9, 0.8], 0)).toBeCloseTo(0.8 * 0.999, 6);
    expect(confidenceFloor([], 0.1)).toBe(0);
  });
});

describe('multiLabelMetrics', () => {
  const labels = ['a', 'b', 'c'];
  const gold = [['a'], ['a', 'b'], [], ['c']];
  const probs = rows([0.9, 0.6, 0.1], [0.8, 0.2, 0.1], [0.1, 0.1, 0.1], [0.1, 0.1, 0.4]);

  it('computes micro-F1 over all (example, label) decisions, macro-F1 and exact match', () => {
    const m = multiLabelMetrics(gold, probs, labels);
    // TP 2 (a, a), FP 1 (b in row 0), FN 2 (b in row 1, c in row 3)
    expect(m.micro_f1).toBeCloseTo(4 / 7);
    expect(m.macro_f1).toBeCloseTo(1 / 3);
    expect(m.exact_match).toBeCloseTo(1 / 4);
    expect(m.accuracy).toBe(m.exact_match);
    expect(m.threshold).toBe(0.5);
  });

  it('lists misses and false alarms as confusions against (none)', () => {
    const m = multiLabelMetrics(gold, probs, labels);
    expect(m.confusions).toEqual([
      { gold: NONE_LABEL, predicted: 'b', count: 1, rows: [0] },
      { gold: 'b', predicted: NONE_LABEL, count: 1, rows: [1] },
      { gold: 'c', predicted: NONE_LABEL, count: 1, rows: [3] },
    ]);
  });

  it('chooses the global threshold maximising micro-F1', () => {
    const t = chooseMultiLabelThreshold(gold, probs, labels);
    expect(t).toBeCloseTo(0.15, 5);
    expect(multiLabelMetrics(gold, probs, labels, t).micro_f1).toBeCloseTo(8 / 9);
  });

  it('counts gold labels unknown to the model as misses', () => {
    expect(multiLabelMetrics([['a', 'zzz']], rows([0.9, 0.1, 0.1]), labels).micro_f1).toBeCloseTo(2 / 3);
  });
});

describe('helpers', () => {
  it('confidenceOutcomes: top probability (single), probability that all decisions are right (multi)', () => {
    const single = confidenceOutcomes(['a', 'b'], rows([0.7, 0.3], [0.6, 0.4]), ['a', 'b'], 'single');
    expect(Array.from(single.confidences)).toEqual([0.699999988079071, 0.6000000238418579]);
    expect(single.correct).toEqual([true, false]);
    const multi = confidenceOutcomes([['a'], []], rows([0.9, 0.4], [0.2, 0.1]), ['a', 'b'], 'multi');
    expect(multi.confidences[0]).toBeCloseTo(0.9 * 0.6);
    expect(multi.confidences[1]).toBeCloseTo(0.8 * 0.9);
    expect(multi.correct).toEqual([true, true]);
  });

  it('topConfusions sorts by count then labels and keeps three example rows', () => {
    const items = [0, 1, 2, 3].map((row) => ({ gold: 'x', predicted: 'y', row }));
    items.push({ gold: 'a', predicted: 'b', row: 9 }, { gold: 'a', predicted: 'a', row: 10 });
    expect(topConfusions(items, 5)).toEqual([
      { gold: 'x', predicted: 'y', count: 4, rows: [0, 1, 2] },
      { gold: 'a', predicted: 'b', count: 1, rows: [9] },
    ]);
  });

  it('rejects probability rows of the wrong shape with E_EVAL_SHAPE', () => {
    expect(() => singleLabelMetrics(['a'], rows([1]), ['a', 'b'])).toThrow(/1 probabilities for 2 labels/);
    expect(() => singleLabelMetrics(['a', 'b'], rows([1, 0]), ['a', 'b'])).toThrow(
      /1 probability rows for 2 gold rows/,
    );
  });
});
