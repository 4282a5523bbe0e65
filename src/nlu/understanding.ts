/** A language guess: ISO 639-1 code and score (ranked, highest first). */
export interface LanguageGuess {
  language: string;
  score: number;
}

/** An intent label with its calibrated score. Understanding lists every label, ranked. */
export interface IntentGuess {
  intent: string;
  score: number;
}

/** An entity found in the text; `start`/`end` are UTF-16 offsets into the original text, end exclusive. */
export interface EntityMention {
  type: string;
  start: number;
  end: number;
  text: string;
  score: number;
  source: 'ner' | 'rule' | 'pattern';
  value?: unknown;
}

/** Milliseconds spent per stage of understanding one turn. */
export interface UnderstandingTimings {
  language_ms: number;
  intent_ms: number;
  entities_ms: number;
  total_ms: number;
}

/**
 * What the NLU makes of one customer turn: every score, no decision (the router alone decides). The shape other code
 * and scripts rely on (docs/architecture.md); `languages` and `entities` are empty until those stages are configured.
 */
export interface Understanding {
  /** Configured languages the turn may be in, ranked with probabilities; empty when the language is `und`. */
  languages: LanguageGuess[];
  /** The language verdict: ISO 639-1 or `und`, why (`script`, `text`, `hint`, `empty`, `no_letters`, `unsupported_script`). */
  language?: { language: string; reason: string; script?: string };
  intents: IntentGuess[];
  entities: EntityMention[];
  timings: UnderstandingTimings;
  /**
   * Parts still being computed when the turn was answered: `rule_entities` when the rule recognizers (in their worker
   * thread) missed the turn's entity budget; `entities` then holds only the NER and pattern entities.
   */
  pending?: 'rule_entities'[];
  /** Stages that failed on this turn (their part is empty): the router hands such a turn to a human. */
  errors?: { stage: 'language' | 'intent' | 'entities'; code: string; message: string }[];
}
