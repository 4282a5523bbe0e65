/**
 * Rule-based entities: structured values found by Microsoft's recognizers-text models (`@microsoft/recognizers-text-*`
 * 1.3): email, phone, url, ip (language-independent: they run for every language, in the language's own culture where
 * the library has one, else in English), and datetime, number, ordinal, percentage, money where the library covers the
 * turn's language (docs/entities.md has the table; German, Dutch and Italian have none of these in 1.3).
 *
 * Each model is built once per culture at construction and kept. The models scan a message with hundreds of regular
 * expressions whether or not it holds anything, so per message:
 * - a cheap conservative prefilter (`rule-prefilters.ts`) skips every model that cannot match;
 * - inside the models, gates skip the number expressions the text cannot match (`number-extractor-gates.ts`);
 * - in a long message the currency model reads only windows around currency names;
 * - only the first {@link MAX_RULE_TEXT} characters are read.
 * None of this changes what is found (`bench/dev/entity-prefilter.ts` measures it against the unfiltered models).
 * Never throws on any text.
 */
import { DateTimeRecognizer } from '@microsoft/recognizers-text-date-time';
import { Culture, NumberRecognizer } from '@microsoft/recognizers-text-number';
import { NumberWithUnitRecognizer } from '@microsoft/recognizers-text-number-with-unit';
import { SequenceRecognizer } from '@microsoft/recognizers-text-sequence';
import { SwitchboardError } from '../../errors.ts';
import { baseLanguage, LANGUAGES } from '../language/languages.ts';
import type { EntityMention } from '../understanding.ts';
import { mergeEntities } from './merge-entities.ts';
import { gateNumberExtractors, type NumberWords, withNumberGates } from './number-extractor-gates.ts';
import {
  currencySpans,
  currencyTerms,
  dateTimePrefilter,
  dateTimeTerms,
  emailPrefilter,
  fractionTerms,
  ipPrefilter,
  moneyPrefilter,
  numberPrefilter,
  numberTerms,
  ordinalTerms,
  type Prefilter,
  phonePrefilter,
  relativeOrdinals,
  type Span,
  textFacts,
  urlPrefilter,
  windowsAround,
} from './rule-prefilters.ts';
import { dateTimeValue, emailValue, ipValue, moneyValue, numericValue, phoneValue, urlValue } from './rule-values.ts';
import { foldText } from './term-gate.ts';

/** The rule entity types, in their precedence order when two rule mentions cover exactly the same span. */
export const RULE_ENTITY_TYPES = [
  'email',
  'url',
  'ip',
  'phone',
  'money',
  'percentage',
  'datetime',
  'ordinal',
  'number',
] as const;
export type RuleEntityType = (typeof RULE_ENTITY_TYPES)[number];

/** Types whose form does not depend on the language: they run for every language, `und` included. */
export const LANGUAGE_INDEPENDENT_TYPES: readonly RuleEntityType[] = ['email', 'url', 'ip', 'phone'];

/**
 * Characters of a message the rule models read (the rest is ignored): chat turns are far shorter, and the models cost
 * time in proportion to the text (about 40 µs per character for date-time). The cut falls on a space when there is one
 * in the last half.
 */
export const MAX_RULE_TEXT = 1000;

/**
 * In a message longer than this, the currency model reads only windows around each currency name or sign
 * ({@link MONEY_WINDOW_MARGIN} characters on each side, to the next space; neighbours merged up to this length): it
 * runs every currency expression over the whole text once per number it finds, so its cost grows with the square of
 * the length (600 ms for 1000 characters holding ten amounts).
 */
export const MONEY_WINDOW_MIN_TEXT = 160;
export const MONEY_WINDOW_MARGIN = 48;

/** What {@link RuleEntityRecognizer.warmUp} runs the models on: digits, signs, and common number and date words. */
const WARM_UP_TEXT =
  'a 1 2.5 $3 4% 5th x@y.z 10.0.0.1 555 0123 7:30 first premier primero second deuxième segundo tomorrow demain mañana';

