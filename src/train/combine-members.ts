/**
 * Stacking of an intent model's members on held-out rows: the weights of the combined logits
 * `deep · z + linear · s + offset` (z: the towers' mean logits, s: the linear member's scores) that minimise the
 * held-out negative log-likelihood. `deep` is the inverse temperature of the towers; `offset` only matters for
 * multi-label (sigmoid) outputs.
 */
import type { LabelMode } from '../nlu/intent/intent-weights.ts';

/** A held-out row: the members' raw outputs and the target (label index, or 0/1 vector for multi-label). */
export interface StackRow {
  /** Mean logits of the towers that did not train on the row (absent: no deep member). */
  z?: Float32Array;
  /** Scores of the linear member that did not train on the row (absent: no linear member). */
  s?: Float32Array;
  target: number | Float32Array;
}

/** Weights of the combination. */
export interface Combination {
  deep: number;
  linear: number;
  offset: number;
}

/** Combined logits of one row into `out`. */
export function combineLogits(r: StackRow, w: Combination, out: Float64Array): Float64Array {
  const C = out.length;
  for (let c = 0; c < C; c++) out[c] = w.offset + (r.z ? w.deep * r.z[c] : 0) + (r.s ? w.linear * r.s[c] : 0);
  return out;
}

/** Probabilities (softmax or sigmoid) of combined logits, in place. */
export function toProbabilities(logits: Float64Array, mode: LabelMode): Float64Array {
  const C = logits.length;
  if (mode === 'multi') {
    for (let c = 0; c < C; c++) logits[c] = 1 / (1 + Math.exp(-logits[c]));
    return logits;
  }
  let max = Number.NEGATIVE_INFINITY;
  for (let c = 0; c < C; c++) if (logits[c] > max) max = logits[c];
  let sum = 0;
  for (let c = 0; c < C; c++) sum += logits[c] = Math.exp(logits[c] - max);
  for (let c = 0; c < C; c++) logits[c] /= sum;
  return logits;
}

/** Mean held-out NLL of a combination (multi-label: per label decision, averaged over labels). */
export function stackNll(rows: readonly StackRow[], w: Combination, mode: LabelMode, C: number): number {
  const buf = new Float64Array(C);
  let total = 0;
  for (const r of rows) {
    combineLogits(r, w, buf);
    const t = r.target;
    if (mode === 'single') {
      let max = Number.NEGATIVE_INFINITY;
      for (let c = 0; c < C; c++) if (buf[c] > max) max = buf[c];
      let sum = 0;
      for (let c = 0; c < C; c++) sum += Math.exp(buf[c] - max);
      const y = t as number;
      total += y >= 0 ? max + Math.log(sum) - buf[y] : 0;
    } else {
      const y = t as Float32Array;
      let row = 0;
      for (let c = 0; c < C; c++) {
        const z = buf[c];
        // −log σ(z) for a positive, −log(1 − σ(z)) for a negative, computed stably.
        row += Math.max(z, 0) - (y[c] ? z : 0) + Math.log1p(Math.exp(-Math.abs(z)));
      }
      total += row / C;
    }
  }
  return total / Math.max(1, rows.length);
}

/** Minimises f over [lo, hi] by golden-section search (f unimodal enough near the start point). */
function golden(f: (x: number) => number, lo: number, hi: number, tol: number): number {
  const G = (Math.sqrt(5) - 1) / 2;
  let a = lo;
  let b = hi;
  let c = b - G * (b - a);
  let d = a + G * (b - a);
  let fc = f(c);
  let fd = f(d);
  while (b - a > tol) {
    if (fc < fd) {
      [b, d, fd] = [d, c, fc];
      c = b - G * (b - a);
      fc = f(c);
    } else {
      [a, c, fc] = [c, d, fd];
      d = a + G * (b - a);
      fd = f(d);
    }
  }
  return (a + b) / 2;
}

/** Grid of candidate weights for a member: 0 (dropped) and a log-spaced range. */
const WEIGHT_GRID = [0, ...Array.from({ length: 17 }, (_, i) => 2 ** ((i - 8) / 2))];

/**
 * Fits the combination on held-out rows by minimising their NLL: a grid over the two member weights (each may be 0:
 * the member is then dropped) and, for multi-label data, the offset, then coordinate-wise golden-section refinement
 * (log scale for the weights). A member absent from the rows gets weight 0. With no rows: deep 1, linear 1, offset 0.
 * @example const w = fitCombination(heldOut, 'single', labels.length); // { deep: 0.71, linear: 2.9, offset: 0 }
 */
export function fitCombination(rows: readonly StackRow[], mode: LabelMode, C: number): Combination {
  const hasDeep = rows.some((r) => r.z);
  const hasLinear = rows.some((r) => r.s);
  if (rows.length === 0) return { deep: hasDeep ? 1 : 0, linear: hasLinear ? 1 : 0, offset: 0 };
  const nll = (w: Combination) => stackNll(rows, w, mode, C);
  const deeps = hasDeep ? WEIGHT_GRID : [0];
  // SVM scores live on a smaller scale than logits (margins near ±1): their weights start higher.
  const linears = hasLinear ? WEIGHT_GRID.map((x) => x * 4) : [0];
  const offsets = mode === 'multi' ? [-3, -2, -1, 0, 1] : [0];
  let best: Combination = { deep: hasDeep ? 1 : 0, linear: hasLinear ? 4 : 0, offset: 0 };
  let bestNll = nll(best);
  for (const deep of deeps)
    for (const linear of linears)
      for (const offset of offsets) {
        if (deep === 0 && linear === 0) continue;
        const w = { deep, linear, offset };
        const v = nll(w);
        if (v < bestNll) [best, bestNll] = [w, v];
      }
  // Refine each non-zero weight on a log scale around its grid value, and the offset, twice round.
  for (let round = 0; round < 2; round++) {
    for (const key of ['deep', 'linear'] as const) {
      if (best[key] === 0) continue;
      const centre = Math.log(best[key]);
      const u = golden((x) => nll({ ...best, [key]: Math.exp(x) }), centre - 0.7, centre + 0.7, 1e-3);
      const cand = { ...best, [key]: Math.exp(u) };
      const v = nll(cand);
      if (v < bestNll) [best, bestNll] = [cand, v];
    }
    if (mode === 'multi') {
      const u = golden((x) => nll({ ...best, offset: x }), best.offset - 1, best.offset + 1, 1e-3);
      const cand = { ...best, offset: u };
      const v = nll(cand);
      if (v < bestNll) [best, bestNll] = [cand, v];
    }
  }
  return best;
}
