/**
 * Writes a benchmark dataset's splits as switchboard JSONL files (`train.jsonl`, `valid.jsonl`, `test.jsonl`), so the
 * CLI can train and evaluate on them: `tsx bench/export-dataset.ts massive .tmp/massive`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadDataset } from './lib/bench-data.ts';

const [name, out] = process.argv.slice(2);
if (!name || !out) {
  process.stderr.write('usage: tsx bench/export-dataset.ts DATASET OUT_DIR\n');
  process.exit(2);
}
const ds = loadDataset(name, false, 1);
mkdirSync(out, { recursive: true });
for (const [split, rows] of [
  ['train', ds.train],
  ['valid', ds.valid ?? []],
  ['test', ds.test],
] as const) {
  if (rows.length === 0) continue;
  const lines = rows.map((e) => JSON.stringify({ text: e.text, intent: e.intent, language: e.language }));
  writeFileSync(join(out, `${split}.jsonl`), `${lines.join('\n')}\n`);
  process.stdout.write(`${join(out, `${split}.jsonl`)}: ${rows.length} rows\n`);
}
