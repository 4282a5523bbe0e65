/**
 * Runs the training jobs of an intent model's members — embedding-bag towers and linear SVM fits — up to `workers` at
 * a time in worker threads. Each job is independent and seeded, so the results equal training them one after another.
 * Progress from every job is folded into one overall fraction that never goes backwards.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { FeatureBag, SparseRow } from '../nlu/features/featurizer-config.ts';
import { type LinearModel, type LinearSvmOptions, trainLinearSvm } from './linear-svm.ts';
import type { TrainProgress } from './train-intent-types.ts';
import { type TowerJob, type TowerResult, trainTower } from './train-tower.ts';

/** One linear SVM fit (one-vs-rest over all labels). */
export interface LinearJob {
  rows: SparseRow[];
  targets: (number | Float32Array)[];
  featureRows: number;
  labels: number;
  opts: LinearSvmOptions;
}

/** A job of the pool. */
export type MemberJob = { kind: 'tower'; job: TowerJob } | { kind: 'linear'; job: LinearJob };
/** Its result, with the seconds its training took (inside the worker: no start-up time). */
export type MemberResult = ({ kind: 'tower'; result: TowerResult } | { kind: 'linear'; result: LinearModel }) & {
  seconds: number;
};

/** What a job reports while it runs: its own fraction done and a short status line. */
export interface JobProgress {
  fraction: number;
  status: string;
}

/** Runs one job in the calling thread. */
export function runMemberJob(m: MemberJob, onProgress?: (p: JobProgress) => void): MemberResult {
  const started = performance.now();
  if (m.kind === 'tower') {
    const { job } = m;
    const result = trainTower(job, (p) =>
      onProgress?.({
        fraction: (p.epoch - 1 + p.epochFraction) / p.maxEpochs,
        status:
          `model ${job.k + 1}/${job.opts.ensemble} epoch ${p.epoch} loss ${p.trainLoss.toFixed(3)}` +
          (p.validScore >= 0 ? ` valid ${(p.validScore * 100).toFixed(1)}` : ''),
      }),
    );
    return { kind: 'tower', result, seconds: (performance.now() - started) / 1000 };
  }
  const { job } = m;
  const result = trainLinearSvm(job.rows, job.targets, job.featureRows, job.labels, job.opts, (done) =>
    onProgress?.({ fraction: done / job.labels, status: `linear model: label ${done}/${job.labels}` }),
  );
  return { kind: 'linear', result, seconds: (performance.now() - started) / 1000 };
}

/** Passes over the data a linear fit is assumed to take (its tolerance usually stops it within 10–20). */
export const LINEAR_PASSES = 15;

/**
 * Multiply-adds of training one embedding-bag tower for `epochs` epochs over `bags` (forward and backward: three passes
 * over the bag's embedding rows, the hidden layer and the output layer), as {@link jobCost} counts them.
 */
export function towerWorkMadds(
  bags: readonly FeatureBag[],
  dim: number,
  hidden: number,
  labels: number,
  epochs: number,
): number {
  let ids = 0;
  for (const b of bags) ids += b.ids.length;
  return (ids * dim + bags.length * (dim * hidden + (hidden || dim) * labels)) * 3 * epochs;
}

/** Multiply-adds of one linear fit (one-vs-rest, about 15 passes of dual coordinate descent), as {@link jobCost} counts them. */
export function linearWorkMadds(rows: readonly SparseRow[], labels: number): number {
  let nnz = 0;
  for (const r of rows) nnz += r.ids.length;
  return nnz * labels * 2 * LINEAR_PASSES;
}

/** Relative cost of a job (for the overall progress fraction, and the search's work units): multiply-adds. */
export function jobCost(m: MemberJob): number {
  if (m.kind === 'tower') {
    const { job } = m;
    return towerWorkMadds(job.train.bags, job.opts.dim, job.opts.hidden, job.labels, job.opts.maxEpochs);
  }
  return linearWorkMadds(m.job.rows, m.job.labels);
}

