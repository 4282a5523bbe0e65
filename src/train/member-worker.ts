/**
 * Worker-thread entry of {@link trainMembers}: trains each job posted to it, posting back progress messages and then
 * the result (or the error).
 */
import { parentPort } from 'node:worker_threads';
import { type MemberJob, runMemberJob } from './member-pool.ts';

parentPort?.on('message', (job: MemberJob) => {
  try {
    const result = runMemberJob(job, (p) => parentPort?.postMessage({ type: 'progress', progress: p }));
    parentPort?.postMessage({ type: 'result', result });
  } catch (e) {
    parentPort?.postMessage({ type: 'error', error: (e as Error).stack ?? String(e) });
  }
});
