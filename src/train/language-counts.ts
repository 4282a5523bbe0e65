/**
 * The counting half of language-profile training: weighted character n-gram counts per language, one language at a
 * time (a broad corpus never holds every language's counts at once), pruned to the n-grams each language sees most,
 * then smoothed, quantised to uint8 and laid out as a sparse profile (see `LanguageProfile.load`).
 */
import { forEachGram, GRAM_SEED, type LanguageProfileParts } from '../nlu/language/language-profile.ts';
import { textEvidence } from '../nlu/language/text-evidence.ts';
import type { LanguageExample } from './read-language-data.ts';

/** How n-grams are counted and pruned. */
export interface GramCountOptions {
  /** Longest character n-gram (code points). */
  maxN: number;
  /** Additive (Lidstone) smoothing of the n-gram counts, per language. */
  alpha: number;
  /** (n-gram, language) pairs whose weighted count is below this are dropped. */
  minCount: number;
  /** At most this many n-grams kept per language (its most frequent). */
  maxPerLanguage: number;
}

/** One language's kept n-grams: hashes and smoothed log-probabilities, plus what the rest scores. */
export interface LanguageGrams {
  hashes: Uint32Array;
  logProbs: Float64Array;
  /** log-probability of an n-gram not kept for this language. */
  unseen: number;
  /** Weighted n-gram tokens counted. */
  total: number;
  /** Distinct n-grams seen before pruning. */
  seen: number;
  /** The distinct words of the language's training messages (held-out word selection skips them). */
  words: Set<string>;
}

/** Counts one language's examples (each with its weight, default 1) and keeps its most frequent n-grams. */
export function countLanguage(examples: readonly LanguageExample[], o: GramCountOptions): LanguageGrams {
  const counts = new Map<number, number>();
  const words = new Set<string>();
  let total = 0;
  for (const e of examples) {
    const w = e.weight ?? 1;
    if (w <= 0) continue;
    const evidence = textEvidence(e.text);
    for (const word of evidence.words) words.add(word);
    forEachGram(evidence.words, o.maxN, GRAM_SEED, (h) => {
      counts.set(h, (counts.get(h) ?? 0) + w);
      total += w;
    });
  }
  const kept = [...counts].filter(([, c]) => c >= o.minCount);
  kept.sort((a, b) => b[1] - a[1] || a[0] - b[0]);
  if (kept.length > o.maxPerLanguage) kept.length = o.maxPerLanguage;
  kept.sort((a, b) => a[0] - b[0]);
  const denom = Math.log(total + o.alpha * (counts.size + 1));
  return {
    hashes: Uint32Array.from(kept, ([h]) => h),
    logProbs: Float64Array.from(kept, ([, c]) => Math.log(c + o.alpha) - denom),
    unseen: Math.log(o.alpha) - denom,
    total,
    seen: counts.size,
    words,
  };
}

/** A sparse profile's arrays, the quantisation used and the unquantised log-probabilities (entry order). */
export interface AssembledGrams {
  parts: LanguageProfileParts;
  quantization: { min: number; step: number };
  logProbs: Float32Array;
}

/** Merges the languages' kept n-grams (index = language) into rows sorted by hash, languages ascending per row. */
export function assembleGrams(perLanguage: readonly LanguageGrams[]): AssembledGrams {
  const k = perLanguage.length;
  if (k > 255) throw new Error('a language profile holds at most 255 languages');
  // (hash, language) packed as hash · 256 + language (< 2^40, exact in a double) and sorted numerically; each
  // language's entries then come in its own (ascending) hash order, so a cursor per language finds the payload.
  const total = perLanguage.reduce((a, g) => a + g.hashes.length, 0);
  const packed = new Float64Array(total);
  let n = 0;
  for (let l = 0; l < k; l++) for (const h of perLanguage[l].hashes) packed[n++] = h * 256 + l;
  packed.sort();
  const cursor = new Int32Array(k);
  const languages = new Uint8Array(total);
  const logProbs = new Float32Array(total);
  const keys: number[] = [];
  const counts: number[] = [];
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < total; i++) {
    const hash = Math.floor(packed[i] / 256);
    const l = packed[i] - hash * 256;
    const lp = perLanguage[l].logProbs[cursor[l]++];
    languages[i] = l;
    logProbs[i] = lp;
    if (lp < min) min = lp;
    if (lp > max) max = lp;
    if (keys.length > 0 && keys[keys.length - 1] === hash) counts[counts.length - 1]++;
    else {
      keys.push(hash);
      counts.push(1);
    }
  }
  const step = total > 0 && max > min ? (max - min) / 255 : 1;
  const lo = total > 0 ? min : 0;
  const quantized = new Uint8Array(total);
  for (let i = 0; i < total; i++) quantized[i] = Math.round((logProbs[i] - lo) / step);
  return {
    parts: { keys: Uint32Array.from(keys), counts: Uint8Array.from(counts), languages, quantized },
    quantization: { min: lo, step },
    logProbs,
  };
}

/** The same language keeping only its `max` most probable n-grams (ties: smaller hash first, as counted). */
export function pruneLanguage(g: LanguageGrams, max: number): LanguageGrams {
  if (g.hashes.length <= max) return g;
  const order = Array.from(g.hashes.keys()).sort((a, b) => g.logProbs[b] - g.logProbs[a] || g.hashes[a] - g.hashes[b]);
  const keep = order.slice(0, max).sort((a, b) => g.hashes[a] - g.hashes[b]);
  return {
    ...g,
    hashes: Uint32Array.from(keep, (i) => g.hashes[i]),
    logProbs: Float64Array.from(keep, (i) => g.logProbs[i]),
  };
}
