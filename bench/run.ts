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
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { LANGUAGE_DATASET, runLanguageBenchmark } from './language/driver.ts';
import { LANGUAGE_SYSTEMS } from './language/systems.ts';
import { DATASETS } from './lib/bench-data.ts';
import { ROOT } from './lib/child-args.ts';
import { renderBenchmarksFile } from './lib/render-benchmarks.ts';
import type { SystemResult } from './lib/result.ts';
import { mergeResult, runInfo } from './lib/results-file.ts';
import { acquireRunLock } from './lib/run-lock.ts';
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
const tsx = join(ROOT, 'node_modules', '.bin', 'tsx');
const failures: string[] = [];
const runId = new Date().toISOString();

for (const dataset of datasets) {
  for (const system of systems) {
    const out = join(ROOT, 'bench', 'work', values.quick ? 'quick' : 'full', `${dataset}.${system}.result.json`);
    rmSync(out, { force: true });
    const argv = [join('bench', 'systems', `${system}.ts`), '--dataset', dataset, '--out', out, '--seed', values.seed];
    if (values.quick) argv.push('--quick');
    console.log(`\n== ${dataset} × ${system}: tsx ${argv.join(' ')}`);
    const release = await acquireRunLock(join(ROOT, 'bench', 'work', 'run.lock'), `${dataset} × ${system}`);
    const started = Date.now();
    const code = await new Promise<number | null>((resolve) => {
      const child = spawn(tsx, argv, { cwd: ROOT, stdio: 'inherit' });
      child.on('exit', resolve);
      child.on('error', () => resolve(-1));
    }).finally(release);
    if (code !== 0 || !existsSync(out)) {
      console.error(`!! ${dataset} × ${system} failed (exit ${code}); its previous result, if any, is kept`);
      failures.push(`${dataset} × ${system}`);
      continue;
    }
    const result = JSON.parse(readFileSync(out, 'utf8')) as SystemResult;
    const command = `npm run bench -- --datasets ${dataset} --systems ${system}${values.quick ? ' --quick' : ''}`;
    mergeResult(resultsDir, { ...result, run: { ...runInfo(command), id: runId } });
    const score = result.accuracy ?? result.micro_f1 ?? Number.NaN;
    console.log(
      `== ${dataset} × ${system}: ${(100 * score).toFixed(2)} in ${((Date.now() - started) / 1000).toFixed(0)} s`,
    );
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
