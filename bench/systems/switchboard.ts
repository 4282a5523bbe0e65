/**
 * Benchmark child: switchboard's own intent model, trained exactly as `switchboard train intent --data F [--valid V]
 * --seed N` trains it (`trainIntentDefault`: background corpus, configuration search — no per-dataset settings), saved
 * with `saveIntentModel` as the CLI saves it (int8 when it costs < 0.3 points), loaded back with
 * `IntentClassifier.load`, and measured through the loaded ONNX model with the model's own threshold (what the product
 * uses): test predictions come from the single-message path (`classifyOne`), throughput from `classify` batches.
 * `tsx bench/systems/switchboard.ts --dataset NAME --out FILE [--quick] [--seed N]`
 */
import { readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { IntentClassifier, type IntentScore } from '../../src/nlu/intent/intent-classifier.ts';
import { saveIntentModel } from '../../src/train/save-intent-model.ts';
import { trainIntentDefault } from '../../src/train/train-intent-default.ts';
import { loadDataset } from '../lib/bench-data.ts';
import { parseChildArgs } from '../lib/child-args.ts';
import type { Ranked } from '../lib/metrics.ts';
import { evaluate, latencySummary, writeResult } from '../lib/result.ts';
import { selfPeakRssMb, timed, timeOneByOne } from '../lib/stats.ts';

/** `--quantize auto` of the CLI: int8 when it costs less than this many points on held-out data. */
const AUTO_QUANTIZE_MAX_COST = 0.3;

const args = parseChildArgs('switchboard');
const ds = loadDataset(args.dataset, args.quick, args.seed);
const searchLog: string[] = [];
const training = await timed(() =>
  trainIntentDefault(ds.train, ds.valid, { fixed: { seed: args.seed }, log: (l) => searchLog.push(l) }),
);
const { trained, search, background, oos } = training.value;
const quantize = trained.quantization.cost * 100 < AUTO_QUANTIZE_MAX_COST;
const dir = join(args.work, 'model');
rmSync(dir, { recursive: true, force: true });
await saveIntentModel(dir, trained, {
  quantize,
  metrics: { benchmark: args.dataset },
  dataDescription: `benchmark run on ${args.dataset}${args.quick ? ' (quick subsample)' : ''}`,
  createdBy: 'bench/systems/switchboard.ts',
  search,
  background,
  oos,
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
const metrics = evaluate(ds, validRanked, timing.results.map(toRanked), clf.threshold ?? 0);

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
  settings: {
    chosen: search.chosen,
    dim: trained.options.dim,
    hidden: trained.options.hidden,
    towers: trained.options.ensemble,
    linear: trained.options.linear,
    linear_c: trained.options.linear ? trained.options.linearC : undefined,
    linear_c_search: search.linearC
      ? {
          fixed: search.linearC.fixed,
          comparedOn: search.linearC.comparedOn,
          seconds: search.linearC.seconds,
          trials: search.linearC.trials,
        }
      : undefined,
    rows: trained.vocabulary.rows,
    quantize,
    combination: trained.combination,
    background: background
      ? { lines: background.trainLines, held: background.heldLines, languages: background.languages }
      : 'none',
    search: search.trials.map((t) => ({
      name: t.candidate.name,
      score: t.score,
      seconds: t.seconds,
      skipped: t.skipped,
    })),
  },
  notes: [
    "trained as `switchboard train intent` trains by default (search, background corpus); the model's own threshold",
    `ONNX Runtime (onnxruntime-node), ${quantize ? 'int8' : 'float32'} tables; model size = the model directory without MODEL_CARD.md`,
    'latency: IntentClassifier.classifyOne for one message (featurize in TS + one ONNX run)',
    'throughput: IntentClassifier.classify on the whole test set (batches of ≤ 64)',
    'peak RSS: one process trains, exports, loads and serves',
    ...(trained.threshold !== undefined ? [`model threshold ${trained.threshold.toFixed(3)}`] : []),
    ...searchLog,
    ...trained.warnings,
    ...(timing.repeats > 0 ? [`latency: ${timing.repeats} extra calls cycle the test set again`] : []),
  ],
  date: new Date().toISOString(),
});
await clf.release();
