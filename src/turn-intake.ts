/**
 * The door every customer turn comes through: {@link TurnIntake.receive} records the turn in the durable inbox
 * before the channel acknowledges it (a retried event id is refused here), then hands it to the turn handler; the
 * inbox row is marked done when the handler has recorded its reply or handoff. A turn is never lost between the
 * acknowledgement and the reply:
 * - the process dies mid-turn: the row stays pending; this instance takes it up again when it restarts, another one
 *   when the lease runs out;
 * - the database is down when the turn arrives: it goes to the local spool (fsynced) and is recorded and handled
 *   when the database answers; while the spool holds turns, new ones queue behind them (order is kept);
 * - the database is up but every pool connection stays in use for 5 s (overload, `E_STORE_BUSY`): the turn is not
 *   recorded and not spooled (the spool drains one turn at a time and would deepen the overload); the channel answers
 *   5xx and the platform, or the web chat page, sends it again;
 * - the database fails (or stays busy) mid-turn: the row stays pending and is handled again once the database answers.
 * Leases are renewed while a turn runs — and while it waits for the next sweep after a database fault. Under
 * overload a lease can still run out while its owner works (renewals stuck behind a saturated pool): another
 * instance then takes the turn and handles it too. Only one of them sends the reply: right before sending, the
 * handler calls its `fence`, which renews the lease only if the row is still this worker's as taken (owner and
 * attempt number, which every take increments); the worker that lost the row stops there (`E_LEASE_LOST`).
 * A turn whose handling fails for another reason (the reply cannot be sent) is marked failed, with its error code.
 */
import { hostname } from 'node:os';
import { SwitchboardError } from './errors.ts';
import type { Logger } from './log.ts';
import { isStoreFault, isUnavailable } from './store/postgres-client.ts';
import { inboxKey, type TurnInbox } from './store/turn-inbox.ts';
import type { TurnSpool } from './store/turn-spool.ts';
import type { Turn } from './turn.ts';
import type { TurnOutcome } from './turn-handler.ts';

/** What became of a turn at the door. */
export type Receipt =
  /** Recorded (or spooled) and under way; `outcome` settles when the handler is done with it. */
  | { status: 'accepted'; outcome: Promise<TurnOutcome> }
  /** A retry of an event already recorded: nothing to do. */
  | { status: 'duplicate' };

/** Runs after the turn is recorded and before it is handled (a channel's lookups: Slack's user locale). */
export type PrepareTurn = (turn: Turn) => Promise<Turn>;

export interface TurnIntakeOptions {
  inbox: TurnInbox;
  spool: TurnSpool;
  /**
   * The turn handler; `resumed`: taken up again (after a crash or a database fault), its reply may have gone out.
   * `fence` must be awaited right before the reply is sent: it throws `E_LEASE_LOST` when another instance took the
   * turn meanwhile (then that one sends the reply, and this one must not).
   */
  handle: (turn: Turn, address: unknown, resumed: boolean, fence: () => Promise<void>) => Promise<TurnOutcome>;
  log: Logger;
  /** This instance's name in the inbox's leases (`SWITCHBOARD_INSTANCE_ID`, else host and port). */
  owner: string;
  /** How long a taken turn is this instance's before another may take it (renewed while it runs). */
  leaseMs?: number;
  /** How often unfinished turns are looked for. */
  intervalMs?: number;
}

/**
 * The default owner name. On an embedded SQLite file there is one instance, so a restart takes up its own unfinished
 * turns at once: the host and `sqlite`. On a shared database: the host and the port (the process id when the system
 * chose the port), stable across restarts of the same instance; set `SWITCHBOARD_INSTANCE_ID` where that is not unique.
 */
export function defaultInstanceId(port: number, sharedDatabase: boolean): string {
  if (!sharedDatabase) return `${hostname()}:sqlite`;
  return `${hostname()}:${port || `pid${process.pid}`}`;
}

export class TurnIntake {
  private readonly inFlight = new Set<string>();
  /** Turns handled whose `complete` did not reach the database: marked by the next sweep, never handled again. */
  private readonly unmarked = new Set<string>();
  /** Turns a database fault interrupted: handled again by the next sweep (their rows stay this instance's). */
  private readonly interrupted = new Map<string, { turn: Turn; address: unknown; attempt: number }>();
  /** Rows this instance's owner name recorded before this moment are a previous run's: taken up at once. */
  private readonly startedAt = Date.now();
  private timer: NodeJS.Timeout | undefined;
  private renewTimer: NodeJS.Timeout | undefined;
  private sweeping: Promise<number> | undefined;
  private readonly leaseMs: number;

  constructor(private readonly o: TurnIntakeOptions) {
    this.leaseMs = o.leaseMs ?? 30_000;
  }

  /** Records `turn` (or spools it), then starts handling it. Resolves once the turn is durable: acknowledge then. */
  async receive(turn: Turn, address: unknown, prepare?: PrepareTurn): Promise<Receipt> {
    const { spool, inbox } = this.o;
    if (spool.size === 0) {
      try {
        const status = await inbox.accept(turn, address, this.o.owner, this.leaseMs);
        if (status === 'duplicate') return { status };
        return { status: 'accepted', outcome: this.work(inboxKey(turn), turn, address, 1, prepare) };
      } catch (e) {
        if (!isUnavailable(e)) throw e;
      }
    }
    spool.add({ turn, address });
    void spool.drain().catch((e: unknown) => this.o.log.error('spool_drain_failed', { message: (e as Error).message }));
    return { status: 'accepted', outcome: Promise.resolve({ status: 'spooled' }) };
  }

