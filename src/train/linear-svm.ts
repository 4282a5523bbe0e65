/**
 * A linear support-vector machine over sparse feature rows, one-vs-rest: for each label, an L2-regularised
 * squared-hinge (L2-loss) SVM trained by dual coordinate descent (the method of Hsieh et al., ICML 2008, as in
 * liblinear's default solver), with a regularised bias feature of value 1. This is the "TF-IDF + LinearSVC" model a
 * practitioner compares against, trained here so that switchboard's intent model can hold it as its wide member.
 */
import type { SparseRow } from '../nlu/features/featurizer-config.ts';
import { Random } from '../util/random.ts';

/** Settings of {@link trainLinearSvm}. */
export interface LinearSvmOptions {
  /** Penalty of the hinge loss (scikit-learn's `C`); larger fits the training data harder. */
  c: number;
  /** Stop a label when the projected-gradient spread falls below this (liblinear's `eps`). */
  tolerance: number;
  /** Most passes over the data per label. */
  maxPasses: number;
  seed: number;
}

export const DEFAULT_SVM_OPTIONS: LinearSvmOptions = { c: 1, tolerance: 0.1, maxPasses: 60, seed: 1 };

/** A trained one-vs-rest linear model: `score[c] = Σ_i x_i · weights[id_i · C + c] + bias[c]`. */
export interface LinearModel {
  /** Number of feature rows V. */
  rows: number;
  /** Number of labels C. */
  labels: number;
  /** [V × C] row-major: one row of label weights per feature row (the layout the ONNX graph gathers). */
  weights: Float32Array;
  /** [C]. */
  bias: Float32Array;
}

/**
 * Trains one binary L2-loss SVM by dual coordinate descent. `y[i]` is +1 or −1. Writes the primal weights into `w`
 * (length `rows`) and returns the bias. Deterministic for the random generator's state.
 */
function trainBinary(
  x: readonly SparseRow[],
  sq: Float64Array,
  y: Int8Array,
  w: Float64Array,
  opts: LinearSvmOptions,
  rng: Random,
): number {
  const n = x.length;
  const diag = 0.5 / opts.c; // D_ii of the L2-loss dual
  const alpha = new Float64Array(n);
  const order = Int32Array.from({ length: n }, (_, i) => i);
  let bias = 0; // weight of the constant bias feature (value 1)
  w.fill(0);
  for (let pass = 0; pass < opts.maxPasses; pass++) {
    rng.shuffle(order);
    let maxPg = Number.NEGATIVE_INFINITY;
    let minPg = Number.POSITIVE_INFINITY;
    for (let k = 0; k < n; k++) {
      const i = order[k];
      const row = x[i];
      const yi = y[i];
      let dot = bias;
      for (let j = 0; j < row.ids.length; j++) dot += w[row.ids[j]] * row.values[j];
      const g = yi * dot - 1 + diag * alpha[i];
      const pg = alpha[i] === 0 ? Math.min(g, 0) : g;
      if (pg > maxPg) maxPg = pg;
      if (pg < minPg) minPg = pg;
      if (Math.abs(pg) < 1e-12) continue;
      const old = alpha[i];
      const next = Math.max(old - g / (sq[i] + diag), 0);
      alpha[i] = next;
      const d = (next - old) * yi;
      if (d === 0) continue;
      for (let j = 0; j < row.ids.length; j++) w[row.ids[j]] += d * row.values[j];
      bias += d;
    }
    if (maxPg - minPg < opts.tolerance) break;
  }
  return bias;
}

/**
 * Trains a one-vs-rest linear SVM. `targets[i]` is a label index (single-label data) or a 0/1 vector over the labels
 * (multi-label data); a row whose label index is negative counts as a negative for every label. Labels train one after
 * another, each with its own seeded order.
 *
 * @example const lin = trainLinearSvm(rows, targets, vocabularyRows, labelCount, { ...DEFAULT_SVM_OPTIONS, c: 0.5 });
 */
export function trainLinearSvm(
  x: readonly SparseRow[],
  targets: readonly (number | Float32Array)[],
  rows: number,
  labels: number,
  opts: LinearSvmOptions = DEFAULT_SVM_OPTIONS,
  onLabel?: (done: number) => void,
): LinearModel {
  const n = x.length;
  const sq = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 1; // the bias feature
    for (const v of x[i].values) s += v * v;
    sq[i] = s;
  }
  const weights = new Float32Array(rows * labels);
  const bias = new Float32Array(labels);
  const w = new Float64Array(rows);
  const y = new Int8Array(n);
  for (let c = 0; c < labels; c++) {
    for (let i = 0; i < n; i++) {
      const t = targets[i];
      y[i] = (typeof t === 'number' ? t === c : t[c] > 0) ? 1 : -1;
    }
    bias[c] = trainBinary(x, sq, y, w, opts, new Random(opts.seed * 7919 + c));
    for (let r = 0; r < rows; r++) if (w[r] !== 0) weights[r * labels + c] = w[r];
    onLabel?.(c + 1);
  }
  return { rows, labels, weights, bias };
}

/** Decision values of one sparse row: `[C]`, written into `out`. */
export function linearScores(model: LinearModel, row: SparseRow, out: Float32Array): Float32Array {
  const C = model.labels;
  out.set(model.bias);
  for (let j = 0; j < row.ids.length; j++) {
    const base = row.ids[j] * C;
    const v = row.values[j];
    for (let c = 0; c < C; c++) out[c] += v * model.weights[base + c];
  }
  return out;
}
