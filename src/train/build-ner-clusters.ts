/**
 * Word clusters for the NER from word vectors (training time): hierarchical spherical k-means (cosine) over the
 * vectors of a lexicon — the most frequent words of the vector file plus every training word that has a vector —
 * giving each word a path of cluster ids from coarse to fine. Deterministic for a seed.
 */
import { NerWordClusters } from '../nlu/entities/ner-word-clusters.ts';
import { Random } from '../util/random.ts';
import type { WordVectors } from './ner-word-vectors.ts';

export interface NerClusterOptions {
  /** Clusters per parent at each level (coarse → fine). */
  branching: number[];
  /** The most frequent words of the vector file kept in the lexicon (training words with vectors are always kept). */
  topWords: number;
  /** k-means iterations per clustering. */
  iterations: number;
  seed: number;
}

export const DEFAULT_NER_CLUSTER_OPTIONS: NerClusterOptions = {
  branching: [16, 16, 8],
  topWords: 80_000,
  iterations: 12,
  seed: 17,
};

/**
 * Builds the lexicon and its clusters. `vocabulary`: the training words (any casing; looked up lower-cased).
 * @example buildNerWordClusters(readWordVectors('wink'), trainWords).rowOf('london') // ≥ 0
 */
export function buildNerWordClusters(
  vectors: WordVectors,
  vocabulary: Iterable<string>,
  options: Partial<NerClusterOptions> = {},
): NerWordClusters {
  const o = { ...DEFAULT_NER_CLUSTER_OPTIONS, ...options };
  const index = new Map<string, number>();
  vectors.words.forEach((w, i) => {
    if (!index.has(w)) index.set(w, i);
  });
  const chosen = new Set<number>();
  for (let i = 0; i < Math.min(o.topWords, vectors.words.length); i++) chosen.add(index.get(vectors.words[i]) ?? i);
  for (const w of vocabulary) {
    const i = index.get(w.toLowerCase());
    if (i !== undefined) chosen.add(i);
  }
  const rows = [...chosen].sort((a, b) => a - b);
  const dim = vectors.dim;
  // Unit vectors of the lexicon (cosine = dot product).
  const x = new Float32Array(rows.length * dim);
  rows.forEach((r, i) => {
    let norm = 0;
    for (let d = 0; d < dim; d++) norm += vectors.data[r * dim + d] ** 2;
    const s = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    for (let d = 0; d < dim; d++) x[i * dim + d] = vectors.data[r * dim + d] * s;
  });
  const L = o.branching.length;
  const ids = new Uint16Array(rows.length * L);
  const rng = new Random(o.seed);
  // Level by level: split every cluster of the previous level into `branching[l]`.
  let groups: { members: number[]; id: number }[] = [{ members: rows.map((_, i) => i), id: 0 }];
  for (let l = 0; l < L; l++) {
    const k = o.branching[l];
    const next: { members: number[]; id: number }[] = [];
    for (const g of groups) {
      const assign = sphericalKmeans(x, dim, g.members, k, o.iterations, rng);
      const parts = Array.from({ length: k }, () => [] as number[]);
      g.members.forEach((m, j) => {
        parts[assign[j]].push(m);
      });
      parts.forEach((members, c) => {
        const id = g.id * k + c;
        for (const m of members) ids[m * L + l] = id;
        if (members.length > 0) next.push({ members, id });
      });
    }
    groups = next;
  }
  return new NerWordClusters(
    rows.map((r) => vectors.words[r]),
    o.branching,
    ids,
  );
}

/** Spherical k-means of the points `members` (rows of `x`); returns each member's cluster in `[0, k)`. */
function sphericalKmeans(
  x: Float32Array,
  dim: number,
  members: readonly number[],
  k: number,
  iterations: number,
  rng: Random,
): Int32Array {
  const n = members.length;
  const assign = new Int32Array(n);
  if (n <= k) {
    for (let j = 0; j < n; j++) assign[j] = j;
    return assign;
  }
  // Seeds: k distinct members at random (cheap and good enough for a feature).
  const centers = new Float64Array(k * dim);
  const picked = new Set<number>();
  while (picked.size < k) picked.add(rng.int(n));
  [...picked].forEach((j, c) => {
    for (let d = 0; d < dim; d++) centers[c * dim + d] = x[members[j] * dim + d];
  });
  for (let it = 0; it < iterations; it++) {
    let changed = 0;
    for (let j = 0; j < n; j++) {
      const base = members[j] * dim;
      let best = 0;
      let bestDot = Number.NEGATIVE_INFINITY;
      for (let c = 0; c < k; c++) {
        let dot = 0;
        const cb = c * dim;
        for (let d = 0; d < dim; d++) dot += x[base + d] * centers[cb + d];
        if (dot > bestDot) {
          bestDot = dot;
          best = c;
        }
      }
      if (assign[j] !== best || it === 0) changed++;
      assign[j] = best;
    }
    centers.fill(0);
    const size = new Int32Array(k);
    for (let j = 0; j < n; j++) {
      const c = assign[j];
      size[c]++;
      for (let d = 0; d < dim; d++) centers[c * dim + d] += x[members[j] * dim + d];
    }
    for (let c = 0; c < k; c++) {
      if (size[c] === 0) {
        // An empty cluster takes a random member as its new center.
        const j = rng.int(n);
        for (let d = 0; d < dim; d++) centers[c * dim + d] = x[members[j] * dim + d];
        continue;
      }
      let norm = 0;
      for (let d = 0; d < dim; d++) norm += centers[c * dim + d] ** 2;
      const s = norm > 0 ? 1 / Math.sqrt(norm) : 0;
      for (let d = 0; d < dim; d++) centers[c * dim + d] *= s;
    }
    if (changed === 0) break;
  }
  return assign;
}
