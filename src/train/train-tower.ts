/**
 * One tower's training job (encoding, epochs, the best weights by validation score), runnable in a worker thread, and
 * the ensemble's probabilities and loss.
 */
import type { FeatureBag } from '../nlu/features/featurizer-config.ts';
import type { LabelMode, TowerWeights } from '../nlu/intent/intent-weights.ts';
import { Random } from '../util/random.ts';
import { TowerTrainer } from './tower-trainer.ts';
import type { TrainIntentOptions } from './train-intent-types.ts';

/** Progress of one tower, after each epoch and every 50 batches. */
export interface TowerProgress {
  epoch: number;
  maxEpochs: number;
  trainLoss: number;
  /** Best validation score so far (−1 before the first epoch ends). */
  validScore: number;
  /** Fraction of the current epoch done, 0–1. */
  epochFraction: number;
}

/** Featurized examples: bags of embedding rows, and label indices (single) or 0/1 vectors (multi). */
export interface Encoded {
  bags: FeatureBag[];
  targets: (number | Float32Array)[];
}

/** Everything one tower needs; plain data, so it can be posted to a worker thread. */
export interface TowerJob {
  train: Encoded;
  valid: Encoded;
  idf: Float32Array;
  labels: number;
  rows: number;
  mode: LabelMode;
  /** Index of the tower in the ensemble (its seed is `seed * 1000 + k`). */
  k: number;
  opts: Omit<TrainIntentOptions, 'onProgress'>;
}

/** A trained tower: its best weights (by validation score) and their validation logits. */
export interface TowerResult {
  weights: TowerWeights;
  validLogits: Float32Array[];
}

/** Probabilities of an ensemble at temperature T (mean of the towers' softmax/sigmoid). */
export function ensembleProbs(logits: Float32Array[], mode: LabelMode, T: number, out: Float32Array): Float32Array {
  out.fill(0);
  const C = out.length;
  for (const z of logits) {
    if (mode === 'single') {
      let max = -Infinity;
      for (let c = 0; c < C; c++) if (z[c] / T > max) max = z[c] / T;
      let sum = 0;
      for (let c = 0; c < C; c++) sum += Math.exp(z[c] / T - max);
      for (let c = 0; c < C; c++) out[c] += Math.exp(z[c] / T - max) / sum;
    } else {
      for (let c = 0; c < C; c++) out[c] += 1 / (1 + Math.exp(-z[c] / T));
    }
  }
  for (let c = 0; c < C; c++) out[c] /= logits.length;
  return out;
}

/** Mean negative log-likelihood of the targets under the ensemble at temperature T. */
export function nllAt(
  logits: Float32Array[][],
  targets: (number | Float32Array)[],
  mode: LabelMode,
  T: number,
  C: number,
): number {
  const p = new Float32Array(C);
  let nll = 0;
  for (let i = 0; i < targets.length; i++) {
    ensembleProbs(logits[i], mode, T, p);
    const t = targets[i];
    if (typeof t === 'number') nll -= Math.log(Math.max(p[t], 1e-12));
    else for (let c = 0; c < C; c++) nll -= Math.log(Math.max(t[c] ? p[c] : 1 - p[c], 1e-12)) / C;
  }
  return nll / Math.max(1, targets.length);
}

/** Validation score: accuracy (single) or micro-F1 at `threshold` (multi, default 0.5; early stopping uses 0.5). */
export function score(
  probs: Float32Array[],
  targets: (number | Float32Array)[],
  mode: LabelMode,
  threshold = 0.5,
): number {
  if (mode === 'single') {
    let ok = 0;
    probs.forEach((p, i) => {
      let best = 0;
      for (let c = 1; c < p.length; c++) if (p[c] > p[best]) best = c;
      if (best === targets[i]) ok++;
    });
    return ok / Math.max(1, probs.length);
  }
  let tp = 0;
  let fp = 0;
  let fn = 0;
  probs.forEach((p, i) => {
    const y = targets[i] as Float32Array;
    for (let c = 0; c < p.length; c++) {
      const pred = p[c] >= threshold;
      if (pred && y[c]) tp++;
      else if (pred) fp++;
      else if (y[c]) fn++;
    }
  });
  return tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn);
}

