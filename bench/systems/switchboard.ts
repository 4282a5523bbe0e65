/**
 * Benchmark child: switchboard's own intent model. Trains with `trainIntentModel` (options from
 * bench/switchboard-settings.ts), saves it int8-quantized with `saveIntentModel`, loads it back with
 * `IntentClassifier.load`, and measures everything through the loaded ONNX model: validation probabilities choose any
 * threshold, test predictions come from the single-message path (`classifyOne`), throughput from `classify` batches.
 * `tsx bench/systems/switchboard.ts --dataset NAME --out FILE [--quick] [--seed N]`
 */
import { readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { IntentClassifier, type IntentScore } from '../../src/nlu/intent/intent-classifier.ts';
import { saveIntentModel } from '../../src/train/save-intent-model.ts';
import { trainIntentModel } from '../../src/train/train-intent.ts';
import { loadDataset } from '../lib/bench-data.ts';
import { parseChildArgs } from '../lib/child-args.ts';
import type { Ranked } from '../lib/metrics.ts';
import { evaluate, latencySummary, writeResult } from '../lib/result.ts';
import { selfPeakRssMb, timed, timeOneByOne } from '../lib/stats.ts';
import { switchboardSettings } from '../switchboard-settings.ts';

const args = parseChildArgs('switchboard');
const ds = loadDataset(args.dataset, args.quick, args.seed);
const options = { ...switchboardSettings(args.dataset), seed: args.seed };

const training = await timed(() => trainIntentModel(ds.train, ds.valid, options));
const trained = training.value;
const dir = join(args.work, 'model');
rmSync(dir, { recursive: true, force: true });
await saveIntentModel(dir, trained, {
  quantize: true,
  metrics: { benchmark: args.dataset },
  dataDescription: `benchmark run on ${args.dataset}${args.quick ? ' (quick subsample)' : ''}`,
  createdBy: 'bench/systems/switchboard.ts',
});
// What the runtime loads (the model card is documentation only).
const modelBytes = readdirSync(dir)
  .filter((f) => f !== 'MODEL_CARD.md')
  .reduce((sum, f) => sum + statSync(join(dir, f)).size, 0);

const clf = await IntentClassifier.load(dir);
const toRanked = (r: IntentScore[]): Ranked => r.map((s) => [s.intent, s.score]);
const validRanked = ds.valid ? (await clf.classify(ds.valid.map((e) => e.text))).map(toRanked) : undefined;
for (const e of (ds.valid ?? ds.train).slice(0, 100)) await clf.classifyOne(e.text); // warm-up
const timing = await timeOneByOne(ds.test, (e) => clf.classifyOne(e.text));
const batch = await timed(() => clf.classify(ds.test.map((e) => e.text)));
const metrics = evaluate(ds, validRanked, timing.results.map(toRanked));

writeResult(args.out, {
  system: 'switchboard',
  dataset: args.dataset,
  mode: ds.mode,
  quick: args.quick,
  seed: args.seed,
  ...metrics,
  train_seconds: training.seconds,
  ...latencySummary(timing.latencies),
  throughput_per_s: ds.test.length / batch.seconds,
  throughput_mode: 'batched',
  model_bytes: modelBytes,
  peak_rss_mb: selfPeakRssMb(),
  settings: { ...trained.options, featurizer: trained.featurizer, quantize: true, overrides: options },
  notes: [
    'ONNX Runtime (onnxruntime-node), int8 embeddings; model size = the model directory without MODEL_CARD.md',
    'latency: IntentClassifier.classifyOne for one message (featurize in TS + one ONNX run)',
    'throughput: IntentClassifier.classify on the whole test set (batches of ≤ 64)',
    'peak RSS: one process trains, exports, loads and serves',
    ...(trained.threshold !== undefined ? [`trainer's own threshold ${trained.threshold.toFixed(3)} (not used)`] : []),
    ...trained.warnings,
    ...(timing.repeats > 0 ? [`latency: ${timing.repeats} extra calls cycle the test set again`] : []),
  ],
  date: new Date().toISOString(),
});
await clf.release();
