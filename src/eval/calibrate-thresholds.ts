/**
 * Thresholds for a target precision: the answer threshold (global) and, where an intent has enough predictions,
 * its own, chosen on labelled data so that answered questions reach precision P with the most coverage. An answer is
 * right when the top intent is the gold one; a top intent of `out_of_scope` is never answered; gold `out_of_scope`
 * rows answered with any intent are wrong (CLINC150's convention).
 */
import { OUT_OF_SCOPE } from '../nlu/intent/intent-example.ts';
import { precisionCoverageCurve, thresholdForPrecision } from './calibration.ts';

export interface ThresholdPlan {
  precision_target: number;
  /** Answer threshold for intents without their own. */
  threshold: number;
  /** Intents with their own threshold (enough support on the data), where it differs from the global one. */
  thresholds: Record<string, number>;
  /** What the plan gives on the calibration data. */
  expected: { n: number; coverage: number; precision: number };
  /** What the global threshold alone gives (for comparison). */
  global_only: { coverage: number; precision: number };
}

/** Top label and confidence per row (label order of `probs` = `labels`). */
function tops(probs: readonly Float32Array[], labels: readonly string[]) {
  return probs.map((p) => {
    let best = 0;
    for (let i = 1; i < p.length; i++) if (p[i] > p[best]) best = i;
    return { label: labels[best], score: p[best] };
  });
}

/** Coverage and precision of answering with per-label thresholds (`thresholdOf`), rows weighted by `weight`. */
function outcome(
  rows: { label: string; score: number }[],
  gold: readonly string[],
  thresholdOf: (label: string) => number,
  weight: (i: number) => number,
) {
  let total = 0;
  let answered = 0;
  let right = 0;
  rows.forEach((r, i) => {
    total += weight(i);
    if (r.label === OUT_OF_SCOPE || r.score < thresholdOf(r.label)) return;
    answered += weight(i);
    if (gold[i] === r.label) right += weight(i);
  });
  return { coverage: total ? answered / total : 0, precision: answered ? right / answered : 1 };
}

/**
 * Row weights that make the out-of-scope rows count as `share` of the data (the share a deployment expects), the
 * in-scope rows keeping their mix. A team that sees more off-topic traffic than its calibration data holds (the turn
 * log's out-of-scope rate tells) asks for its precision at its own share. Throws when the data has no out-of-scope
 * rows or no in-scope ones.
 */
export function outOfScopeWeights(gold: readonly string[], share: number): number[] {
  const oos = gold.filter((g) => g === OUT_OF_SCOPE).length;
  const inScope = gold.length - oos;
  if (oos === 0 || inScope === 0)
    throw new Error('reweighting to an out-of-scope share needs both out-of-scope and in-scope rows');
  const w = (share / (1 - share)) * (inScope / oos);
  return gold.map((g) => (g === OUT_OF_SCOPE ? w : 1));
}

/**
 * How far below the boundary score a threshold is placed. A curve's threshold is the score of the last message it
 * answers; the same message scored alone, or in another batch, can come out a few 1e-8 lower (float32 sums in another
 * order), and would then be refused where the plan counted it answered.
 */
export const SCORE_NOISE = 1e-6;
const belowScore = (score: number) => Math.max(0, score - SCORE_NOISE);

/**
 * Chooses the thresholds. `minSupport`: predictions an intent needs on the data before it gets its own threshold.
 * When no threshold reaches the target, the global one is set just above every score (answer nothing) and the plan
 * says so through `expected.coverage` 0.
 */
export function calibrateThresholds(
  gold: readonly string[],
  probs: readonly Float32Array[],
  labels: readonly string[],
  target: number,
  minSupport = 30,
  weights?: readonly number[],
): ThresholdPlan {
  const rows = tops(probs, labels);
  const weight = (i: number) => (weights ? weights[i] : 1);
  const conf = rows.map((r) => (r.label === OUT_OF_SCOPE ? -1 : r.score));
  const correct = rows.map((r, i) => r.label !== OUT_OF_SCOPE && r.label === gold[i]);
  const never = 1; // a probability never exceeds 1: scores ≥ 1 are answered, so also store `answer nothing` as 1
  const global = thresholdForPrecision(
    precisionCoverageCurve(conf, correct, weights).filter((p) => p.threshold >= 0),
    target,
  );
  const threshold = global ? belowScore(global.threshold) : never;
  const globalOnly = outcome(rows, gold, () => threshold, weight);

  const thresholds: Record<string, number> = {};
  for (const label of labels) {
    if (label === OUT_OF_SCOPE) continue;
    const idx = rows.flatMap((r, i) => (r.label === label ? [i] : []));
    if (idx.length < minSupport) continue;
    const own = thresholdForPrecision(
      precisionCoverageCurve(
        idx.map((i) => rows[i].score),
        idx.map((i) => correct[i]),
        idx.map(weight),
      ),
      target,
    );
    const t = own ? belowScore(own.threshold) : never;
    if (t !== threshold) thresholds[label] = t;
  }
  const perIntent = outcome(rows, gold, (l) => thresholds[l] ?? threshold, weight);
  // Per-intent thresholds only when they keep the promise overall and buy coverage.
  const use = perIntent.precision >= target && perIntent.coverage > globalOnly.coverage;
  return {
    precision_target: target,
    threshold,
    thresholds: use ? thresholds : {},
    expected: { n: rows.length, ...(use ? perIntent : globalOnly) },
    global_only: globalOnly,
  };
}
