/**
 * Deterministic, stratified splits of intent examples: a validation hold-out and K folds for cross-validation.
 */
import type { IntentExample } from '../nlu/intent/intent-example.ts';
import { Random } from '../util/random.ts';

/** A train/validation split of intent examples. */
export interface TrainValidSplit {
  train: IntentExample[];
  valid: IntentExample[];
}

/**
 * Splits examples into train and validation, stratified by label and reproducible for a seed. About `fraction` of
 * each label's examples go to validation (remainders are spread so the total is `round(n × fraction)` where caps
 * allow); every label keeps at least one example in train, and a label with a single example stays in train.
 * Multi-label examples are stratified by their rarest label (empty lists form their own stratum); an example is moved
 * back to train if a label would otherwise have no training example. Both lists keep the input order.
 * @example const { train, valid } = splitTrainValid(examples, 0.1, 42);
 */
export function splitTrainValid(examples: readonly IntentExample[], fraction: number, seed: number): TrainValidSplit {
  if (!(fraction >= 0 && fraction < 1)) throw new RangeError(`validation fraction must be in [0, 1), got ${fraction}`);
  const rng = new Random(seed);
  const random = (): number => rng.next();
  const strata = groupByStratum(examples);
  const quotas = allocate(
    strata.map((s) => s.length),
    fraction,
    Math.round(examples.length * fraction),
    random,
  );
  const inValid = new Uint8Array(examples.length);
  strata.forEach((members, s) => {
    const shuffled = rng.shuffle([...members]);
    for (let k = 0; k < quotas[s]; k++) inValid[shuffled[k]] = 1;
  });
  keepEveryLabelInTrain(examples, inValid);
  const train: IntentExample[] = [];
  const valid: IntentExample[] = [];
  examples.forEach((e, i) => {
    (inValid[i] ? valid : train).push(e);
  });
  return { train, valid };
}

function labelsOf(e: IntentExample): string[] {
  return typeof e.intent === 'string' ? [e.intent] : e.intent;
}

/** Indices of examples per stratum, strata in sorted key order (deterministic). */
function groupByStratum(examples: readonly IntentExample[]): number[][] {
  const freq = new Map<string, number>();
  for (const e of examples) for (const l of labelsOf(e)) freq.set(l, (freq.get(l) ?? 0) + 1);
  const groups = new Map<string, number[]>();
  examples.forEach((e, i) => {
    const labels = labelsOf(e);
    let key = labels.length === 0 ? '' : labels[0];
    for (const l of labels) {
      const f = freq.get(l)!;
      const best = freq.get(key)!;
      if (f < best || (f === best && l < key)) key = l;
    }
    const g = groups.get(key);
    if (g) g.push(i);
    else groups.set(key, [i]);
  });
  return [...groups.keys()].sort().map((k) => groups.get(k)!);
}

/** Largest-remainder allocation of `target` validation rows over strata, each capped at size − 1. */
function allocate(sizes: number[], fraction: number, target: number, random: () => number): number[] {
  const caps = sizes.map((n) => Math.max(0, n - 1));
  const quotas = sizes.map((n, i) => Math.min(caps[i], Math.floor(n * fraction)));
  let left = target - quotas.reduce((a, b) => a + b, 0);
  const order = sizes
    .map((n, i) => ({ i, rest: n * fraction - Math.floor(n * fraction), tie: random() }))
    .sort((a, b) => b.rest - a.rest || a.tie - b.tie);
  for (const { i } of order) {
    if (left <= 0) break;
    if (quotas[i] < caps[i]) {
      quotas[i]++;
      left--;
    }
  }
  return quotas;
}

function keepEveryLabelInTrain(examples: readonly IntentExample[], inValid: Uint8Array): void {
  const inTrain = new Set<string>();
  examples.forEach((e, i) => {
    if (!inValid[i]) for (const l of labelsOf(e)) inTrain.add(l);
  });
  examples.forEach((e, i) => {
    if (!inValid[i]) return;
    const labels = labelsOf(e);
    if (labels.some((l) => !inTrain.has(l))) {
      inValid[i] = 0;
      for (const l of labels) inTrain.add(l);
    }
  });
}

/**
 * Assigns examples to `k` stratified folds, reproducible for a seed: within each stratum (label; for multi-label
 * examples their rarest label) the shuffled members are dealt round-robin from a rotating start, so folds get about
 * the same size and the same label mix. An example that would leave one of its labels with no training example when
 * its fold is held out (a label with a single example, a rare label pinned by a multi-label row) gets fold −1: it is
 * never held out. Returns the fold of each example, in input order.
 * @example const fold = stratifiedFolds(examples, 5, 1); const heldOut = examples.filter((_, i) => fold[i] === 0);
 */
export function stratifiedFolds(examples: readonly IntentExample[], k: number, seed: number): Int32Array {
  if (!(Number.isInteger(k) && k >= 2)) throw new RangeError(`folds must be an integer ≥ 2, got ${k}`);
  const rng = new Random(seed);
  const fold = new Int32Array(examples.length).fill(-1);
  let start = 0;
  for (const members of groupByStratum(examples)) {
    const shuffled = rng.shuffle([...members]);
    if (shuffled.length < 2) continue;
    shuffled.forEach((i, j) => {
      fold[i] = (start + j) % k;
    });
    start = (start + shuffled.length) % k;
  }
  // Every label must keep a training example whichever fold is held out.
  const count = new Map<string, number[]>(); // label → examples per fold (index k: never held out)
  examples.forEach((e, i) => {
    for (const l of labelsOf(e)) {
      let c = count.get(l);
      if (!c) count.set(l, (c = new Array(k + 1).fill(0)));
      c[fold[i] < 0 ? k : fold[i]]++;
    }
  });
  const total = (c: number[]) => c.reduce((a, b) => a + b, 0);
  examples.forEach((e, i) => {
    const f = fold[i];
    if (f < 0) return;
    if (labelsOf(e).some((l) => count.get(l)![f] >= total(count.get(l)!))) {
      fold[i] = -1;
      for (const l of labelsOf(e)) {
        count.get(l)![f]--;
        count.get(l)![k]++;
      }
    }
  });
  return fold;
}