/** Culture of the library's models that English-culture fallbacks use. */
const ENGLISH = 'en-us';

export interface RuleEntityOptions {
  /** The bot's languages (ISO 639-1 codes or BCP 47 tags). */
  languages: readonly string[];
  /** The reference time of relative dates ("tomorrow at 5pm"), read once per message; defaults to the clock. */
  now?: () => Date;
  /** The types to recognize (default: all of {@link RULE_ENTITY_TYPES}). */
  types?: readonly RuleEntityType[];
  /** Skip models that cannot match (default true); false runs every model on every message, for measurements. */
  prefilter?: boolean;
}

/** The part of a recognizers-text model this module uses. */
interface TextModel {
  parse(query: string, referenceDate?: Date): ModelResultLike[];
}
interface ModelResultLike {
  start: number;
  end: number;
  text: string;
  typeName: string;
  resolution?: unknown;
}

/** One built model of a language, with its prefilter. */
interface RuleModel {
  type: RuleEntityType;
  culture: string;
  model: TextModel;
  prefilter: Prefilter;
  /** Parts of a long message the model needs to read (undefined: all of it). */
  windows?: (query: string) => Span[] | undefined;
  /** Results to drop by their text (relative ordinals). */
  drop?: (text: string) => boolean;
}

/**
 * The library's culture for an ISO 639-1 code (`es` → `es-es`), if it has one; English is `en-us` (month-first dates).
 * Which models a culture has differs by package: see {@link RuleEntityRecognizer.typesFor}.
 */
export function cultureOf(language: string): string | undefined {
  return Culture.getSupportedCultureCodes().find((c) => c !== 'en-*' && c.split('-')[0] === language);
}

/** A model of the library, or undefined when the package has none for the culture (no fallback to English). */
function tryModel(get: () => unknown): TextModel | undefined {
  try {
    const model = get() as TextModel | undefined;
    return typeof model?.parse === 'function' ? model : undefined;
  } catch {
    return undefined;
  }
}

/** Builds (once per culture, shared by the recognizer's languages) and holds the library's models. */
class ModelShelf {
  private readonly cache = new Map<string, unknown>();

  private once<T>(key: string, build: () => T): T {
    if (!this.cache.has(key)) this.cache.set(key, build());
    return this.cache.get(key) as T;
  }

  /** email, url, ip, phone in `culture` where the sequence package has them, else in English. */
  sequence(type: 'email' | 'url' | 'ip' | 'phone', culture: string | undefined): RuleModel {
    return this.once(`${type}:${culture}`, () => {
      const get = (c: string) => {
        const r = new SequenceRecognizer(c, 0, true);
        if (type === 'email') return tryModel(() => r.getEmailModel(c, false));
        if (type === 'url') return tryModel(() => r.getURLModel(c, false));
        if (type === 'ip') return tryModel(() => r.getIpAddressModel(c, false));
        return tryModel(() => r.getPhoneNumberModel(c, false));
      };
      const own = culture ? get(culture) : undefined;
      const model = own ?? get(ENGLISH);
      if (!model) throw new SwitchboardError('E_ENTITY_MODEL', 'internal', `recognizers-text has no ${type} model`);
      const prefilter = { email: emailPrefilter, url: urlPrefilter, ip: ipPrefilter, phone: phonePrefilter }[type];
      return { type, culture: own ? (culture as string) : ENGLISH, model, prefilter };
    });
  }

  /** number, ordinal, percentage models of a culture and their number words (none when the culture has no numbers). */
  numbers(culture: string) {
    return this.once(`numbers:${culture}`, () => {
      const r = new NumberRecognizer(culture, 0, true);
      const number = tryModel(() => r.getNumberModel(culture, false));
      const words = this.numberWords(culture);
      if (!number || !words) return undefined;
      const ordinal = tryModel(() => r.getOrdinalModel(culture, false));
      const percentage = tryModel(() => r.getPercentageModel(culture, false));
      for (const m of [number, ordinal, percentage]) if (m) this.gate(m);
      return { words, number, ordinal, percentage };
    });
  }

