/**
 * Runs the NER benchmark for bench/run.ts (`npm run bench -- --datasets ner`): one child process per system
 * (bench/ner/child.ts), one after another and under the machine-wide run lock, merging each result into
 * `<resultsDir>/ner.json`.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ROOT } from '../lib/child-args.ts';
import { runInfo } from '../lib/results-file.ts';
import { acquireRunLock } from '../lib/run-lock.ts';
import { mergeNerResult, type NerSystemResult } from './results.ts';

/** The pseudo-dataset name that selects this benchmark in `--datasets`. */
export const NER_DATASET = 'ner';

/** What bench/run.ts passes on. */
export interface NerRunOptions {
  systems: readonly string[];
  quick: boolean;
  seed: string;
  resultsDir: string;
  /** The `npm run bench` invocation's id (its start time). */
  runId: string;
}

/** Runs each system's child in turn; returns the systems that failed (their previous results are kept). */
export async function runNerBenchmark(options: NerRunOptions): Promise<string[]> {
  const tsx = join(ROOT, 'node_modules', '.bin', 'tsx');
  const failures: string[] = [];
  for (const system of options.systems) {
    const label = `${NER_DATASET} × ${system}`;
    const out = join(ROOT, 'bench', 'work', options.quick ? 'quick' : 'full', `ner.${system}.result.json`);
    mkdirSync(dirname(out), { recursive: true });
    rmSync(out, { force: true });
    const argv = [join('bench', 'ner', 'child.ts'), '--system', system, '--out', out, '--seed', options.seed];
    if (options.quick) argv.push('--quick');
    console.log(`\n== ${label}: tsx ${argv.join(' ')}`);
    const release = await acquireRunLock(join(ROOT, 'bench', 'work', 'run.lock'), label);
    const started = Date.now();
    const code = await new Promise<number | null>((resolve) => {
      const child = spawn(tsx, argv, { cwd: ROOT, stdio: 'inherit' });
      child.on('exit', resolve);
      child.on('error', () => resolve(-1));
    }).finally(release);
    if (code !== 0 || !existsSync(out)) {
      console.error(`!! ${label} failed (exit ${code}); its previous result, if any, is kept`);
      failures.push(label);
      continue;
    }
    const result = JSON.parse(readFileSync(out, 'utf8')) as NerSystemResult;
    const command = `npm run bench -- --datasets ${NER_DATASET} --systems ${system}${options.quick ? ' --quick' : ''}`;
    mergeNerResult(options.resultsDir, { ...result, run: { ...runInfo(command), id: options.runId } });
    console.log(
      `== ${label}: test F1 ${(100 * result.test.f1).toFixed(2)} in ${((Date.now() - started) / 1000).toFixed(0)} s`,
    );
  }
  return failures;
}
