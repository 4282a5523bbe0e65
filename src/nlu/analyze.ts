/**
 * One customer turn → {@link Understanding}: language (with hints), then intents and entities. The one place that runs
 * the NLU stages in order; the CLI's `predict`, the HTTP server and (later) the channels call it. A stage that fails
 * leaves its part empty and says so in `errors`, so the router can hand the turn to a human: nothing is dropped.
 */
import { isSwitchboardError } from '../errors.ts';
import { DEFAULT_INTENT_MODEL_DIR, DEFAULT_LANGUAGE_PROFILE_DIR } from './default-model.ts';
import { EntityExtractor } from './entities/entity-extractor.ts';
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
  /** The bot's languages (default: `SWITCHBOARD_LANGUAGES`, comma-separated, else the profile's languages). */
  languages?: readonly string[];
  /** NER model directory (default: the shipped English model); `null` for rule entities only. */
  nerModelDir?: string | null;
  /** Reference time of relative dates (tests). */
  now?: () => Date;
  /** The bot's pattern entities (regex per type, e.g. order numbers). */
  patterns?: readonly EntityPattern[];
}

const ms = (t0: number) => Number((performance.now() - t0).toFixed(3));

/** The loaded NLU stages. Load once at startup; `analyze` per turn; `release` at shutdown. */
export class Nlu {
  private constructor(
    readonly intents: IntentClassifier,
    readonly language: LanguageDetector,
    readonly entities: EntityExtractor,
  ) {}

  static async load(options: NluOptions = {}): Promise<Nlu> {
    const profileDir =
      options.languageProfileDir === undefined ? DEFAULT_LANGUAGE_PROFILE_DIR : options.languageProfileDir;
    const profile = profileDir === null ? undefined : LanguageProfile.load(profileDir);
    const fromEnv = process.env.SWITCHBOARD_LANGUAGES?.split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const languages = options.languages ?? (fromEnv?.length ? fromEnv : undefined) ?? profile?.languages ?? ['en'];
    const language = new LanguageDetector({ languages, profile });
    const intents = await IntentClassifier.load(options.intentModelDir ?? DEFAULT_INTENT_MODEL_DIR);
    const entities = await EntityExtractor.load({
      languages: language.languages,
      nerModelDir: options.nerModelDir,
      now: options.now,
      patterns: options.patterns,
    });
    return new Nlu(intents, language, entities);
  }

  /** Understands one turn. `hints` carry what the channel and conversation know about its language. */
  async analyze(text: string, hints: LanguageHints = {}): Promise<Understanding> {
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
    const intents = await this.intents.classifyOne(input).catch((e) => {
      failed('intent', e);
      return [];
    });
    const intentMs = ms(t1);
    const t2 = performance.now();
    const entities = await this.entities.extract(input, detection.language).catch((e) => {
      failed('entities', e);
      return [];
    });
    const entitiesMs = ms(t2);
    return {
      languages: detection.guesses,
      language: {
        language: detection.language,
        reason: detection.reason,
        ...(detection.script ? { script: detection.script } : {}),
      },
      intents,
      entities,
      timings: { language_ms: languageMs, intent_ms: intentMs, entities_ms: entitiesMs, total_ms: ms(t0) },
      ...(errors.length > 0 ? { errors } : {}),
    };
  }

  async release(): Promise<void> {
    await this.intents.release();
    await this.entities.release();
  }
}
