/**
 * The types of language detection: the hints a channel and the conversation give about a turn's language, and what
 * detection returns.
 */
import type { LanguageGuess } from '../understanding.ts';

/**
 * What the channel and the conversation already say about a turn's language. Every field is optional; a hint only
 * breaks ties: it shifts the prior towards a language and never overrides clear evidence in the text.
 */
export interface LanguageHints {
  /** Language of the conversation's previous turns (sticky): the strongest hint. ISO 639-1 or a BCP 47 tag. */
  previous?: string;
  /** The channel's locale for this user: Teams `activity.locale`, Slack `users.info` `locale` (e.g. `es-ES`). */
  locale?: string;
  /** The workspace's or bot's default language: a weak hint. */
  default?: string;
  /**
   * The web browser's language (`navigator.language`): what the device is set to, not what the customer types — the
   * weakest hint, a tie-breaker only ("Hallo" from an en-US browser is German).
   */
  browser?: string;
}

/**
 * Why a detection came out as it did:
 * - `script`: the letters are in a script only one configured language uses (Thai → th, Ethiopic → am…), also when
 *   Latin names and loanwords are mixed in ("เปิด super mario");
 * - `text`: the learned profile (or franc) weighed the text's character n-grams, hints added as a prior;
 * - `hint`: the text holds nothing to judge (no letters: digits, emoji, a URL, code; or letters franc cannot place)
 *   and a hint named a configured language;
 * - `empty`: nothing but whitespace (after removing URLs, mentions, code) and no usable hint;
 * - `no_letters`: digits, symbols or emoji only, and no usable hint;
 * - `no_evidence`: letters, but nothing franc can place ("ok" with no profile), and no usable hint;
 * - `unsupported_script`: the letters are in a script none of the configured languages is written in.
 */
export type LanguageReason = 'script' | 'text' | 'hint' | 'empty' | 'no_letters' | 'no_evidence' | 'unsupported_script';

/** The language of one turn: `language` is ISO 639-1 or `und`; `guesses` rank the configured candidates. */
export interface LanguageDetection {
  /** Best guess (ISO 639-1), or `und` when there is no basis for one. */
  language: string;
  /** Candidates with posterior probabilities (summing to 1), best first; empty when `language` is `und`. */
  guesses: LanguageGuess[];
  reason: LanguageReason;
  /** The dominant script of the letters (Unicode script name, e.g. `Latin`, `Thai`), when there were letters. */
  script?: string;
}

/** Undetermined language (ISO 639-2 `und`). */
export const UNDETERMINED = 'und';