  /**
   * A spooled turn, now that the database answers: recorded (a retry accepted meanwhile is refused), then handled. A
   * row this instance holds already is its own record whose insert the database failure hid: handled now.
   */
  async fromSpool(turn: Turn, address: unknown): Promise<void> {
    const { inbox, owner } = this.o;
    const key = inboxKey(turn);
    const status = await inbox.accept(turn, address, owner, this.leaseMs);
    if (status === 'accepted') return void (await this.work(key, turn, address, 1).catch(() => {}));
    if (this.inFlight.has(key) || this.interrupted.has(key)) return;
    const own = await inbox.reclaim(key, owner, this.leaseMs);
    if (own) await this.work(key, own.turn, own.address, own.attempts, undefined, true).catch(() => {});
  }

  /**
   * Takes up unfinished turns now (at start), then every `intervalMs` (default 2 s); renews the leases of the turns
   * in progress every third of a lease, on a timer of its own (a long sweep must not let them run out).
   */
  async start(): Promise<void> {
    await this.sweep();
    this.timer = setInterval(() => void this.sweep(), this.o.intervalMs ?? 2000);
    this.timer.unref();
    this.renewTimer = setInterval(() => void this.renew(), this.leaseMs / 3);
    this.renewTimer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    clearInterval(this.renewTimer);
  }

  /** Renews the turns this instance holds: those being handled and those waiting for the next sweep. */
  private async renew(): Promise<void> {
    const held = [...this.inFlight, ...this.interrupted.keys(), ...this.unmarked];
    if (held.length === 0) return;
    await this.o.inbox.renew(held, this.o.owner, this.leaseMs).catch(() => {});
  }

  /** Turns being handled by this instance. */
  get active(): number {
    return this.inFlight.size;
  }

  /**
   * One pass: marks the turns whose completion was not recorded, drains the spool,
   * takes unfinished turns (this instance's own after a restart or a database fault; any whose lease ran out) and
   * handles them. Returns how many it took.
   */
  sweep(): Promise<number> {
    this.sweeping ??= this.sweepOnce().finally(() => {
      this.sweeping = undefined;
    });
    return this.sweeping;
  }

  private async sweepOnce(): Promise<number> {
    const { inbox, owner, log } = this.o;
    try {
      for (const key of [...this.unmarked]) {
        await inbox.complete(key);
        this.unmarked.delete(key);
      }
      await this.o.spool.drain();
      let resumed = 0;
      for (const [key, { turn, address, attempt }] of [...this.interrupted]) {
        this.interrupted.delete(key);
        log.warn('inbox_turn_resumed', { key, reason: 'database' });
        resumed++;
        await this.work(key, turn, address, attempt, undefined, true).catch(() => {});
      }
      const busy = new Set([...this.inFlight, ...this.unmarked, ...this.interrupted.keys()]);
      const taken = await inbox.take(owner, this.leaseMs, 50, busy, this.startedAt);
      for (const entry of taken) {
        log.warn('inbox_turn_resumed', { key: entry.key, attempts: entry.attempts });
        await this.work(entry.key, entry.turn, entry.address, entry.attempts, undefined, true).catch(() => {});
      }
      return resumed + taken.length;
    } catch (e) {
      if (!isStoreFault(e)) log.error('inbox_sweep_failed', { message: (e as Error).message });
      return 0;
    }
  }

  /**
   * Handles a recorded turn, held as taken at `attempt`, and marks it: done, failed, or (database fault) left for the
   * next sweep; a turn another instance took meanwhile (the fence refused the send) is left to that instance.
   */
  private async work(
    key: string,
    turn: Turn,
    address: unknown,
    attempt: number,
    prepare?: PrepareTurn,
    resumed = false,
  ): Promise<TurnOutcome> {
    const { inbox, log, owner } = this.o;
    this.inFlight.add(key);
    const fence = async () => {
      if (!(await inbox.hold(key, owner, attempt, this.leaseMs)))
        throw new SwitchboardError('E_LEASE_LOST', 'internal', `turn ${key} was taken by another instance`);
    };
    try {
      const ready = prepare ? await prepare(turn).catch(() => turn) : turn;
      const outcome = await this.o.handle(ready, address, resumed, fence);
      await inbox.complete(key).catch((e: unknown) => {
        if (!isStoreFault(e)) throw e;
        this.unmarked.add(key);
      });
      return outcome;
    } catch (e) {
      // The database failed (or every connection stayed busy) mid-turn: the row stays pending (and this instance's) and
      // the next sweep handles the turn.
      if (isStoreFault(e)) {
        this.interrupted.set(key, { turn, address, attempt });
        return { status: 'spooled' };
      }
      // Another instance took the turn (this one's lease ran out while it worked): that one replies and marks it.
      if ((e as { code?: unknown })?.code === 'E_LEASE_LOST') {
        log.warn('inbox_turn_taken_over', { key, attempt });
        return { status: 'duplicate' };
      }
      const code = (e as { code?: unknown })?.code;
      await inbox.fail(key, typeof code === 'string' ? code : 'E_INTERNAL').catch((err: unknown) => {
        log.warn('inbox_mark_failed', { key, message: (err as Error).message });
      });
      throw e;
    } finally {
      this.inFlight.delete(key);
    }
  }
}
