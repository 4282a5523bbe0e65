/**
 * The turn handler behind the durable spool (a decorator): while the spool holds turns, a new one queues behind them
 * (order within a conversation is kept); a turn that meets a database outage is spooled instead of failing. Either way
 * the channel hears `spooled`, and the spool handles the turn once the database answers again.
 */
import { isUnavailable } from '../store/postgres-client.ts';
import type { TurnSpool } from '../store/turn-spool.ts';
import type { Turn } from '../turn.ts';
import type { TurnOutcome } from '../turn-handler.ts';

export type HandleTurn = (turn: Turn, address: unknown) => Promise<TurnOutcome>;

/** `handle`, spooled: the same signature, so channels cannot tell the difference. */
export function spooledTurns(handle: HandleTurn, spool: TurnSpool): HandleTurn {
  return async (turn, address) => {
    if (spool.size > 0) {
      spool.add({ turn, address });
      void spool.drain();
      return { status: 'spooled' };
    }
    try {
      return await handle(turn, address);
    } catch (e) {
      if (!isUnavailable(e)) throw e;
      spool.add({ turn, address });
      return { status: 'spooled' };
    }
  };
}