  /** The number words of a culture, read from its number parser's maps (undefined: the culture has no numbers). */
  numberWords(culture: string): NumberWords | undefined {
    return this.once(`words:${culture}`, () => {
      const number = tryModel(() => new NumberRecognizer(culture, 0, true).getNumberModel(culture, false));
      const config = (number as unknown as { parser?: { config?: unknown } } | undefined)?.parser?.config;
      if (!config) return undefined;
      const name = Culture.supportedCultures.find((c) => c.cultureCode === culture)?.cultureName ?? '';
      const all = numberTerms(config);
      const ordinal = ordinalTerms(config, name);
      return { all, ordinal, fraction: fractionTerms(name, all, ordinal) };
    });
  }

  /** The currency model of a culture and its currency names (none when the culture has no currency model). */
  currency(culture: string) {
    return this.once(`money:${culture}`, () => {
      const model = tryModel(() => new NumberWithUnitRecognizer(culture, 0, true).getCurrencyModel(culture, false));
      if (!model) return undefined;
      const map = (model as unknown as { extractorParsersMap?: Map<{ config?: unknown }, unknown> })
        .extractorParsersMap;
      const configs = map instanceof Map ? [...map.keys()].map((e) => e?.config) : [];
      this.gate(model);
      return { model, terms: currencyTerms(configs) };
    });
  }

  /** The date-time model of a culture and its prefilter (none when the culture has no date-time model). */
  dateTime(culture: string, language: string) {
    return this.once(`datetime:${culture}`, () => {
      const model = tryModel(() => new DateTimeRecognizer(culture, 0, true).getDateTimeModel(culture, false));
      if (!model) return undefined;
      this.gate(model);
      return { model, prefilter: dateTimePrefilter(dateTimeTerms(culture, language), language) };
    });
  }

  /** Gates the number extractors inside a model with the number words of each extractor's language. */
  private gate(model: TextModel): void {
    gateNumberExtractors(model, (extractorClass) => {
      const culture = Culture.supportedCultures
        .filter((c) => c.cultureCode !== 'en-*' && extractorClass.startsWith(c.cultureName))
        .sort((a, b) => b.cultureName.length - a.cultureName.length)[0]?.cultureCode;
      return culture ? this.numberWords(culture) : undefined;
    });
  }
}

/**
 * Finds structured values (email, phone, url, ip, datetime, number, ordinal, percentage, money) in chat messages.
 * Construct once (building the models of a language takes 50–300 ms), call {@link recognize} per turn.
 *
 * @example
 * const rules = new RuleEntityRecognizer({ languages: ['en', 'es'], now: () => new Date(2026, 10, 20, 10) });
 * rules.recognize('call me tomorrow at 5pm', 'en');
 * // [{ type: 'datetime', start: 8, end: 23, text: 'tomorrow at 5pm', score: 1, source: 'rule',
 * //    value: { kind: 'datetime', timex: '2026-11-21T17', value: '2026-11-21T17:00:00' } }]
 */
export class RuleEntityRecognizer {
  /** The configured languages (ISO 639-1). */
  readonly languages: readonly string[];
  private readonly now: () => Date;
  private readonly prefilter: boolean;
  private readonly byLanguage = new Map<string, RuleModel[]>();
  /** Models for `und` and unconfigured languages: the language-independent types, in English. */
  private readonly independent: RuleModel[];

  constructor(options: RuleEntityOptions) {
    const languages: string[] = [];
    for (const tag of options.languages ?? []) {
      const code = baseLanguage(tag);
      if (!code) {
        throw new SwitchboardError(
          'E_LANGUAGE_UNKNOWN',
          'input',
          `unknown language '${tag}': use an ISO 639-1 code switchboard knows (${Object.keys(LANGUAGES).join(' ')})`,
        );
      }
      if (!languages.includes(code)) languages.push(code);
    }
    const types = new Set<RuleEntityType>(options.types ?? RULE_ENTITY_TYPES);
    for (const t of types) {
      if (!RULE_ENTITY_TYPES.includes(t)) {
        throw new SwitchboardError(
          'E_ENTITY_TYPE',
          'input',
          `unknown rule entity type '${t}': use ${RULE_ENTITY_TYPES.join(' ')}`,
        );
      }
    }
    this.languages = languages;
    this.now = options.now ?? (() => new Date());
    this.prefilter = options.prefilter ?? true;
    const shelf = new ModelShelf();
    this.independent = buildModels(shelf, undefined, types);
    for (const language of languages) this.byLanguage.set(language, buildModels(shelf, language, types));
  }

