/**
 * Prefilters of the rule recognizers: cheap, conservative tests that skip a model on a message it cannot match. The
 * recognizers-text models scan a message with hundreds of regular expressions whether or not it holds anything (the
 * date-time model costs 1–6 ms per chat message even when there is no date), so each runs only when the message holds
 * what every one of its matches needs:
 * - email: `@`; url: a dot before a letter or digit, or `://`; ip: digit-dot-digit, or `::`, or hex-colon-hex;
 *   phone: at least 5 digits (every phone pattern of the library needs more);
 * - number, ordinal, percentage: a digit (any script, or a vulgar fraction) or a number word of the language;
 * - money: a currency name or sign of the language, with a digit or a number word;
 * - datetime: a digit or a word of the language's date-time expressions.
 * The word lists are read from the models the recognizer built (number words, currency names) and from the library's
 * date-time resources (`EnglishDateTime` …: every literal word of every expression and list), minus the language's
 * function words (`DATETIME_STOP_WORDS`), so they follow the installed library. Recall against the unfiltered models
 * is measured on real text by `npx tsx bench/dev/entity-prefilter.ts` (docs/entities.md).
 */
import {
  ChineseDateTime,
  EnglishDateTime,
  FrenchDateTime,
  SpanishDateTime,
} from '@microsoft/recognizers-text-date-time';
import * as NUMERIC_RESOURCES from '@microsoft/recognizers-text-number';
import { foldedWords, foldText, regexWords, TermGate } from './term-gate.ts';

/** What the prefilters read of one message: computed once per message, shared by every test. */
export interface TextFacts {
  text: string;
  /** Decimal digits of any script, and vulgar fractions (½ ⅓ …). */
  digits: number;
  /** `foldText(text)`: lower case, accents removed. */
  folded: string;
  /** The letter runs of `folded`. */
  words: readonly string[];
}

const DIGIT = /[\p{Nd}\u00BC-\u00BE\u2150-\u215E]/gu;

/** Reads a message once for the prefilters. */
export function textFacts(text: string): TextFacts {
  const folded = foldText(text);
  return { text, digits: text.match(DIGIT)?.length ?? 0, folded, words: foldedWords(folded) };
}

/** A prefilter: false means the model cannot match this message. */
export type Prefilter = (facts: TextFacts) => boolean;

/** Passes every message (a model the prefilters know nothing about). */
export const ALWAYS: Prefilter = () => true;

/** Email addresses need `@`. */
export const emailPrefilter: Prefilter = (f) => f.text.includes('@');

