/**
 * The intent trainer: featurize, then train the members — embedding-bag towers (deep) and a linear SVM over TF-IDF
 * features (wide) — on folds of the training data (or on all of it, with a given validation set), stack them on the
 * held-out rows (`combine-members.ts`), choose the answer threshold, and measure the int8 cost. Deterministic for a
 * seed. `intent-search.ts` chooses the options; this file trains one configuration.
 */
import { createHash } from 'node:crypto';
import { chooseMultiLabelThreshold, chooseRejection, confidenceFloor } from '../eval/choose-threshold.ts';
import { FeatureVocabulary } from '../nlu/features/feature-vocabulary.ts';
import { featurize } from '../nlu/features/featurize.ts';
import { DEFAULT_FEATURIZER, type FeatureBag, type SparseRow } from '../nlu/features/featurizer-config.ts';
import { forwardReference, linearFeatures, linearLogits, towerLogits } from '../nlu/intent/forward-reference.ts';
import { type IntentExample, OUT_OF_SCOPE } from '../nlu/intent/intent-example.ts';
import type { IntentModelWeights, LabelMode, LinearWeights, TowerWeights } from '../nlu/intent/intent-weights.ts';
import {
  type Combination,
  combineLogits,
  fitCombination,
  type StackRow,
  stackNll,
  toProbabilities,
} from './combine-members.ts';
import { dequantizeWeights } from './export-onnx.ts';
import type { LinearModel } from './linear-svm.ts';
import { jobCost, type MemberJob, trainMembers } from './member-pool.ts';
import { stratifiedFolds } from './split-train-valid.ts';
import type { TrainedIntentModel, TrainIntentOptions } from './train-intent-types.ts';
import { type Encoded, score, type TowerJob, type TowerResult } from './train-tower.ts';

/**
 * Defaults of `trainIntentModel` when called directly (the CLI and the benchmark go through `intent-search.ts`, which
 * picks the shape on validation data).
 */
export const DEFAULT_TRAIN_OPTIONS: Omit<TrainIntentOptions, 'onProgress'> = {
  seed: 1,
  featurizer: DEFAULT_FEATURIZER,
  minCount: 1,
  maxRows: 200_000,
  dim: 128,
  hidden: 256,
  ensemble: 2,
  maxEpochs: 12,
  patience: 3,
  batchSize: 32,
  learningRate: 3e-3,
  dropout: 0.3,
  labelSmoothing: 0.1,
  weightDecay: 0,
  linear: true,
  linearC: 1,
  validFraction: 0.1,
  workers: 2,
};

export function labelsOf(e: IntentExample): string[] {
  return Array.isArray(e.intent) ? e.intent : [e.intent];
}

/** Smoothed inverse document frequency per row: log((1 + N) / (1 + df)) + 1; 0 for the padding row. */
export function computeIdf(bags: FeatureBag[], rows: number): Float32Array {
  const df = new Float32Array(rows);
  for (const b of bags) for (const id of b.ids) df[id]++;
  const idf = new Float32Array(rows);
  const n = bags.length;
  for (let i = 1; i < rows; i++) idf[i] = Math.log((1 + n) / (1 + df[i])) + 1;
  return idf;
}

/** sha256 over the examples' text and labels, in order. */
export function hashExamples(examples: IntentExample[]): string {
  const h = createHash('sha256');
  for (const e of examples) h.update(`${e.text}\u0000${labelsOf(e).join('\u0001')}\n`);
  return h.digest('hex');
}

/** Examples featurized for every member: feature bags, targets, and the linear member's input rows. */
export interface EncodedSet extends Encoded {
  linear: SparseRow[];
}

/**
 * Everything the members train from, computed once per data set (the search trains many configurations on it):
 * labels, the feature vocabulary with idf and word rows, the encoded training and validation sets, the folds.
 */
export interface PreparedIntentData {
  mode: LabelMode;
  labels: string[];
  vocabulary: FeatureVocabulary;
  idf: Float32Array;
  wordRows: Uint8Array;
  train: EncodedSet;
  examples: IntentExample[];
  /** The given validation set, encoded; absent when validation is carved from train. */
  valid?: EncodedSet;
  validExamples?: IntentExample[];
  /** Carved validation: the fold of each training example (−1: never held out) and the number of folds. */
  folds?: { fold: Int32Array; count: number };
  /** Background lines held out as out-of-scope rows (scored by every member), with their examples. */
  backgroundHeld?: { set: EncodedSet; examples: IntentExample[] };
  /** Background lines appended to the training examples (they are the last `backgroundTrain` of `examples`). */
  backgroundTrain: number;
  warnings: string[];
}