/**
 * Source of a worker that registers tsx's loader (the project runs its TypeScript sources through tsx, a runtime
 * dependency) and then imports the member worker. Works the same under `tsx`, the `switchboard` bin and tests.
 */
function workerBootstrap(): string {
  const api = JSON.stringify(import.meta.resolve('tsx/esm/api'));
  const entry = JSON.stringify(new URL('./member-worker.ts', import.meta.url).href);
  return `import(${api}).then(({ register }) => { register(); return import(${entry}); });`;
}

/** A worker thread that trains jobs one after another (started once per lane: starting tsx in a worker costs ~1 s). */
class Lane {
  private readonly worker = new Worker(workerBootstrap(), { eval: true });
  private pending?: {
    resolve: (r: MemberResult) => void;
    reject: (e: Error) => void;
    onProgress: (p: JobProgress) => void;
  };

  constructor() {
    this.worker.on('message', (m: { type: string; progress?: JobProgress; result?: MemberResult; error?: string }) => {
      const p = this.pending;
      if (!p) return;
      if (m.type === 'progress' && m.progress) p.onProgress(m.progress);
      else if (m.type === 'result' && m.result) {
        this.pending = undefined;
        p.resolve(m.result);
      } else if (m.type === 'error') {
        this.pending = undefined;
        p.reject(new Error(m.error));
      }
    });
    this.worker.on('error', (e) => this.fail(e));
    this.worker.on('exit', (code) => this.fail(new Error(`training worker exited with code ${code} before finishing`)));
  }

  private fail(e: Error): void {
    const p = this.pending;
    this.pending = undefined;
    p?.reject(e);
  }

  run(job: MemberJob, onProgress: (p: JobProgress) => void): Promise<MemberResult> {
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject, onProgress };
      this.worker.postMessage(job);
    });
  }

  async close(): Promise<void> {
    this.worker.removeAllListeners('exit');
    await this.worker.terminate();
  }
}

/** Below this total cost (jobCost), jobs train in the calling thread: starting workers would take longer. */
const IN_THREAD_COST = 2e9;

/**
 * Trains the jobs, up to `workers` at a time in worker threads (with one worker, or when the jobs are small, in this
 * thread; a single large job still goes to a worker thread when `workers` > 1, so that concurrent calls run in
 * parallel). Results are in job order. `onProgress` gets the overall fraction (jobs weighted by {@link jobCost}; never decreasing) and
 * the status line of the job that reported last.
 */
export async function trainMembers(
  jobs: MemberJob[],
  workers = Math.min(2, availableParallelism()),
  onProgress?: (p: TrainProgress) => void,
): Promise<MemberResult[]> {
  const costs = jobs.map(jobCost);
  const total = costs.reduce((a, b) => a + b, 0) || 1;
  const done = new Float64Array(jobs.length);
  let shown = 0;
  const report = (i: number) => (p: JobProgress) => {
    done[i] = Math.max(done[i], Math.min(1, p.fraction));
    const fraction = done.reduce((a, f, k) => a + f * costs[k], 0) / total;
    shown = Math.max(shown, fraction);
    onProgress?.({ fraction: shown, status: p.status });
  };
  if (workers <= 1 || jobs.length === 0 || total < IN_THREAD_COST) {
    return jobs.map((job, i) => {
      const r = runMemberJob(job, report(i));
      report(i)({ fraction: 1, status: `${job.kind} done` });
      return r;
    });
  }
  const results: MemberResult[] = new Array(jobs.length);
  // Largest jobs first, so two workers finish close together.
  const order = jobs.map((_, i) => i).sort((a, b) => costs[b] - costs[a]);
  let next = 0;
  const lanes = Array.from({ length: Math.min(workers, jobs.length) }, () => new Lane());
  try {
    await Promise.all(
      lanes.map(async (lane) => {
        while (next < order.length) {
          const i = order[next++];
          results[i] = await lane.run(jobs[i], report(i));
          report(i)({ fraction: 1, status: `${jobs[i].kind} done` });
        }
      }),
    );
  } finally {
    await Promise.all(lanes.map((l) => l.close()));
  }
  return results;
}
