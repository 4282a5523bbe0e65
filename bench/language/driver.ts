/**
 * Runs the language-identification benchmark for bench/run.ts (`npm run bench -- --datasets language`): one child
 * process per system (bench/language/child.ts), one after another and under the machine-wide run lock, merging each
 * result into `<resultsDir>/language.json`.
 */
import { join } from 'node:path';
import { BENCH_LANGUAGES } from '../language-data.ts';
import { runInfo } from '../lib/results-file.ts';
import { type BenchRunOptions, rerunCommand, runBenchChild } from '../lib/run-child.ts';
import { writeReadmeLanguageTable } from './readme.ts';
import { type LanguageSystemResult, mergeLanguageResult } from './results.ts';

/** The pseudo-dataset name that selects this benchmark in `--datasets`. */
export const LANGUAGE_DATASET = 'language';

/** Runs each system's child in turn; returns the systems that failed (their previous results are kept). */
export async function runLanguageBenchmark(options: BenchRunOptions): Promise<string[]> {
  const failures: string[] = [];
  for (const system of options.systems) {
    const label = `${LANGUAGE_DATASET} × ${system}`;
    const done = await runBenchChild<LanguageSystemResult>({
      label,
      script: join('bench', 'language', 'child.ts'),
      args: ['--system', system],
      outName: `language.${system}.result.json`,
      quick: options.quick,
      seed: options.seed,
    });
    if (!done) {
      failures.push(label);
      continue;
    }
    const command = rerunCommand(LANGUAGE_DATASET, system, options.quick);
    mergeLanguageResult(
      options.resultsDir,
      { ...done.result, run: { ...runInfo(command), id: options.runId } },
      BENCH_LANGUAGES,
    );
    console.log(
      `== ${label}: chat ${(100 * done.result.sets.chat.accuracy).toFixed(2)} in ${done.seconds.toFixed(0)} s`,
    );
  }
  if (!options.quick) writeReadmeLanguageTable(options.resultsDir, join(import.meta.dirname, '..', '..', 'README.md'));
  return failures;
}
