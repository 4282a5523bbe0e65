/**
 * Prefilters inside the recognizers-text models. A date-time or currency model runs number extractors (cardinal,
 * integer, ordinal) on the text again and again while it works; in French and Spanish their expressions are huge
 * (the French ordinal one is 110 000 characters, and on some inputs such as "j'ai payé 20 euros" it runs for a
 * second) and take most of the model's time. Each number extractor found in a model gets a gate that runs only the
 * expressions whose needs its input meets: digits for digit expressions, a number word for word integers, an ordinal
 * word for word ordinals, an ordinal word or a fraction preposition for word fractions (see `entryNeed`). The words
 * are the keys of the number parser's own maps and of the library's numeric resources (`rule-prefilters.ts`).
 *
 * The extractors are the library's objects, shared through its model cache, so the gates are patched onto them once
 * and are active only inside {@link withNumberGates} (the rule recognizer turns them on when its prefilters are on):
 * anyone else using the same models sees them unchanged.
 */
import { foldedWords, foldText, type TermGate } from './term-gate.ts';

let active = false;
const GATED = Symbol('switchboard.numberGate');
const DIGIT = /[\p{Nd}\u00BC-\u00BE\u2150-\u215E]/u;

/** Runs `fn` with the number extractor gates on (or off), restoring the previous state after. */
export function withNumberGates<T>(on: boolean, fn: () => T): T {
  const previous = active;
  active = on;
  try {
    return fn();
  } finally {
    active = previous;
  }
}

interface NumberExtractorLike {
  extract: (source: string, ...rest: unknown[]) => unknown;
  regexes: { regExp?: unknown; value?: unknown }[];
  extractType: string;
  [GATED]?: true;
}

function isNumberExtractor(o: object): o is NumberExtractorLike {
  const e = o as Partial<NumberExtractorLike>;
  return (
    typeof e.extract === 'function' &&
    Array.isArray(e.regexes) &&
    typeof e.extractType === 'string' &&
    e.extractType.startsWith('builtin.num')
  );
}

/** The number words of one language: all of them, the ordinal ones and those of fractions (when known). */
export interface NumberWords {
  all: TermGate;
  /** Ordinal words, relative ones included ("last but one"). */
  ordinal?: TermGate;
  /** Words a fraction needs: ordinal words and the prepositions of "three over four", "trois sur quatre". */
  fraction?: TermGate;
}

/** What a gate reads of an extractor's input. */
interface Input {
  digit: boolean;
  folded: string;
  words: string[];
}

type Need = (input: Input) => boolean;

const needWord =
  (words: TermGate): Need =>
  (i) =>
    words.test(i.folded, i.words);
const needNumber =
  (words: TermGate): Need =>
  (i) =>
    i.digit || words.test(i.folded, i.words);
const needDigit: Need = (i) => i.digit;

/**
 * What one expression of a number extractor needs, from its tag (`IntegerNum`, `OrdFre`, `FracSpa`…): `Num`/`Pow`
 * expressions are made of digits; word expressions of a Latin-script language need a digit or a number word
 * (integers, doubles), an ordinal word (ordinals: their expressions hold no digit) or an ordinal word or a fraction
 * preposition (fractions: "three fifths", "1 et demi", "3 sur 4"). Anything else (percentages, which match
 * placeholders, and Chinese or Japanese expressions) is left ungated.
 */
function entryNeed(value: unknown, words: NumberWords): Need | undefined {
  const m = /^(Integer|Double|Frac|Ord|Ordinal)(Num|Pow|Eng|Fre|Spa|Por)$/.exec(String(value));
  if (!m) return undefined;
  if (m[2] === 'Num' || m[2] === 'Pow') return needDigit;
  if (m[1] === 'Integer' || m[1] === 'Double') return needNumber(words.all);
  const gate = m[1] === 'Frac' ? words.fraction : words.ordinal;
  return gate ? needWord(gate) : undefined;
}

/**
 * Patches a gate onto every number extractor reachable from `model` (its extractors and parsers, depth-first over
 * plain properties, maps and arrays). `wordsFor` names the words of an extractor's language from its class name
 * (`FrenchOrdinalExtractor` → French; a French date-time model also holds English extractors); an extractor it has
 * no words for is left alone. A gated extractor returns no numbers at once when its input has no digit and no number
 * word, and otherwise runs only the expressions whose needs (see `entryNeed`) the input meets: the French ordinal
 * expression, for one, only when there is an ordinal word. Returns how many extractors were patched.
 */
export function gateNumberExtractors(
  model: object,
  wordsFor: (extractorClass: string) => NumberWords | undefined,
): number {
  const seen = new Set<object>();
  let patched = 0;
  const visit = (o: unknown, depth: number) => {
    if (!o || typeof o !== 'object' || o instanceof RegExp || seen.has(o) || depth > 16 || seen.size > 50_000) return;
    seen.add(o);
    const words = isNumberExtractor(o) && !o[GATED] ? wordsFor(o.constructor?.name ?? '') : undefined;
    if (words && isNumberExtractor(o)) {
      patch(o, words);
      patched++;
    }
    if (o instanceof Map) {
      for (const [k, v] of o) {
        visit(k, depth + 1);
        visit(v, depth + 1);
      }
    } else if (Array.isArray(o)) for (const v of o) visit(v, depth + 1);
    else for (const v of Object.values(o)) visit(v, depth + 1);
  };
  visit(model, 0);
  return patched;
}

function patch(extractor: NumberExtractorLike, words: NumberWords): void {
  const all = extractor.regexes;
  const needs = all.map((entry) => entryNeed(entry?.value, words));
  let lastSource: string | undefined;
  let lastInput: Input | undefined;
  const original = extractor.extract;
  extractor.extract = function (this: NumberExtractorLike, source: string, ...rest: unknown[]) {
    if (!active || typeof source !== 'string' || this.regexes !== all) return original.call(this, source, ...rest);
    if (source !== lastSource) {
      const folded = foldText(source);
      lastInput = { digit: DIGIT.test(source), folded, words: foldedWords(folded) };
      lastSource = source;
    }
    const input = lastInput as Input;
    const kept = all.filter((_, i) => !needs[i] || needs[i]!(input));
    if (kept.length === 0) return [];
    if (kept.length === all.length) return original.call(this, source, ...rest);
    this.regexes = kept;
    try {
      return original.call(this, source, ...rest);
    } finally {
      this.regexes = all;
    }
  };
  extractor[GATED] = true;
}
