/**
 * Worker-thread entry of {@link trainMembers}: trains the job posted as `workerData` and posts back progress messages
 * and then the result.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { type MemberJob, runMemberJob } from './member-pool.ts';

const job = workerData as MemberJob;
const result = runMemberJob(job, (p) => parentPort?.postMessage({ type: 'progress', progress: p }));
parentPort?.postMessage({ type: 'result', result });