/** Background sentences for one training run: lines to train on and lines to hold out (see background-selection). */
export interface BackgroundLines {
  train: readonly { text: string; language: string }[];
  held: readonly { text: string; language: string }[];
}

/** A background line as an example: out_of_scope (single-label) or no label at all (multi-label). */
function backgroundExample(line: { text: string; language: string }, mode: LabelMode): IntentExample {
  return { text: line.text, intent: mode === 'single' ? OUT_OF_SCOPE : [], language: line.language };
}

/** Marks the vocabulary rows produced by the word family (word n-grams) of the featurizer. */
function markWordRows(examples: IntentExample[], opts: TrainIntentOptions, vocabulary: FeatureVocabulary): Uint8Array {
  const wordOnly = { ...opts.featurizer, charNgrams: [0, 0] as [number, number] };
  const rows = new Uint8Array(vocabulary.rows);
  for (const e of examples) for (const r of vocabulary.map(featurize(e.text, wordOnly)).ids) rows[r] = 1;
  return rows;
}

function encodeSet(
  examples: IntentExample[],
  bags: FeatureBag[],
  labelIndex: Map<string, number>,
  mode: LabelMode,
  idf: Float32Array,
  wordRows: Uint8Array,
): EncodedSet {
  const C = labelIndex.size;
  const targets = examples.map((e) => {
    if (mode === 'single') return labelIndex.get(e.intent as string) ?? -1;
    const y = new Float32Array(C);
    for (const l of labelsOf(e)) {
      const i = labelIndex.get(l);
      if (i !== undefined) y[i] = 1;
    }
    return y;
  });
  return { bags, targets, linear: bags.map((b) => linearFeatures(b, idf, wordRows)) };
}

/**
 * Featurizes and encodes the data once: vocabulary (features seen in ≥ `minCount` texts, at most `maxRows`), idf,
 * word rows, targets; with no validation set, stratified folds of about `validFraction` each.
 */
export function prepareIntentData(
  ownTrain: IntentExample[],
  valid: IntentExample[] | undefined,
  options: Partial<TrainIntentOptions> = {},
  background?: BackgroundLines,
): PreparedIntentData {
  const opts: TrainIntentOptions = { ...DEFAULT_TRAIN_OPTIONS, ...options };
  if (ownTrain.length === 0) throw new Error('trainIntentModel: no training examples');
  const mode: LabelMode = Array.isArray(ownTrain[0].intent) ? 'multi' : 'single';
  const train = [...ownTrain, ...(background?.train ?? []).map((l) => backgroundExample(l, mode))];
  const labels = [...new Set(train.flatMap(labelsOf))].sort();
  const labelIndex = new Map(labels.map((l, i) => [l, i]));
  const raw = train.map((e) => featurize(e.text, opts.featurizer));
  const vocabulary = FeatureVocabulary.fromDocumentFrequency(raw, opts.minCount, opts.maxRows);
  const bags = raw.map((b) => vocabulary.map(b));
  const idf = computeIdf(bags, vocabulary.rows);
  const wordRows = markWordRows(train, opts, vocabulary);
  const warnings: string[] = [];
  const prepared: PreparedIntentData = {
    mode,
    labels,
    vocabulary,
    idf,
    wordRows,
    train: encodeSet(train, bags, labelIndex, mode, idf, wordRows),
    examples: train,
    backgroundTrain: train.length - ownTrain.length,
    warnings,
  };
  if (background && background.held.length > 0) {
    const examples = background.held.map((l) => backgroundExample(l, mode));
    const bBags = examples.map((e) => vocabulary.map(featurize(e.text, opts.featurizer)));
    prepared.backgroundHeld = { set: encodeSet(examples, bBags, labelIndex, mode, idf, wordRows), examples };
  }
  if (valid && valid.length > 0) {
    const vBags = valid.map((e) => vocabulary.map(featurize(e.text, opts.featurizer)));
    prepared.valid = encodeSet(valid, vBags, labelIndex, mode, idf, wordRows);
    prepared.validExamples = valid;
    const unknown = prepared.valid.targets.filter((t) => t === -1).length;
    if (unknown > 0)
      warnings.push(`${unknown} validation examples have labels absent from train; they count as errors`);
  } else {
    const count = Math.max(2, Math.round(1 / opts.validFraction));
    prepared.folds = { fold: stratifiedFolds(train, count, opts.seed), count };
  }
  return prepared;
}

function subset<T>(xs: readonly T[], idx: readonly number[]): T[] {
  return idx.map((i) => xs[i]);
}

