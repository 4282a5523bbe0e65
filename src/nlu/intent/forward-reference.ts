/**
 * A plain TypeScript forward pass of the intent model (towers and linear member): the reference the ONNX graph is
 * checked against in tests, and what training uses to score held-out data.
 */
import type { FeatureBag, SparseRow } from '../features/featurizer-config.ts';
import type { IntentModelWeights, LabelMode, LinearWeights, TowerWeights } from './intent-weights.ts';

/** Floor of the L2 norm of the TF-IDF weights; an empty bag (norm 0) then embeds to the zero vector, never NaN. */
export const NORM_EPSILON = 1e-6;

/**
 * Raw logits of one tower for one feature bag, accumulated in float64. This is the forward pass documented on
 * {@link TowerWeights}: `w_i = count_i · idf[id_i]`, `e = Σ w_i · embedding[row(id_i)] / max(‖w‖₂, 1e-6)` (row: the
 * tower's row map, or the id), `h0 = relu(e)`,
 * `h1 = relu(h0 · w1 + b1)` when `hidden > 0`, `logits = h1 · w2 + b2`. No temperature is applied.
 *
 * @example towerLogits(model.towers[0], featurize('card blocked', featurizer)) // Float64Array(C)
 */
export function towerLogits(tower: TowerWeights, bag: FeatureBag): Float64Array {
  const { dim: d, hidden: h, labels: c, embedding, idf, rowMap } = tower;
  const n = bag.ids.length;
  const w = new Float64Array(n);
  let sumSq = 0;
  for (let i = 0; i < n; i++) {
    w[i] = bag.counts[i] * idf[bag.ids[i]];
    sumSq += w[i] * w[i];
  }
  const denom = Math.max(Math.sqrt(sumSq), NORM_EPSILON);
  let x: Float64Array = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    const wi = w[i] / denom;
    if (wi === 0) continue;
    const row = (rowMap ? rowMap[bag.ids[i]] : bag.ids[i]) * d;
    for (let k = 0; k < d; k++) x[k] += wi * embedding[row + k];
  }
  relu(x);
  if (h > 0) x = dense(x, tower.w1!, tower.b1!, d, h, true);
  return dense(x, tower.w2, tower.b2, h > 0 ? h : d, c, false);
}

/**
 * Calibrated probabilities from logits: `softmax(logits / T)` for `single`, `sigmoid(logits / T)` for `multi`.
 * @example probabilitiesFromLogits(new Float64Array([2, 0]), 'single', 1) // ≈ [0.881, 0.119]
 */
export function probabilitiesFromLogits(logits: Float64Array, mode: LabelMode, temperature: number): Float64Array {
  const out = new Float64Array(logits.length);
  if (mode === 'multi') {
    for (let k = 0; k < logits.length; k++) out[k] = 1 / (1 + Math.exp(-logits[k] / temperature));
    return out;
  }
  let max = Number.NEGATIVE_INFINITY;
  for (let k = 0; k < logits.length; k++) max = Math.max(max, logits[k] / temperature);
  let sum = 0;
  for (let k = 0; k < logits.length; k++) sum += out[k] = Math.exp(logits[k] / temperature - max);
  for (let k = 0; k < logits.length; k++) out[k] /= sum;
  return out;
}

/**
 * The linear member's input for one bag: sublinear TF-IDF weights `(1 + ln count) · idf`, each feature family (word
 * rows, character rows) L2-normalised on its own (`max(norm, 1e-6)`). Ids with weight 0 (padding) are dropped.
 * @example linearFeatures(bag, linear.idf, linear.wordRows) // { ids, values }
 */
export function linearFeatures(bag: FeatureBag, idf: Float32Array, wordRows: Uint8Array): SparseRow {
  const n = bag.ids.length;
  const ids = new Int32Array(n);
  const values = new Float32Array(n);
  let k = 0;
  let word = 0;
  let char = 0;
  for (let i = 0; i < n; i++) {
    const count = bag.counts[i];
    const x = count > 0 ? (1 + Math.log(Math.max(count, 1))) * idf[bag.ids[i]] : 0;
    if (x === 0) continue;
    ids[k] = bag.ids[i];
    values[k++] = x;
    if (wordRows[bag.ids[i]]) word += x * x;
    else char += x * x;
  }
  const wordNorm = Math.max(Math.sqrt(word), NORM_EPSILON);
  const charNorm = Math.max(Math.sqrt(char), NORM_EPSILON);
  for (let i = 0; i < k; i++) values[i] /= wordRows[ids[i]] ? wordNorm : charNorm;
  return { ids: ids.subarray(0, k), values: values.subarray(0, k) };
}

/**
 * The linear member's decision values for one bag (no scale applied): {@link linearFeatures} times the weight rows,
 * plus the bias. See {@link LinearWeights}.
 * @example linearLogits(model.linear, bag) // Float64Array(C)
 */
export function linearLogits(linear: LinearWeights, bag: FeatureBag): Float64Array {
  const { labels: c, weights } = linear;
  const x = linearFeatures(bag, linear.idf, linear.wordRows);
  const out = Float64Array.from(linear.bias);
  for (let i = 0; i < x.ids.length; i++) {
    const xi = x.values[i];
    const row = x.ids[i] * c;
    for (let k = 0; k < c; k++) out[k] += xi * weights[row + k];
  }
  return out;
}

/**
 * The combined logits of a whole model for one bag: `mean_k(z_k) / T + linearScale · s + bias` (see
 * {@link IntentModelWeights}), in float64.
 */
export function modelLogits(weights: IntentModelWeights, bag: FeatureBag): Float64Array {
  const c = weights.labels.length;
  const out = new Float64Array(c);
  const k = weights.towers.length;
  for (const tower of weights.towers) {
    const z = towerLogits(tower, bag);
    for (let j = 0; j < c; j++) out[j] += z[j] / (k * weights.temperature);
  }
  if (weights.linear && weights.linearScale) {
    const s = linearLogits(weights.linear, bag);
    for (let j = 0; j < c; j++) out[j] += weights.linearScale * s[j];
  }
  if (weights.bias) for (let j = 0; j < c; j++) out[j] += weights.bias[j];
  return out;
}

/**
 * The reference forward pass of a whole model in plain TypeScript: for each bag, the probabilities of every label (in
 * `weights.labels` order): softmax or sigmoid of {@link modelLogits}. The exported ONNX graph must match it (within
 * 1e-5); run it on `dequantizeWeights(weights)` to predict what an int8 export computes.
 *
 * @example forwardReference(trained.weights, texts.map((t) => featurize(t, trained.featurizer)))
 */
export function forwardReference(weights: IntentModelWeights, bags: FeatureBag[]): Float32Array[] {
  return bags.map((bag) => Float32Array.from(probabilitiesFromLogits(modelLogits(weights, bag), weights.mode, 1)));
}

function relu(x: Float64Array): void {
  for (let k = 0; k < x.length; k++) if (x[k] < 0) x[k] = 0;
}

/** `x · w + b` for `w` stored [inDim × outDim] row-major, optionally followed by ReLU. */
function dense(x: Float64Array, w: Float32Array, b: Float32Array, inDim: number, outDim: number, act: boolean) {
  const out = Float64Array.from(b);
  for (let i = 0; i < inDim; i++) {
    const xi = x[i];
    if (xi === 0) continue;
    const row = i * outDim;
    for (let j = 0; j < outDim; j++) out[j] += xi * w[row + j];
  }
  if (act) relu(out);
  return out;
}
