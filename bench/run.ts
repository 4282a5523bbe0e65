/**
 * `npm run bench [-- --datasets a,b] [--systems x,y] [--quick] [--seed N]`: trains and evaluates every system on every
 * dataset, one child process per (dataset, system) so each has its own peak RSS, one after another: never two timed
 * runs at once, even across concurrent invocations (lib/run-lock.ts). Writes bench/results/<dataset>.json and
 * regenerates docs/benchmarks.md. `--quick` runs on a small subsample (smoke test) and writes to
 * bench/work/quick-results/ and bench/work/benchmarks-quick.md instead. The pseudo-dataset `language` is the
 * language-identification benchmark (bench/language/): its own systems (LANGUAGE_SYSTEMS), which `--systems` may
 * subset too; it runs after the intent datasets and writes bench/results/language.json. The pseudo-dataset `ner` is the
 * named-entity benchmark (bench/ner/): its own systems (NER_SYSTEMS), run last, writing bench/results/ner.json.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { LANGUAGE_DATASET, runLanguageBenchmark } from './language/driver.ts';
import { LANGUAGE_SYSTEMS } from './language/systems.ts';
import { DATASETS } from './lib/bench-data.ts';
import { ROOT } from './lib/child-args.ts';
import { renderBenchmarksFile } from './lib/render-benchmarks.ts';
import type { SystemResult } from './lib/result.ts';
import { mergeResult, runInfo } from './lib/results-file.ts';
import { rerunCommand, runBenchChild } from './lib/run-child.ts';
import { NER_DATASET, runNerBenchmark } from './ner/driver.ts';
import { NER_SYSTEMS } from './ner/systems.ts';

/** Every system, in the order they run. */
export const SYSTEMS = ['switchboard', 'nlpjs', 'fasttext', 'svm'];

const { values } = parseArgs({
  options: {
    datasets: { type: 'string' },
    systems: { type: 'string' },
    quick: { type: 'boolean', default: false },
    seed: { type: 'string', default: '13' },
  },
});
const list = (v: string | undefined, all: string[]) => (v ? v.split(',').map((s) => s.trim()) : all);
const ALL_DATASETS = [...Object.keys(DATASETS), LANGUAGE_DATASET, NER_DATASET];
const LANGUAGE_SYSTEM_NAMES = Object.keys(LANGUAGE_SYSTEMS);
const NER_SYSTEM_NAMES = Object.keys(NER_SYSTEMS);
const requested = list(values.datasets, ALL_DATASETS);
for (const d of requested)
  if (!ALL_DATASETS.includes(d)) throw new Error(`unknown dataset ${d}: ${ALL_DATASETS.join(', ')}`);
const chosenSystems = values.systems ? list(values.systems, []) : undefined;
for (const s of chosenSystems ?? []) {
  if (!SYSTEMS.includes(s) && !LANGUAGE_SYSTEM_NAMES.includes(s) && !NER_SYSTEM_NAMES.includes(s)) {
    throw new Error(
      `unknown system ${s}: intent ${SYSTEMS.join(', ')}; language ${LANGUAGE_SYSTEM_NAMES.join(', ')}; ner ${NER_SYSTEM_NAMES.join(', ')}`,
    );
  }
}
/** The systems of one benchmark to run: all of them in their own order, or the chosen ones it has, in the order given. */
const pick = (own: string[]) => (chosenSystems ? [...new Set(chosenSystems.filter((s) => own.includes(s)))] : own);
// `switchboard` names a system of all three benchmarks.
const datasets = requested.filter((d) => d !== LANGUAGE_DATASET && d !== NER_DATASET);
const systems = pick(SYSTEMS);
const languageSystems = requested.includes(LANGUAGE_DATASET) ? pick(LANGUAGE_SYSTEM_NAMES) : [];
const nerSystems = requested.includes(NER_DATASET) ? pick(NER_SYSTEM_NAMES) : [];
if (datasets.length > 0 && systems.length === 0)
  console.log(`.. no intent system chosen: skipping ${datasets.join(', ')}`);
if (requested.includes(LANGUAGE_DATASET) && languageSystems.length === 0) {
  console.log('.. no language system chosen: skipping the language benchmark');
}
if (requested.includes(NER_DATASET) && nerSystems.length === 0) {
  console.log('.. no NER system chosen: skipping the NER benchmark');
}

const resultsDir = values.quick ? join(ROOT, 'bench', 'work', 'quick-results') : join(ROOT, 'bench', 'results');
const docFile = values.quick ? join(ROOT, 'bench', 'work', 'benchmarks-quick.md') : join(ROOT, 'docs', 'benchmarks.md');
const failures: string[] = [];
const runId = new Date().toISOString();

for (const dataset of datasets) {
  for (const system of systems) {
    const label = `${dataset} × ${system}`;
    const done = await runBenchChild<SystemResult>({
      label,
      script: join('bench', 'systems', `${system}.ts`),
      args: ['--dataset', dataset],
      outName: `${dataset}.${system}.result.json`,
      quick: values.quick,
      seed: values.seed,
    });
    if (!done) {
      failures.push(label);
      continue;
    }
    const command = rerunCommand(dataset, system, values.quick);
    mergeResult(resultsDir, { ...done.result, run: { ...runInfo(command), id: runId } });
    const score = done.result.accuracy ?? done.result.micro_f1 ?? Number.NaN;
    console.log(`== ${label}: ${(100 * score).toFixed(2)} in ${done.seconds.toFixed(0)} s`);
  }
}

if (languageSystems.length > 0) {
  failures.push(
    ...(await runLanguageBenchmark({
      systems: languageSystems,
      quick: values.quick,
      seed: values.seed,
      resultsDir,
      runId,
    })),
  );
}

if (nerSystems.length > 0) {
  failures.push(
    ...(await runNerBenchmark({ systems: nerSystems, quick: values.quick, seed: values.seed, resultsDir, runId })),
  );
}

renderBenchmarksFile(resultsDir, docFile);
console.log(`\nwrote ${resultsDir}/*.json and ${docFile}`);
if (failures.length > 0) {
  console.error(`failed: ${failures.join(', ')}`);
  process.exitCode = 1;
}
