/**
 * Multi-label decision-rule experiment (issue 13): dumps a switchboard model's label-order probabilities on the
 * validation and test splits of a Multi3NLU++ language, with the gold labels, so that decision rules (global vs
 * per-label thresholds, a top-1 fallback, a cap on labels per row) can be compared offline — chosen on validation,
 * judged within validation by repeated halving (bench/dev/multilabel-decision-rules.py); test is only reported.
 * The model is the one the benchmark saved (`bench/work/full/multi3nlupp-LANG/switchboard/model`, trained by
 * `npm run bench`), or, with `--train`, one trained here exactly as the benchmark trains it (seed 13).
 * `npx tsx bench/dev/multilabel-decision-dump.ts LANG OUT.json [--train]`
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { IntentClassifier } from '../../src/nlu/intent/intent-classifier.ts';
import { saveIntentModel } from '../../src/train/save-intent-model.ts';
import { trainIntentDefault } from '../../src/train/train-intent-default.ts';
import { loadDataset } from '../lib/bench-data.ts';

const [lang, out, flag] = process.argv.slice(2);
if (!lang || !out) throw new Error('usage: multilabel-decision-dump.ts LANG OUT.json [--train]');
const ds = loadDataset(`multi3nlupp-${lang}`, false, 13);
let dir = join('bench', 'work', 'full', `multi3nlupp-${lang}`, 'switchboard', 'model');
if (flag === '--train') {
  const { trained, search, background, oos } = await trainIntentDefault(ds.train, ds.valid, { fixed: { seed: 13 } });
  dir = `${out}.model`;
  await saveIntentModel(dir, trained, {
    quantize: trained.quantization.cost * 100 < 0.3,
    dataDescription: `multi3nlupp-${lang} (decision-rule experiment)`,
    search,
    background,
    oos,
  });
}
const clf = await IntentClassifier.load(dir);
const probs = async (xs: { text: string }[]) => (await clf.scores(xs.map((e) => e.text))).map((p) => Array.from(p));
if (!ds.valid) throw new Error(`multi3nlupp-${lang} has no validation split`);
writeFileSync(
  out,
  JSON.stringify({
    labels: clf.labels,
    threshold: clf.threshold,
    model: dir,
    valid: { gold: ds.valid.map((e) => e.intent), probs: await probs(ds.valid) },
    test: { gold: ds.test.map((e) => e.intent), probs: await probs(ds.test) },
  }),
);
await clf.release();
