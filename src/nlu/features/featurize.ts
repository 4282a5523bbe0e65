/**
 * Text → hashed features for the intent model: normalisation, tokenisation (`Intl.Segmenter` for scripts without
 * spaces), word and character n-grams hashed with MurmurHash3.
 */
import type { FeatureBag, FeaturizerConfig, PunctuationTokens } from './featurizer-config.ts';
import { murmur3, murmur3Bytes } from './murmur3.ts';

/** Longest input, in UTF-16 code units, that is featurized; the rest of a huge message is ignored. */
export const MAX_FEATURIZED_CHARS = 4096;
/** Character n-grams are taken from at most this many leading code points of a token (URLs, ids). */
const MAX_CHARGRAM_TOKEN = 32;
// Feature families hash with different seeds (seed + family) so that a word and an n-gram with the same letters differ.
const WORD_FAMILY = 0;
const NGRAM_FAMILY = 1;
const CHAR_FAMILY = 2;

const segmenter = new Intl.Segmenter(undefined, { granularity: 'word' });
// Control characters (C0, DEL, C1) and zero-width/bidi format characters become spaces.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]/g;
// Scripts written without spaces between words: these need the dictionary-based Intl.Segmenter.
const UNSPACED = /[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff]/;
// Words (letters, marks, digits, inner apostrophes), or single symbols/emoji, which carry meaning in chat (👍, £).
const WORD = /[\p{L}\p{M}\p{N}]+(?:['’][\p{L}\p{M}\p{N}]+)*|[\p{S}\p{Extended_Pictographic}]/gu;
const SYMBOL = /^[\p{S}\p{Extended_Pictographic}]/u;
// With punctuation tokens: the same words and symbols, and each punctuation mark (all, or question and exclamation
// marks in any script: ? ¿ ؟ ! ¡ ፧ ՞ ;) as a token of its own.
const WORD_ALL_PUNCT = /[\p{L}\p{M}\p{N}]+(?:['’][\p{L}\p{M}\p{N}]+)*|[\p{S}\p{Extended_Pictographic}\p{P}]/gu;
const QUESTION_MARKS = '?¿؟!¡፧՞;';
const WORD_QUESTIONS = new RegExp(`${WORD.source}|[${QUESTION_MARKS}]`, 'gu');
const PUNCT_ALL = /^\p{P}/u;
const PUNCT_QUESTIONS = new RegExp(`^[${QUESTION_MARKS}]`, 'u');

/**
 * Normalises text for featurization: NFKC, case folding (`toLowerCase`), control characters to spaces, length cap.
 * @example normalizeText('Ｃａｒｄ\u0000BLOCKED') // 'card blocked'
 */
export function normalizeText(text: string): string {
  const capped = text.length > MAX_FEATURIZED_CHARS ? text.slice(0, MAX_FEATURIZED_CHARS) : text;
  return capped.normalize('NFKC').toLowerCase().replace(CONTROL, ' ');
}

/**
 * Splits normalised text into word tokens. Text in a script written without spaces (Thai, Lao, Khmer, Myanmar, CJK,
 * Hangul) goes through `Intl.Segmenter` (ICU dictionary word breaks); other text through a Unicode word regex, which
 * is several times faster. Keeps symbols and emoji as tokens.
 */
export function tokenize(
  normalized: string,
  maxTokens = Number.POSITIVE_INFINITY,
  punctuation?: PunctuationTokens,
): string[] {
  const out: string[] = [];
  if (!UNSPACED.test(normalized)) {
    const words = punctuation === 'all' ? WORD_ALL_PUNCT : punctuation === 'questions' ? WORD_QUESTIONS : WORD;
    for (const m of normalized.matchAll(words)) {
      out.push(m[0]);
      if (out.length >= maxTokens) break;
    }
    return out;
  }
  const punct = punctuation === 'all' ? PUNCT_ALL : punctuation === 'questions' ? PUNCT_QUESTIONS : undefined;
  for (const seg of segmenter.segment(normalized)) {
    if (seg.isWordLike || SYMBOL.test(seg.segment) || (punct && punct.test(seg.segment))) {
      out.push(seg.segment);
      if (out.length >= maxTokens) break;
    }
  }
  return out;
}

// Scratch buffers reused across calls (featurization is synchronous).
let bytes = new Uint8Array(512);
const offsets = new Int32Array(MAX_CHARGRAM_TOKEN + 3);
let ids = new Int32Array(1024);

/** Encodes `<token>` (first MAX_CHARGRAM_TOKEN code points) to UTF-8; `offsets[k]` = byte offset of code point k. */
function encodeMarked(tok: string): number {
  if (bytes.length < tok.length * 4 + 8) bytes = new Uint8Array(tok.length * 4 + 8);
  let n = 0;
  let cps = 0;
  offsets[cps++] = n;
  bytes[n++] = 0x3c; // '<'
  for (const ch of tok) {
    if (cps > MAX_CHARGRAM_TOKEN) break;
    offsets[cps++] = n;
    let c = ch.codePointAt(0)!;
    if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd;
    if (c < 0x80) bytes[n++] = c;
    else if (c < 0x800) {
      bytes[n++] = 0xc0 | (c >> 6);
      bytes[n++] = 0x80 | (c & 63);
    } else if (c < 0x10000) {
      bytes[n++] = 0xe0 | (c >> 12);
      bytes[n++] = 0x80 | ((c >> 6) & 63);
      bytes[n++] = 0x80 | (c & 63);
    } else {
      bytes[n++] = 0xf0 | (c >> 18);
      bytes[n++] = 0x80 | ((c >> 12) & 63);
      bytes[n++] = 0x80 | ((c >> 6) & 63);
      bytes[n++] = 0x80 | (c & 63);
    }
  }
  offsets[cps++] = n;
  bytes[n++] = 0x3e; // '>'
  offsets[cps] = n;
  return cps; // number of code points including both marks
}

/**
 * Featurizes one text into hashed feature counts: word n-grams (`wordNgrams`; orders ≥ 2 joined by one space) and
 * character n-grams (`charNgrams`, in code points) of each token wrapped as `<token>`. Each feature string is hashed with
 * MurmurHash3_x86_32 over its UTF-8 bytes, seed `config.seed + family` (0 words, 1 word n-grams of order ≥ 2, 2 char
 * n-grams), and mapped to bucket `1 + hash mod (buckets − 1)` (bucket 0 is padding). Deterministic; never throws.
 *
 * @example featurize('Card blocked', DEFAULT_FEATURIZER).ids.length > 0
 */
export function featurize(text: string, config: FeaturizerConfig): FeatureBag {
  const tokens = tokenize(normalizeText(text), config.maxTokens, config.punctuation);
  const mod = config.buckets - 1;
  const [wMin, wMax] = config.wordNgrams;
  const [cMin, cMax] = config.charNgrams;
  let n = 0;
  const push = (hash: number) => {
    if (n === ids.length) {
      const grown = new Int32Array(ids.length * 2);
      grown.set(ids);
      ids = grown;
    }
    ids[n++] = 1 + (hash % mod);
  };
  for (let i = 0; i < tokens.length; i++) {
    const tok = tokens[i];
    if (wMin <= 1 && wMax >= 1) push(murmur3(tok, config.seed + WORD_FAMILY));
    for (let k = Math.max(2, wMin); k <= wMax && i + k <= tokens.length; k++) {
      push(murmur3(k === 2 ? `${tok} ${tokens[i + 1]}` : tokens.slice(i, i + k).join(' '), config.seed + NGRAM_FAMILY));
    }
    if (cMax > 0) {
      const cps = encodeMarked(tok);
      const seed = config.seed + CHAR_FAMILY;
      for (let k = cMin; k <= cMax; k++) {
        for (let s = 0; s + k <= cps; s++) push(murmur3Bytes(bytes, offsets[s], offsets[s + k], seed));
      }
    }
  }
  const sorted = ids.subarray(0, n).sort();
  let distinct = 0;
  for (let i = 0; i < n; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) distinct++;
  const outIds = new Int32Array(distinct);
  const outCounts = new Float32Array(distinct);
  let j = -1;
  for (let i = 0; i < n; i++) {
    if (i === 0 || sorted[i] !== sorted[i - 1]) outIds[++j] = sorted[i];
    outCounts[j]++;
  }
  return { ids: outIds, counts: outCounts };
}
