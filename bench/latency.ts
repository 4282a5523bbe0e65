/**
 * Head-to-head single-message latency, switchboard vs NLP.js, in ONE process and ONE run, so the ratio is not skewed
 * by the shared machine's load changing between runs. Both are trained on Banking77 train (switchboard the way
 * `switchboard train intent` trains by default, NLP.js with its defaults); then every test message is processed by
 * both, one at a time,
 * alternating which goes first. Reports p50/p99 (ms) of each and their ratios; writes bench/results/latency/banking77.json.
 *
 * `npx tsx bench/latency.ts [--rounds N]`
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { NlpManager } from 'node-nlp';
import { IntentClassifier } from '../src/nlu/intent/intent-classifier.ts';
import { saveIntentModel } from '../src/train/save-intent-model.ts';
import { trainIntentDefault } from '../src/train/train-intent-default.ts';
import { banking77 } from './datasets.ts';
import { percentile } from './lib/stats.ts';

const rounds = Number(process.argv[process.argv.indexOf('--rounds') + 1] || 1) || 1;
const ds = banking77();
const dir = mkdtempSync(join(tmpdir(), 'switchboard-latency-'));
const { trained } = await trainIntentDefault(ds.train, undefined, { fixed: { seed: 13 } });
await saveIntentModel(dir, trained, {
  quantize: trained.quantization.cost * 100 < 0.3,
  dataDescription: 'Banking77 train (latency benchmark)',
});
const clf = await IntentClassifier.load(dir);
const nlp = new NlpManager({ languages: ['en'], autoSave: false, nlu: { log: false } });
for (const e of ds.train) nlp.addDocument('en', e.text, e.intent as string);
await nlp.train();

const texts = ds.test.map((e) => e.text);
for (const t of texts.slice(0, 200)) {
  await clf.classifyOne(t);
  await nlp.process('en', t);
}
const ours: number[] = [];
const theirs: number[] = [];
const time = async (fn: () => Promise<unknown>, into: number[]) => {
  const t0 = process.hrtime.bigint();
  await fn();
  into.push(Number(process.hrtime.bigint() - t0) / 1e6);
};
for (let r = 0; r < rounds; r++) {
  for (let i = 0; i < texts.length; i++) {
    const a = () => time(() => clf.classifyOne(texts[i]), ours);
    const b = () => time(() => nlp.process('en', texts[i]), theirs);
    if (i % 2 === 0) {
      await a();
      await b();
    } else {
      await b();
      await a();
    }
  }
}
await clf.release();
rmSync(dir, { recursive: true, force: true });
const summary = (xs: number[]) => ({ p50_ms: percentile(xs, 50), p99_ms: percentile(xs, 99), n: xs.length });
const result = {
  dataset: 'banking77',
  date: new Date().toISOString(),
  machine: { cpu: cpus()[0]?.model, cores: cpus().length, node: process.version },
  command: 'npx tsx bench/latency.ts',
  switchboard: summary(ours),
  nlpjs: summary(theirs),
  ratio_p50: percentile(theirs, 50) / percentile(ours, 50),
  ratio_p99: percentile(theirs, 99) / percentile(ours, 99),
  note: 'one message at a time, same process, alternating order; switchboard = featurize in TS + one ONNX Runtime run',
};
mkdirSync(join(import.meta.dirname, 'results', 'latency'), { recursive: true });
writeFileSync(
  join(import.meta.dirname, 'results', 'latency', 'banking77.json'),
  `${JSON.stringify(result, null, 2)}\n`,
);
process.stdout.write(`${JSON.stringify(result)}\n`);
