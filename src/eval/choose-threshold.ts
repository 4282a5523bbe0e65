/**
 * Choosing confidence thresholds on held-out data: the rejection rule for out-of-scope inputs, the out-of-scope
 * threshold that maximises accuracy, the multi-label decision threshold, and a confidence floor.
 */
import { OUT_OF_SCOPE } from '../nlu/intent/intent-example.ts';

/** How {@link chooseOosThreshold} trades in-scope answers against out-of-scope rejections. */
export interface OosThresholdOptions {
  /**
   * Share of out-of-scope messages to choose for: the out-of-scope rows are weighted to make up this share of all
   * rows (held-out background lines have no natural share). Unset: every row weighs 1.
   */
  oosShare?: number;
  /**
   * The threshold may reject at most this fraction of the in-scope rows the model answers correctly without one
   * (held-out in-scope recall lost to the threshold). Unset: no limit.
   */
  maxInScopeLoss?: number;
}

/** A rejection rule chosen on held-out rows, with what it scored there. */
export interface RejectionRule {
  /** Answer only when the top probability reaches this (0: no threshold). */
  threshold: number;
  /** Added to the out_of_scope label's logit (0 when the model has no such label or no shift helped). */
  oosShift: number;
  /** Weighted held-out accuracy of the rule (see {@link OosThresholdOptions}). */
  score: number;
}

/** Shifts of the out_of_scope logit tried by {@link chooseRejection}: no shift first, then down, then up. */
const OOS_SHIFTS = [0, ...Array.from({ length: 16 }, (_, i) => -(i + 1) / 2), 0.5, 1, 1.5, 2];

/** Probabilities after adding `shift` to label `k`'s logit (softmax renormalised). */
function shifted(row: Float32Array, k: number, shift: number): Float32Array {
  if (shift === 0 || k < 0) return row;
  const f = Math.exp(shift);
  const z = 1 - row[k] + row[k] * f;
  const out = new Float32Array(row.length);
  for (let j = 0; j < row.length; j++) out[j] = (j === k ? row[j] * f : row[j]) / z;
  return out;
}

/**
 * Chooses how a single-label model rejects on held-out rows: a threshold on the top probability and, when the model
 * has an out_of_scope label (its own data or the background corpus), a shift of that label's logit. A row is rejected
 * when out_of_scope is its top label or its top probability is below the threshold. Maximises held-out accuracy over
 * in-scope and out-of-scope rows (out-of-scope rows weighted to `oosShare` of the total) among the rules that reject
 * at most `maxInScopeLoss` of the in-scope rows whose best in-scope label is right — so the out-of-scope class and the
 * threshold together may cost only that much of what the model answers correctly. Every distinct top probability is a
 * candidate cut; the value returned lies midway between the two held-out probabilities around the cut; among equally
 * good rules the smallest shift and the lowest cut win. Returns threshold 0 and shift 0 when there are no
 * out-of-scope rows.
 * @example const { threshold, oosShift } = chooseRejection(gold, probs, labels, { oosShare: 0.2, maxInScopeLoss: 0.01 });
 */
export function chooseRejection(
  validGold: readonly string[],
  validProbs: readonly Float32Array[],
  labels: readonly string[],
  opts: OosThresholdOptions = {},
): RejectionRule {
  if (!validGold.includes(OUT_OF_SCOPE)) return { threshold: 0, oosShift: 0, score: Number.NaN };
  const oos = labels.indexOf(OUT_OF_SCOPE);
  // The in-scope rows the model gets right when nothing is rejected: the loss budget is a share of these.
  let baseline = 0;
  validGold.forEach((gold, i) => {
    if (gold === OUT_OF_SCOPE) return;
    const row = validProbs[i];
    let top = -1;
    for (let j = 0; j < row.length; j++) if (j !== oos && (top < 0 || row[j] > row[top])) top = j;
    if (labels[top] === gold) baseline++;
  });
  let best: RejectionRule = { threshold: 0, oosShift: 0, score: Number.NEGATIVE_INFINITY };
  for (const shift of oos >= 0 ? OOS_SHIFTS : [0]) {
    const rule = bestCut(
      validGold,
      validProbs.map((p) => shifted(p, oos, shift)),
      labels,
      baseline,
      opts,
    );
    if (rule && rule.score > best.score + 1e-12) best = { ...rule, oosShift: shift };
  }
  return best.score === Number.NEGATIVE_INFINITY ? { threshold: 0, oosShift: 0, score: Number.NaN } : best;
}

