/**
 * Runs the NER benchmark for bench/run.ts (`npm run bench -- --datasets ner`): one child process per system
 * (bench/ner/child.ts), one after another and under the machine-wide run lock, merging each result into
 * `<resultsDir>/ner.json`.
 */
import { join } from 'node:path';
import { runInfo } from '../lib/results-file.ts';
import { type BenchRunOptions, rerunCommand, runBenchChild } from '../lib/run-child.ts';
import { mergeNerResult, type NerSystemResult } from './results.ts';

/** The pseudo-dataset name that selects this benchmark in `--datasets`. */
export const NER_DATASET = 'ner';

/** Runs each system's child in turn; returns the systems that failed (their previous results are kept). */
export async function runNerBenchmark(options: BenchRunOptions): Promise<string[]> {
  const failures: string[] = [];
  for (const system of options.systems) {
    const label = `${NER_DATASET} × ${system}`;
    const done = await runBenchChild<NerSystemResult>({
      label,
      script: join('bench', 'ner', 'child.ts'),
      args: ['--system', system],
      outName: `ner.${system}.result.json`,
      quick: options.quick,
      seed: options.seed,
    });
    if (!done) {
      failures.push(label);
      continue;
    }
    const command = rerunCommand(NER_DATASET, system, options.quick);
    mergeNerResult(options.resultsDir, { ...done.result, run: { ...runInfo(command), id: options.runId } });
    console.log(`== ${label}: test F1 ${(100 * done.result.test.f1).toFixed(2)} in ${done.seconds.toFixed(0)} s`);
  }
  return failures;
}
