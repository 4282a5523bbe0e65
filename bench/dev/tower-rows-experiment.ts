// Dev tool: how the feature rows split between the linear member (N) and the towers' tables (M) at the same size.
// Trains the linear member and one tower on the dataset's train split, stacks them on its VALIDATION split and prints
// (and appends to bench/results/tower-rows-validation.jsonl) the top-1 validation accuracy of each member and of the
// stack. Never reads test.
// Usage: tsx bench/dev/tower-rows-experiment.ts massive 140000 8000 [dim=128]
import { appendFileSync } from 'node:fs';
import { combineLogits, fitCombination } from '../../src/train/combine-members.ts';
import { dataDefaults } from '../../src/train/intent-search.ts';
import { prepareIntentData } from '../../src/train/prepare-intent-data.ts';
import { trainIntentMembers } from '../../src/train/train-intent-members.ts';
import { loadDataset } from '../lib/bench-data.ts';

const [name, n, m, d = '128'] = process.argv.slice(2);
const [N, M, dim] = [Number(n), Number(m), Number(d)];
const ds = loadDataset(name, false, 13);
if (!ds.valid) throw new Error(`${name} has no validation split`);
const t0 = performance.now();
const opts = {
  ...dataDefaults(ds.train.length, 'single'),
  seed: 13,
  maxRows: N,
  towerRows: M,
  dim,
  hidden: 256,
  ensemble: 2,
  heldFolds: 2,
  onlyTowers: 1,
  workers: 2,
};
const prepared = prepareIntentData(ds.train, ds.valid, opts);
const members = await trainIntentMembers(prepared, opts);
const C = prepared.labels.length;
const rows = members.held.map((h) => h.row);
const accuracy = (w: { deep: number; linear: number; offset: number }) => {
  const buf = new Float64Array(C);
  let right = 0;
  for (const r of rows) {
    combineLogits(r, w, buf);
    let best = 0;
    for (let c = 1; c < C; c++) if (buf[c] > buf[best]) best = c;
    if (best === r.target) right++;
  }
  return +((100 * right) / rows.length).toFixed(2);
};
const w = fitCombination(rows, 'single', C);
const line = JSON.stringify({
  name,
  rows: prepared.vocabulary.rows - 1,
  towerRows: Math.min(M, prepared.vocabulary.rows - 1),
  dim,
  linear: accuracy({ deep: 0, linear: 1, offset: 0 }),
  tower: accuracy({ deep: 1, linear: 0, offset: 0 }),
  stack: accuracy(w),
  seconds: Math.round((performance.now() - t0) / 1000),
});
console.log(line);
appendFileSync('bench/results/tower-rows-validation.jsonl', `${line}\n`);
