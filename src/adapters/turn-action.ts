/**
 * The button actions a channel without its own button format receives as JSON (the web chat page, a webhook gateway):
 * `{kind: 'choice', intent}`, `{kind: 'feedback', rating: 'up' | 'down', turn}`, `{kind: 'human'}`. Untrusted input,
 * checked field by field.
 */
import type { TurnAction } from '../turn.ts';

/** The shape of an action, for error messages. */
export const ACTION_SHAPE = '{kind: choice, intent} | {kind: feedback, rating: up|down, turn} | {kind: human}';

/**
 * A JSON action → a turn action; undefined when none was given; a string (what is wrong) when it is not one.
 *
 * @example parseTurnAction({ kind: 'choice', intent: 'alarm_set' }) // { kind: 'choice', intent: 'alarm_set' }
 */
export function parseTurnAction(v: unknown): TurnAction | string | undefined {
  if (v === undefined) return undefined;
  const a = v as Record<string, unknown>;
  if (a?.kind === 'choice' && typeof a.intent === 'string') return { kind: 'choice', intent: a.intent };
  if (a?.kind === 'human') return { kind: 'human' };
  if (a?.kind === 'feedback' && (a.rating === 'up' || a.rating === 'down') && typeof a.turn === 'string')
    return { kind: 'feedback', rating: a.rating, turn: a.turn };
  return `action must be ${ACTION_SHAPE}`;
}
