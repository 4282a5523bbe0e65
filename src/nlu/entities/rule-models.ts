/**
 * The library's models: built once per culture (shared by every configured language that uses it), each with the
 * prefilter that lets a message skip it (see rule-entities.ts for why).
 */
import { DateTimeRecognizer } from '@microsoft/recognizers-text-date-time';
import { Culture, NumberRecognizer } from '@microsoft/recognizers-text-number';
import { NumberWithUnitRecognizer } from '@microsoft/recognizers-text-number-with-unit';
import { SequenceRecognizer } from '@microsoft/recognizers-text-sequence';
import { SwitchboardError } from '../../errors.ts';
import { gateNumberExtractors, type NumberWords } from './number-extractor-gates.ts';
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
  phonePrefilter,
  relativeOrdinals,
  urlPrefilter,
  windowsAround,
} from './rule-prefilters.ts';
import {
  LANGUAGE_INDEPENDENT_TYPES,
  MONEY_WINDOW_MARGIN,
  MONEY_WINDOW_MIN_TEXT,
  type RuleEntityType,
  type RuleModel,
  type TextModel,
} from './rule-types.ts';
import { foldText } from './term-gate.ts';

/** Culture of the library's models that English-culture fallbacks use. */
const ENGLISH = 'en-us';

/**
 * The library's culture for an ISO 639-1 code (`es` → `es-es`), if it has one; English is `en-us` (month-first dates).
 * Which models a culture has differs by package: see {@link RuleEntityRecognizer.typesFor}.
 */
export function cultureOf(language: string): string | undefined {
  return Culture.getSupportedCultureCodes().find((c) => c !== 'en-*' && c.split('-')[0] === language);
}

/** A model of the library, or undefined when the package has none for the culture (no fallback to English). */
export function tryModel(get: () => unknown): TextModel | undefined {
  try {
    const model = get() as TextModel | undefined;
    return typeof model?.parse === 'function' ? model : undefined;
  } catch {
    return undefined;
  }
}

/** Builds (once per culture, shared by the recognizer's languages) and holds the library's models. */
export class ModelShelf {
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

/** The models of one language (undefined: the language-independent ones only), in {@link RULE_ENTITY_TYPES} order. */
export function buildModels(
  shelf: ModelShelf,
  language: string | undefined,
  types: ReadonlySet<RuleEntityType>,
): RuleModel[] {
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
  if (dateTime)
    out.push({
      type: 'datetime',
      culture,
      model: dateTime.model,
      prefilter: dateTime.prefilter,
      ...(culture.startsWith('es') ? { drop: spanishWeekdayWordDrop } : {}),
    });
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

/**
 * The Spanish date model reads the two-letter weekday abbreviations (lu ma mi ju vi sa do) as days, and three of them
 * are everyday words: "mi" (my), "vi" (I saw), "do" (the note). "¿Dónde está mi pedido?" became "esta mi[ércoles]", a
 * date. A match of one or two words ending in one of those, written without the abbreviation's period, is dropped;
 * a longer one ("de lu a vi", "lunes a vi") is a real date and kept.
 */
function spanishWeekdayWordDrop(text: string): boolean {
  const words = text.trim().split(/\s+/u);
  return words.length <= 2 && /^(?:mi|vi|do)$/iu.test(words[words.length - 1]);
}
