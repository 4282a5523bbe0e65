import { createHash } from 'node:crypto';
import { minimizeOverTemperature } from '../eval/calibration.ts';
import { chooseMultiLabelThreshold, chooseOosThreshold } from '../eval/choose-threshold.ts';
import { FeatureVocabulary } from '../nlu/features/feature-vocabulary.ts';
import { featurize } from '../nlu/features/featurize.ts';
import { DEFAULT_FEATURIZER, type FeatureBag } from '../nlu/features/featurizer-config.ts';
import { forwardReference } from '../nlu/intent/forward-reference.ts';
import type { IntentModelWeights, LabelMode, TowerWeights } from '../nlu/intent/intent-weights.ts';
import { dequantizeWeights } from './export-onnx.ts';
import { type IntentExample, OUT_OF_SCOPE } from './intent-example.ts';
import { splitTrainValid } from './split-train-valid.ts';
import { trainTowers } from './tower-pool.ts';
import type { TrainedIntentModel, TrainIntentOptions } from './train-intent-types.ts';
import { type Encoded, ensembleProbs, nllAt, score, type TowerJob } from './train-tower.ts';

/** Defaults of `trainIntentModel`, chosen on the validation splits of the benchmark datasets (docs/benchmarks.md). */
export const DEFAULT_TRAIN_OPTIONS: Omit<TrainIntentOptions, 'onProgress'> = {
  seed: 1,
  featurizer: DEFAULT_FEATURIZER,
  minCount: 1,
  maxRows: 200_000,
  dim: 64,
  hidden: 512,
  ensemble: 1,
  maxEpochs: 12,
  patience: 3,
  batchSize: 32,
  learningRate: 3e-3,
  dropout: 0.3,
  labelSmoothing: 0.1,
  weightDecay: 0,
  validFraction: 0.1,
  workers: 2,
};

/** One held-out row used for calibration, with the towers that did not train on it and their logits. */
interface HeldOut {
  example: IntentExample;
  bag: FeatureBag;
  target: number | Float32Array;
  towers: number[];
  logits: Float32Array[];
}

/** The rows `idx` of an encoded set. */
function subset(enc: Encoded, idx: number[]): Encoded {
  return { bags: idx.map((i) => enc.bags[i]), targets: idx.map((i) => enc.targets[i]) };
}

function labelsOf(e: IntentExample): string[] {
  return Array.isArray(e.intent) ? e.intent : [e.intent];
}

function encode(
  bags: FeatureBag[],
  examples: IntentExample[],
  labelIndex: Map<string, number>,
  mode: LabelMode,
): Encoded {
  const targets = examples.map((e) => {
    if (mode === 'single') return labelIndex.get(e.intent as string) ?? -1;
    const y = new Float32Array(labelIndex.size);
    for (const l of labelsOf(e)) {
      const i = labelIndex.get(l);
      if (i !== undefined) y[i] = 1;
    }
    return y;
  });
  return { bags, targets };
}

/** Smoothed inverse document frequency per bucket: log((1 + N) / (1 + df)) + 1; 0 for the padding bucket. */
export function computeIdf(bags: FeatureBag[], buckets: number): Float32Array {
  const df = new Float32Array(buckets);
  for (const b of bags) for (const id of b.ids) df[id]++;
  const idf = new Float32Array(buckets);
  const n = bags.length;
  for (let i = 1; i < buckets; i++) idf[i] = Math.log((1 + n) / (1 + df[i])) + 1;
  return idf;
}

/** sha256 over the examples' text and labels, in order. */
export function hashExamples(examples: IntentExample[]): string {
  const h = createHash('sha256');
  for (const e of examples) h.update(`${e.text}\u0000${labelsOf(e).join('\u0001')}\n`);
  return h.digest('hex');
}

/** The temperature minimising the ensemble's validation NLL (mean of the towers' probabilities at T). */
function fitEnsembleTemperature(
  logits: Float32Array[][],
  targets: (number | Float32Array)[],
  mode: LabelMode,
  C: number,
): number {
  if (targets.length === 0) return 1;
  return minimizeOverTemperature((t) => nllAt(logits, targets, mode, t, C));
}

export { labelsOf };

/**
 * Trains an intent model: featurize, IDF, `ensemble` towers each with early stopping on validation, then temperature
 * scaling of the ensemble on validation. Single-label data (string intents) → softmax; multi-label (list intents) →
 * sigmoid. Deterministic for a seed.
 */
