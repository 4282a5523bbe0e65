/**
 * One customer turn → {@link Understanding}: language (with hints), then intents and entities. The one place that runs
 * the NLU stages in order; the CLI's `predict`, the HTTP server and (later) the channels call it. A stage that fails
 * leaves its part empty and says so in `errors`, so the router can hand the turn to a human: nothing is dropped.
 */
import { isSwitchboardError } from '../errors.ts';
import { DEFAULT_INTENT_MODEL_DIR, DEFAULT_LANGUAGE_PROFILE_DIR } from './default-model.ts';
import { EntityExtractor, type EntityResult, type EntityTurn } from './entities/entity-extractor.ts';
import type { EntityPattern } from './entities/pattern-entities.ts';
import { IntentClassifier } from './intent/intent-classifier.ts';
import type { LanguageHints } from './language/language-detection.ts';
import { LanguageDetector } from './language/language-detector.ts';
import { LanguageProfile } from './language/language-profile.ts';
import type { Understanding } from './understanding.ts';

export interface NluOptions {
  /** Intent model directory (default: the shipped MASSIVE model). */
  intentModelDir?: string;
  /** Language profile directory (default: the shipped profile); `null` for script rules + franc only. */
  languageProfileDir?: string | null;
  /** The bot's languages (default: the language profile's default languages, else English). */
  languages?: readonly string[];
  /** NER model directory (default: the shipped English model); `null` for rule entities only. */
  nerModelDir?: string | null;
  /** Reference time of relative dates (tests). */
  now?: () => Date;
  /** The bot's pattern entities (regex per type, e.g. order numbers). */
  patterns?: readonly EntityPattern[];
  /**
   * Run the rule recognizers in a worker thread and wait at most `budgetMs` for them per turn (a server's setting: see
   * `rule-entity-thread.ts`); unset: inline, every turn waits for every entity.
   */
  ruleThread?: { budgetMs: number; warmUp?: boolean };
}

/** One analyzed turn: what was understood within the budget, and the complete understanding when entities were late. */
export interface AnalyzedTurn {
  understanding: Understanding;
  /** Set when rule entities missed the budget (`understanding.pending`): the same understanding with every entity. */
  late?: Promise<Understanding>;
}

const ms = (t0: number) => Number((performance.now() - t0).toFixed(3));

/** The loaded NLU stages. Load once at startup; `analyze` per turn; `release` at shutdown. */
export class Nlu {
  private constructor(
    private current: IntentClassifier,
    readonly language: LanguageDetector,
    readonly entities: EntityExtractor,
    /** How long a turn waits for the threaded rule entities (Infinity when they run inline). */
    readonly entityBudgetMs: number,
  ) {}

  static async load(options: NluOptions = {}): Promise<Nlu> {
    const profileDir =
      options.languageProfileDir === undefined ? DEFAULT_LANGUAGE_PROFILE_DIR : options.languageProfileDir;
    const profile = profileDir === null ? undefined : LanguageProfile.load(profileDir);
    const languages = options.languages ?? profile?.defaultLanguages ?? ['en'];
    const language = new LanguageDetector({ languages, profile });
    const intents = await IntentClassifier.load(options.intentModelDir ?? DEFAULT_INTENT_MODEL_DIR);
    const entities = await EntityExtractor.load({
      languages: language.languages,
      nerModelDir: options.nerModelDir,
      now: options.now,
      patterns: options.patterns,
      ruleThread: options.ruleThread ? { warmUp: options.ruleThread.warmUp ?? true } : undefined,
    });
    return new Nlu(intents, language, entities, options.ruleThread?.budgetMs ?? Number.POSITIVE_INFINITY);
  }

  /** The intent classifier serving now (replaced by {@link swapIntents}). */
  get intents(): IntentClassifier {
    return this.current;
  }

  /** Serves `next` from the next turn on; returns the previous classifier (release it once in-flight turns are done). */
  swapIntents(next: IntentClassifier): IntentClassifier {
    const previous = this.current;
    this.current = next;
    return previous;
  }

  /** Understands one turn. `hints` carry what the channel and conversation know about its language. */
  async analyze(text: string, hints: LanguageHints = {}): Promise<Understanding> {
    return (await this.analyzeTurn(text, hints)).understanding;
  }

  /**
   * Understands one turn within the entity budget: language, then the rule entities leave for their thread, then
   * intents and NER; rule entities that are not back within the budget are left out, marked `pending`, and delivered
   * with `late`.
   */
  async analyzeTurn(text: string, hints: LanguageHints = {}): Promise<AnalyzedTurn> {
    const input = typeof text === 'string' ? text : '';
    const errors: NonNullable<Understanding['errors']> = [];
    const failed = (stage: 'language' | 'intent' | 'entities', e: unknown) =>
      errors.push({
        stage,
        code: isSwitchboardError(e) ? e.code : 'E_INTERNAL',
        message: (e as Error)?.message ?? String(e),
      });
    const t0 = performance.now();
    const detection = this.language.detect(input, hints);
    const languageMs = ms(t0);
    const t1 = performance.now();
    let entityTurn: EntityTurn | undefined;
    try {
      entityTurn = this.entities.begin(input, detection.language);
    } catch (e) {
      failed('entities', e);
    }
    const intents = await this.intents.classifyOne(input).catch((e) => {
      failed('intent', e);
      return [];
    });
    const intentMs = ms(t1);
    const t2 = performance.now();
    const result: EntityResult = (await entityTurn?.finish(this.entityBudgetMs).catch((e) => {
      failed('entities', e);
      return undefined;
    })) ?? { entities: [] };
    const entities = result.entities;
    const entitiesMs = ms(t2);
    const understanding: Understanding = {
      languages: detection.guesses,
      language: {
        language: detection.language,
        reason: detection.reason,
        ...(detection.script ? { script: detection.script } : {}),
      },
      intents,
      entities,
      timings: { language_ms: languageMs, intent_ms: intentMs, entities_ms: entitiesMs, total_ms: ms(t0) },
      ...(result.late ? { pending: ['rule_entities' as const] } : {}),
      ...(errors.length > 0 ? { errors } : {}),
    };
    if (!result.late) return { understanding };
    const { pending: _, ...rest } = understanding;
    const late = result.late.then((all): Understanding => ({ ...rest, entities: all })).catch(() => rest);
    return { understanding, late };
  }

  async release(): Promise<void> {
    await this.intents.release();
    await this.entities.release();
  }
}