  /**
   * Runs every model twice on a short sample of digits and common number and date words, so that V8 compiles the
   * library's regular expressions before the first real message rather than during it (the French ones are up to
   * 130 000 characters long: the first French message with an ordinal or an amount otherwise takes seconds). Call once
   * at startup; returns the milliseconds it took (about 0.6 s for English, 1.4 s for Spanish, 7 s for French here).
   */
  warmUp(): number {
    const start = performance.now();
    const seen = new Set<TextModel>();
    for (const models of [this.independent, ...this.byLanguage.values()]) {
      for (const m of models) {
        if (seen.has(m.model)) continue;
        seen.add(m.model);
        for (let i = 0; i < 2; i++) this.run(m, WARM_UP_TEXT, new Date());
      }
    }
    return performance.now() - start;
  }

  /** The types recognized in a language (a configured one; anything else gets the language-independent ones). */
  typesFor(language: string): RuleEntityType[] {
    return this.modelsFor(language).map((m) => m.type);
  }

  /** The library culture each type of a language runs in, e.g. `{ email: 'en-us', datetime: 'es-es', … }`. */
  culturesFor(language: string): Partial<Record<RuleEntityType, string>> {
    return Object.fromEntries(this.modelsFor(language).map((m) => [m.type, m.culture]));
  }

  /**
   * The entities of one message in `language` (the turn's detected language, ISO 639-1 or `und`), sorted by start,
   * without overlaps (the longer span wins, see `mergeEntities`). Offsets are UTF-16 offsets into `text`.
   */
  recognize(text: string, language: string): EntityMention[] {
    return mergeEntities(this.candidates(text, language));
  }

  /** Every mention every model found, overlaps included (before `mergeEntities`): for measurements and debugging. */
  candidates(text: string, language: string): EntityMention[] {
    if (typeof text !== 'string' || text.trim().length === 0) return [];
    const original = clip(text);
    // U+0130 (İ) is the one letter whose lower case is longer: the library lower-cases, so keep offsets aligned.
    const query = original.replace(/\u0130/g, 'I');
    const models = this.modelsFor(language);
    const facts = textFacts(query);
    let referenceDate: Date | undefined;
    const out: EntityMention[] = [];
    for (const m of models) {
      if (this.prefilter && !m.prefilter(facts)) continue;
      if (m.type === 'datetime') referenceDate ??= this.referenceDate();
      const windows = (this.prefilter && m.windows?.(query)) || [{ start: 0, end: query.length }];
      for (const w of windows) {
        const part = w.start === 0 && w.end === query.length ? query : query.slice(w.start, w.end);
        for (const r of this.run(m, part, referenceDate)) {
          const mention = toMention(m, r, original, query, w.start);
          if (!mention) continue;
          // Overlapping windows can find one mention twice.
          if (
            windows.length > 1 &&
            out.some((o) => o.type === m.type && o.start === mention.start && o.end === mention.end)
          )
            continue;
          out.push(mention);
        }
      }
    }
    return out;
  }

  /** One model on one text, with the number gates on when the prefilters are; never throws. */
  private run(m: RuleModel, text: string, referenceDate: Date | undefined, gates = this.prefilter): ModelResultLike[] {
    try {
      const results = withNumberGates(gates, () =>
        m.type === 'datetime' ? m.model.parse(text, referenceDate) : m.model.parse(text),
      );
      return Array.isArray(results) ? results : [];
    } catch {
      return []; // the library can throw on odd text (a failed extraction leaves a number model's result undefined)
    }
  }

