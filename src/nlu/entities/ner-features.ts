/**
 * Per-token features of the NER tagger (word, lower case, shape, prefixes and suffixes, neighbours ±2), hashed into a
 * fixed number of buckets: the same in training and serving.
 */
import { murmur3 } from '../features/murmur3.ts';

/** Hash buckets of NER features (2^22); the model keeps only the buckets seen in training (its feature vocabulary). */
export const NER_BUCKETS = 1 << 22;
/** Features per token: fixed, so a message is one `[tokens, NER_FEATURES_PER_TOKEN]` id matrix. */
export const NER_FEATURES_PER_TOKEN = 34;

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
 */
export function sentenceFeatures(tokens: readonly string[], seed: number): Int32Array {
  const n = tokens.length;
  const out = new Int32Array(n * NER_FEATURES_PER_TOKEN);
  const lower = tokens.map((t) => t.toLowerCase());
  const shapes = tokens.map(wordShape);
  const shorts = shapes.map(shortShape);
  const lowerSentence = tokens.every((t, i) => t === lower[i]) ? 'lc' : 'mixed';
  const at = (arr: readonly string[], i: number) => (i < 0 ? '<s>' : i >= n ? '</s>' : arr[i]);
  const h = (s: string) => murmur3(s, seed) % NER_BUCKETS;
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
    for (let k = 0; k < NER_FEATURES_PER_TOKEN; k++) out[i * NER_FEATURES_PER_TOKEN + k] = h(f[k]);
  }
  return out;
}
