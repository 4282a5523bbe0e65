/**
 * A machine-wide lock around each timed child of bench/run.ts, so two `npm run bench` invocations started at the
 * same time take turns instead of timing each other's load (the benchmark machine has 2 cores).
 */
import { mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Waits until `file` can be created (a holder that died is ignored), then holds it; returns the release function. */
export async function acquireRunLock(file: string, label: string): Promise<() => void> {
  mkdirSync(dirname(file), { recursive: true });
  let announced = false;
  for (;;) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, `${process.pid}\n${label}\n`);
      return () => rmSync(file, { force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    let holder = Number.NaN;
    try {
      holder = Number.parseInt(readFileSync(file, 'utf8'), 10);
    } catch {
      continue; // released in between
    }
    if (!Number.isFinite(holder) || !alive(holder)) {
      rmSync(file, { force: true });
      continue;
    }
    if (!announced) console.log(`.. waiting for another benchmark run (pid ${holder}) to finish its child`);
    announced = true;
    await sleep(2000);
  }
}