/** A trainer for the tower shape and optimiser settings of `job`. */
function newTrainer(job: TowerJob, rng: Random): TowerTrainer {
  const { opts } = job;
  return new TowerTrainer(
    { buckets: job.rows, dim: opts.dim, hidden: opts.hidden, labels: job.labels },
    job.idf,
    {
      mode: job.mode,
      learningRate: opts.learningRate,
      dropout: opts.dropout,
      labelSmoothing: opts.labelSmoothing,
      weightDecay: opts.weightDecay,
    },
    rng,
  );
}

/**
 * Trains one tower with mini-batch Adam, a linearly decaying learning rate and early stopping on the validation score
 * (`patience` epochs without improvement); returns the best epoch's weights. Deterministic for `opts.seed` and `k`.
 */
export function trainTower(job: TowerJob, onProgress?: (p: TowerProgress) => void): TowerResult {
  const { train: tr, valid: va, opts, k, mode, labels: C } = job;
  const rng = new Random(opts.seed * 1000 + k);
  const trainer = newTrainer(job, rng);
  const order = Int32Array.from({ length: tr.bags.length }, (_, i) => i);
  const logits = new Float32Array(C);
  const totalSteps = opts.maxEpochs * Math.ceil(order.length / opts.batchSize);
  const progress = (epoch: number, trainLoss: number, validScore: number, epochFraction: number) =>
    onProgress?.({
      epoch,
      maxEpochs: opts.maxEpochs,
      trainLoss,
      validScore,
      epochFraction,
    });
  let step = 0;
  let bestScore = -1;
  let bestNll = Number.POSITIVE_INFINITY;
  let best = trainer.snapshot();
  let bestLogits: Float32Array[] = [];
  let sinceBest = 0;
  for (let epoch = 1; epoch <= opts.maxEpochs; epoch++) {
    rng.shuffle(order);
    let loss = 0;
    for (let s = 0; s < order.length; s += opts.batchSize) {
      const idx = order.subarray(s, Math.min(order.length, s + opts.batchSize));
      const bags = Array.from(idx, (i) => tr.bags[i]);
      const targets = Array.from(idx, (i) => tr.targets[i]);
      // Linear decay of the learning rate to 10% over the planned steps.
      const lr = opts.learningRate * (1 - 0.9 * (step++ / totalSteps));
      loss += trainer.trainBatch(bags, targets, lr, logits) * idx.length;
      if ((s / opts.batchSize) % 50 === 0) progress(epoch, loss / (s + idx.length), bestScore, s / order.length);
    }
    const vLogits = va.bags.map((b) => trainer.logits(b, new Float32Array(C)));
    const vProbs = vLogits.map((z) => ensembleProbs([z], mode, 1, new Float32Array(C)));
    const sc = score(vProbs, va.targets, mode);
    const nll = nllAt(
      vLogits.map((z) => [z]),
      va.targets,
      mode,
      1,
      C,
    );
    progress(epoch, loss / order.length, sc, 1);
    // Better: a higher validation score, or the same score with a lower validation NLL.
    if (sc > bestScore + 1e-9 || (Math.abs(sc - bestScore) <= 1e-9 && nll < bestNll)) {
      bestScore = sc;
      bestNll = nll;
      best = trainer.snapshot();
      bestLogits = vLogits;
      sinceBest = 0;
    } else if (++sinceBest >= opts.patience) break;
  }
  return { weights: best, validLogits: bestLogits };
}

/**
 * Measures how long one tower of this shape takes per training example and epoch on this machine: a few batches of
 * `job.train` through a fresh trainer (in this thread, after a short warm-up). Only for calibrating the search's work
 * units (bench/dev/budget-calibration.ts): the search itself never times anything.
 * @example const s = secondsPerExampleEpoch(job); // e.g. 0.0012
 */
export function secondsPerExampleEpoch(job: TowerJob, sample = 256): number {
  const { train: tr, opts, labels: C } = job;
  const n = Math.min(sample, tr.bags.length);
  if (n === 0) return 0;
  const trainer = newTrainer(job, new Random(1));
  const logits = new Float32Array(C);
  const run = (from: number, to: number) => {
    for (let s = from; s < to; s += opts.batchSize) {
      const end = Math.min(to, s + opts.batchSize);
      trainer.trainBatch(tr.bags.slice(s, end), tr.targets.slice(s, end), opts.learningRate, logits);
    }
  };
  run(0, Math.min(n, 64)); // warm-up: let the JIT compile the loops
  const t0 = performance.now();
  run(0, n);
  return (performance.now() - t0) / 1000 / n;
}
