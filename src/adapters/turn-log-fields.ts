/**
 * The log line of a handled customer turn, the same for every channel: ids, what became of the turn, its action and
 * duration; the text goes in as `text`, which the logger drops unless `SWITCHBOARD_LOG_TEXT` is on.
 */
import type { Turn } from '../turn.ts';
import type { TurnOutcome } from '../turn-handler.ts';

export function turnLogFields(turn: Turn, outcome: TurnOutcome, startedMs: number): Record<string, unknown> {
  return {
    id: turn.id,
    conversation: turn.conversation,
    status: outcome.status,
    ...(outcome.status === 'replied' ? { decision: outcome.decision.kind } : {}),
    ...(turn.action ? { action: turn.action.kind } : {}),
    text: turn.text,
    ms: Date.now() - startedMs,
  };
}
