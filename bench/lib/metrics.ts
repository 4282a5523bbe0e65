/**
 * Metrics of the benchmark harness, computed the same way for every system: single-label accuracy and macro-F1,
 * out-of-scope detection with a validation-chosen threshold (CLINC150), and multi-label micro-F1 with a
 * validation-chosen threshold (NLU++ / Multi3NLU++).
 */

/** The reserved label of out-of-scope examples (CLINC150's `oos`, renamed by bench/datasets.ts). */
export const OOS = 'out_of_scope';

/** Label peers may train examples without any intent under (multi-label); never counted as a predicted intent. */
export const NONE_LABEL = '__none__';

/** A system's output for one message: labels with scores, best first (possibly truncated for single-label data). */
export type Ranked = [label: string, score: number][];

/** Macro-F1 over the union of gold and predicted labels (as scikit-learn's `f1_score(average='macro')`). */
export function macroF1(gold: readonly string[], pred: readonly string[]): number {
  const stats = new Map<string, { tp: number; fp: number; fn: number }>();
  const get = (l: string) => {
    let s = stats.get(l);
    if (!s) stats.set(l, (s = { tp: 0, fp: 0, fn: 0 }));
    return s;
  };
  gold.forEach((g, i) => {
    if (g === pred[i]) get(g).tp++;
    else {
      get(g).fn++;
      get(pred[i]).fp++;
    }
  });
  return meanF1([...stats.values()]);
}

function meanF1(stats: { tp: number; fp: number; fn: number }[]): number {
  if (stats.length === 0) return 0;
  let sum = 0;
  for (const { tp, fp, fn } of stats) sum += tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn);
  return sum / stats.length;
}

/** Share of positions where `pred` equals `gold`. */
export function accuracy(gold: readonly string[], pred: readonly string[]): number {
  if (gold.length === 0) return Number.NaN;
  let ok = 0;
  gold.forEach((g, i) => {
    if (g === pred[i]) ok++;
  });
  return ok / gold.length;
}

/** The top label and score of a ranked prediction (an empty prediction is out of scope with score -∞). */
export function top(r: Ranked): [string, number] {
  return r.length > 0 ? r[0] : [OOS, Number.NEGATIVE_INFINITY];
}

/** Applies an out-of-scope threshold: the top label when its score ≥ `threshold`, else `out_of_scope`. */
export function withThreshold(r: Ranked, threshold: number): string {
  const [label, score] = top(r);
  return score >= threshold ? label : OOS;
}

/** In-scope accuracy and OOS recall, CLINC150 style: an in-scope query predicted out of scope counts as wrong. */
export function oosScores(gold: readonly string[], pred: readonly string[]) {
  let inN = 0;
  let inOk = 0;
  let oosN = 0;
  let oosOk = 0;
  gold.forEach((g, i) => {
    if (g === OOS) {
      oosN++;
      if (pred[i] === OOS) oosOk++;
    } else {
      inN++;
      if (pred[i] === g) inOk++;
    }
  });
  return { in_scope_accuracy: inN ? inOk / inN : Number.NaN, oos_recall: oosN ? oosOk / oosN : Number.NaN };
}

/**
 * Picks the threshold that maximises accuracy over all (validation) rows, in-scope and OOS alike — the same criterion
 * as switchboard's `chooseOosThreshold` (src/eval/choose-threshold.ts), applied to every system.
 * Candidates are -∞ (no threshold) and the midpoints between consecutive distinct top scores; ties go to the lowest.
 */
