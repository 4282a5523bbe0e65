/**
 * Runs the language-identification benchmark for bench/run.ts (`npm run bench -- --datasets language`): one child
 * process per system (bench/language/child.ts), one after another and under the machine-wide run lock, merging each
 * result into `<resultsDir>/language.json`.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { BENCH_LANGUAGES } from '../language-data.ts';
import { ROOT } from '../lib/child-args.ts';
import { runInfo } from '../lib/results-file.ts';
import { acquireRunLock } from '../lib/run-lock.ts';
import { type LanguageSystemResult, mergeLanguageResult } from './results.ts';

/** The pseudo-dataset name that selects this benchmark in `--datasets`. */
export const LANGUAGE_DATASET = 'language';

/** What bench/run.ts passes on. */
export interface LanguageRunOptions {
  systems: readonly string[];
  quick: boolean;
  seed: string;
  resultsDir: string;
  /** The `npm run bench` invocation's id (its start time). */
  runId: string;
}

/** Runs each system's child in turn; returns the systems that failed (their previous results are kept). */
export async function runLanguageBenchmark(options: LanguageRunOptions): Promise<string[]> {
  const tsx = join(ROOT, 'node_modules', '.bin', 'tsx');
  const failures: string[] = [];
  for (const system of options.systems) {
    const out = join(ROOT, 'bench', 'work', options.quick ? 'quick' : 'full', `language.${system}.result.json`);
    mkdirSync(dirname(out), { recursive: true });
    rmSync(out, { force: true });
    const argv = [join('bench', 'language', 'child.ts'), '--system', system, '--out', out, '--seed', options.seed];
    if (options.quick) argv.push('--quick');
    console.log(`\n== ${LANGUAGE_DATASET} × ${system}: tsx ${argv.join(' ')}`);
    const release = await acquireRunLock(join(ROOT, 'bench', 'work', 'run.lock'), `${LANGUAGE_DATASET} × ${system}`);
    const started = Date.now();
    const code = await new Promise<number | null>((resolve) => {
      const child = spawn(tsx, argv, { cwd: ROOT, stdio: 'inherit' });
      child.on('exit', resolve);
      child.on('error', () => resolve(-1));
    }).finally(release);
    if (code !== 0 || !existsSync(out)) {
      console.error(`!! ${LANGUAGE_DATASET} × ${system} failed (exit ${code}); its previous result, if any, is kept`);
      failures.push(`${LANGUAGE_DATASET} × ${system}`);
      continue;
    }
    const result = JSON.parse(readFileSync(out, 'utf8')) as LanguageSystemResult;
    const command = `npm run bench -- --datasets ${LANGUAGE_DATASET} --systems ${system}${options.quick ? ' --quick' : ''}`;
    mergeLanguageResult(
      options.resultsDir,
      { ...result, run: { ...runInfo(command), id: options.runId } },
      BENCH_LANGUAGES,
    );
    console.log(
      `== ${LANGUAGE_DATASET} × ${system}: chat ${(100 * result.sets.chat.accuracy).toFixed(2)} in ${((Date.now() - started) / 1000).toFixed(0)} s`,
    );
  }
  return failures;
}
