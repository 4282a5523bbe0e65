/**
 * Intent metrics as served: accuracy, macro-F1, per-label precision/recall/F1, confusions, out-of-scope recall and in-
 * scope accuracy under a threshold, multi-label micro-F1 and exact match, reliability and coverage curves.
 */
import { SwitchboardError } from '../errors.ts';
import { OUT_OF_SCOPE } from '../nlu/intent/intent-example.ts';

export { chooseMultiLabelThreshold, chooseOosThreshold } from './choose-threshold.ts';

/** Precision, recall and F1 of one label. */
export interface LabelScores {
  label: string;
  precision: number;
  recall: number;
  f1: number;
  /** Gold examples (single-label) or gold (example, label) pairs (multi-label) with this label. */
  support: number;
  /** How often the label was predicted. */
  predicted: number;
}

/** A gold → predicted confusion, with the first few rows (0-based indices) it happened on. */
export interface Confusion {
  gold: string;
  predicted: string;
  count: number;
  rows: number[];
}

/** Metrics of single-label intent predictions (snake_case: these are the `eval intent --json` keys). */
export interface SingleLabelMetrics {
  n: number;
  /** Share of rows whose prediction is the gold label (threshold rule applied when out_of_scope rows exist). */
  accuracy: number;
  /** Mean F1 over every label that is gold or predicted at least once. */
  macro_f1: number;
  /** Present when out_of_scope rows exist: accuracy over the in-scope rows (a rejected in-scope query is wrong). */
  in_scope_accuracy?: number;
  /** Present when out_of_scope rows exist: share of out_of_scope rows predicted out_of_scope. */
  oos_recall?: number;
  /** Present when out_of_scope rows exist: the top-probability threshold used (0: none). */
  threshold?: number;
  /** Per label, worst F1 first. */
  per_label: LabelScores[];
  /** Most frequent confusions, most frequent first. */
  confusions: Confusion[];
}

/** Metrics of multi-label intent predictions (snake_case: these are the `eval intent --json` keys). */
export interface MultiLabelMetrics {
  n: number;
  /** F1 over all (example, label) decisions (as in the NLU++ paper). */
  micro_f1: number;
  /** Mean F1 over labels that are gold or predicted at least once. */
  macro_f1: number;
  /** Share of examples whose predicted label set equals the gold set. */
  exact_match: number;
  /** Equal to `exact_match`. */
  accuracy: number;
  /** Probability at or above which a label is predicted. */
  threshold: number;
  per_label: LabelScores[];
  /** Missed gold label → wrongly predicted label pairs per example; `(none)` when one side is empty. */
  confusions: Confusion[];
}

/** Stand-in label in multi-label confusions for "no label" (a miss with no wrong prediction, or vice versa). */
export const NONE_LABEL = '(none)';
const ROWS_PER_CONFUSION = 3;

/**
 * Index of the largest value (the first one on ties).
 * @example argmax(Float32Array.of(0.1, 0.7, 0.2)) // 1
 */
export function argmax(row: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < row.length; i++) if (row[i] > row[best]) best = i;
  return best;
}

/**
 * Single-label predictions: the top label, or `out_of_scope` when its probability is below its threshold — the
 * label's own in `perLabel` (per-intent thresholds, as `switchboard calibrate` writes them), else `threshold`.
 * @example predictSingleLabel([Float32Array.of(0.4, 0.6)], ['a', 'b'], 0.7) // ['out_of_scope']
 */
export function predictSingleLabel(
  probs: readonly Float32Array[],
  labels: readonly string[],
  threshold = 0,
  perLabel: Readonly<Record<string, number>> = {},
): string[] {
  return probs.map((row) => {
    const top = argmax(row);
    return row[top] < (perLabel[labels[top]] ?? threshold) ? OUT_OF_SCOPE : labels[top];
  });
}

/**
 * Accuracy, macro-F1, per-label scores and confusions of single-label predictions. When `out_of_scope` is among the
 * gold labels, predictions follow the threshold rule (top label unless its probability is below `threshold`, then
 * `out_of_scope`; per-label thresholds in `perLabelThresholds` replace `threshold` for their label; an in-scope query
 * rejected so counts as wrong, as in the CLINC150 paper) and the result adds
 * `in_scope_accuracy`, `oos_recall` and `threshold`. Without out_of_scope rows the threshold is not applied.
 * @example singleLabelMetrics(['a', 'b'], [Float32Array.of(0.9, 0.1), Float32Array.of(0.8, 0.2)], ['a', 'b'])
 * // {n: 2, accuracy: 0.5, macro_f1: 0.333…, per_label: […], confusions: [{gold: 'b', predicted: 'a', count: 1, rows: [1]}]}
 */
