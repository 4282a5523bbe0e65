/**
 * Trains a linear-chain CRF tagger from scratch: sparse hashed features per token (`ner-features.ts`) → emission
 * scores per BIO tag, plus tag-transition scores, under hard BIO constraints. Objective: conditional log-likelihood
 * (forward–backward), per-sentence AdaGrad with L2 on the touched rows; early stopping on validation F1. Case
 * augmentation: each epoch a share of the sentences is shown lower-cased (chat is often typed that way), so casing is
 * a feature and not a crutch.
 */
import { nerMetrics } from '../eval/ner-metrics.ts';
import { bioConstraints, type CrfParams, forwardBackward, viterbi } from '../nlu/entities/crf-decode.ts';
import { nerFeaturesPerToken, sentenceFeatures } from '../nlu/entities/ner-features.ts';
import type { NerWordClusters } from '../nlu/entities/ner-word-clusters.ts';
import { Random } from '../util/random.ts';
import { DataError } from './data-error.ts';
import { DenseNerFeatures } from './ner-dense-features.ts';
import type { TaggedSentence } from './read-conll.ts';

export interface NerTrainOptions {
  seed: number;
  maxEpochs: number;
  /** Epochs without a better validation F1 before stopping. */
  patience: number;
  learningRate: number;
  l2: number;
  /** Buckets seen fewer times than this in training (counting the lower-cased copies) are dropped. */
  minCount: number;
  /** Share of training sentences shown lower-cased each epoch. */
  lowercaseRate: number;
  /** Word clusters (from word vectors) as extra features; the model keeps them. */
  clusters?: NerWordClusters;
  /** Unit vectors of the clusters' lexicon (`lexiconVectors`): dense projected features, baked per word at the end. */
  lexiconVectors?: { dim: number; data: Float32Array };
  onProgress?: (p: { epoch: number; maxEpochs: number; fraction: number; loss: number; validF1: number }) => void;
}

export const DEFAULT_NER_OPTIONS: NerTrainOptions = {
  seed: 13,
  maxEpochs: 25,
  patience: 4,
  learningRate: 0.05,
  l2: 1e-6,
  minCount: 2,
  lowercaseRate: 0.3,
};

/** Hash seed of the NER features (stored in the manifest). */
export const NER_FEATURE_SEED = 0x4e45;

export interface TrainedNer {
  tags: string[];
  /** Sorted kept buckets: bucket `buckets[r]` is weight row `r + 1`; row 0 is padding (zeros). */
  buckets: Int32Array;
  /** Emission weights `[(buckets.length + 1) * tags.length]`. */
  weights: Float32Array;
  crf: CrfParams;
  /** The word clusters the features use, if any. */
  clusters?: NerWordClusters;
  /** Baked dense word-vector scores (`[3 * (lexicon words + 1) * tags]`, see `denseRows`), with `clusters`' lexicon. */
  dense?: Float32Array;
  epochs: number;
  bestEpoch: number;
  seconds: number;
  validation: { f1: number; lowercase_f1: number };
}

interface Encoded {
  rows: Int32Array; // [n * F], 0 = unknown/padding
  gold: Int32Array; // [n]
  n: number;
  lex: Int32Array; // [n] lexicon row per token, -1 = none
}

/**
 * Trains on `train`, stops early on `valid` (BIO tags; any entity types). With no `valid` sentences it runs
 * `maxEpochs` and keeps the last (validation numbers are then NaN).
 */
