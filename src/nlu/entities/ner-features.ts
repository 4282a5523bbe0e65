/**
 * Per-token features of the NER tagger (word, lower case, shape, prefixes and suffixes, neighbours ±2), hashed into a
 * fixed number of buckets: the same in training and serving.
 */
import { murmur3 } from '../features/murmur3.ts';
import type { NerWordClusters } from './ner-word-clusters.ts';

/** Hash buckets of NER features (2^22); the model keeps only the buckets seen in training (its feature vocabulary). */
export const NER_BUCKETS = 1 << 22;
/** Features per token without word clusters: fixed, so a message is one `[tokens, F]` id matrix. */
export const NER_FEATURES_PER_TOKEN = 34;

/**
 * Extra features per token from word clusters with `levels` levels: the token's cluster at every level, the ±1
 * neighbours' at the two finest levels, the ±2 neighbours' at the finest, and the finest with the short shape.
 */
export function clusterFeatureCount(levels: number): number {
  return levels + 2 * Math.min(2, levels) + 3;
}

/** Features per token of a featurizer with (or without) word clusters. */
export function nerFeaturesPerToken(clusters?: NerWordClusters): number {
  return NER_FEATURES_PER_TOKEN + (clusters ? clusterFeatureCount(clusters.levels) : 0);
}

/** Word shape: upper → X, lower → x, digit → d, others kept; `shortShape` collapses repeats ("Xxxxx" → "Xx"). */
export function wordShape(word: string): string {
  let out = '';
  for (const ch of word) {
    if (/\p{Lu}/u.test(ch)) out += 'X';
    else if (/\p{Ll}|\p{Lo}|\p{M}/u.test(ch)) out += 'x';
    else if (/\p{N}/u.test(ch)) out += 'd';
    else out += ch;
    if (out.length >= 12) break;
  }
  return out;
}

export function shortShape(shape: string): string {
  let out = '';
  for (const ch of shape) if (out[out.length - 1] !== ch) out += ch;
  return out;
}

const lengthBucket = (n: number) => (n <= 3 ? String(n) : n <= 6 ? '4-6' : n <= 10 ? '7-10' : '11+');

/**
 * The hashed feature buckets of every token of a sentence, `NER_FEATURES_PER_TOKEN` per token (row-major), each a
 * MurmurHash3 of a named feature string: the word as written and lower-cased, its shape and short shape, prefixes and
 * suffixes (1–4 letters), the neighbours (±1, ±2) lower-cased and (±1) as written, neighbour shapes and suffixes, word
 * bigrams, a shape trigram, the position, the length, and whether the whole sentence is lower-case (chat), alone and
 * with the short shape. Casing is one feature among many, so a lower-cased message still has most of its evidence.
 * With `clusters`, each token also gets {@link clusterFeatureCount} word-cluster features (looked up lower-cased, so
 * they are the same for chat casing): evidence for words never seen in the labelled data.
 */
