/**
 * Whole-message phrase matching for small talk ("hello", "danke!", "สวัสดีครับ", "are you a bot?") and for leaving the
 * handoff queue ("cancel", "never mind"). A message matches only when ALL of it is made of known phrases and filler
 * words (politeness particles, "there", "please"…): "hi, my card was stolen" does not match, so a greeting in front of
 * a real question never hides the question from the intent model.
 *
 * Robust to how people type: folded to lower case, Latin accents removed, punctuation and emoji dropped, letters
 * repeated in a row counted once ("hellooo" = "hello"), and a word or phrase of 5+ letters may be one edit away (two
 * from 8 letters: "thnaks", "graicas"). Thai is written without spaces between words: a Thai run is segmented into
 * phrases and particles exactly (no fuzzy edits there). Pure; no I/O.
 */

/** Politeness particles, vocatives and intensifiers that may surround a phrase without making it a question. */
const BUILTIN_FILLERS: Record<string, string[]> = {
  en: [
    'there',
    'again',
    'so much',
    'very much',
    'a lot',
    'all',
    'everyone',
    'guys',
    'team',
    'bot',
    'dear',
    'mate',
    'sir',
    'madam',
    'please',
    'pls',
    'ok',
    'okay',
    'oh',
    'well',
    'then',
    'for now',
    'for your help',
    'for the help',
  ],
  de: [
    'zusammen',
    'allerseits',
    'sehr',
    'vielmals',
    'bitte',
    'ok',
    'okay',
    'nochmal',
    'für ihre hilfe',
    'für die hilfe',
  ],
  es: [
    'a todos',
    'muchas',
    'mucho',
    'muy',
    'amigo',
    'señor',
    'señora',
    'por favor',
    'vale',
    'ok',
    'por tu ayuda',
    'por la ayuda',
  ],
  fr: [
    'à tous',
    'beaucoup',
    'bien',
    'madame',
    'monsieur',
    's il vous plait',
    's il te plait',
    'stp',
    'svp',
    'ok',
    'pour votre aide',
    "pour l'aide",
  ],
  hi: ['जी', 'जी।', 'आपका', 'आपको', 'बहुत', 'कृपया', 'भाई', 'ji', 'bahut', 'aapka'],
  th: ['ครับ', 'คับ', 'ค่ะ', 'คะ', 'ค่า', 'นะ', 'จ้า', 'จ้ะ', 'ผม', 'หน่อย', 'มาก', 'มากๆ', 'คุณ', 'จ๊ะ'],
};

/**
 * Text as the matcher compares it: lower case, NFKC, Latin accents removed (Devanagari and Thai marks are kept: they
 * are parts of letters), anything but letters, marks and digits turned into a space, and a letter repeated in a row
 * kept once.
 *
 * @example foldPhrase('Hellooo!!  Grüß Gott') // 'helo gru got'
 */
export function foldPhrase(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .normalize('NFC')
    .replace(/ß/g, 'ss')
    .replace(/[^\p{L}\p{M}\p{N}]+/gu, ' ')
    .replace(/(\p{L})\1+/gu, '$1')
    .trim();
}

const THAI = /[\u0E00-\u0E7F]/u;

/** What a match found: the kinds of the phrases, and for each language how many phrases of it were matched. */
export interface PhraseMatch<K extends string> {
  kinds: K[];
  /** Languages whose phrases were matched, with how many phrases each (a phrase may belong to several). */
  languages: Map<string, number>;
}

interface Entry<K> {
  kind?: K;
  languages: Set<string>;
}

/** Phrases by kind and language: `{ greet: { en: ['hello', 'hi'], de: ['hallo'] } }`. */
export type PhraseTable<K extends string> = Partial<Record<K, Record<string, readonly string[]>>>;

/** Longest message considered (folded characters, words): small talk is short; a long message is a question. */
const MAX_CHARS = 80;
const MAX_WORDS = 12;

export class PhraseMatcher<K extends string> {
  /** Folded phrase (Latin/Devanagari: words separated by one space) → its kinds (none for a filler) and languages. */
  private readonly spaced = new Map<string, Entry<K>[]>();
  /** Thai phrases and fillers, folded, without spaces. */
  private readonly thai = new Map<string, Entry<K>[]>();
  private readonly thaiLengths: number[];
  /** Most words a phrase or filler spans. */
  private readonly maxSpan: number;
  /** Phrases long enough for a fuzzy match, by length (UTF-16 units). */
  private readonly fuzzy = new Map<number, { chars: string[]; entries: Entry<K>[] }[]>();

  constructor(phrases: PhraseTable<K>, fillers: Record<string, readonly string[]> = {}, builtinFillers = true) {
    const add = (raw: string, kind: K | undefined, language: string) => {
      const folded = foldPhrase(raw);
      if (!folded) return;
      const thai = THAI.test(folded);
      const key = thai ? folded.replace(/ /g, '') : folded;
      const map = thai ? this.thai : this.spaced;
      const list = map.get(key) ?? [];
      const same = list.find((e) => e.kind === kind);
      if (same) same.languages.add(language);
      else list.push({ kind, languages: new Set([language]) });
      map.set(key, list);
    };
    for (const [kind, byLanguage] of Object.entries(phrases) as [K, Record<string, readonly string[]>][])
      for (const [language, list] of Object.entries(byLanguage ?? {})) for (const p of list) add(p, kind, language);
    const allFillers: Record<string, readonly string[]>[] = builtinFillers ? [BUILTIN_FILLERS, fillers] : [fillers];
    for (const table of allFillers)
      for (const [language, list] of Object.entries(table)) for (const f of list) add(f, undefined, language);
    for (const [text, entries] of this.spaced)
      if ([...text].length >= 4 && entries.some((e) => e.kind !== undefined)) {
        const bucket = this.fuzzy.get(text.length) ?? [];
        bucket.push({ chars: [...text], entries: entries.filter((e) => e.kind !== undefined) });
        this.fuzzy.set(text.length, bucket);
      }
    this.maxSpan = Math.max(1, ...[...this.spaced.keys()].map((k) => k.split(' ').length));
    this.thaiLengths = [...new Set([...this.thai.keys()].map((k) => k.length))].sort((a, b) => b - a);
  }