export async function trainIntentModel(
  train: IntentExample[],
  valid: IntentExample[] | undefined,
  options: Partial<TrainIntentOptions> = {},
): Promise<TrainedIntentModel> {
  const started = performance.now();
  const opts: TrainIntentOptions = { ...DEFAULT_TRAIN_OPTIONS, ...options };
  if (train.length === 0) throw new Error('trainIntentModel: no training examples');
  const mode: LabelMode = Array.isArray(train[0].intent) ? 'multi' : 'single';
  const warnings: string[] = [];
  const carved = !valid || valid.length === 0;
  const labels = [...new Set(train.flatMap(labelsOf))].sort();
  const labelIndex = new Map(labels.map((l, i) => [l, i]));
  const C = labels.length;
  const rawTrain = train.map((e) => featurize(e.text, opts.featurizer));
  const vocabulary = FeatureVocabulary.fromDocumentFrequency(rawTrain, opts.minCount, opts.maxRows);
  const all = encode(
    rawTrain.map((b) => vocabulary.map(b)),
    train,
    labelIndex,
    mode,
  );
  const idf = computeIdf(all.bags, vocabulary.rows);
  const { onProgress, ...plain } = opts;
  const job = (k: number, tr: Encoded, va: Encoded): TowerJob => ({
    train: tr,
    valid: va,
    idf,
    labels: C,
    rows: vocabulary.rows,
    mode,
    k,
    opts: plain,
  });
  // Held-out rows for calibration: given validation data is scored by the whole ensemble; when validation is carved
  // from train, each tower holds out its own fold (so together the towers see nearly all of train) and a row is scored
  // by the tower that held it out.
  const held: HeldOut[] = [];
  let jobs: TowerJob[];
  if (carved) {
    const index = new Map(train.map((e, i) => [e, i]));
    jobs = Array.from({ length: opts.ensemble }, (_, k) => {
      const split = splitTrainValid(train, opts.validFraction, opts.seed + k);
      const tr = subset(
        all,
        split.train.map((e) => index.get(e)!),
      );
      const vIdx = split.valid.map((e) => index.get(e)!);
      for (const i of vIdx)
        held.push({ example: train[i], bag: all.bags[i], target: all.targets[i], towers: [k], logits: [] });
      return job(k, tr, subset(all, vIdx));
    });
    warnings.push(
      `no validation set given: each of the ${opts.ensemble} model(s) held out its own ${opts.validFraction * 100}% of train`,
    );
  } else {
    const va = encode(
      valid.map((e) => vocabulary.map(featurize(e.text, opts.featurizer))),
      valid,
      labelIndex,
      mode,
    );
    const unknown = va.targets.filter((t) => t === -1).length;
    if (unknown > 0)
      warnings.push(`${unknown} validation examples have labels absent from train; they count as errors`);
    const ks = Array.from({ length: opts.ensemble }, (_, k) => k);
    valid.forEach((example, i) => {
      held.push({ example, bag: va.bags[i], target: va.targets[i], towers: ks, logits: [] });
    });
    jobs = ks.map((k) => job(k, all, va));
  }
  const results = await trainTowers(jobs, opts.workers, onProgress);
  const towers: TowerWeights[] = results.map((r) => r.weights);
  const cursor = results.map(() => 0);
  for (const h of held) for (const k of h.towers) h.logits.push(results[k].validLogits[cursor[k]++]);

  const targets = held.map((h) => h.target);
  const temperature = fitEnsembleTemperature(
    held.map((h) => h.logits),
    targets,
    mode,
    C,
  );
  const validProbs = held.map((h) => ensembleProbs(h.logits, mode, temperature, new Float32Array(C)));
  const validScore = score(validProbs, targets, mode);
  const weights: IntentModelWeights = { mode, labels, towers, temperature };
  let threshold: number | undefined;
  if (mode === 'multi') {
    threshold = chooseMultiLabelThreshold(
      held.map((h) => labelsOf(h.example)),
      validProbs,
      labels,
    );
  } else if (labels.includes(OUT_OF_SCOPE)) {
    threshold = chooseOosThreshold(
      held.map((h) => h.example.intent as string),
      validProbs,
      labels,
    );
  }
  // The accuracy cost of storing the embeddings as int8, measured on the held-out rows with the reference forward pass.
  const int8 = dequantizeWeights(weights);
  const int8Probs = held.map(
    (h) => forwardReference({ ...int8, towers: h.towers.map((k) => int8.towers[k]) }, [h.bag])[0],
  );
  const int8Score = score(int8Probs, targets, mode);
  const { featurizer, workers: _w, ...rest } = plain;
  return {
    weights,
    featurizer,
    vocabulary,
    options: rest,
    validation: {
      ...(mode === 'single' ? { accuracy: validScore } : { microF1: validScore }),
      nll: nllAt(
        held.map((h) => h.logits),
        targets,
        mode,
        temperature,
        C,
      ),
      n: held.length,
    },
    threshold,
    quantization: { floatScore: validScore, int8Score, cost: validScore - int8Score },
    trainSeconds: (performance.now() - started) / 1000,
    dataHash: hashExamples(train),
    trainExamples: train.length,
    warnings,
  };
}
