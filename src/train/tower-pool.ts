import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { TrainProgress } from './train-intent-types.ts';
import { type TowerJob, type TowerResult, trainTower } from './train-tower.ts';

/**
 * Source of a worker that registers tsx's loader (the project runs its TypeScript sources through tsx, a runtime
 * dependency) and then imports the tower worker. Works the same under `tsx`, the `switchboard` bin and tests.
 */
function workerBootstrap(): string {
  const api = JSON.stringify(import.meta.resolve('tsx/esm/api'));
  const entry = JSON.stringify(new URL('./tower-worker.ts', import.meta.url).href);
  return `import(${api}).then(({ register }) => { register(); return import(${entry}); });`;
}

function runInWorker(job: TowerJob, onProgress?: (p: TrainProgress) => void): Promise<TowerResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(workerBootstrap(), { eval: true, workerData: job });
    let result: TowerResult | undefined;
    worker.on('message', (m: { type: string; progress?: TrainProgress; result?: TowerResult }) => {
      if (m.type === 'progress' && m.progress) onProgress?.(m.progress);
      else if (m.type === 'result') result = m.result;
    });
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (result) resolve(result);
      else reject(new Error(`tower ${job.k} worker exited with code ${code} before finishing`));
    });
  });
}

/**
 * Trains the towers of an ensemble, up to `workers` at a time in worker threads (each tower is independent and
 * seeded, so the result is the same as training them one after another). With one worker or one tower, trains in this
 * thread. Results are in job order.
 */
export async function trainTowers(
  jobs: TowerJob[],
  workers = Math.min(2, availableParallelism()),
  onProgress?: (p: TrainProgress) => void,
): Promise<TowerResult[]> {
  if (workers <= 1 || jobs.length <= 1) return jobs.map((job) => trainTower(job, onProgress));
  const results: TowerResult[] = new Array(jobs.length);
  let next = 0;
  const lane = async () => {
    while (next < jobs.length) {
      const i = next++;
      results[i] = await runInWorker(jobs[i], onProgress);
    }
  };
  await Promise.all(Array.from({ length: Math.min(workers, jobs.length) }, lane));
  return results;
}