  /**
   * The phrases `text` consists of, or undefined when some of it is not a phrase or filler (or it has no phrase at all).
   *
   * @example new PhraseMatcher({ greet: { en: ['hi'] } }).match('Hi there!') // { kinds: ['greet'], languages: Map { en → 1 } }
   */
  match(text: string): PhraseMatch<K> | undefined {
    if (typeof text !== 'string') return undefined;
    const folded = foldPhrase(text.slice(0, MAX_CHARS * 4));
    if (!folded || folded.length > MAX_CHARS) return undefined;
    const words = folded.split(' ');
    if (words.length > MAX_WORDS) return undefined;
    // best[i]: the fewest fuzzy edits that cover words[0..i), with the step that got there (a back-pointer).
    type Step = { edits: number; from: number; entries: Entry<K>[] };
    const best: (Step | undefined)[] = Array.from({ length: words.length + 1 }, () => undefined);
    best[0] = { edits: 0, from: -1, entries: [] };
    const seen = new Map<string, { edits: number; entries: Entry<K>[] } | null>();
    for (let i = 0; i < words.length; i++) {
      const at = best[i];
      if (!at) continue;
      for (let n = 1; n <= this.maxSpan && i + n <= words.length; n++) {
        const span = words.slice(i, i + n).join(' ');
        let hit = seen.get(span);
        if (hit === undefined) {
          hit = this.spanHit(span) ?? null;
          seen.set(span, hit);
        }
        if (!hit) continue;
        const edits = at.edits + hit.edits;
        const there = best[i + n];
        if (!there || edits < there.edits) best[i + n] = { edits, from: i, entries: hit.entries };
      }
    }
    if (!best[words.length]) return undefined;
    const found: Entry<K>[] = [];
    for (let i = words.length; i > 0; i = (best[i] as Step).from) found.push(...(best[i] as Step).entries);
    const kinds = [...new Set(found.flatMap((e) => (e.kind === undefined ? [] : [e.kind])))];
    if (kinds.length === 0) return undefined;
    const languages = new Map<string, number>();
    for (const e of found)
      if (e.kind !== undefined) for (const l of e.languages) languages.set(l, (languages.get(l) ?? 0) + 1);
    return { kinds, languages };
  }

  /** How a span of words is covered: exactly, by Thai segmentation, or (5+ letters) within one or two edits. */
  private spanHit(span: string): { edits: number; entries: Entry<K>[] } | undefined {
    const exact = this.spaced.get(span);
    if (exact) return { edits: 0, entries: exact };
    if (THAI.test(span)) {
      const thai = this.segmentThai(span.replace(/ /g, ''));
      return thai ? { edits: 0, entries: thai } : undefined;
    }
    const length = [...span].length;
    if (length < 5) return undefined;
    const allowed = length >= 8 ? 2 : 1;
    const chars = [...span];
    let bestD = allowed + 1;
    let entries: Entry<K>[] = [];
    for (let l = span.length - allowed; l <= span.length + allowed; l++)
      for (const f of this.fuzzy.get(l) ?? []) {
        const d = boundedEditDistance(chars, f.chars, allowed);
        if (d < bestD) {
          bestD = d;
          entries = f.entries;
        }
      }
    return bestD <= allowed ? { edits: bestD, entries } : undefined;
  }

  /** A Thai run as a sequence of known Thai phrases and particles (longest first, with backtracking), or undefined. */
  private segmentThai(run: string): Entry<K>[] | undefined {
    const memo = new Map<number, Entry<K>[] | null>();
    const from = (i: number): Entry<K>[] | null => {
      if (i === run.length) return [];
      const seen = memo.get(i);
      if (seen !== undefined) return seen;
      let result: Entry<K>[] | null = null;
      for (const len of this.thaiLengths) {
        if (i + len > run.length) continue;
        const entries = this.thai.get(run.slice(i, i + len));
        if (!entries) continue;
        const rest = from(i + len);
        if (rest) {
          result = [...entries, ...rest];
          break;
        }
      }
      memo.set(i, result);
      return result;
    };
    return from(0) ?? undefined;
  }
}

/** Levenshtein distance with adjacent swaps counted once, giving up (returning limit + 1) once it exceeds `limit`. */
function boundedEditDistance(x: readonly string[], y: readonly string[], limit: number): number {
  let prev2: number[] = [];
  let prev = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j <= y.length; j++) {
      let v = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x[i - 1] === y[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && x[i - 1] === y[j - 2] && x[i - 2] === y[j - 1]) v = Math.min(v, prev2[j - 2] + 1);
      cur[j] = v;
      rowMin = Math.min(rowMin, v);
    }
    if (rowMin > limit) return limit + 1;
    prev2 = prev;
    prev = cur;
  }
  return prev[y.length];
}
