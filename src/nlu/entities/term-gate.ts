/**
 * A cheap test of whether a message holds any of a set of terms: the building block of the rule prefilters
 * (`rule-prefilters.ts`). Text and terms are folded alike (lower case, accents removed) and read as runs of letters:
 * - a stem of 2 letters matches a whole word only (`am`, `pm`);
 * - a stem of 3–4 letters matches the start of a word (`tue` → "tuesday", `jan` → "january");
 * - a stem of 5 or more letters matches anywhere in a word (`night` → "tonight", "midnight");
 * - a character of a script written without spaces (Han, kana, Hangul, Thai…) or a currency sign matches anywhere.
 * Stems come from the library's own regular expressions and word lists, where `tues?` yields `tues` and `tue`.
 */

/** Lower case, canonical decomposition, combining marks removed: `Mañana` → `manana`, `Août` → `aout`. */
export function foldText(text: string): string {
  return text
    .toLowerCase()
    .normalize('NFD')
    .replace(/\p{M}+/gu, '');
}

const LETTER_RUN = /\p{L}+/gu;
/** Characters of scripts written without spaces between words: matched one by one. */
const UNSPACED = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\p{Script=Thai}]/u;
const UNSPACED_ALL = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\p{Script=Thai}]/gu;

/** The folded letter runs of a text ("o'clock" → `o`, `clock`): what a {@link TermGate} reads. */
export function foldedWords(folded: string): string[] {
  return folded.match(LETTER_RUN) ?? [];
}

/**
 * The literal text of a regular expression source: escapes (`\b`, `\d`, `\p{L}`), group names and character classes
 * become spaces, so that only the letters the expression spells out remain; a class of letters (`pr[oó]xim[oa]`) reads
 * as its first letter (`proximo`).
 */
export function regexLiterals(source: string): string {
  return source
    .replace(/\\[pP]\{[^}]*\}/g, ' ')
    .replace(/\\u\{?[0-9a-fA-F]{2,6}\}?|\\x[0-9a-fA-F]{2}/g, ' ')
    .replace(/\\k<\w+>/g, ' ')
    .replace(/\\[a-zA-Z]/g, ' ')
    .replace(/\\./g, ' ')
    .replace(/\(\?P?<[a-zA-Z_]\w*>/g, '(')
    .replace(/\[([^\]]*)\]/g, (_, body: string) => (/^\p{L}+$/u.test(body) ? letterClass(body) : ' '));
}

/** A class of letters only: `[oó]` reads as its first letter; a class of Han characters as all of them. */
function letterClass(body: string): string {
  return UNSPACED.test(body) ? ` ${body} ` : [...body][0];
}

/**
 * The literal words of a regular expression source (or of a plain term), see {@link regexLiterals}; a run followed by
 * `?` also yields itself without its last letter.
 * @example regexWords('\\b(?<weekday>(?:sun|mon|tues?)(day)?)\\b') // ['sun', 'mon', 'tues', 'tue', 'day']
 */
export function regexWords(source: string): string[] {
  return wordsOf(regexLiterals(source));
}

function wordsOf(literals: string): string[] {
  const out: string[] = [];
  for (const m of literals.matchAll(LETTER_RUN)) {
    out.push(m[0]);
    if (literals[m.index + m[0].length] === '?' && m[0].length > 2) out.push(m[0].slice(0, -1));
  }
  return out;
}

interface TrieNode {
  next: Map<string, TrieNode>;
  /** Length of the stem ending here (0: none). */
  stem: number;
}

/**
 * A set of folded stems and single characters; `test` tells whether a text holds any. With `wholeWords`, a stem
 * matches only a whole word (currency names, whose every form the library lists).
 */
export class TermGate {
  private readonly root: TrieNode = { next: new Map(), stem: 0 };
  private readonly chars = new Set<string>();
  private readonly whole?: Set<string>;
  private size = 0;

  constructor(options: { wholeWords?: boolean } = {}) {
    if (options.wholeWords) this.whole = new Set();
  }

  /**
   * Adds the words of `term` (a regex source or a plain term) as stems. Words in `stop` (folded) and single letters
   * are skipped; characters of unspaced scripts and currency signs are added as single characters.
   */
  addTerm(term: string, stop?: ReadonlySet<string>): void {
    const literals = regexLiterals(foldText(term));
    for (const ch of literals.match(UNSPACED_ALL) ?? []) this.chars.add(ch);
    for (const ch of literals.match(/\p{Sc}/gu) ?? []) this.chars.add(ch);
    for (const word of wordsOf(literals)) if (!UNSPACED.test(word)) this.addStem(word, stop);
  }

  /** Adds one folded stem (2+ letters, not in `stop`). */
  addStem(stem: string, stop?: ReadonlySet<string>): void {
    if (stem.length < 2 || stop?.has(stem) || !/^\p{L}+$/u.test(stem)) return;
    if (this.whole) {
      if (!this.whole.has(stem)) this.size++;
      this.whole.add(stem);
      return;
    }
    let node = this.root;
    for (const ch of stem) {
      let child = node.next.get(ch);
      if (!child) node.next.set(ch, (child = { next: new Map(), stem: 0 }));
      node = child;
    }
    if (!node.stem) this.size++;
    node.stem = stem.length;
  }

  /** Adds one character matched anywhere (a currency sign, a Han character…). */
  addChar(ch: string): void {
    this.chars.add(ch);
  }

  /** True when `ch` is one of the single characters held. */
  hasChar(ch: string): boolean {
    return this.chars.has(ch);
  }

  /** Number of stems and characters held. */
  get count(): number {
    return this.size + this.chars.size;
  }

  /** The stems held, sorted (for reports). */
  stems(): string[] {
    const out: string[] = [];
    const walk = (node: TrieNode, prefix: string) => {
      if (node.stem) out.push(prefix);
      for (const [ch, child] of node.next) walk(child, prefix + ch);
    };
    walk(this.root, '');
    return [...out, ...(this.whole ?? [])].sort().concat([...this.chars].sort());
  }

  /** True when the folded text (`foldText`) or its letter runs (`foldedWords`) hold any stem or character. */
  test(folded: string, words: readonly string[]): boolean {
    if (this.chars.size > 0) {
      for (const ch of folded) if (this.chars.has(ch)) return true;
    }
    for (const word of words) if (this.matchWord(word)) return true;
    return false;
  }

  /** The stem that matches `word` (folded), if any: for reports and tests. */
  matchWord(word: string): string | undefined {
    if (this.whole) return this.whole.has(word) ? word : undefined;
    for (let i = 0; i < word.length; i++) {
      let node: TrieNode | undefined = this.root;
      for (let j = i; j < word.length; j++) {
        node = node.next.get(word[j]);
        if (!node) break;
        const n = node.stem;
        if (n === 0) continue;
        if (n >= 5 || (i === 0 && (n >= 3 || j === word.length - 1))) return word.slice(i, j + 1);
      }
    }
    return undefined;
  }
}