/** Rows of train outside fold `f` and inside it. */
function foldSplit(prepared: PreparedIntentData, f: number): { fit: number[]; held: number[] } {
  const fit: number[] = [];
  const held: number[] = [];
  prepared.folds!.fold.forEach((k, i) => {
    (k === f ? held : fit).push(i);
  });
  return { fit, held };
}

/** The members of one configuration as trained, with each one's outputs on the rows it held out. */
export interface TrainedMembers {
  towers: TowerWeights[];
  /** Each tower's logits on the rows it held out (for reuse by a later call). */
  towerLogits: Float32Array[][];
  /** Linear fits: one per held-out fold (carved validation), or one on all of train. */
  linearFits: LinearModel[];
  /** Held-out rows with the members' outputs (stacking input) and, for each, its example. */
  held: { row: StackRow; example: IntentExample; bag: FeatureBag }[];
  seconds: number;
  /** Each job trained by this call: its kind, estimated cost (jobCost) and the seconds it took. */
  jobs: { kind: 'tower' | 'linear'; cost: number; seconds: number }[];
}

/**
 * Trains the members of one configuration. Carved validation: tower k (and linear fit k) trains without fold k, and
 * each held-out row is scored by the members that did not see it; given validation: every member trains on all of
 * train and the validation rows are scored by all of them. `reuse` holds members trained before with the same data
 * and options (the search reuses its first tower and the linear fits): towers 0… and fits 0… are taken from it.
 */
export async function trainIntentMembers(
  prepared: PreparedIntentData,
  options: Partial<TrainIntentOptions>,
  reuse: { towers?: TowerResult[]; linearFits?: LinearModel[] } = {},
): Promise<TrainedMembers> {
  const started = performance.now();
  const opts: TrainIntentOptions = { ...DEFAULT_TRAIN_OPTIONS, ...options };
  const { onProgress, ...plain } = opts;
  const C = prepared.labels.length;
  const K = opts.ensemble;
  const carved = prepared.folds !== undefined;
  const folds = carved ? Math.min(opts.heldFolds ?? Math.max(K, 1), prepared.folds!.count) : 1;
  const splits = carved ? Array.from({ length: folds }, (_, f) => foldSplit(prepared, f)) : [];
  const all = Array.from({ length: prepared.train.bags.length }, (_, i) => i);
  const fitOf = (f: number) => (carved ? splits[f % folds].fit : all);
  const heldOf = (f: number): EncodedSet =>
    carved ? pick(prepared.train, splits[f % folds].held) : (prepared.valid ?? { bags: [], targets: [], linear: [] });
  const jobs: MemberJob[] = [];
  const towerIdx: number[] = [];
  const reused = Math.min(reuse.towers?.length ?? 0, K);
  const lastTower = Math.min(K, opts.onlyTowers ?? K);
  for (let k = reused; k < lastTower; k++) {
    const job: TowerJob = {
      train: pick(prepared.train, fitOf(k)),
      valid: heldOf(k),
      idf: prepared.idf,
      labels: C,
      rows: prepared.vocabulary.rows,
      mode: prepared.mode,
      k,
      opts: plain,
    };
    towerIdx.push(jobs.length);
    jobs.push({ kind: 'tower', job });
  }
  const linearIdx: number[] = [];
  const linearCount = opts.linear ? folds : 0;
  const reusedLinear = Math.min(reuse.linearFits?.length ?? 0, linearCount);
  for (let f = reusedLinear; f < linearCount; f++) {
    const rows = fitOf(f);
    linearIdx.push(jobs.length);
    jobs.push({
      kind: 'linear',
      job: {
        rows: subset(prepared.train.linear, rows),
        targets: subset(prepared.train.targets, rows),
        featureRows: prepared.vocabulary.rows,
        labels: C,
        opts: { c: opts.linearC, tolerance: 0.1, maxPasses: 100, seed: opts.seed + f },
      },
    });
  }
  const results = await trainMembers(jobs, opts.workers, onProgress);
  const towers = (reuse.towers ?? []).slice(0, K).map((t) => t.weights);
  const validLogits = (reuse.towers ?? []).slice(0, K).map((t) => t.validLogits);
  for (const i of towerIdx) {
    const r = results[i];
    if (r.kind !== 'tower') throw new Error('member pool returned results out of order');
    towers.push(r.result.weights);
    validLogits.push(r.result.validLogits);
  }
  const linearFits = (reuse.linearFits ?? []).slice(0, linearCount);
  for (const i of linearIdx) {
    const r = results[i];
    if (r.kind !== 'linear') throw new Error('member pool returned results out of order');
    linearFits.push(r.result);
  }
  // Held-out rows with their members' outputs.
  const held: TrainedMembers['held'] = [];
  const scoresOf = (fit: LinearModel, row: SparseRow) => {
    const out = Float32Array.from(fit.bias);
    for (let j = 0; j < row.ids.length; j++) {
      const base = row.ids[j] * C;
      const v = row.values[j];
      for (let c = 0; c < C; c++) out[c] += v * fit.weights[base + c];
    }
    return out;
  };
  if (carved) {
    for (let f = 0; f < folds; f++) {
      const idx = splits[f].held;
      const towersOfFold = towers.map((_, k) => k).filter((k) => k % folds === f);
      if (opts.onlyHeldFold !== undefined && f !== opts.onlyHeldFold) continue;
      idx.forEach((i, j) => {
        const z = meanOf(
          towersOfFold.map((k) => validLogits[k][j]),
          C,
        );
        const s = linearFits[f] ? scoresOf(linearFits[f], prepared.train.linear[i]) : undefined;
        held.push({
          row: { z, s, target: prepared.train.targets[i] },
          example: prepared.examples[i],
          bag: prepared.train.bags[i],
        });
      });
    }
  } else if (prepared.valid) {
    prepared.valid.bags.forEach((bag, j) => {
      const z = meanOf(
        towers.map((_, k) => validLogits[k][j]),
        C,
      );
      const s = linearFits[0] ? scoresOf(linearFits[0], prepared.valid!.linear[j]) : undefined;
      held.push({ row: { z, s, target: prepared.valid!.targets[j] }, example: prepared.validExamples![j], bag });
    });
  }
  // Held-out background lines: no member trained on them, so every member scores them.
  const bg = prepared.backgroundHeld;
  if (bg) {
    const lin = averageLinear(linearFits, prepared);
    bg.set.bags.forEach((bag, j) => {
      const z = meanOf(
        towers.map((t) => Float32Array.from(towerLogits(t, bag))),
        C,
      );
      const s = lin ? Float32Array.from(linearLogits(lin, bag)) : undefined;
      held.push({ row: { z, s, target: bg.set.targets[j] }, example: bg.examples[j], bag });
    });
  }
  return {
    towers,
    towerLogits: validLogits,
    linearFits,
    held,
    seconds: (performance.now() - started) / 1000,
    jobs: jobs.map((j, i) => ({ kind: j.kind, cost: jobCost(j), seconds: results[i].seconds })),
  };
}

