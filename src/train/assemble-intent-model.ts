/**
 * Assembles an intent model from trained members: fits the stacking weights on the held-out rows, chooses the
 * rejection rule (threshold and out-of-scope shift) or the multi-label threshold, measures out-of-scope recall and the
 * int8 cost.
 */
import { chooseMultiLabelThreshold, chooseRejection, confidenceFloor } from '../eval/choose-threshold.ts';
import { predictSingleLabel } from '../eval/intent-metrics.ts';
import { forwardReference } from '../nlu/intent/forward-reference.ts';
import { type IntentExample, OUT_OF_SCOPE } from '../nlu/intent/intent-example.ts';
import type { IntentModelWeights, LabelMode } from '../nlu/intent/intent-weights.ts';
import {
  type Combination,
  combineLogits,
  fitCombination,
  type StackRow,
  stackNll,
  toProbabilities,
} from './combine-members.ts';
import { DEFAULT_TRAIN_OPTIONS, labelsOf } from './default-train-options.ts';
import { dequantizeWeights } from './export-onnx.ts';
import { hashExamples, type PreparedIntentData } from './prepare-intent-data.ts';
import { averageLinear, type TrainedMembers } from './train-intent-members.ts';
import type { TrainedIntentModel, TrainIntentOptions } from './train-intent-types.ts';
import { score } from './train-tower.ts';

/** Probabilities of the held-out rows under a combination (plus a per-label logit bias). */
export function heldOutProbs(
  held: readonly { row: StackRow }[],
  w: Combination,
  mode: LabelMode,
  C: number,
  bias?: Float32Array,
) {
  return held.map((h) => {
    const z = combineLogits(h.row, w, new Float64Array(C));
    if (bias) for (let c = 0; c < C; c++) z[c] += bias[c] - w.offset;
    return Float32Array.from(toProbabilities(z, mode));
  });
}

/**
 * Assembles the model from trained members: fits the combination on the held-out rows (a member whose weight comes
 * out 0 is dropped), chooses the threshold (out_of_scope rows: the top-probability cut that maximises held-out
 * accuracy; multi-label: the global cut that maximises micro-F1), measures the int8 cost.
 */
