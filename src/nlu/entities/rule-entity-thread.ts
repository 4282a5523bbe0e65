/**
 * The rule recognizers in a worker thread, so that their slow messages never block the server.
 *
 * The recognizers-text models are regular expressions that cost well under a millisecond on most chat messages and
 * tens to hundreds of milliseconds on some (French and Spanish numbers and dates written in words: "trente-trois mille
 * sept cent soixante-quatorze" takes 200 ms). Run on the server's thread, one such message stalls every request behind
 * it. Here they run on their own thread: a turn posts its text as soon as its language is known, goes on with intent
 * and NER, and waits for the rule entities only up to a budget (`analyze`); a result that comes later is still
 * delivered to whoever asks for it (the reply, when its template needs a slot; the turn log).
 *
 * Robustness: a job that waited longer than `staleMs` in the queue is skipped; a job that runs longer than `hardLimitMs`
 * (a pathological input) gets the worker terminated and a new one started, the job's caller gets no rule entities and
 * the jobs queued behind it are posted again; a worker that crashes is replaced the same way. `recognize` never
 * rejects: every failure resolves to no entities and is counted in {@link RuleThreadStats}.
 */
import { Worker } from 'node:worker_threads';
import type { EntityMention } from '../understanding.ts';

/** What the worker is started with (`workerData`). */
export interface RuleWorkerInit {
  languages: string[];
  staleMs: number;
  /** Compile the models' expressions before the first job (seconds for French; off in tests that do not need it). */
  warmUp: boolean;
}

/** A job posted to the worker. `now` is the reference time of relative dates (epoch ms). */
export interface RuleJob {
  id: number;
  text: string;
  language: string;
  now: number;
  postedAt: number;
}

/** What the worker posts back. */
export type RuleWorkerMessage =
  | { kind: 'ready'; warmUpMs: number }
  | { kind: 'done'; id: number; entities: EntityMention[]; ms: number }
  | { kind: 'skipped'; id: number };

export interface RuleThreadOptions {
  languages: readonly string[];
  /** A job still queued after this long is skipped (default 5000 ms). */
  staleMs?: number;
  /** A job running longer than this restarts the worker (default 5000 ms). */
  hardLimitMs?: number;
  /** Warm the models up when the worker starts (default true). */
  warmUp?: boolean;
}

/** Counters of the thread's life, for health checks and metrics. */
export interface RuleThreadStats {
  done: number;
  skipped: number;
  /** Workers replaced after a job overran `hardLimitMs` or the worker crashed. */
  restarts: number;
  /** Jobs that got no entities because their worker was replaced while running them. */
  lost: number;
}

interface Pending {
  job: RuleJob;
  resolve: (entities: EntityMention[]) => void;
}

const ENTRY = new URL('./rule-entity-worker.mjs', import.meta.url);

export class RuleEntityThread {
  readonly stats: RuleThreadStats = { done: 0, skipped: 0, restarts: 0, lost: 0 };
  /** Resolves with the warm-up time (ms) once the current worker is ready for jobs. */
  ready!: Promise<number>;
  private worker!: Worker;
  /** Jobs posted and not answered, in posting order: the worker runs them in that order, so the first is running. */
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  /** When the running job started (the previous answer, or the worker becoming ready). */
  private lastProgress = 0;
  private readonly watchdog: NodeJS.Timeout;
  private closed = false;
  /** The current worker has finished its warm-up. */
  private warm = false;
  private readonly init: RuleWorkerInit;
  private readonly hardLimitMs: number;

  constructor(options: RuleThreadOptions) {
    this.init = {
      languages: [...options.languages],
      staleMs: options.staleMs ?? 5000,
      warmUp: options.warmUp ?? true,
    };
    this.hardLimitMs = options.hardLimitMs ?? 5000;
    this.spawn();
    this.watchdog = setInterval(() => this.check(), Math.max(50, Math.min(1000, this.hardLimitMs / 4)));
    this.watchdog.unref();
  }

  /** The rule entities of one message; resolves to [] when the thread could not produce them. */
  recognize(text: string, language: string, now: Date = new Date()): Promise<EntityMention[]> {
    if (this.closed) return Promise.resolve([]);
    return new Promise((resolve) => {
      const job: RuleJob = { id: this.nextId++, text, language, now: now.getTime(), postedAt: Date.now() };
      if (this.pending.size === 0) this.lastProgress = Date.now();
      this.pending.set(job.id, { job, resolve });
      this.worker.postMessage(job);
    });
  }

  /** The worker is ready (warmed up) for jobs. */
  get isReady(): boolean {
    return this.warm;
  }

  /** Jobs posted and not yet answered. */
  get queued(): number {
    return this.pending.size;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.watchdog);
    for (const p of this.pending.values()) p.resolve([]);
    this.pending.clear();
    await this.worker.terminate();
  }

  private spawn(): void {
    const worker = new Worker(ENTRY, { workerData: this.init });
    this.worker = worker;
    this.warm = false;
    this.lastProgress = Date.now();
    this.ready = new Promise<number>((resolve) => {
      worker.on('message', (m: RuleWorkerMessage) => {
        if (worker !== this.worker) return;
        this.lastProgress = Date.now();
        if (m.kind === 'ready') {
          this.warm = true;
          return resolve(m.warmUpMs);
        }
        const p = this.pending.get(m.id);
        if (!p) return;
        this.pending.delete(m.id);
        if (m.kind === 'done') {
          this.stats.done++;
          p.resolve(m.entities);
        } else {
          this.stats.skipped++;
          p.resolve([]);
        }
      });
      worker.on('error', (e) => {
        if (worker !== this.worker || this.closed) return;
        process.stderr.write(`switchboard: rule entity worker failed (${(e as Error).message}); starting a new one\n`);
        this.replace();
        resolve(0);
      });
      worker.on('exit', () => {
        if (worker !== this.worker || this.closed) return;
        this.replace();
        resolve(0);
      });
    });
    this.ready.catch(() => {});
  }

  /** Replaces the worker: the running job (the first pending) gets nothing, the rest are posted to the new worker. */
  private replace(): void {
    this.stats.restarts++;
    const old = this.worker;
    const [running] = this.pending.values();
    if (running) {
      this.pending.delete(running.job.id);
      this.stats.lost++;
      running.resolve([]);
    }
    this.spawn();
    void old.terminate().catch(() => {});
    for (const p of this.pending.values()) this.worker.postMessage(p.job);
  }

  /** Restarts a worker whose running job overran the hard limit (jobs wait in the queue during warm-up: not counted). */
  private check(): void {
    if (this.closed || !this.warm || this.pending.size === 0) return;
    const [first] = this.pending.values();
    if (!first) return;
    const since = Math.max(this.lastProgress, first.job.postedAt);
    if (Date.now() - since > this.hardLimitMs) {
      process.stderr.write(
        `switchboard: a rule entity job ran over ${this.hardLimitMs} ms; restarting the worker (the turn gets no rule entities)\n`,
      );
      this.replace();
    }
  }
}