export function singleLabelMetrics(
  gold: readonly string[],
  probs: readonly Float32Array[],
  labels: readonly string[],
  threshold = 0,
  maxConfusions = 50,
  perLabelThresholds: Readonly<Record<string, number>> = {},
): SingleLabelMetrics {
  checkShapes(gold.length, probs, labels);
  const hasOos = gold.includes(OUT_OF_SCOPE);
  const predicted = hasOos
    ? predictSingleLabel(probs, labels, threshold, perLabelThresholds)
    : predictSingleLabel(probs, labels);
  const pairs = gold.map((g, i): [string[], string[]] => [[g], [predicted[i]]]);
  const perLabel = labelScores(pairs);
  const metrics: SingleLabelMetrics = {
    n: gold.length,
    accuracy: share(gold.length, (i) => predicted[i] === gold[i]),
    macro_f1: macroF1(perLabel),
    per_label: perLabel,
    confusions: [],
  };
  if (hasOos) {
    const inScope = gold.flatMap((g, i) => (g === OUT_OF_SCOPE ? [] : [i]));
    const oos = gold.flatMap((g, i) => (g === OUT_OF_SCOPE ? [i] : []));
    // Data of out_of_scope rows only has no in-scope accuracy (not 0).
    if (inScope.length > 0)
      metrics.in_scope_accuracy = share(inScope.length, (k) => predicted[inScope[k]] === gold[inScope[k]]);
    metrics.oos_recall = share(oos.length, (k) => predicted[oos[k]] === OUT_OF_SCOPE);
    metrics.threshold = threshold;
  }
  metrics.confusions = topConfusions(
    gold.map((g, i) => ({ gold: g, predicted: predicted[i], row: i })),
    maxConfusions,
  );
  return metrics;
}

/**
 * Micro-F1 (over all (example, label) decisions, as in the NLU++ paper), macro-F1, exact match, per-label scores and
 * confusions of multi-label predictions: label `j` is predicted when `probs[i][j] >= threshold`. Gold labels the model
 * does not know count as misses. With no gold and no predicted label at all, micro-F1 is 1 (nothing to find, nothing
 * wrongly found).
 * @example multiLabelMetrics([['a'], []], [Float32Array.of(0.9, 0.6), Float32Array.of(0.1, 0.2)], ['a', 'b'])
 * // micro_f1 = 2·1/(2·1+1+0) = 0.667, exact_match 0.5
 */
export function multiLabelMetrics(
  gold: readonly (readonly string[])[],
  probs: readonly Float32Array[],
  labels: readonly string[],
  threshold = 0.5,
  maxConfusions = 50,
): MultiLabelMetrics {
  checkShapes(gold.length, probs, labels);
  const predicted = probs.map((row) => labels.filter((_, j) => row[j] >= threshold));
  const pairs = gold.map((g, i): [string[], string[]] => [[...new Set(g)], predicted[i]]);
  const perLabel = labelScores(pairs);
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (const [g, p] of pairs) {
    for (const l of p) g.includes(l) ? tp++ : fp++;
    for (const l of g) if (!p.includes(l)) fn++;
  }
  const exact = share(gold.length, (i) => sameSet(pairs[i][0], pairs[i][1]));
  const confusions: { gold: string; predicted: string; row: number }[] = [];
  pairs.forEach(([g, p], row) => {
    const missed = g.filter((l) => !p.includes(l));
    const wrong = p.filter((l) => !g.includes(l));
    for (const m of missed.length ? missed : wrong.length ? [NONE_LABEL] : []) {
      for (const w of wrong.length ? wrong : [NONE_LABEL]) confusions.push({ gold: m, predicted: w, row });
    }
  });
  return {
    n: gold.length,
    micro_f1: tp + fp + fn === 0 ? 1 : (2 * tp) / (2 * tp + fp + fn),
    macro_f1: macroF1(perLabel),
    exact_match: exact,
    accuracy: exact,
    threshold,
    per_label: perLabel,
    confusions: topConfusions(confusions, maxConfusions),
  };
}

/** Per-row confidence and whether the prediction was right, for calibration plots and precision–coverage. */
export interface ConfidenceOutcomes {
  confidences: Float64Array;
  correct: boolean[];
  /** Single-label: whether the row could be answered at all (its top label is not out_of_scope, which is never answered). */
  answerable?: boolean[];
}

/**
 * Per-row confidence and correctness. Single-label: the top probability, and whether the top label is gold (no
 * threshold: the threshold is what a precision–coverage curve explores). Multi-label: the probability that every
 * decision is right, the product over labels of p (predicted: p ≥ `threshold`) or 1 − p (not predicted), and whether
 * the predicted set equals the gold set (exact match).
 * @example confidenceOutcomes(['a'], [Float32Array.of(0.8, 0.2)], ['a', 'b'], 'single') // {confidences: [0.8], correct: [true]}
 */
