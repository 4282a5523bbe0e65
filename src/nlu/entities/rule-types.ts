/** The rule recognizers' types and limits, shared by the recognizer, its model shelf and its mention builder. */
import type { Prefilter, Span } from './rule-prefilters.ts';

/** The rule entity types, in their precedence order when two rule mentions cover exactly the same span. */
export const RULE_ENTITY_TYPES = [
  'email',
  'url',
  'ip',
  'phone',
  'money',
  'percentage',
  'datetime',
  'ordinal',
  'number',
] as const;
export type RuleEntityType = (typeof RULE_ENTITY_TYPES)[number];

/** Types whose form does not depend on the language: they run for every language, `und` included. */
export const LANGUAGE_INDEPENDENT_TYPES: readonly RuleEntityType[] = ['email', 'url', 'ip', 'phone'];

/**
 * Characters of a message the rule models read (the rest is ignored): chat turns are far shorter, and the models cost
 * time in proportion to the text (about 40 µs per character for date-time). The cut falls on a space when there is one
 * in the last half.
 */
export const MAX_RULE_TEXT = 1000;

/**
 * In a message longer than this, the currency model reads only windows around each currency name or sign
 * ({@link MONEY_WINDOW_MARGIN} characters on each side, to the next space; neighbours merged up to this length): it
 * runs every currency expression over the whole text once per number it finds, so its cost grows with the square of
 * the length (600 ms for 1000 characters holding ten amounts).
 */
export const MONEY_WINDOW_MIN_TEXT = 160;
export const MONEY_WINDOW_MARGIN = 48;

/** The part of a recognizers-text model this module uses. */
export interface TextModel {
  parse(query: string, referenceDate?: Date): ModelResultLike[];
}
export interface ModelResultLike {
  start: number;
  end: number;
  text: string;
  typeName: string;
  resolution?: unknown;
}

/** One built model of a language, with its prefilter. */
export interface RuleModel {
  type: RuleEntityType;
  culture: string;
  model: TextModel;
  prefilter: Prefilter;
  /** Parts of a long message the model needs to read (undefined: all of it). */
  windows?: (query: string) => Span[] | undefined;
  /** Results to drop by their text (relative ordinals). */
  drop?: (text: string) => boolean;
}
