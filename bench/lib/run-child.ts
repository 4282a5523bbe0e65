/**
 * Runs one benchmark child — `tsx <script> <args> --out FILE [--quick] --seed N` — under the machine-wide run lock
 * (never two timed runs at once), and reads the JSON result it writes. bench/run.ts and the language and NER drivers
 * share it.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ROOT } from './child-args.ts';
import { acquireRunLock } from './run-lock.ts';

/** What bench/run.ts passes to a benchmark with its own systems (language, NER). */
export interface BenchRunOptions {
  systems: readonly string[];
  quick: boolean;
  seed: string;
  resultsDir: string;
  /** The `npm run bench` invocation's id (its start time). */
  runId: string;
}

/** One child to run: `label` names it in logs; its result goes to bench/work/<quick|full>/<outName>. */
export interface ChildRun {
  label: string;
  script: string;
  args: string[];
  outName: string;
  quick: boolean;
  seed: string;
}

/**
 * Runs the child and returns its result and wall time, or undefined when it failed (said on stderr; the caller keeps
 * the previous result).
 */
export async function runBenchChild<T>(run: ChildRun): Promise<{ result: T; seconds: number } | undefined> {
  const out = join(ROOT, 'bench', 'work', run.quick ? 'quick' : 'full', run.outName);
  mkdirSync(dirname(out), { recursive: true });
  rmSync(out, { force: true });
  const argv = [run.script, ...run.args, '--out', out, '--seed', run.seed];
  if (run.quick) argv.push('--quick');
  console.log(`\n== ${run.label}: tsx ${argv.join(' ')}`);
  const release = await acquireRunLock(join(ROOT, 'bench', 'work', 'run.lock'), run.label);
  const started = Date.now();
  const code = await new Promise<number | null>((resolve) => {
    const child = spawn(join(ROOT, 'node_modules', '.bin', 'tsx'), argv, { cwd: ROOT, stdio: 'inherit' });
    child.on('exit', resolve);
    child.on('error', () => resolve(-1));
  }).finally(release);
  if (code !== 0 || !existsSync(out)) {
    console.error(`!! ${run.label} failed (exit ${code}); its previous result, if any, is kept`);
    return undefined;
  }
  return { result: JSON.parse(readFileSync(out, 'utf8')) as T, seconds: (Date.now() - started) / 1000 };
}

/** The command that reruns one system of one benchmark, recorded with its result. */
export function rerunCommand(dataset: string, system: string, quick: boolean): string {
  return `npm run bench -- --datasets ${dataset} --systems ${system}${quick ? ' --quick' : ''}`;
}
