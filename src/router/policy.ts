/**
 * The routing policy: the answer threshold and per-intent thresholds (from the model's calibration, overridable in
 * bot.yaml), the clarify margin and limits, and the out-of-scope intents.
 */
import { z } from 'zod';
import { OUT_OF_SCOPE } from '../nlu/intent/intent-example.ts';

/**
 * How the router turns scores into decisions. A support team edits these (bot.yaml `policy`); `switchboard calibrate`
 * proposes thresholds for a target precision.
 */
export const PolicySchema = z.object({
  /** Answer when the top intent's calibrated score reaches this. */
  threshold: z.number().min(0).max(1),
  /** Per-intent thresholds, overriding `threshold`. */
  intent_thresholds: z.record(z.number().min(0).max(1)).default({}),
  /**
   * Clarify instead of answering or handing off when the second intent is within this margin of the first and the two
   * together reach `threshold` (the model is sure it is one of them, not which).
   */
  clarify_margin: z.number().min(0).max(1).default(0.15),
  /** Quick replies offered in a clarification. */
  clarify_choices: z.number().int().min(2).max(5).default(3),
  /** Clarifications per conversation before a miss goes to a human (1: Rasa's two-stage fallback). */
  max_clarifications: z.number().int().min(0).default(1),
  /** Intents that must never be answered automatically. */
  out_of_scope_intents: z.array(z.string()).default([OUT_OF_SCOPE]),
  /** The bot's languages (ISO 639-1); a turn in any other goes to a human. */
  languages: z.array(z.string()).min(1),
  /** Language to reply in when a turn's language is unknown (`und`). */
  default_language: z.string(),
});
export type Policy = z.infer<typeof PolicySchema>;
export type PolicyInput = z.input<typeof PolicySchema>;

/** The threshold that applies to `intent`. */
export function thresholdFor(policy: Policy, intent: string): number {
  return policy.intent_thresholds[intent] ?? policy.threshold;
}
