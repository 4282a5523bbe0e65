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
import { SwitchboardError } from '../../errors.ts';
import { readClock } from '../../util/read-clock.ts';
import { baseLanguage, normalizeLanguages } from '../language/languages.ts';
import type { EntityMention } from '../understanding.ts';
import { mergeEntities } from './merge-entities.ts';
import { withNumberGates } from './number-extractor-gates.ts';
import { clip, toMention } from './rule-mentions.ts';
import { buildModels, ModelShelf } from './rule-models.ts';
import { textFacts } from './rule-prefilters.ts';
import {
  type ModelResultLike,
  RULE_ENTITY_TYPES,
  type RuleEntityType,
  type RuleModel,
  type TextModel,
} from './rule-types.ts';

export { cultureOf } from './rule-models.ts';
export {
  LANGUAGE_INDEPENDENT_TYPES,
  MAX_RULE_TEXT,
  MONEY_WINDOW_MARGIN,
  MONEY_WINDOW_MIN_TEXT,
  RULE_ENTITY_TYPES,
  type RuleEntityType,
} from './rule-types.ts';

/** What {@link RuleEntityRecognizer.warmUp} runs the models on: digits, signs, and common number and date words. */
const WARM_UP_TEXT =
  'a 1 2.5 $3 4% 5th x@y.z 10.0.0.1 555 0123 7:30 first premier primero second deuxième segundo tomorrow demain mañana';

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
    const languages = normalizeLanguages(options.languages ?? []);
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
   * without overlaps (the longer span wins, see `mergeEntities`). Offsets are UTF-16 offsets into `text`. Relative
   * dates count from `referenceDate` (default: the `now` option, read once per message).
   */
  recognize(text: string, language: string, referenceDate?: Date): EntityMention[] {
    return mergeEntities(this.candidates(text, language, referenceDate));
  }

  /** Every mention every model found, overlaps included (before `mergeEntities`): for measurements and debugging. */
  candidates(text: string, language: string, reference?: Date): EntityMention[] {
    if (typeof text !== 'string' || text.trim().length === 0) return [];
    const original = clip(text);
    // U+0130 (İ) is the one letter whose lower case is longer: the library lower-cases, so keep offsets aligned.
    const query = original.replace(/\u0130/g, 'I');
    const models = this.modelsFor(language);
    const facts = textFacts(query);
    let referenceDate: Date | undefined =
      reference instanceof Date && Number.isFinite(reference.getTime()) ? reference : undefined;
    const out: EntityMention[] = [];
    for (const m of models) {
      if (this.prefilter && !m.prefilter(facts)) continue;
      if (m.type === 'datetime') referenceDate ??= readClock(this.now);
      const windows = (this.prefilter && m.windows?.(query)) || [{ start: 0, end: query.length }];
      for (const w of windows) {
        const part = w.start === 0 && w.end === query.length ? query : query.slice(w.start, w.end);
        for (const r of this.run(m, part, referenceDate)) {
          const mention = toMention(m, r, original, query, w.start, referenceDate);
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
}
