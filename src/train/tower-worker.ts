/**
 * Worker-thread entry of {@link trainTowers}: trains the tower posted as `workerData` and posts back progress messages
 * and then the result.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { type TowerJob, trainTower } from './train-tower.ts';

const job = workerData as TowerJob;
const result = trainTower(job, (p) => parentPort?.postMessage({ type: 'progress', progress: p }));
parentPort?.postMessage({ type: 'result', result });
