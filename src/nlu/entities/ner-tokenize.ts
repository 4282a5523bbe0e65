/** Longest message, in UTF-16 code units, that the NER tags; the rest of a huge message is not tagged. */
export const MAX_NER_CHARS = 4096;
/** Most tokens tagged in one message. */
export const MAX_NER_TOKENS = 512;

// Tokens as in CoNLL-2003 (Reuters): words with inner apostrophes, hyphens, dots, ampersands and digits kept whole
// ("U.S.", "AT&T", "1996-08-22", "O'Neill", "3,000"), initials and common abbreviations with their period ("J.",
// "St.", "Inc."), "--" whole, a clitic "'s"/"n't" split off, every other symbol alone.
const ABBREVIATIONS =
  'Mr|Mrs|Ms|Dr|Prof|St|Jr|Sr|Mt|Ft|Co|Corp|Inc|Ltd|Bros|Gen|Gov|Sen|Rep|Lt|Col|Sgt|Capt|No|vs|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec';
const CLITIC = '(?:s|S|re|RE|ve|VE|ll|LL|d|D|m|M)\\b';
const TOKEN = new RegExp(
  [
    "[nN]['’][tT]\\b", // n't
    `['’]${CLITIC}`, // 's 're 've 'll 'd 'm
    '(?:\\p{L}\\.){2,}', // U.S. a.m.
    `(?:${ABBREVIATIONS})\\.`, // Mr. St. Inc.
    '\\p{Lu}\\.(?=\\s+\\p{Lu})', // J. Smith
    '\\p{N}{1,3}(?:,\\p{N}{3})+(?:[-.][\\p{L}\\p{N}]+)*', // 3,000 1,234.5 3,000-strong
    '\\p{N}{1,2}:\\p{N}{2}(?![\\p{L}\\p{N}])', // 10:30
    '\\+\\p{N}+', // +48
    '\\.{2,}', // ...
    '-{2,}', // --
    '(?<![\\p{L}\\p{N}])\\.\\p{N}+', // .778
    '(?<=^\\s*)\\p{N}{1,3}\\.(?=\\s)', // "1." opening a list item
    "[\\p{L}\\p{M}\\p{N}]+?(?=[nN]['’][tT]\\b)", // do|n't
    `[\\p{L}\\p{M}\\p{N}]+(?:(?:[-.&/]|['’](?!${CLITIC}))[\\p{L}\\p{M}\\p{N}]+)*`, // words
    '\\S', // anything else, alone
  ].join('|'),
  'gu',
);

/** Tokens of a message with UTF-16 offsets into the original text (`text.slice(starts[i], ends[i]) === tokens[i]`). */
export interface NerTokens {
  tokens: string[];
  starts: number[];
  ends: number[];
}

/**
 * Splits a message into NER tokens, keeping where each came from. Whitespace separates; punctuation stands alone;
 * at most {@link MAX_NER_TOKENS} tokens from the first {@link MAX_NER_CHARS} characters.
 * @example tokenizeForNer("Bob's U.S. card").tokens // ['Bob', "'s", 'U.S.', 'card']
 */
export function tokenizeForNer(text: string): NerTokens {
  const out: NerTokens = { tokens: [], starts: [], ends: [] };
  if (typeof text !== 'string' || text === '') return out;
  const capped = text.length > MAX_NER_CHARS ? text.slice(0, MAX_NER_CHARS) : text;
  for (const m of capped.matchAll(TOKEN)) {
    const start = m.index ?? 0;
    out.tokens.push(m[0]);
    out.starts.push(start);
    out.ends.push(start + m[0].length);
    if (out.tokens.length >= MAX_NER_TOKENS) break;
  }
  return out;
}