export function trainNer(
  train: readonly TaggedSentence[],
  valid: readonly TaggedSentence[],
  options: Partial<NerTrainOptions> = {},
): TrainedNer {
  const o = { ...DEFAULT_NER_OPTIONS, ...options };
  const started = performance.now();
  const types = [...new Set(train.flatMap((s) => s.tags.filter((t) => t !== 'O').map((t) => t.slice(2))))].sort();
  if (types.length === 0) throw new DataError('training data', undefined, 'no entities to learn (every tag is O)');
  const tags = ['O', ...types.flatMap((t) => [`B-${t}`, `I-${t}`])];
  const k = tags.length;
  const tagIndex = new Map(tags.map((t, i) => [t, i]));
  const lower = (s: TaggedSentence): TaggedSentence => ({ tokens: s.tokens.map((t) => t.toLowerCase()), tags: s.tags });

  // 1. Feature vocabulary over the training sentences and their lower-cased copies.
  const counts = new Map<number, number>();
  const trainFeatures = train.map((s) => [
    sentenceFeatures(s.tokens, NER_FEATURE_SEED, o.clusters),
    sentenceFeatures(lower(s).tokens, NER_FEATURE_SEED, o.clusters),
  ]);
  for (const pair of trainFeatures) for (const f of pair) for (const b of f) counts.set(b, (counts.get(b) ?? 0) + 1);
  const buckets = Int32Array.from([...counts].filter(([, c]) => c >= o.minCount).map(([b]) => b)).sort();
  const rowOf = new Map<number, number>();
  buckets.forEach((b, r) => {
    rowOf.set(b, r + 1);
  });
  const encode = (features: Int32Array, s: TaggedSentence): Encoded => {
    const rows = new Int32Array(features.length);
    for (let i = 0; i < features.length; i++) rows[i] = rowOf.get(features[i]) ?? 0;
    const gold = Int32Array.from(s.tags, (t) => {
      const y = tagIndex.get(t);
      if (y === undefined) throw new DataError('validation data', undefined, `tag '${t}' does not occur in training`);
      return y;
    });
    const lex = Int32Array.from(s.tokens, (t) => (o.clusters ? o.clusters.rowOf(t) : -1));
    return { rows, gold, n: s.tokens.length, lex };
  };
  const trainSet = train.map((s, i) => [encode(trainFeatures[i][0], s), encode(trainFeatures[i][1], lower(s))]);
  const validSets = [valid, valid.map(lower)].map((set) =>
    set.map((s) => encode(sentenceFeatures(s.tokens, NER_FEATURE_SEED, o.clusters), s)),
  );

  // 2. Parameters and AdaGrad accumulators.
  const rows = buckets.length + 1;
  const w = new Float64Array(rows * k);
  const gw = new Float64Array(rows * k);
  const crf: CrfParams & { transitions: Float64Array; start: Float64Array; end: Float64Array } = {
    tags,
    transitions: new Float64Array(k * k),
    start: new Float64Array(k),
    end: new Float64Array(k),
  };
  const gTrans = new Float64Array(k * k);
  const gStart = new Float64Array(k);
  const gEnd = new Float64Array(k);
  const constraints = bioConstraints(tags);
  const eps = 1e-8;
  const F = nerFeaturesPerToken(o.clusters);
  const dense =
    o.clusters && o.lexiconVectors ? new DenseNerFeatures(o.lexiconVectors, k, o.learningRate, o.l2) : undefined;

  const emissions = (e: Encoded, out: Float64Array) => {
    out.fill(0, 0, e.n * k);
    for (let t = 0; t < e.n; t++) {
      for (let f = 0; f < F; f++) {
        const r = e.rows[t * F + f];
        if (r === 0) continue;
        for (let y = 0; y < k; y++) out[t * k + y] += w[r * k + y];
      }
    }
    dense?.addEmissions(e.lex, e.n, out);
  };
  let em = new Float64Array(64 * k);
  const ensure = (n: number) => {
    if (em.length < n * k) em = new Float64Array(n * k * 2);
  };
  const adagrad = (params: Float64Array, acc: Float64Array, i: number, g: number) => {
    acc[i] += g * g;
    params[i] -= (o.learningRate * g) / (Math.sqrt(acc[i]) + eps);
  };

  const step = (e: Encoded): number => {
    ensure(e.n);
    emissions(e, em);
    const { alpha, beta, logZ } = forwardBackward(em, e.n, crf, constraints);
    // Gold path score for the loss.
    let goldScore = crf.start[e.gold[0]] + crf.end[e.gold[e.n - 1]];
    for (let t = 0; t < e.n; t++) {
      goldScore += em[t * k + e.gold[t]];
      if (t > 0) goldScore += crf.transitions[e.gold[t - 1] * k + e.gold[t]];
    }
    // Emission gradients: marginal − gold, spread over the token's feature rows.
    const gAll = new Float64Array(e.n * k);
    for (let t = 0; t < e.n; t++) {
      const g = gAll.subarray(t * k, (t + 1) * k);
      for (let y = 0; y < k; y++)
        g[y] = Math.exp(alpha[t * k + y] + beta[t * k + y] - logZ) - (e.gold[t] === y ? 1 : 0);
      for (let f = 0; f < F; f++) {
        const r = e.rows[t * F + f];
        if (r === 0) continue;
        for (let y = 0; y < k; y++) adagrad(w, gw, r * k + y, g[y] + o.l2 * w[r * k + y]);
      }
    }
    dense?.update(e.lex, e.n, gAll);
    // Transition, start and end gradients.
    for (let y = 0; y < k; y++) {
      adagrad(crf.start, gStart, y, Math.exp(alpha[y] + beta[y] - logZ) - (e.gold[0] === y ? 1 : 0));
      const last = (e.n - 1) * k + y;
      adagrad(crf.end, gEnd, y, Math.exp(alpha[last] + crf.end[y] - logZ) - (e.gold[e.n - 1] === y ? 1 : 0));
    }
    const gt = new Float64Array(k * k);
    for (let t = 1; t < e.n; t++) {
      for (let a = 0; a < k; a++) {
        const fa = alpha[(t - 1) * k + a];
        if (fa === Number.NEGATIVE_INFINITY) continue;
        for (let b = 0; b < k; b++) {
          if (!constraints.allowed[a * k + b]) continue;
          gt[a * k + b] += Math.exp(fa + crf.transitions[a * k + b] + em[t * k + b] + beta[t * k + b] - logZ);
        }
      }
      gt[e.gold[t - 1] * k + e.gold[t]] -= 1;
    }
    for (let i = 0; i < k * k; i++)
      if (constraints.allowed[i] && gt[i] !== 0) adagrad(crf.transitions, gTrans, i, gt[i]);
    return logZ - goldScore;
  };

  const f1On = (set: Encoded[]) => {
    const gold: string[][] = [];
    const pred: string[][] = [];
    for (const e of set) {
      ensure(e.n);
      emissions(e, em);
      const path = viterbi(em, e.n, crf, constraints);
      gold.push(Array.from(e.gold, (y) => tags[y]));
      pred.push(Array.from(path, (y) => tags[y]));
    }
    return nerMetrics(gold, pred).f1;
  };

  // 3. Epochs with early stopping; keep the best parameters.
  const rng = new Random(o.seed);
  const order = trainSet.map((_, i) => i);
  let best = {
    f1: -1,
    lowercase: 0,
    epoch: 0,
    w: new Float32Array(0),
    trans: new Float64Array(0),
    start: new Float64Array(0),
    end: new Float64Array(0),
    dense: new Float64Array(0),
  };
  let epoch = 0;
  for (epoch = 1; epoch <= o.maxEpochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [order[i], order[j]] = [order[j], order[i]];
    }
    let loss = 0;
    for (let s = 0; s < order.length; s++) {
      const pair = trainSet[order[s]];
      loss += step(rng.next() < o.lowercaseRate ? pair[1] : pair[0]);
      if (o.onProgress && s % 500 === 0) {
        o.onProgress({
          epoch,
          maxEpochs: o.maxEpochs,
          fraction: s / order.length,
          loss: loss / (s + 1),
          validF1: best.f1,
        });
      }
    }
    // Without validation data every epoch runs and the last one is kept (a final model on train + validation, with the
    // epoch count chosen earlier on validation).
    const f1 = validSets[0].length > 0 ? f1On(validSets[0]) : epoch;
    if (f1 > best.f1) {
      best = {
        f1,
        lowercase: validSets[1].length > 0 ? f1On(validSets[1]) : 0,
        epoch,
        w: Float32Array.from(w),
        trans: Float64Array.from(crf.transitions),
        start: Float64Array.from(crf.start),
        end: Float64Array.from(crf.end),
        dense: dense ? Float64Array.from(dense.p) : new Float64Array(0),
      };
    }
    o.onProgress?.({ epoch, maxEpochs: o.maxEpochs, fraction: 1, loss: loss / order.length, validF1: best.f1 });
    if (validSets[0].length > 0 && epoch - best.epoch >= o.patience) break;
  }
  return {
    tags,
    buckets,
    weights: best.w,
    crf: {
      tags,
      transitions: Float32Array.from(best.trans),
      start: Float32Array.from(best.start),
      end: Float32Array.from(best.end),
    },
    ...(o.clusters ? { clusters: o.clusters } : {}),
    ...(dense ? { dense: dense.table(best.dense) } : {}),
    epochs: Math.min(epoch, o.maxEpochs),
    bestEpoch: best.epoch,
    seconds: (performance.now() - started) / 1000,
    validation:
      validSets[0].length > 0
        ? { f1: best.f1, lowercase_f1: best.lowercase }
        : { f1: Number.NaN, lowercase_f1: Number.NaN },
  };
}
