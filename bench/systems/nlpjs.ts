/**
 * Benchmark child: NLP.js (`node-nlp`'s NlpManager with its defaults), in-process.
 * `tsx bench/systems/nlpjs.ts --dataset NAME --out FILE [--quick] [--seed N]`
 *
 * Each example is added with its `language` as the locale (NLP.js trains one network per locale) and test messages are
 * processed with their own locale (no language guessing). Languages without an NLP.js stemmer (Marathi, Amharic) fall
 * back to its default tokenizer. Multi-label data: an example is added once per label (once as `__none__` when it has
 * none) and the labels whose classification score ≥ a threshold chosen on validation are predicted.
 * NLP.js answers intent `None` when the top score is below its default threshold 0.5; the harness scores its ranked
 * classifications like every other system (top label, thresholds chosen on validation) and reports the defaults'
 * answer-or-None accuracy in `notes`.
 */
import { NlpManager, type NlpResult } from 'node-nlp';
import type { IntentExample } from '../../src/nlu/intent/intent-example.ts';
import { labelOf, labelsOf, loadDataset } from '../lib/bench-data.ts';
import { parseChildArgs } from '../lib/child-args.ts';
import { accuracy, NONE_LABEL, type Ranked } from '../lib/metrics.ts';
import { evaluate, latencySummary, writeResult } from '../lib/result.ts';
import { selfPeakRssMb, timed, timeOneByOne } from '../lib/stats.ts';

const args = parseChildArgs('nlpjs');
const ds = loadDataset(args.dataset, args.quick, args.seed);
const locale = (e: IntentExample) => e.language ?? 'en';
const languages = [...new Set(ds.train.map(locale))];
// autoSave off: otherwise train() writes model.nlp into the working directory. Everything else is NLP.js's default.
const manager = new NlpManager({ languages, autoSave: false, nlu: { log: false } });

const training = await timed(async () => {
  for (const e of ds.train) {
    const labels = labelsOf(e);
    for (const label of labels.length > 0 ? labels : [NONE_LABEL]) manager.addDocument(locale(e), e.text, label);
  }
  await manager.train();
});

const toRanked = (r: NlpResult): Ranked => r.classifications.map((c) => [c.intent, c.score]);
const process1 = (e: IntentExample) => manager.process(locale(e), e.text);
// Validation messages also warm the process up; the timed pass is over the test messages, one at a time.
const validResults = ds.valid ? await Promise.all(ds.valid.map(process1)) : [];
if (!ds.valid) for (const e of ds.train.slice(0, 100)) await process1(e);
const timing = await timeOneByOne(ds.test, process1);
const metrics = evaluate(ds, ds.valid ? validResults.map(toRanked) : undefined, timing.results.map(toRanked));
const notes = [
  `node-nlp ${(await import('node-nlp/package.json', { with: { type: 'json' } })).default.version}: NlpManager defaults; ` +
    'model size = manager.export(true) (JSON)',
  'latency: manager.process(locale, text) for one message (the full default pipeline: NLU, sentiment, answers)',
  'throughput: sequential (n / total time of the timed one-at-a-time pass; NLP.js has no batch call)',
];
if (ds.mode === 'single') {
  const answered = timing.results.map((r) => (r.score >= 0.5 ? r.intent : 'None'));
  notes.push(
    `with NLP.js's own answer (intent None below score 0.5): accuracy ${accuracy(ds.test.map(labelOf), answered).toFixed(4)}`,
  );
}
if (ds.mode === 'multi') {
  notes.push(
    'multi-label: each example added once per label (once as __none__ without one); predicted labels: ' +
      'classification score >= the threshold chosen on validation (NLP.js scores sum to 1 over labels)',
  );
}
if (languages.length > 1) {
  notes.push(`one network per locale (${languages.join(', ')}); each test message is processed with its true locale`);
}
if (timing.repeats > 0) {
  notes.push(`latency: ${timing.repeats} extra calls cycle the test set again (NLP.js caches each text's tokens)`);
}
const totalMs = timing.latencies.slice(0, ds.test.length).reduce((a, b) => a + b, 0);
writeResult(args.out, {
  system: 'nlpjs',
  dataset: args.dataset,
  mode: ds.mode,
  quick: args.quick,
  seed: args.seed,
  ...metrics,
  train_seconds: training.seconds,
  ...latencySummary(timing.latencies),
  throughput_per_s: ds.test.length / (totalMs / 1000),
  throughput_mode: 'sequential',
  model_bytes: Buffer.byteLength(manager.export(true)),
  peak_rss_mb: selfPeakRssMb(),
  settings: {
    class: 'NlpManager',
    languages,
    defaults: true,
    multi_label: ds.mode === 'multi' ? 'one document per (example, label); labels with score >= threshold' : undefined,
    seed: 'not applicable (NLP.js training is deterministic)',
  },
  notes,
  date: new Date().toISOString(),
});
