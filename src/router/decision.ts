/**
 * The router's output: answer, clarify or hand off, with the reason (`confident`, `close_scores`, `low_confidence`,
 * `out_of_scope`, `human_requested`, …), the intent and the choices.
 */
import type { IntentGuess } from '../nlu/understanding.ts';

/** What the bot does with a turn. */
export type DecisionKind = 'answer' | 'clarify' | 'handoff';

/**
 * Why: `confident` (answer), `close_scores` (clarify: the top intents are too close to tell), `second_miss`
 * (handoff: a clarification already failed), `low_confidence`, `out_of_scope`, `unsupported_language`, `no_answer`
 * (the intent has no answer configured), `human_requested`, `nlu_error` (a stage failed on this turn), and
 * `chosen` (answer: the customer picked the intent from a clarifying question's quick replies — the measurement must
 * tell these from the model's own answers), `smalltalk` (answer: a greeting, thanks, goodbye or "are you a bot?" the
 * bot answers itself; the intent is `smalltalk.<kind>`).
 */
export type DecisionReason =
  | 'confident'
  | 'close_scores'
  | 'second_miss'
  | 'low_confidence'
  | 'out_of_scope'
  | 'unsupported_language'
  | 'no_answer'
  | 'human_requested'
  | 'nlu_error'
  | 'chosen'
  | 'smalltalk';

/** The router's verdict on one turn. */
export interface Decision {
  kind: DecisionKind;
  reason: DecisionReason;
  /** The intent answered (answer), or the best guess (clarify, handoff) when there is one. */
  intent?: string;
  /** Its calibrated score. */
  score?: number;
  /** The intents offered as quick replies (clarify), best first. */
  choices?: IntentGuess[];
  /** The language to reply in (the turn's, or the bot's default when the turn's is unknown). */
  language: string;
}
