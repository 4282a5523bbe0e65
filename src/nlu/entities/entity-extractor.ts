/**
 * The entity stage of a turn: the ML NER (for the languages its model was trained on — English for the shipped one),
 * the rule recognizers (structured values, every configured language) and the bot's own regex patterns, merged
 * without overlaps (pattern > rule > NER on any overlap; see `merge-entities.ts`).
 */
import { DEFAULT_NER_MODEL_DIR } from '../default-model.ts';
import type { EntityMention } from '../understanding.ts';
import { mergeEntities } from './merge-entities.ts';
import { NerModel } from './ner-model.ts';
import { type EntityPattern, PatternEntityRecognizer } from './pattern-entities.ts';
import { RuleEntityRecognizer } from './rule-entities.ts';

/**
 * Chat words the news-trained NER takes for names when they open a message, capitalised ("Hi", "Thanks", "Please"):
 * a span made only of these is dropped. English only, as the NER.
 */
const CHAT_WORDS = new Set(
  'hi hello hey hiya thanks thank thx please pls ok okay yes yeah yep no nope sorry dear cheers bye goodbye morning evening'.split(
    ' ',
  ),
);

/** True for an NER span that is nothing but chat words. */
export function isChatWordSpan(text: string): boolean {
  const words = text.toLowerCase().match(/\p{L}+/gu) ?? [];
  return words.length > 0 && words.every((w) => CHAT_WORDS.has(w));
}

export interface EntityExtractorOptions {
  /** The bot's languages (ISO 639-1): rule recognizers are built for each. */
  languages: readonly string[];
  /** NER model directory (default: the shipped English model); `null` for rules only. */
  nerModelDir?: string | null;
  /** Reference time of relative dates (tests); default the clock. */
  now?: () => Date;
  /** The bot's own pattern entities (regexes, e.g. order numbers); they win over every other recognizer. */
  patterns?: readonly EntityPattern[];
}

export class EntityExtractor {
  private constructor(
    readonly ner: NerModel | undefined,
    readonly rules: RuleEntityRecognizer,
    readonly patterns: PatternEntityRecognizer | undefined,
  ) {}

  static async load(options: EntityExtractorOptions): Promise<EntityExtractor> {
    const dir = options.nerModelDir === undefined ? DEFAULT_NER_MODEL_DIR : options.nerModelDir;
    const rules = new RuleEntityRecognizer({ languages: options.languages, now: options.now });
    const patterns = options.patterns?.length ? new PatternEntityRecognizer(options.patterns) : undefined;
    const ner = dir === null ? undefined : await NerModel.load(dir);
    return new EntityExtractor(ner, rules, patterns);
  }

  /** True when the NER model runs for turns in `language`. */
  nerRunsFor(language: string): boolean {
    return this.ner?.manifest.languages.includes(language) ?? false;
  }

  /** Entities of one turn whose detected language is `language` (ISO 639-1 or `und`). */
  async extract(text: string, language: string): Promise<EntityMention[]> {
    const input = typeof text === 'string' ? text : '';
    const ner =
      this.ner && this.nerRunsFor(language)
        ? (await this.ner.recognize(input)).filter((m) => !isChatWordSpan(m.text))
        : [];
    return mergeEntities(this.patterns?.recognize(input) ?? [], this.rules.recognize(input, language), ner);
  }

  async release(): Promise<void> {
    await this.ner?.release();
  }
}