export function confidenceOutcomes(
  gold: readonly string[] | readonly (readonly string[])[],
  probs: readonly Float32Array[],
  labels: readonly string[],
  mode: 'single' | 'multi',
  threshold = 0.5,
): ConfidenceOutcomes {
  checkShapes(gold.length, probs, labels);
  const confidences = new Float64Array(probs.length);
  const answerable: boolean[] = [];
  const correct = probs.map((row, i) => {
    if (mode === 'single') {
      const top = argmax(row);
      confidences[i] = row[top];
      answerable[i] = labels[top] !== OUT_OF_SCOPE;
      return labels[top] === gold[i];
    }
    const g = new Set(gold[i] as readonly string[]);
    let all = 1;
    for (const p of row) all *= p >= threshold ? p : 1 - p;
    confidences[i] = all;
    const predicted = labels.filter((_, j) => row[j] >= threshold);
    return predicted.length === g.size && predicted.every((l) => g.has(l));
  });
  return { confidences, correct, ...(mode === 'single' ? { answerable } : {}) };
}

/**
 * Counts gold → predicted confusions (rows where they differ) and returns the `limit` most frequent (ties: by gold,
 * then predicted label), each with up to three row indices as examples.
 * @example topConfusions([{gold: 'a', predicted: 'b', row: 4}], 20) // [{gold: 'a', predicted: 'b', count: 1, rows: [4]}]
 */
export function topConfusions(
  items: readonly { gold: string; predicted: string; row: number }[],
  limit = 20,
): Confusion[] {
  const byPair = new Map<string, Confusion>();
  for (const { gold, predicted, row } of items) {
    if (gold === predicted) continue;
    const key = JSON.stringify([gold, predicted]);
    const c = byPair.get(key) ?? { gold, predicted, count: 0, rows: [] };
    c.count++;
    if (c.rows.length < ROWS_PER_CONFUSION) c.rows.push(row);
    byPair.set(key, c);
  }
  return [...byPair.values()]
    .sort((a, b) => b.count - a.count || cmp(a.gold, b.gold) || cmp(a.predicted, b.predicted))
    .slice(0, limit);
}

/** Per-label precision/recall/F1 from (gold set, predicted set) pairs, worst F1 first (ties by label). */
/**
 * Mean F1 over the labels the data has (support > 0): a label only ever predicted (the background `out_of_scope`
 * class on data without out-of-scope rows) adds no class to average — its predictions already cost their gold
 * labels' recall.
 */
function macroF1(perLabel: readonly LabelScores[]): number {
  const present = perLabel.filter((s) => s.support > 0);
  return mean((present.length > 0 ? present : perLabel).map((s) => s.f1));
}

function labelScores(pairs: readonly [readonly string[], readonly string[]][]): LabelScores[] {
  const counts = new Map<string, { tp: number; support: number; predicted: number }>();
  const get = (l: string) => {
    let c = counts.get(l);
    if (!c) counts.set(l, (c = { tp: 0, support: 0, predicted: 0 }));
    return c;
  };
  for (const [gold, predicted] of pairs) {
    for (const l of gold) get(l).support++;
    for (const l of predicted) {
      const c = get(l);
      c.predicted++;
      if (gold.includes(l)) c.tp++;
    }
  }
  return [...counts]
    .map(([label, c]) => {
      const precision = c.predicted ? c.tp / c.predicted : 0;
      const recall = c.support ? c.tp / c.support : 0;
      const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
      return { label, precision, recall, f1, support: c.support, predicted: c.predicted };
    })
    .sort((a, b) => a.f1 - b.f1 || cmp(a.label, b.label));
}

function checkShapes(n: number, probs: readonly Float32Array[], labels: readonly string[]): void {
  const bad = probs.findIndex((row) => row.length !== labels.length);
  if (probs.length !== n || bad >= 0) {
    const what =
      probs.length !== n
        ? `${probs.length} probability rows for ${n} gold rows`
        : `row ${bad} has ${probs[bad].length} probabilities for ${labels.length} labels`;
    throw new SwitchboardError('E_EVAL_SHAPE', 'input', `intent metrics: ${what}`);
  }
}

function share(n: number, ok: (i: number) => boolean): number {
  let hits = 0;
  for (let i = 0; i < n; i++) if (ok(i)) hits++;
  return n ? hits / n : 0;
}

function mean(values: readonly number[]): number {
  return values.length ? values.reduce((a, b) => a + b, 0) / values.length : 0;
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((l) => b.includes(l));
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
