/**
 * The body of the rule recognizers' worker thread: builds a {@link RuleEntityRecognizer} for the languages it is given,
 * warms it up, then answers one job at a time. A job that waited longer than `staleMs` behind other jobs is skipped
 * unread (nobody waits for it any more, and running it would delay the jobs behind it). Protocol: see rule-entity-thread.ts.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { RuleEntityRecognizer } from './rule-entities.ts';
import type { RuleJob, RuleWorkerInit, RuleWorkerMessage } from './rule-entity-thread.ts';

const port = parentPort;
if (!port) throw new Error('rule-entity-worker-body.ts runs only as a worker thread');
const init = workerData as RuleWorkerInit;
const post = (m: RuleWorkerMessage) => port.postMessage(m);

const rules = new RuleEntityRecognizer({ languages: init.languages });
post({ kind: 'ready', warmUpMs: init.warmUp ? rules.warmUp() : 0 });
// Jobs posted during the warm-up waited for it, not for a slow job: their staleness counts from now.
const readyAt = Date.now();

port.on('message', (job: RuleJob) => {
  if (Date.now() - Math.max(job.postedAt, readyAt) > init.staleMs) return post({ kind: 'skipped', id: job.id });
  const t0 = performance.now();
  const entities = rules.recognize(job.text, job.language, new Date(job.now));
  post({ kind: 'done', id: job.id, entities, ms: performance.now() - t0 });
});
