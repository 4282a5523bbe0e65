/**
 * Calibrates the search's work units (issue 13): on a quiet machine, times one tower's training per example-epoch
 * (the search's probe) and one linear fit, and divides the multiply-adds the cost model counts by the seconds. The
 * constants in src/train/intent-search.ts come from this script's output; it changes nothing itself.
 * `npx tsx bench/dev/budget-calibration.ts [dataset...]` (default: banking77 clinc150 multi3nlupp-english massive)
 */

import { dataDefaults } from '../../src/train/intent-search.ts';
import { trainLinearSvm } from '../../src/train/linear-svm.ts';
import { linearWorkMadds, towerWorkMadds } from '../../src/train/member-pool.ts';
import { DEFAULT_TRAIN_OPTIONS, prepareIntentData } from '../../src/train/train-intent.ts';
import { secondsPerExampleEpoch } from '../../src/train/train-tower.ts';
import { loadDataset } from '../lib/bench-data.ts';

const names = process.argv.slice(2).length
  ? process.argv.slice(2)
  : ['banking77', 'clinc150', 'multi3nlupp-english', 'massive'];
for (const name of names) {
  const ds = loadDataset(name, false, 13);
  const mode = ds.mode;
  const base = { ...DEFAULT_TRAIN_OPTIONS, ...dataDefaults(ds.train.length, mode) };
  const p = prepareIntentData(ds.train, ds.valid, { ...base, maxRows: 60_000 });
  const C = p.labels.length;
  for (const [dim, hidden] of [
    [64, 256],
    [128, 256],
  ]) {
    const o = { ...base, dim, hidden };
    const job = {
      train: p.train,
      valid: p.train,
      idf: p.idf,
      labels: C,
      rows: p.vocabulary.rows,
      mode: p.mode,
      k: 0,
      opts: o,
    };
    const s = Math.min(...[0, 1, 2].map(() => secondsPerExampleEpoch(job, 512)));
    const madds = towerWorkMadds(p.train.bags, dim, hidden, C, 1) / p.train.bags.length;
    console.log(
      `${name} tower ${dim}/${hidden}: ${(s * 1e6).toFixed(1)} us/example-epoch, ${madds.toFixed(0)} madds → ${(madds / s / 1e6).toFixed(0)} M/s`,
    );
  }
  const n = Math.min(p.train.linear.length, 8000);
  const rows = p.train.linear.slice(0, n);
  const t0 = performance.now();
  trainLinearSvm(rows, p.train.targets.slice(0, n), p.vocabulary.rows, C, {
    c: 1,
    tolerance: 0.1,
    maxPasses: 100,
    seed: 1,
  });
  const s = (performance.now() - t0) / 1000;
  const madds = linearWorkMadds(rows, C);
  console.log(
    `${name} linear (${n} rows, ${C} labels): ${s.toFixed(2)} s, ${(madds / 1e6).toFixed(0)} M madds → ${(madds / s / 1e6).toFixed(0)} M/s`,
  );
}
