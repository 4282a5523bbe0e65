/**
 * The entity stage of a turn: the ML NER (for the languages its model was trained on — English for the shipped one),
 * the rule recognizers (structured values, every configured language) and the bot's own regex patterns, merged
 * without overlaps (pattern > rule > NER on any overlap; see `merge-entities.ts`).
 */

import { readClock } from '../../util/read-clock.ts';
import { within } from '../../util/within.ts';
import { DEFAULT_NER_MODEL_DIR } from '../default-model.ts';
import type { EntityMention } from '../understanding.ts';
import { mergeEntities } from './merge-entities.ts';
import { NerModel } from './ner-model.ts';
import { type EntityPattern, PatternEntityRecognizer } from './pattern-entities.ts';
import { RuleEntityRecognizer } from './rule-entities.ts';
import { RuleEntityThread, type RuleThreadOptions } from './rule-entity-thread.ts';

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
  /**
   * Run the rule recognizers in a worker thread (`rule-entity-thread.ts`) instead of inline: what a server wants, so
   * that a slow message never blocks the others. Off by default (the CLI, evaluations and tests want every entity).
   */
  ruleThread?: boolean | Omit<RuleThreadOptions, 'languages'>;
}

/** The entities of one turn: complete, or those found in time and a promise of the complete set. */
export interface EntityResult {
  entities: EntityMention[];
  /** Set when the rule entities missed the budget: resolves to every entity of the turn once they arrive. */
  late?: Promise<EntityMention[]>;
}

/** The entity work of one turn, begun as soon as its language is known (see {@link EntityExtractor.begin}). */
export interface EntityTurn {
  /** Runs the NER and patterns, and waits for the rule entities up to `budgetMs` after `begin` (Infinity: always). */
  finish(budgetMs: number): Promise<EntityResult>;
}

export class EntityExtractor {
  private constructor(
    readonly ner: NerModel | undefined,
    /** The inline rule recognizers (undefined when they run in {@link thread}). */
    readonly rules: RuleEntityRecognizer | undefined,
    /** The rule recognizers' worker thread, when configured. */
    readonly thread: RuleEntityThread | undefined,
    readonly patterns: PatternEntityRecognizer | undefined,
    private readonly now: () => Date,
  ) {}

  static async load(options: EntityExtractorOptions): Promise<EntityExtractor> {
    const dir = options.nerModelDir === undefined ? DEFAULT_NER_MODEL_DIR : options.nerModelDir;
    const threadOptions = options.ruleThread === true ? {} : options.ruleThread || undefined;
    const thread = threadOptions ? new RuleEntityThread({ ...threadOptions, languages: options.languages }) : undefined;
    const rules = thread ? undefined : new RuleEntityRecognizer({ languages: options.languages });
    const patterns = options.patterns?.length ? new PatternEntityRecognizer(options.patterns) : undefined;
    try {
      const ner = dir === null ? undefined : await NerModel.load(dir);
      return new EntityExtractor(ner, rules, thread, patterns, options.now ?? (() => new Date()));
    } catch (e) {
      await thread?.close();
      throw e;
    }
  }

  /** True when the NER model runs for turns in `language`. */
  nerRunsFor(language: string): boolean {
    return this.ner?.manifest.languages.includes(language) ?? false;
  }

  /**
   * Compiles the rule recognizers' expressions before the first customer's message: inline, now (seconds, blocking);
   * in the thread, in the background. Resolves with the milliseconds it took.
   */
  warmUp(): Promise<number> {
    return this.thread ? this.thread.ready : Promise.resolve(this.rules?.warmUp() ?? 0);
  }

  /** Every entity of one turn whose detected language is `language` (ISO 639-1 or `und`). */
  async extract(text: string, language: string): Promise<EntityMention[]> {
    return (await this.begin(text, language).finish(Number.POSITIVE_INFINITY)).entities;
  }

  /** Begins the entity work of a turn: the rule job leaves for the thread now, the rest runs in `finish`. */
  begin(text: string, language: string): EntityTurn {
    const input = typeof text === 'string' ? text : '';
    const t0 = performance.now();
    const now = readClock(this.now);
    const threaded = this.thread?.recognize(input, language, now);
    return {
      finish: async (budgetMs) => {
        const ner =
          this.ner && this.nerRunsFor(language)
            ? (await this.ner.recognize(input)).filter((m) => !isChatWordSpan(m.text))
            : [];
        const patterns = this.patterns?.recognize(input) ?? [];
        const all = (rules: EntityMention[]) => mergeEntities(patterns, rules, ner);
        if (!threaded) return { entities: all(this.rules?.recognize(input, language, now) ?? []) };
        const left = budgetMs - (performance.now() - t0);
        const rules = await within(threaded, left);
        return rules ? { entities: all(rules) } : { entities: all([]), late: threaded.then(all) };
      },
    };
  }

  async release(): Promise<void> {
    await this.ner?.release();
    await this.thread?.close();
  }
}
