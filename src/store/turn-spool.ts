/**
 * Turns that arrived while the database was down: appended (and fsynced) to a local JSON-lines file, then handled in
 * order once the database answers again, so a database outage delays turns but loses none. While the spool holds
 * turns, new ones queue behind them (order within a conversation is kept). The file holds customer text: it lives
 * next to the SQLite store under `data/` and is emptied as turns are handled.
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Logger } from '../log.ts';
import type { Turn } from '../turn.ts';

export interface SpooledTurn {
  turn: Turn;
  address: unknown;
}

export class TurnSpool {
  private pending: SpooledTurn[] = [];
  private timer: NodeJS.Timeout | undefined;
  private draining = false;

  constructor(
    readonly file: string,
    private readonly handle: (turn: Turn, address: unknown) => Promise<unknown>,
    private readonly isUnavailable: (e: unknown) => boolean,
    private readonly log: Logger,
  ) {
    if (existsSync(file)) {
      for (const line of readFileSync(file, 'utf8').split('\n')) {
        if (!line.trim()) continue;
        try {
          this.pending.push(JSON.parse(line) as SpooledTurn);
        } catch {
          log.warn('spool_line_unreadable', { file }); // a torn last line from a crash mid-write
        }
      }
    }
  }

  /** Turns waiting for the database. */
  get size(): number {
    return this.pending.length;
  }

  /** Keeps a turn durably (fsync) until {@link drain} handles it. */
  add(entry: SpooledTurn): void {
    mkdirSync(dirname(this.file), { recursive: true });
    const fd = openSync(this.file, 'a');
    try {
      writeSync(fd, `${JSON.stringify(entry)}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    this.pending.push(entry);
    this.log.warn('turn_spooled', { channel: entry.turn.channel, id: entry.turn.id, spooled: this.pending.length });
  }

  /**
   * Handles the spooled turns in order; stops at the first that finds the database still down. A turn that fails for
   * another reason is logged and dropped from the spool (retrying it would block every turn behind it). Returns how
   * many were handled.
   */
  async drain(): Promise<number> {
    if (this.draining || this.pending.length === 0) return 0;
    this.draining = true;
    let done = 0;
    try {
      while (this.pending.length > 0) {
        const next = this.pending[0];
        try {
          await this.handle(next.turn, next.address);
        } catch (e) {
          if (this.isUnavailable(e)) break;
          this.log.error('spooled_turn_failed', {
            channel: next.turn.channel,
            id: next.turn.id,
            message: (e as Error).message,
          });
        }
        this.pending.shift();
        done++;
        try {
          this.rewrite();
        } catch (e) {
          // The file could not be rewritten (the disk): the turn is handled; a restart may handle it again.
          this.log.error('spool_rewrite_failed', { file: this.file, message: (e as Error).message });
        }
      }
    } finally {
      this.draining = false;
    }
    if (done > 0) this.log.info('spool_drained', { handled: done, left: this.pending.length });
    return done;
  }

  /** Retries every `intervalMs` (default 2 s). */
  start(intervalMs = 2000): void {
    this.timer = setInterval(() => void this.drain(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private rewrite(): void {
    const tmp = `${this.file}.tmp`;
    const fd = openSync(tmp, 'w');
    try {
      for (const p of this.pending) writeSync(fd, `${JSON.stringify(p)}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.file);
  }
}