export function chooseOosThreshold(gold: readonly string[], preds: readonly Ranked[]): number {
  const rows = preds.map((r, i) => {
    const [label, score] = top(r);
    return { score, inScope: gold[i] !== OOS, correctTop: label === gold[i], topIsOos: label === OOS };
  });
  // With no threshold: in-scope correct when the top label is right; OOS caught when the top label is OOS.
  let inOk = rows.filter((r) => r.inScope && r.correctTop).length;
  let oosOk = rows.filter((r) => !r.inScope && r.topIsOos).length;
  let best = Number.NEGATIVE_INFINITY;
  const n = rows.length || 1;
  let bestObjective = (inOk + oosOk) / n;
  rows.sort((a, b) => a.score - b.score);
  for (let i = 0; i < rows.length; i++) {
    // Raising the threshold above rows[i].score rejects it.
    const r = rows[i];
    if (r.inScope && r.correctTop) inOk--;
    if (!r.inScope && !r.topIsOos) oosOk++;
    if (i + 1 < rows.length && rows[i + 1].score === r.score) continue;
    const objective = (inOk + oosOk) / n;
    if (objective > bestObjective + 1e-12) {
      bestObjective = objective;
      best = i + 1 < rows.length ? (r.score + rows[i + 1].score) / 2 : r.score + Math.abs(r.score) * 1e-6 + 1e-9;
    }
  }
  return best;
}

/** Labels predicted for a multi-label message: every label (but the none label) whose score ≥ `threshold`. */
export function multiLabels(r: Ranked, threshold: number): string[] {
  return r.filter(([label, score]) => score >= threshold && label !== NONE_LABEL).map(([label]) => label);
}

/** Micro-F1 over all (example, label) decisions, plus macro-F1 over labels, exact match, micro precision/recall. */
export function multiScores(gold: readonly string[][], pred: readonly string[][]) {
  const stats = new Map<string, { tp: number; fp: number; fn: number }>();
  const get = (l: string) => {
    let s = stats.get(l);
    if (!s) stats.set(l, (s = { tp: 0, fp: 0, fn: 0 }));
    return s;
  };
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let exact = 0;
  gold.forEach((g, i) => {
    const gs = new Set(g);
    const ps = new Set(pred[i]);
    let same = gs.size === ps.size;
    for (const l of ps) {
      if (gs.has(l)) {
        tp++;
        get(l).tp++;
      } else {
        fp++;
        get(l).fp++;
        same = false;
      }
    }
    for (const l of gs) {
      if (!ps.has(l)) {
        fn++;
        get(l).fn++;
      }
    }
    if (same) exact++;
  });
  return {
    micro_f1: tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn),
    micro_precision: tp + fp ? tp / (tp + fp) : 0,
    micro_recall: tp + fn ? tp / (tp + fn) : 0,
    macro_f1: meanF1([...stats.values()]),
    exact_match: gold.length ? exact / gold.length : Number.NaN,
  };
}

/**
 * Picks the score threshold that maximises micro-F1 over (validation) predictions: every (example, label) pair with
 * score ≥ threshold is predicted. Candidates are midpoints between consecutive distinct scores.
 */
export function chooseMultiThreshold(gold: readonly string[][], preds: readonly Ranked[]): number {
  const pairs: { score: number; positive: boolean }[] = [];
  let goldTotal = 0;
  preds.forEach((r, i) => {
    const gs = new Set(gold[i]);
    goldTotal += gs.size;
    for (const [label, score] of r) if (label !== NONE_LABEL) pairs.push({ score, positive: gs.has(label) });
  });
  pairs.sort((a, b) => b.score - a.score);
  let tp = 0;
  let best = Number.POSITIVE_INFINITY;
  let bestF1 = -1;
  for (let i = 0; i < pairs.length; i++) {
    if (pairs[i].positive) tp++;
    if (i + 1 < pairs.length && pairs[i + 1].score === pairs[i].score) continue;
    const f1 = goldTotal + i + 1 ? (2 * tp) / (goldTotal + i + 1) : 0;
    if (f1 > bestF1 + 1e-12) {
      bestF1 = f1;
      best = i + 1 < pairs.length ? (pairs[i].score + pairs[i + 1].score) / 2 : pairs[i].score - 1e-9;
    }
  }
  return best;
}