/** The best cut for fixed probabilities, or undefined when even no cut breaks the in-scope budget. */
function bestCut(
  validGold: readonly string[],
  validProbs: readonly Float32Array[],
  labels: readonly string[],
  baseline: number,
  { oosShare, maxInScopeLoss }: OosThresholdOptions,
): { threshold: number; score: number } | undefined {
  const rows = validGold.map((gold, i) => {
    const row = validProbs[i];
    let top = 0;
    for (let j = 1; j < row.length; j++) if (row[j] > row[top]) top = j;
    const isOos = gold === OUT_OF_SCOPE;
    // In-scope: right when kept and the top label is gold. OOS: right when rejected, or when the top label is OOS.
    return { p: row[top], isOos, rightIfKept: labels[top] === gold };
  });
  rows.sort((a, b) => a.p - b.p);
  const nOos = rows.filter((r) => r.isOos).length;
  const nIn = rows.length - nOos;
  const wOos = oosShare !== undefined && nOos > 0 && nIn > 0 ? (oosShare / (1 - oosShare)) * (nIn / nOos) : 1;
  let inRight = rows.filter((r) => !r.isOos && r.rightIfKept).length;
  let oosRight = rows.filter((r) => r.isOos && r.rightIfKept).length;
  const mayLose = maxInScopeLoss === undefined ? Number.POSITIVE_INFINITY : Math.floor(maxInScopeLoss * baseline);
  const score = () => (inRight + wOos * oosRight) / (nIn + wOos * nOos);
  if (baseline - inRight > mayLose) return undefined;
  let best = score();
  let bestThreshold = 0;
  // Raise the cut past each group of equal top probabilities: that group becomes rejected.
  for (let i = 0; i < rows.length; ) {
    const p = rows[i].p;
    for (; i < rows.length && rows[i].p === p; i++) {
      const r = rows[i];
      if (r.isOos && !r.rightIfKept) oosRight++;
      if (!r.isOos && r.rightIfKept) inRight--;
    }
    if (i === rows.length || baseline - inRight > mayLose) break; // rejecting everything is never chosen
    const s = score();
    if (s > best + 1e-12) [best, bestThreshold] = [s, (p + rows[i].p) / 2];
  }
  return { threshold: bestThreshold, score: best };
}

/**
 * The threshold of {@link chooseRejection} without shifting any label: the top-probability cut that maximises
 * validation accuracy over all rows (the CLINC150 paper's threshold baselines: a rejected in-scope query is wrong).
 * Returns 0 (no threshold) when the data has no out_of_scope rows or rejecting nothing is best.
 * @example const threshold = chooseOosThreshold(validGold, validProbs, labels); // e.g. 0.13
 */
export function chooseOosThreshold(
  validGold: readonly string[],
  validProbs: readonly Float32Array[],
  labels: readonly string[],
  opts: OosThresholdOptions = {},
): number {
  if (!validGold.includes(OUT_OF_SCOPE)) return 0;
  let baseline = 0;
  validGold.forEach((gold, i) => {
    const row = validProbs[i];
    let top = 0;
    for (let j = 1; j < row.length; j++) if (row[j] > row[top]) top = j;
    if (gold !== OUT_OF_SCOPE && labels[top] === gold) baseline++;
  });
  return bestCut(validGold, validProbs, labels, baseline, opts)?.threshold ?? 0;
}

/**
 * Picks one global probability threshold for multi-label predictions on validation data: the one that maximises
 * micro-F1 over all (example, label) decisions (label predicted when its probability is at or above it). Every
 * distinct probability is a candidate cut; among equally good cuts the highest wins, and the value returned lies
 * midway between the two probabilities around the cut. Returns 0.5 when the data has no gold label at all.
 * @example const threshold = chooseMultiLabelThreshold(validGold, validProbs, labels); // e.g. 0.42
 */
export function chooseMultiLabelThreshold(
  validGold: readonly (readonly string[])[],
  validProbs: readonly Float32Array[],
  labels: readonly string[],
): number {
  let positives = 0; // gold (example, label) pairs; labels unknown to the model are misses at every threshold
  const decisions: { p: number; gold: boolean }[] = [];
  validGold.forEach((gold, i) => {
    const g = new Set(gold);
    positives += g.size;
    labels.forEach((l, j) => {
      decisions.push({ p: validProbs[i][j], gold: g.has(l) });
    });
  });
  if (positives === 0 || decisions.length === 0) return 0.5;
  decisions.sort((a, b) => b.p - a.p);
  let tp = 0;
  let fp = 0;
  let best = -1;
  let bestThreshold = 0.5;
  for (let i = 0; i < decisions.length; ) {
    const p = decisions[i].p;
    for (; i < decisions.length && decisions[i].p === p; i++) decisions[i].gold ? tp++ : fp++;
    const f1 = (2 * tp) / (tp + fp + positives);
    if (f1 > best + 1e-12) [best, bestThreshold] = [f1, i < decisions.length ? (p + decisions[i].p) / 2 : p / 2];
  }
  return bestThreshold;
}

/**
 * A threshold without out-of-scope evidence: just below the top probabilities of all but the `maxLoss` share of the
 * correctly answered held-out rows (the least confident correct answers set it). It cannot measure out-of-scope
 * protection — it only hands off what the model is least sure of. 0 with no correct rows.
 * @example confidenceFloor([0.99, 0.97, 0.6, 0.95], 0.25) // between 0.6 and 0.95
 */
export function confidenceFloor(correctTopProbs: readonly number[], maxLoss: number): number {
  if (correctTopProbs.length === 0) return 0;
  const sorted = [...correctTopProbs].sort((a, b) => a - b);
  const k = Math.floor(maxLoss * sorted.length);
  if (k === 0) return sorted[0] * 0.999;
  return (sorted[k - 1] + sorted[k]) / 2;
}
