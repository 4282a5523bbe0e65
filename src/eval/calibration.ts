/** Single-label (softmax) or multi-label (one sigmoid per label) outputs. */
export type OutputMode = 'single' | 'multi';

/** One bin of a reliability diagram. With `count` 0, `confidence` and `accuracy` are 0. */
export interface ReliabilityBin {
  lo: number;
  hi: number;
  count: number;
  /** Mean confidence of the rows in the bin. */
  confidence: number;
  /** Share of correct rows in the bin. */
  accuracy: number;
}

/** A point of a precision–coverage curve: answer only rows with confidence ≥ `threshold`. */
export interface CoveragePoint {
  threshold: number;
  /** Share of all rows answered. */
  coverage: number;
  /** Share of answered rows that are correct. */
  precision: number;
}

const LOG_T_MIN = Math.log(0.05);
const LOG_T_MAX = Math.log(20);
const GRID = 24;
const GOLDEN = (Math.sqrt(5) - 1) / 2;

/**
 * Probabilities from logits at a temperature: softmax over the row (`single`) or a sigmoid per label (`multi`).
 * @example probabilitiesFromLogits(Float32Array.of(2, 0), 'single', 2) // ≈ [0.731, 0.269]
 */
export function probabilitiesFromLogits(logits: Float32Array, mode: OutputMode, temperature = 1): Float32Array {
  const out = new Float32Array(logits.length);
  if (mode === 'multi') {
    for (let j = 0; j < logits.length; j++) out[j] = 1 / (1 + Math.exp(-logits[j] / temperature));
    return out;
  }
  let max = Number.NEGATIVE_INFINITY;
  for (const z of logits) max = Math.max(max, z);
  let sum = 0;
  for (let j = 0; j < logits.length; j++) sum += out[j] = Math.exp((logits[j] - max) / temperature);
  for (let j = 0; j < logits.length; j++) out[j] /= sum;
  return out;
}

/**
 * Mean negative log-likelihood at a temperature: softmax cross-entropy per row (`single`, gold = class index; rows with
 * index < 0 are skipped) or binary cross-entropy per (row, label) decision (`multi`, gold = the row's label indices).
 */
export function temperatureNll(
  logits: readonly Float32Array[],
  gold: readonly number[] | readonly (readonly number[])[],
  mode: OutputMode,
  temperature: number,
): number {
  let total = 0;
  let count = 0;
  logits.forEach((row, i) => {
    if (mode === 'single') {
      const y = gold[i] as number;
      if (y < 0 || y >= row.length) return;
      let max = Number.NEGATIVE_INFINITY;
      for (const z of row) max = Math.max(max, z / temperature);
      let sum = 0;
      for (const z of row) sum += Math.exp(z / temperature - max);
      total += max + Math.log(sum) - row[y] / temperature;
      count++;
    } else {
      const positive = new Set(gold[i] as readonly number[]);
      for (let j = 0; j < row.length; j++) {
        const x = row[j] / temperature;
        // BCE with logits: softplus(x) − y·x, computed stably.
        total += Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x))) - (positive.has(j) ? x : 0);
        count++;
      }
    }
  });
  return count ? total / count : 0;
}

/**
 * Fits the temperature T (probabilities = softmax(z / T) or sigmoid(z / T)) that minimises the validation NLL
 * (temperature scaling, Guo et al. 2017). Searches log T in [log 0.05, log 20]: a coarse grid first (robust to a flat
 * or odd-shaped NLL), then golden-section search around the best grid point. Returns 1 for empty input.
 * @example const t = fitTemperature(validLogits, validGoldIndices, 'single'); // e.g. 1.8
 */
export function fitTemperature(
  logits: readonly Float32Array[],
  gold: readonly number[] | readonly (readonly number[])[],
  mode: OutputMode,
): number {
  if (logits.length === 0) return 1;
  return minimizeOverTemperature((t) => temperatureNll(logits, gold, mode, t));
}

/**
 * The temperature in [0.05, 20] minimising `nll(T)`: a coarse grid over log T (robust to a flat or odd-shaped
 * curve), then golden-section search around the best grid point. Shared by {@link fitTemperature} and the trainer's
 * ensemble calibration, which supply their own NLL.
 * @example minimizeOverTemperature((t) => (Math.log(t) - 1) ** 2) // ≈ e
 */