function pick(set: EncodedSet, idx: readonly number[]): EncodedSet {
  return { bags: subset(set.bags, idx), targets: subset(set.targets, idx), linear: subset(set.linear, idx) };
}

/** Mean of some logit vectors, or undefined for none. */
function meanOf(vectors: (Float32Array | undefined)[], C: number): Float32Array | undefined {
  const present = vectors.filter((v): v is Float32Array => v !== undefined);
  if (present.length === 0) return undefined;
  const out = new Float32Array(C);
  for (const v of present) for (let c = 0; c < C; c++) out[c] += v[c] / present.length;
  return out;
}

/** The average of linear fits (one linear model: the mean of their weights and biases). */
export function averageLinear(fits: readonly LinearModel[], prepared: PreparedIntentData): LinearWeights | undefined {
  if (fits.length === 0) return undefined;
  const { rows, labels } = fits[0];
  const weights = new Float32Array(rows * labels);
  const bias = new Float32Array(labels);
  for (const f of fits) {
    for (let i = 0; i < weights.length; i++) weights[i] += f.weights[i] / fits.length;
    for (let c = 0; c < labels; c++) bias[c] += f.bias[c] / fits.length;
  }
  return { rows, labels, weights, bias, idf: prepared.idf, wordRows: prepared.wordRows };
}

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
    threshold = chooseMultiLabelThreshold(
      members.held.map((h) => labelsOf(h.example)),
      probs,
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
  const validScore = score(probs, targets, mode, threshold);
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
      ...(mode === 'single' ? { accuracy: validScore } : { microF1: validScore }),
      nll: stackNll(rows, w, mode, C),
      n: rows.length,
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

/**
 * Trains an intent model with fixed options: {@link prepareIntentData}, {@link trainIntentMembers},
 * {@link assembleIntentModel}. Single-label data (string intents) → softmax; multi-label (list intents) → sigmoid.
 * Deterministic for a seed.
 */
export async function trainIntentModel(
  train: IntentExample[],
  valid: IntentExample[] | undefined,
  options: Partial<TrainIntentOptions> = {},
  background?: BackgroundLines,
): Promise<TrainedIntentModel> {
  const started = performance.now();
  const prepared = prepareIntentData(train, valid, options, background);
  const members = await trainIntentMembers(prepared, options);
  return assembleIntentModel(prepared, members, options, started);
}