/** URLs need a dot before a letter or digit (`example.com`, `www.x`) or a scheme (`http://`). */
export const urlPrefilter: Prefilter = (f) => /[.．。][\p{L}\p{N}(]|:\/\//u.test(f.text);

/** IPv4 needs digit-dot-digit; IPv6 needs `::` or a hex digit on each side of a colon. */
export const ipPrefilter: Prefilter = (f) => /\d\.\d|::|[0-9a-f]:[0-9a-f]/i.test(f.text);

/** Phone numbers need 5 digits: every phone pattern of the library spells out more. */
export const phonePrefilter: Prefilter = (f) => f.digits >= 5;

/**
 * Function words that occur in the date-time expressions but never make one alone (articles, prepositions,
 * conjunctions, pronouns, modifiers like "next" that need a date word after them). Folded. A language without a list
 * here keeps every word of its expressions (more messages pass, none is missed).
 */
export const DATETIME_STOP_WORDS: Readonly<Record<string, readonly string[]>> = {
  en: words(`
    a about above advance after al all also alternate am an and another any appointment are around as ask at be before
    beginning between bi birthday breaking building by call calendar can chance chinese clean club coming conference
    contain current dan differ display do during each eng ember end ending equal eve fast few following for from full
    get good hand have he home how i il ill in int involve is it its job language last late less life light like mail
    me meaning meeting more my new next no not of on once opinion or other our over per please preferably previous
    prior rest remaining reply result right round same say school sharp she shift single some start take teams than
    that the this thought through til to tri turn until upcoming us we well what when whole will with work you`),
  es: words(`
    a al algo algunas alrededor altas amente ante antes aproximadamente aquel blanco buena calendario cada cerca chino
    esta este estos
    como comienza comienzo comenzando con cualquier da de del dentro desde despues durante edificio el emp en entera
    entonces entre era es escolar est estas fin fines hasta hacia inicia inicio internacional justo la las lo los
    madre mas mente menos misma mismo mujer negro nino no nuevo os otra padre para partir pasad podamos por
    presidente principio proxim pueda punto que raza resto san se sea siguiente su tan tierra trabajador tri ultim
    un va varias y zando alizar`),
  fr: words(`
    a americaine anche apres au autres avant avec ce cet cette chaque chinois cours courant dans de debut depuis
    dernier des di divers du edi en end entre environ es et femme fin fre il jusqu la le lement les milieu moins mon
    nationale ne nouvel partir pendant pere plus poisson pour precedent pres prise prochain que reste suivant sur te
    the tous toute travail vers`),
};

/**
 * Words next to which a bare number is a date or a time ("at 5", "on the 12th", "5 am", "el 5", "à 5", "le 5"):
 * folded, found by running every stop word around digits through the model (`bench/dev/entity-prefilter.ts` checks
 * it). Without a date-time word, digits start the date-time model only when they look like a date or a time: digits
 * joined by `:` `/` `.` `-` (17:00, 12/05, 2026-11-26), four digits (a year), a digit followed by a letter (5pm, 3rd,
 * 17h, 2w), or a number one word away from one of these. A language without a list runs the model on any digit.
 */
export const DATETIME_DIGIT_CONTEXT: Readonly<Record<string, readonly string[]>> = {
  en: words('am around at for on pm sharp'),
  es: words('a al aquel de del desde el en'),
  fr: words('a au en le pour sur'),
};

/** A whitespace-separated word list. */
function words(list: string): string[] {
  return list.trim().split(/\s+/);
}

/** The date-time resources of the library, per culture. */
const DATETIME_RESOURCES: Readonly<Record<string, object>> = {
  'en-us': EnglishDateTime,
  'es-es': SpanishDateTime,
  'fr-fr': FrenchDateTime,
  'zh-cn': ChineseDateTime,
};

/** Every string of a resource object: its regex sources, list items, map keys and values. */
function resourceStrings(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (value instanceof Map) {
    for (const [k, v] of value) {
      resourceStrings(k, out);
      resourceStrings(v, out);
    }
  } else if (Array.isArray(value)) for (const v of value) resourceStrings(v, out);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) resourceStrings(v, out);
  return out;
}

/** The words of a culture's date-time expressions (undefined when the library ships no resource for it). */
export function dateTimeTerms(culture: string, language: string): TermGate | undefined {
  const resource = DATETIME_RESOURCES[culture];
  if (!resource) return undefined;
  const stop = new Set(DATETIME_STOP_WORDS[language] ?? []);
  const gate = new TermGate();
  for (const s of resourceStrings(resource)) gate.addTerm(s, stop);
  return gate;
}

/** Digits that may be a date or a time by themselves: 17:00, 12/05, 2026-11-26, 1999, 5pm, 3rd, ½. */
const DATELIKE_DIGITS =
  /\p{Nd}\s?[:/.\-\u2013\u2014]\s?\p{Nd}|(?<!\p{Nd})\p{Nd}{4}(?!\p{Nd})|\p{Nd}\p{L}|[\u00BC-\u00BE\u2150-\u215E]/u;

/** A number one word away from a context word, or right before one (in folded text). */
function digitContext(words: readonly string[] | undefined): RegExp | undefined {
  if (!words) return undefined;
  const alt = words.join('|');
  return new RegExp(`(?<!\\p{L})(?:${alt})(?:\\s+\\p{L}+)?\\s*\\p{Nd}|\\p{Nd}\\s*(?:${alt})(?!\\p{L})`, 'u');
}