export function minimizeOverTemperature(nll: (temperature: number) => number): number {
  const f = (u: number) => nll(Math.exp(u));
  const step = (LOG_T_MAX - LOG_T_MIN) / GRID;
  let bestK = 0;
  let bestF = Number.POSITIVE_INFINITY;
  for (let k = 0; k <= GRID; k++) {
    const v = f(LOG_T_MIN + k * step);
    if (v < bestF) [bestK, bestF] = [k, v];
  }
  let a = LOG_T_MIN + Math.max(0, bestK - 1) * step;
  let b = LOG_T_MIN + Math.min(GRID, bestK + 1) * step;
  let c = b - GOLDEN * (b - a);
  let d = a + GOLDEN * (b - a);
  let fc = f(c);
  let fd = f(d);
  while (b - a > 1e-5) {
    if (fc < fd) {
      [b, d, fd] = [d, c, fc];
      c = b - GOLDEN * (b - a);
      fc = f(c);
    } else {
      [a, c, fc] = [c, d, fd];
      d = a + GOLDEN * (b - a);
      fd = f(d);
    }
  }
  return Math.exp((a + b) / 2);
}

/**
 * Equal-width reliability bins over [0, 1]; bin k holds confidences in (k/bins, (k+1)/bins] (0 goes to the first).
 * @example reliabilityBins([0.95, 0.9, 0.3], [true, false, true], 10)[9] // {lo: 0.9, hi: 1, count: 1, …}
 */
export function reliabilityBins(
  confidences: ArrayLike<number>,
  correct: ArrayLike<boolean>,
  bins = 15,
): ReliabilityBin[] {
  const count = new Array<number>(bins).fill(0);
  const conf = new Array<number>(bins).fill(0);
  const hits = new Array<number>(bins).fill(0);
  for (let i = 0; i < confidences.length; i++) {
    const c = confidences[i];
    // The epsilon keeps a confidence on a bin edge (0.3 · 10 = 3.0000000000000004) in the lower bin.
    const k = Math.min(bins - 1, Math.max(0, Math.ceil(c * bins - 1e-9) - 1));
    count[k]++;
    conf[k] += c;
    if (correct[i]) hits[k]++;
  }
  return count.map((n, k) => ({
    lo: k / bins,
    hi: (k + 1) / bins,
    count: n,
    confidence: n ? conf[k] / n : 0,
    accuracy: n ? hits[k] / n : 0,
  }));
}

/**
 * Expected calibration error: Σ over bins of (share of rows in the bin) × |accuracy − mean confidence|, with
 * {@link reliabilityBins}. 0 is perfect calibration.
 * @example expectedCalibrationError([0.9, 0.9], [true, false]) // 0.4
 */
export function expectedCalibrationError(
  confidences: ArrayLike<number>,
  correct: ArrayLike<boolean>,
  bins = 15,
): number {
  const n = confidences.length;
  if (n === 0) return 0;
  return reliabilityBins(confidences, correct, bins).reduce(
    (ece, b) => ece + (b.count / n) * Math.abs(b.accuracy - b.confidence),
    0,
  );
}

/**
 * Precision–coverage curve: for each distinct confidence t (ascending), answer the rows with confidence ≥ t;
 * coverage = answered / all rows, precision = correct answered / answered. Coverage falls as the threshold rises.
 * @example precisionCoverageCurve([0.9, 0.6], [true, false])
 * // [{threshold: 0.6, coverage: 1, precision: 0.5}, {threshold: 0.9, coverage: 0.5, precision: 1}]
 */
export function precisionCoverageCurve(
  confidences: ArrayLike<number>,
  correct: ArrayLike<boolean>,
  weights?: ArrayLike<number>,
): CoveragePoint[] {
  const n = confidences.length;
  const w = (i: number) => (weights ? weights[i] : 1);
  let total = 0;
  for (let i = 0; i < n; i++) total += w(i);
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => confidences[b] - confidences[a]);
  const points: CoveragePoint[] = [];
  let answered = 0;
  let right = 0;
  for (let k = 0; k < n; ) {
    const t = confidences[order[k]];
    for (; k < n && confidences[order[k]] === t; k++) {
      answered += w(order[k]);
      if (correct[order[k]]) right += w(order[k]);
    }
    points.push({ threshold: t, coverage: total ? answered / total : 0, precision: answered ? right / answered : 1 });
  }
  return points.reverse();
}

/**
 * The lowest threshold of a precision–coverage curve whose precision reaches `target` (the most coverage for that
 * precision), or undefined when no threshold reaches it.
 * @example thresholdForPrecision(curve, 0.95) // {threshold: 0.62, coverage: 0.81, precision: 0.951}
 */
export function thresholdForPrecision(curve: readonly CoveragePoint[], target: number): CoveragePoint | undefined {
  return curve.find((p) => p.precision >= target);
}
