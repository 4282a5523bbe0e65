/**
 * `npm run bench [-- --datasets a,b] [--systems x,y] [--quick] [--seed N]`: trains and evaluates every system on every
 * dataset, one child process per (dataset, system) so each has its own peak RSS, one after another: never two timed
 * runs at once, even across concurrent invocations (lib/run-lock.ts). Writes bench/results/<dataset>.json and
 * regenerates docs/benchmarks.md. `--quick` runs on a small subsample (smoke test) and writes to
 * bench/work/quick-results/ and bench/work/benchmarks-quick.md instead.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DATASETS } from './lib/bench-data.ts';
import { ROOT } from './lib/child-args.ts';
import { renderBenchmarksFile } from './lib/render-benchmarks.ts';
import type { SystemResult } from './lib/result.ts';
import { mergeResult, runInfo } from './lib/results-file.ts';
import { acquireRunLock } from './lib/run-lock.ts';

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
const datasets = list(values.datasets, Object.keys(DATASETS));
const systems = list(values.systems, SYSTEMS);
for (const d of datasets)
  if (!DATASETS[d]) throw new Error(`unknown dataset ${d}: ${Object.keys(DATASETS).join(', ')}`);
for (const s of systems) if (!SYSTEMS.includes(s)) throw new Error(`unknown system ${s}: ${SYSTEMS.join(', ')}`);

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

renderBenchmarksFile(resultsDir, docFile);
console.log(`\nwrote ${resultsDir}/*.json and ${docFile}`);
if (failures.length > 0) {
  console.error(`failed: ${failures.join(', ')}`);
  process.exitCode = 1;
}
