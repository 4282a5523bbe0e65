/**
 * Dense word-vector features for the NER CRF (training time): the emission of token `t` gains
 * `Σ_d x(w_{t+d}) · P_d` for the offsets d = -1, 0, +1, where `x(w)` is the unit word vector of the lower-cased word
 * (zero when it has none) and `P_d` a learned `[dim, K]` projection. After training the projections are baked into a
 * per-word table (`NER_DENSE_OFFSETS × (words + 1)` rows of K scores), so the model ships K numbers per word and
 * offset instead of the vectors: the "compact projection" of the vocabulary the model needs.
 */
import { NER_DENSE_OFFSETS } from '../nlu/entities/ner-features.ts';
import type { NerWordClusters } from '../nlu/entities/ner-word-clusters.ts';
import type { WordVectors } from './ner-word-vectors.ts';

/** Unit vectors of the lexicon's words (`[words * dim]`, lexicon order). */
export function lexiconVectors(vectors: WordVectors, lexicon: NerWordClusters): { dim: number; data: Float32Array } {
  const dim = vectors.dim;
  const index = new Map<string, number>();
  vectors.words.forEach((w, i) => {
    if (!index.has(w)) index.set(w, i);
  });
  const data = new Float32Array(lexicon.words.length * dim);
  lexicon.words.forEach((w, r) => {
    const i = index.get(w);
    if (i === undefined) return;
    let norm = 0;
    for (let d = 0; d < dim; d++) norm += vectors.data[i * dim + d] ** 2;
    const s = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    for (let d = 0; d < dim; d++) data[r * dim + d] = vectors.data[i * dim + d] * s;
  });
  return { dim, data };
}

/** The learned projections and their AdaGrad state. */
export class DenseNerFeatures {
  /** `[NER_DENSE_OFFSETS * dim * k]`: offset `o` (0 ↔ d = -1), component `j`, tag `y`. */
  readonly p: Float64Array;
  private readonly acc: Float64Array;
  private readonly dim: number;

  constructor(
    private readonly vectors: { dim: number; data: Float32Array },
    private readonly k: number,
    private readonly learningRate: number,
    private readonly l2: number,
  ) {
    this.dim = vectors.dim;
    this.p = new Float64Array(NER_DENSE_OFFSETS * this.dim * k);
    this.acc = new Float64Array(this.p.length);
  }

  /** Adds the dense scores to `em` (`[n * k]`); `rows` are lexicon rows per token (-1: no vector). */
  addEmissions(rows: Int32Array, n: number, em: Float64Array, p: Float64Array = this.p): void {
    const { dim, k } = this;
    const x = this.vectors.data;
    for (let t = 0; t < n; t++) {
      for (let o = 0; o < NER_DENSE_OFFSETS; o++) {
        const s = t + o - 1;
        if (s < 0 || s >= n || rows[s] < 0) continue;
        const xb = rows[s] * dim;
        const pb = o * dim * k;
        for (let j = 0; j < dim; j++) {
          const v = x[xb + j];
          if (v === 0) continue;
          for (let y = 0; y < k; y++) em[t * k + y] += v * p[pb + j * k + y];
        }
      }
    }
  }

  /** One AdaGrad step from the emission gradients `g` (`[n * k]`, marginal − gold). */
  update(rows: Int32Array, n: number, g: Float64Array): void {
    const { dim, k } = this;
    const x = this.vectors.data;
    const grad = new Float64Array(this.p.length);
    const touched = new Uint8Array(NER_DENSE_OFFSETS);
    for (let t = 0; t < n; t++) {
      for (let o = 0; o < NER_DENSE_OFFSETS; o++) {
        const s = t + o - 1;
        if (s < 0 || s >= n || rows[s] < 0) continue;
        touched[o] = 1;
        const xb = rows[s] * dim;
        const pb = o * dim * k;
        for (let j = 0; j < dim; j++) {
          const v = x[xb + j];
          for (let y = 0; y < k; y++) grad[pb + j * k + y] += v * g[t * k + y];
        }
      }
    }
    for (let o = 0; o < NER_DENSE_OFFSETS; o++) {
      if (!touched[o]) continue;
      for (let i = o * dim * k; i < (o + 1) * dim * k; i++) {
        const gi = grad[i] + this.l2 * this.p[i];
        this.acc[i] += gi * gi;
        this.p[i] -= (this.learningRate * gi) / (Math.sqrt(this.acc[i]) + 1e-8);
      }
    }
  }

  /**
   * The baked table for projections `p`: `[NER_DENSE_OFFSETS * (words + 1) * k]`, row `o * (words + 1) + r + 1` =
   * word `r`'s scores at offset `o`; row `o * (words + 1)` (no vector) is zero.
   */
  table(p: Float64Array): Float32Array {
    const { dim, k } = this;
    const words = this.vectors.data.length / dim;
    const out = new Float32Array(NER_DENSE_OFFSETS * (words + 1) * k);
    const x = this.vectors.data;
    for (let o = 0; o < NER_DENSE_OFFSETS; o++) {
      for (let r = 0; r < words; r++) {
        const ob = (o * (words + 1) + r + 1) * k;
        for (let j = 0; j < dim; j++) {
          const v = x[r * dim + j];
          if (v === 0) continue;
          for (let y = 0; y < k; y++) out[ob + y] += v * p[o * dim * k + j * k + y];
        }
      }
    }
    return out;
  }
}