/**
 * Datetime: a date-time word, or digits that look like a date or a time or stand next to a context word
 * ({@link DATETIME_DIGIT_CONTEXT}); any digit for a language without context words.
 */
export function dateTimePrefilter(terms: TermGate | undefined, language: string): Prefilter {
  if (!terms) return ALWAYS;
  const context = digitContext(DATETIME_DIGIT_CONTEXT[language]);
  return (f) =>
    terms.test(f.folded, f.words) ||
    (f.digits > 0 && (!context || DATELIKE_DIGITS.test(f.text) || context.test(f.folded)));
}

/** The string keys of every map of a number parser configuration (cardinal, ordinal, round numbers; CJK digits). */
export function numberTerms(parserConfig: unknown): TermGate {
  const gate = new TermGate();
  for (const value of Object.values((parserConfig ?? {}) as Record<string, unknown>)) {
    if (value instanceof Map) for (const key of value.keys()) if (typeof key === 'string') gate.addTerm(key);
  }
  return gate;
}

/**
 * The ordinal words of a language: the keys of its number parser's `ordinalNumberMap` (first, deuxième, décimo…) and,
 * for relative ordinals ("the one before the last", "l'avant-dernier"), the longest word of each key of the
 * resource's `RelativeReferenceOffsetMap`. Undefined when the library exports no such map for the language
 * (Portuguese in 1.3): ordinal extractors are then not gated.
 */
export function ordinalTerms(parserConfig: unknown, cultureName: string): TermGate | undefined {
  const relative = (NUMERIC_RESOURCES as Record<string, { RelativeReferenceOffsetMap?: unknown } | undefined>)[
    `${cultureName}Numeric`
  ]?.RelativeReferenceOffsetMap;
  if (!(relative instanceof Map)) return undefined;
  const gate = new TermGate();
  const map = (parserConfig as { ordinalNumberMap?: unknown } | undefined)?.ordinalNumberMap;
  if (map instanceof Map) for (const key of map.keys()) if (typeof key === 'string') gate.addTerm(key);
  for (const key of relative.keys()) {
    if (typeof key !== 'string') continue;
    const longest = foldedWords(foldText(key)).sort((a, b) => b.length - a.length)[0];
    if (longest) gate.addTerm(longest);
    else gate.addTerm(key); // a key in an unspaced script: its characters
  }
  return gate;
}

/** The relative ordinals of a language ("next one", "the last but one", "avant-dernier"), folded; empty if unknown. */
export function relativeOrdinals(cultureName: string): Set<string> {
  const relative = (NUMERIC_RESOURCES as Record<string, { RelativeReferenceOffsetMap?: unknown } | undefined>)[
    `${cultureName}Numeric`
  ]?.RelativeReferenceOffsetMap;
  const out = new Set<string>();
  if (relative instanceof Map) for (const key of relative.keys()) if (typeof key === 'string') out.add(foldText(key));
  return out;
}

/**
 * The words a word fraction needs: an ordinal word ("three fifths", "un demi") or a word of the language's fraction
 * preposition expression that is not a number word ("three over four", "trois sur quatre"). Undefined when either is
 * unknown.
 */
export function fractionTerms(cultureName: string, numberWords: TermGate, ordinal?: TermGate): TermGate | undefined {
  const source = (NUMERIC_RESOURCES as Record<string, { FractionPrepositionRegex?: unknown } | undefined>)[
    `${cultureName}Numeric`
  ]?.FractionPrepositionRegex;
  if (!ordinal || typeof source !== 'string') return undefined;
  const gate = new TermGate();
  for (const stem of ordinal.stems()) gate.addStem(stem);
  for (const word of regexWords(foldText(source))) if (!numberWords.matchWord(word)) gate.addStem(word);
  return gate;
}