export function assembleIntentModel(
  prepared: PreparedIntentData,
  members: TrainedMembers,
  options: Partial<TrainIntentOptions>,
  started = performance.now() - members.seconds * 1000,
): TrainedIntentModel {
  const opts: TrainIntentOptions = { ...DEFAULT_TRAIN_OPTIONS, ...options };
  const { mode, labels } = prepared;
  const C = labels.length;
  const rows = members.held.map((h) => h.row);
  const w = fitCombination(rows, mode, C);
  const towers = w.deep > 0 ? members.towers : [];
  const linear = w.linear > 0 ? averageLinear(members.linearFits, prepared) : undefined;
  let probs = heldOutProbs(members.held, w, mode, C);
  const targets = rows.map((r) => r.target);
  let threshold: number | undefined;
  const bias = new Float32Array(C).fill(w.offset);
  if (mode === 'multi') {
    // The data's own held-out rows choose the threshold (background rows would only pull it up: any label on them is a
    // false alarm); the background rows still train the model and measure its out-of-scope recall.
    const own = members.held.map((h, i) => ({ h, i })).filter(({ h }) => !prepared.background.has(h.example));
    threshold = chooseMultiLabelThreshold(
      own.map(({ h }) => labelsOf(h.example)),
      own.map(({ i }) => probs[i]),
      labels,
    );
  } else if (members.held.some((h) => h.example.intent === OUT_OF_SCOPE)) {
    const rule = chooseRejection(
      members.held.map((h) => h.example.intent as string),
      probs,
      labels,
      { oosShare: opts.oosShare, maxInScopeLoss: opts.maxInScopeLoss },
    );
    threshold = rule.threshold;
    const oos = labels.indexOf(OUT_OF_SCOPE);
    if (rule.oosShift !== 0 && oos >= 0) {
      bias[oos] += rule.oosShift;
      probs = heldOutProbs(members.held, w, mode, C, bias);
    }
  } else {
    // No out-of-scope evidence at all: hand off what the model is least sure of (never no threshold).
    const correct: number[] = [];
    probs.forEach((p, i) => {
      let top = 0;
      for (let c = 1; c < C; c++) if (p[c] > p[top]) top = c;
      if (top === targets[i]) correct.push(p[top]);
    });
    threshold = confidenceFloor(correct, opts.maxInScopeLoss ?? 0.01);
  }
  const oosRows = oosRecallOf(members.held, probs, labels, mode, threshold);
  const served = mode === 'single' ? servedScores(members.held, probs, labels, threshold) : undefined;
  // What configurations are compared on: accuracy with out-of-scope rows weighted to `oosShare` of the rows (their
  // recall at the chosen rule), or micro-F1.
  const inScope = members.held.map((h, i) => ({ h, i })).filter(({ h }) => h.example.intent !== OUT_OF_SCOPE);
  const inAcc = score(
    inScope.map(({ i }) => probs[i]),
    inScope.map(({ i }) => targets[i]),
    mode,
    threshold,
  );
  const share = opts.oosShare ?? 0.2;
  const objective =
    mode === 'single' && oosRows.n > 0 && inScope.length > 0 ? (1 - share) * inAcc + share * oosRows.recall : undefined;
  const weights: IntentModelWeights = {
    mode,
    labels,
    towers,
    temperature: w.deep > 0 ? 1 / w.deep : 1,
    ...(linear ? { linear, linearScale: w.linear } : {}),
    ...(bias.some((b) => b !== 0) ? { bias } : {}),
  };
  // Multi-label: micro-F1 over the data's own held-out rows (background rows are measured as out-of-scope recall).
  const ownIdx = members.held.flatMap((h, i) => (mode === 'multi' && prepared.background.has(h.example) ? [] : [i]));
  const validScore = score(
    ownIdx.map((i) => probs[i]),
    ownIdx.map((i) => targets[i]),
    mode,
    threshold,
  );
  // The accuracy cost of int8 tables: the final model, float vs int8, on the held-out rows.
  const bags = members.held.map((h) => h.bag);
  const floatScore = score(forwardReference(weights, bags), targets, mode, threshold);
  const int8Score = score(forwardReference(dequantizeWeights(weights), bags), targets, mode, threshold);
  const { featurizer, workers: _w, onProgress: _p, ...rest } = opts;
  return {
    weights,
    featurizer,
    vocabulary: prepared.vocabulary,
    options: { ...rest, ensemble: towers.length, linear: linear !== undefined },
    validation: {
      ...(mode === 'single' ? { accuracy: validScore } : { microF1: validScore, microF1Rows: ownIdx.length }),
      nll: stackNll(rows, w, mode, C),
      n: rows.length,
      ...(mode === 'single' && inScope.length > 0 ? { inScopeAccuracy: inAcc, inScopeRows: inScope.length } : {}),
      ...(served ? { servedAccuracy: served.accuracy } : {}),
      ...(served?.inScopeAccuracy !== undefined ? { servedInScopeAccuracy: served.inScopeAccuracy } : {}),
      ...(oosRows.n > 0 ? { oosRows: oosRows.n, oosRecall: oosRows.recall } : {}),
      ...(objective !== undefined ? { objective } : {}),
    },
    combination: { ...w, oosShift: bias[labels.indexOf(OUT_OF_SCOPE)] ?? 0 },
    threshold,
    quantization: { floatScore, int8Score, cost: floatScore - int8Score },
    trainSeconds: (performance.now() - started) / 1000,
    dataHash: hashExamples(prepared.examples),
    trainExamples: prepared.examples.length,
    warnings: [
      ...prepared.warnings,
      ...(prepared.folds
        ? [
            `no validation set given: held-out rows come from ${Math.min(opts.heldFolds ?? Math.max(opts.ensemble, 1), prepared.folds.count)} of ${prepared.folds.count} folds of train`,
          ]
        : []),
    ],
  };
}

/**
 * Single-label held-out scores as the model is served: a row is answered with its top label unless that is
 * out_of_scope or below the threshold (then rejected); an out-of-scope row is right when rejected, an in-scope row when
 * answered with its label. `inScopeAccuracy` counts a rejected in-scope row as wrong (as `eval intent` does).
 */
function servedScores(
  held: readonly { example: IntentExample }[],
  probs: readonly Float32Array[],
  labels: readonly string[],
  threshold: number | undefined,
): { accuracy: number; inScopeAccuracy?: number } {
  const predicted = predictSingleLabel(probs, labels, threshold ?? 0);
  const right = held.filter((h, i) => predicted[i] === h.example.intent).length;
  const inScope = held.flatMap((h, i) => (h.example.intent === OUT_OF_SCOPE ? [] : [i]));
  return {
    accuracy: right / Math.max(1, held.length),
    ...(inScope.length > 0
      ? { inScopeAccuracy: inScope.filter((i) => predicted[i] === held[i].example.intent).length / inScope.length }
      : {}),
  };
}

/**
 * Out-of-scope recall on the held-out out-of-scope rows: single-label rows labelled out_of_scope that the model
 * rejects (out_of_scope on top, or the top probability below the threshold); multi-label rows with no label for which
 * it predicts none.
 */
function oosRecallOf(
  held: readonly { example: IntentExample }[],
  probs: readonly Float32Array[],
  labels: readonly string[],
  mode: LabelMode,
  threshold = 0,
): { n: number; recall: number } {
  let n = 0;
  let caught = 0;
  held.forEach((h, i) => {
    const p = probs[i];
    if (mode === 'single') {
      if (h.example.intent !== OUT_OF_SCOPE) return;
      n++;
      let top = 0;
      for (let c = 1; c < p.length; c++) if (p[c] > p[top]) top = c;
      if (labels[top] === OUT_OF_SCOPE || p[top] < threshold) caught++;
    } else {
      if ((h.example.intent as string[]).length > 0) return;
      n++;
      if (p.every((x) => x < threshold)) caught++;
    }
  });
  return { n, recall: n ? caught / n : 0 };
}
