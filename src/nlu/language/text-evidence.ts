/**
 * What a chat message says about its language: the text with code, markup, URLs, mentions and emoji codes removed,
 * its letter runs and their scripts.
 */
import type { Script } from './languages.ts';

/** Longest input, in UTF-16 code units, that language detection reads; the rest of a huge message is ignored. */
export const MAX_LANGUAGE_CHARS = 2048;

// Parts of a chat message that say nothing about its language: fenced and inline code, Slack markup (<@U123>,
// <#C1|general>, <https://…|label>), URLs, e-mail addresses, @mentions, #channels and :emoji_codes:.
const NOISE =
  /```[\s\S]*?(?:```|$)|`[^`\n]*`|<[@#!][^>]*>|<(?:https?|mailto):[^>]*>|\b(?:https?:\/\/|www\.)\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+|[@#][\w.-]+|:[a-z0-9_+-]+:/giu;
// Runs of letters (with their combining marks; a mark with no letter before it is not a letter): the only thing
// language detection looks at.
const LETTERS = /\p{L}[\p{L}\p{M}]*/gu;

// Code point ranges of each script (start, end inclusive), sorted by start. Marks inside a run count for its script.
const RANGES: [number, number, Script][] = [
  [0x0041, 0x024f, 'Latin'],
  [0x0370, 0x03ff, 'Greek'],
  [0x0400, 0x052f, 'Cyrillic'],
  [0x0531, 0x058f, 'Armenian'],
  [0x0590, 0x05ff, 'Hebrew'],
  [0x0600, 0x06ff, 'Arabic'],
  [0x0750, 0x077f, 'Arabic'],
  [0x08a0, 0x08ff, 'Arabic'],
  [0x0900, 0x097f, 'Devanagari'],
  [0x0980, 0x09ff, 'Bengali'],
  [0x0a00, 0x0a7f, 'Gurmukhi'],
  [0x0a80, 0x0aff, 'Gujarati'],
  [0x0b00, 0x0b7f, 'Oriya'],
  [0x0b80, 0x0bff, 'Tamil'],
  [0x0c00, 0x0c7f, 'Telugu'],
  [0x0c80, 0x0cff, 'Kannada'],
  [0x0d00, 0x0d7f, 'Malayalam'],
  [0x0d80, 0x0dff, 'Sinhala'],
  [0x0e00, 0x0e7f, 'Thai'],
  [0x0e80, 0x0eff, 'Lao'],
  [0x0f00, 0x0fff, 'Tibetan'],
  [0x1000, 0x109f, 'Myanmar'],
  [0x10a0, 0x10ff, 'Georgian'],
  [0x1100, 0x11ff, 'Hangul'],
  [0x1200, 0x139f, 'Ethiopic'],
  [0x1780, 0x17ff, 'Khmer'],
  [0x1800, 0x18af, 'Mongolian'],
  [0x1c80, 0x1c8f, 'Cyrillic'],
  [0x1c90, 0x1cbf, 'Georgian'],
  [0x1e00, 0x1eff, 'Latin'],
  [0x1f00, 0x1fff, 'Greek'],
  [0x2c60, 0x2c7f, 'Latin'],
  [0x2d80, 0x2ddf, 'Ethiopic'],
  [0x2de0, 0x2dff, 'Cyrillic'],
  [0x3040, 0x30ff, 'Kana'],
  [0x3130, 0x318f, 'Hangul'],
  [0x31f0, 0x31ff, 'Kana'],
  [0x3400, 0x4dbf, 'Han'],
  [0x4e00, 0x9fff, 'Han'],
  [0xa640, 0xa69f, 'Cyrillic'],
  [0xa720, 0xa7ff, 'Latin'],
  [0xa8e0, 0xa8ff, 'Devanagari'],
  [0xab00, 0xab2f, 'Ethiopic'],
  [0xac00, 0xd7af, 'Hangul'],
  [0xf900, 0xfaff, 'Han'],
  [0xfb50, 0xfdff, 'Arabic'],
  [0xfe70, 0xfeff, 'Arabic'],
  [0xff21, 0xff5a, 'Latin'],
  [0xff66, 0xff9f, 'Kana'],
  [0x20000, 0x3134f, 'Han'],
];

/** The script of one code point, or undefined (combining marks outside a script block, rare scripts). */
export function scriptOf(cp: number): Script | undefined {
  let lo = 0;
  let hi = RANGES.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const [start, end, script] = RANGES[mid];
    if (cp < start) hi = mid - 1;
    else if (cp > end) lo = mid + 1;
    else return script;
  }
  return undefined;
}

/** What a message offers language detection: its letter runs (lower-cased, NFKC) and the script they are in. */
export interface TextEvidence {
  /** Letter runs of the text, in order, NFKC + lower case; URLs, mentions, code and emoji codes removed. */
  words: string[];
  /** Number of letters (code points in `words`). */
  letters: number;
  /** The script most letters are in (Han with any kana counts as Kana: Japanese), if any letters were found. */
  script?: Script;
  /** Letters per script (Han counted as Kana when the text has kana). */
  scripts: Map<Script, number>;
  /** True when the input held nothing but whitespace once URLs, mentions and code were removed. */
  blank: boolean;
}

/**
 * Reads the language-bearing part of a message: strips code, Slack markup, URLs, e-mail addresses, mentions and
 * `:emoji:` codes, keeps the letter runs and counts letters per script. Never throws on any string.
 * @example textEvidence('see https://x.io ¿dónde está?') // { words: ['see', 'dónde', 'está'], script: 'Latin', … }
 */
export function textEvidence(text: string): TextEvidence {
  const capped = text.length > MAX_LANGUAGE_CHARS ? text.slice(0, MAX_LANGUAGE_CHARS) : text;
  const cleaned = capped.replace(NOISE, ' ').normalize('NFKC').toLowerCase();
  const words: string[] = [];
  const counts = new Map<Script, number>();
  let letters = 0;
  for (const m of cleaned.matchAll(LETTERS)) {
    const word = m[0];
    words.push(word);
    for (const ch of word) {
      const script = scriptOf(ch.codePointAt(0) ?? 0);
      letters++;
      if (script) counts.set(script, (counts.get(script) ?? 0) + 1);
    }
  }
  let script: Script | undefined;
  let best = 0;
  for (const [s, n] of counts) {
    if (n > best) {
      best = n;
      script = s;
    }
  }
  // Japanese mixes Han with kana; Chinese never uses kana.
  const kana = counts.get('Kana') ?? 0;
  if (kana > 0 && counts.has('Han')) {
    counts.set('Kana', kana + (counts.get('Han') ?? 0));
    counts.delete('Han');
    if (script === 'Han') script = 'Kana';
  }
  return { words, letters, script, scripts: counts, blank: cleaned.trim() === '' };
}

/**
 * Share of a message's letters a script needs before its languages become candidates. Chat mixes scripts: Hindi and
 * Thai messages carry English words ("मेरी jogging playlist में से music open करो"), so a language whose script holds
 * a real share of the letters stays in the running even when Latin letters are the majority.
 */
export const MIN_SCRIPT_SHARE = 0.15;

/**
 * The configured languages a message can be in: those written in a script holding at least
 * {@link MIN_SCRIPT_SHARE} of its letters (always including the dominant script), in configuration order.
 */
export function candidateLanguages(
  evidence: TextEvidence,
  languages: readonly string[],
  scriptsOf: (language: string) => readonly Script[],
): string[] {
  const { scripts, letters, script } = evidence;
  const present = (s: Script) => s === script || (scripts.get(s) ?? 0) >= MIN_SCRIPT_SHARE * letters;
  const all = languages.filter((l) => scriptsOf(l).some(present));
  // Latin words inside a message in another script are names, brands and English loanwords ("เปิด super mario"):
  // when another script holds a real share, the Latin-only languages drop out.
  const other = all.filter((l) => scriptsOf(l).some((s) => s !== 'Latin' && present(s)));
  const candidates = other.length > 0 ? other : all;
  // Orthography: Japanese writes kana in nearly every sentence (text with any kana is already counted as Kana, so
  // only Japanese remains); Han with no kana at all is Chinese whenever Chinese is configured.
  if (script === 'Han' && candidates.includes('zh')) return ['zh'];
  return candidates;
}