export function sentenceFeatures(tokens: readonly string[], seed: number, clusters?: NerWordClusters): Int32Array {
  const n = tokens.length;
  const F = nerFeaturesPerToken(clusters);
  const out = new Int32Array(n * F);
  const lower = tokens.map((t) => t.toLowerCase());
  const shapes = tokens.map(wordShape);
  const shorts = shapes.map(shortShape);
  const lowerSentence = tokens.every((t, i) => t === lower[i]) ? 'lc' : 'mixed';
  const at = (arr: readonly string[], i: number) => (i < 0 ? '<s>' : i >= n ? '</s>' : arr[i]);
  const h = (s: string) => murmur3(s, seed) % NER_BUCKETS;
  const clusterRows = clusters ? tokens.map((t) => clusters.rowOf(t)) : [];
  for (let i = 0; i < n; i++) {
    const w = tokens[i];
    const l = lower[i];
    const f: string[] = [
      'bias',
      `w=${w}`,
      `l=${l}`,
      `s=${shapes[i]}`,
      `ss=${shorts[i]}`,
      `p1=${l.slice(0, 1)}`,
      `p2=${l.slice(0, 2)}`,
      `p3=${l.slice(0, 3)}`,
      `p4=${l.slice(0, 4)}`,
      `x1=${l.slice(-1)}`,
      `x2=${l.slice(-2)}`,
      `x3=${l.slice(-3)}`,
      `x4=${l.slice(-4)}`,
      `l-1=${at(lower, i - 1)}`,
      `l+1=${at(lower, i + 1)}`,
      `l-2=${at(lower, i - 2)}`,
      `l+2=${at(lower, i + 2)}`,
      `w-1=${at(tokens, i - 1)}`,
      `w+1=${at(tokens, i + 1)}`,
      `ss-1=${at(shorts, i - 1)}`,
      `ss+1=${at(shorts, i + 1)}`,
      `ss-2=${at(shorts, i - 2)}`,
      `ss+2=${at(shorts, i + 2)}`,
      `x3-1=${at(lower, i - 1).slice(-3)}`,
      `x3+1=${at(lower, i + 1).slice(-3)}`,
      `l-1|l=${at(lower, i - 1)}|${l}`,
      `l|l+1=${l}|${at(lower, i + 1)}`,
      `ss3=${at(shorts, i - 1)}|${shorts[i]}|${at(shorts, i + 1)}`,
      `pos=${i === 0 ? 'first' : i === n - 1 ? 'last' : 'mid'}`,
      `len=${lengthBucket([...w].length)}`,
      `case=${lowerSentence}`,
      `case|ss=${lowerSentence}|${shorts[i]}`,
      `case|l=${lowerSentence}|${l}`,
      `pos|ss=${i === 0 ? 'first' : 'rest'}|${shorts[i]}`,
    ];
    if (clusters) f.push(...clusterFeatures(clusterRows, clusters, i, shorts[i]));
    for (let k = 0; k < F; k++) out[i * F + k] = h(f[k]);
  }
  return out;
}

/** The cluster feature strings of token `i` (see {@link clusterFeatureCount}). */
function clusterFeatures(rows: readonly number[], c: NerWordClusters, i: number, short: string): string[] {
  const L = c.levels;
  const id = (j: number, level: number) =>
    j < 0 ? '<s>' : j >= rows.length ? '</s>' : rows[j] < 0 ? '?' : String(c.idAt(rows[j], level));
  const f: string[] = [];
  for (let l = 0; l < L; l++) f.push(`c${l}=${id(i, l)}`);
  for (let l = Math.max(0, L - 2); l < L; l++) f.push(`c${l}-1=${id(i - 1, l)}`, `c${l}+1=${id(i + 1, l)}`);
  f.push(`cf-2=${id(i - 2, L - 1)}`, `cf+2=${id(i + 2, L - 1)}`, `cf|ss=${id(i, L - 1)}|${short}`);
  return f;
}

/** Offsets of the dense word-vector features: the token and its two neighbours (-1, 0, +1). */
export const NER_DENSE_OFFSETS = 3;

/**
 * Rows of the baked dense table (see src/train/ner-dense-features.ts) for each token and offset, `[n * 3]`: row
 * `o * (words + 1) + r + 1` for the word at `t + o - 1` with lexicon row `r`, row `o * (words + 1)` (zeros) for no word
 * or no vector. `lexRows`: each token's lexicon row (-1 when none).
 */
export function denseRows(lexRows: readonly number[] | Int32Array, words: number): Int32Array {
  const n = lexRows.length;
  const out = new Int32Array(n * NER_DENSE_OFFSETS);
  for (let t = 0; t < n; t++) {
    for (let o = 0; o < NER_DENSE_OFFSETS; o++) {
      const s = t + o - 1;
      const r = s < 0 || s >= n ? -1 : lexRows[s];
      out[t * NER_DENSE_OFFSETS + o] = o * (words + 1) + r + 1;
    }
  }
  return out;
}