  /** The types whose models would run on a message (their prefilters pass): for measurements and tests. */
  plannedTypes(text: string, language: string): RuleEntityType[] {
    if (typeof text !== 'string' || text.trim().length === 0) return [];
    const facts = textFacts(clip(text).replace(/\u0130/g, 'I'));
    return this.modelsFor(language)
      .filter((m) => !this.prefilter || m.prefilter(facts))
      .map((m) => m.type);
  }

  private modelsFor(language: string): RuleModel[] {
    return this.byLanguage.get(baseLanguage(typeof language === 'string' ? language : '') ?? '') ?? this.independent;
  }

  private referenceDate(): Date {
    try {
      const d = this.now();
      if (d instanceof Date && Number.isFinite(d.getTime())) return d;
    } catch {
      // a failing clock must not fail the turn
    }
    return new Date();
  }
}

/** The models of one language (undefined: the language-independent ones only), in {@link RULE_ENTITY_TYPES} order. */
function buildModels(shelf: ModelShelf, language: string | undefined, types: ReadonlySet<RuleEntityType>): RuleModel[] {
  const culture = language ? cultureOf(language) : undefined;
  const out: RuleModel[] = [];
  for (const type of LANGUAGE_INDEPENDENT_TYPES) {
    if (types.has(type)) out.push(shelf.sequence(type as 'email' | 'url' | 'ip' | 'phone', culture));
  }
  if (!culture || !language) return out;
  const numeric = (['money', 'percentage', 'ordinal', 'number'] as const).some((t) => types.has(t));
  const numbers = numeric ? shelf.numbers(culture) : undefined;
  const currency = types.has('money') ? shelf.currency(culture) : undefined;
  if (currency && numbers) {
    out.push({
      type: 'money',
      culture,
      model: currency.model,
      prefilter: moneyPrefilter(currency.terms, numbers.words.all),
      windows: (query) =>
        query.length > MONEY_WINDOW_MIN_TEXT
          ? windowsAround(query, currencySpans(query, currency.terms), MONEY_WINDOW_MARGIN, MONEY_WINDOW_MIN_TEXT)
          : undefined,
    });
  }
  if (numbers && types.has('percentage') && numbers.percentage) {
    const prefilter = numberPrefilter(numbers.words.all);
    out.push({ type: 'percentage', culture, model: numbers.percentage, prefilter });
  }
  const dateTime = types.has('datetime') ? shelf.dateTime(culture, language) : undefined;
  if (dateTime) out.push({ type: 'datetime', culture, model: dateTime.model, prefilter: dateTime.prefilter });
  if (numbers && types.has('ordinal') && numbers.ordinal) {
    // Relative ordinals ("next one", "the last but one") are dropped: their value is an offset, not a position.
    const prefilter = numberPrefilter(numbers.words.ordinal ?? numbers.words.all);
    const name = Culture.supportedCultures.find((c) => c.cultureCode === culture)?.cultureName ?? '';
    const relative = relativeOrdinals(name);
    const drop = (text: string) => relative.has(foldText(text).replace(/\s+/g, ' ').trim());
    out.push({ type: 'ordinal', culture, model: numbers.ordinal, prefilter, drop });
  }
  if (numbers && types.has('number')) {
    out.push({ type: 'number', culture, model: numbers.number, prefilter: numberPrefilter(numbers.words.all) });
  }
  return out;
}

/** The first {@link MAX_RULE_TEXT} characters, cut on a space in the last half if there is one, never mid-pair. */
function clip(text: string): string {
  if (text.length <= MAX_RULE_TEXT) return text;
  let cut = MAX_RULE_TEXT;
  const space = text.lastIndexOf(' ', MAX_RULE_TEXT);
  if (space > MAX_RULE_TEXT / 2) cut = space;
  else if (/[\uD800-\uDBFF]/.test(text[cut - 1])) cut--;
  return text.slice(0, cut);
}

/**
 * Where a result's text is in the original: at the library's offset when it matches there (case-insensitively), else
 * the nearest occurrence; undefined when it is nowhere (the mention is dropped rather than misplaced).
 */