/** Number, ordinal, percentage: a digit or a number word. */
export function numberPrefilter(numberWords: TermGate): Prefilter {
  return (f) => f.digits > 0 || numberWords.test(f.folded, f.words);
}

/**
 * The currency names and signs of a currency model's extractors (`suffixList`, `prefixList`: `dollar|dollars|$|usd`),
 * matched as whole words (the lists hold every form, plurals included). A name of several words counts by its last,
 * the unit ("australian dollar": `dollar`), as every word must be there for a match; a one-letter name is kept apart,
 * as it counts only next to a digit.
 */
export function currencyTerms(extractorConfigs: readonly unknown[]): { names: TermGate; letters: Set<string> } {
  const names = new TermGate({ wholeWords: true });
  const letters = new Set<string>();
  for (const config of extractorConfigs) {
    const c = config as { suffixList?: unknown; prefixList?: unknown };
    for (const list of [c.suffixList, c.prefixList]) {
      if (!(list instanceof Map)) continue;
      for (const value of list.values()) {
        if (typeof value !== 'string') continue;
        for (const variant of value.split('|')) {
          const folded = foldText(variant);
          const signs = folded.match(/[\p{Sc}\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/gu);
          if (signs) {
            for (const s of signs) names.addChar(s);
            continue;
          }
          const unit = foldedWords(folded).at(-1);
          if (!unit) continue;
          if (unit.length === 1) letters.add(unit);
          else names.addStem(unit);
        }
      }
    }
  }
  return { names, letters };
}

/** A span of a text. */
export interface Span {
  start: number;
  end: number;
}

/**
 * Where the currency names and signs of a text are (UTF-16 offsets into `text` itself): the currency model runs on
 * windows around them in a long message, as its cost grows with the square of the text.
 */
export function currencySpans(text: string, currency: { names: TermGate; letters: Set<string> }): Span[] {
  const out: Span[] = [];
  for (const m of text.matchAll(/\p{L}+|[^\s\p{L}]/gu)) {
    const run = m[0];
    if (run.length === 1 && currency.names.hasChar(run)) out.push({ start: m.index, end: m.index + 1 });
    else if (/\p{L}/u.test(run)) {
      const folded = foldText(run);
      if (currency.names.matchWord(folded) || currency.letters.has(folded)) {
        out.push({ start: m.index, end: m.index + run.length });
      } else if (/[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/u.test(run)) {
        for (let i = 0; i < run.length; i++) {
          if (currency.names.hasChar(run[i])) out.push({ start: m.index + i, end: m.index + i + 1 });
        }
      }
    }
  }
  return out;
}

/**
 * Windows of `text` around `spans`: `margin` characters on each side, widened to the next space; neighbours are merged
 * while the merged window stays under `maxWindow` characters (windows may then overlap).
 */
export function windowsAround(text: string, spans: readonly Span[], margin: number, maxWindow: number): Span[] {
  const out: Span[] = [];
  for (const span of spans) {
    let start = Math.max(0, span.start - margin);
    let end = Math.min(text.length, span.end + margin);
    while (start > 0 && !/\s/.test(text[start - 1])) start--;
    while (end < text.length && !/\s/.test(text[end])) end++;
    const last = out.at(-1);
    if (last && start <= last.end && Math.max(last.end, end) - last.start <= maxWindow) {
      last.end = Math.max(last.end, end);
    } else out.push({ start, end });
  }
  return out;
}

/** Money: a currency name or sign, with a digit or a number word (or a one-letter unit next to digits). */
export function moneyPrefilter(currency: { names: TermGate; letters: Set<string> }, numberWords: TermGate): Prefilter {
  return (f) => {
    if (currency.names.test(f.folded, f.words)) return f.digits > 0 || numberWords.test(f.folded, f.words);
    return f.digits > 0 && currency.letters.size > 0 && f.words.some((w) => currency.letters.has(w));
  };
}