function locate(r: ModelResultLike, original: string, query: string, offset: number): number | undefined {
  const needle = typeof r.text === 'string' ? recode(r.text.toLowerCase()) : '';
  if (!needle) return undefined;
  const at = Number.isInteger(r.start) ? r.start + offset : -1;
  const haystack = recode(query.toLowerCase());
  if (haystack.length !== original.length) return undefined;
  if (at >= 0 && haystack.startsWith(needle, at)) return at;
  let best: number | undefined;
  for (let i = haystack.indexOf(needle); i >= 0; i = haystack.indexOf(needle, i + 1)) {
    if (best === undefined || Math.abs(i - at) < Math.abs(best - at)) best = i;
  }
  return best;
}

/** The library's own one-for-one recoding of full-width characters (QueryProcessor.preProcess). */
const FULL_WIDTH: Readonly<Record<string, string>> = {
  '：': ':',
  '－': '-',
  '，': ',',
  '／': '/',
  Ｇ: 'G',
  Ｍ: 'M',
  Ｔ: 'T',
  Ｋ: 'K',
  ｋ: 'k',
  '．': '.',
  '（': '(',
  '）': ')',
  '％': '%',
  '、': ',',
};

function recode(s: string): string {
  return s.replace(/[０-９：－，／ＧＭＴＫｋ．（）％、]/g, (c) => {
    const code = c.charCodeAt(0);
    return code >= 0xff10 && code <= 0xff19
      ? String.fromCharCode(code - 0xff10 + 48)
      : (FULL_WIDTH[c] ?? c).toLowerCase();
  });
}

/** A library result as a mention of `type`, or undefined when it cannot be placed or has no usable value. */
function toMention(
  m: RuleModel,
  r: ModelResultLike,
  original: string,
  query: string,
  offset: number,
): EntityMention | undefined {
  const type = m.type;
  const start = locate(r, original, query, offset);
  if (start === undefined) return undefined;
  let end = start + r.text.length;
  if (type === 'url') while (end > start && /[.,;:!?'")\]]/.test(original[end - 1])) end--;
  if (end <= start || insideWord(original, start, end)) return undefined;
  const text = original.slice(start, end);
  if (m.drop?.(text)) return undefined;
  const value = resolvedValue(type, r, text);
  if (value === undefined) return undefined;
  return { type, start, end, text, score: type === 'phone' ? phoneScore(r.resolution) : 1, source: 'rule', value };
}

const SPACED_LETTER =
  /^(?![\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\p{Script=Thai}])\p{L}$/u;

/** True when a span starts or ends inside a word ("cent" in "recent"): letters on both sides of an edge. */
function insideWord(text: string, start: number, end: number): boolean {
  const letter = (i: number) => i >= 0 && i < text.length && SPACED_LETTER.test(text[i]);
  return (letter(start - 1) && letter(start)) || (letter(end - 1) && letter(end));
}

/** The library's confidence in a phone number (0.3 for "12345678", 1 for "+1 (425) 555-0123"); 1 when absent. */
function phoneScore(resolution: unknown): number {
  const score = Number((resolution as { score?: unknown } | undefined)?.score);
  return Number.isFinite(score) && score > 0 && score <= 1 ? score : 1;
}

function resolvedValue(type: RuleEntityType, r: ModelResultLike, text: string): unknown {
  switch (type) {
    case 'datetime':
      return dateTimeValue(r.typeName ?? '', r.resolution);
    case 'money':
      return moneyValue(r.resolution);
    case 'ordinal': {
      const n = numericValue(r.resolution);
      return n !== undefined && n >= 1 ? n : undefined; // "next", "last": relative ordinals resolve to 0
    }
    case 'percentage': {
      const n = numericValue(r.resolution);
      return n === 0 && !/\p{Nd}/u.test(text) ? undefined : n; // "percent" alone resolves to 0%
    }
    case 'number':
      return numericValue(r.resolution);
    case 'email':
      return emailValue(text);
    case 'phone':
      return phoneValue(text);
    case 'ip':
      return ipValue(text);
    case 'url':
      return urlValue(text);
  }
}
