/**
 * NER benchmark child: measures ONE system of bench/ner/systems.ts in this process (so its load time and peak RSS are
 * its own). Reads CoNLL-2003 test, loads the system (switchboard trains first), tags every test sentence as given and
 * lower-cased, scores with `nerMetrics` (entity-level, exact span and type), then times single calls on the sentence
 * texts, and writes one `NerSystemResult` JSON.
 * `tsx bench/ner/child.ts --system NAME --out FILE [--quick] [--seed N]`
 */
import { writeFileSync } from 'node:fs';
import { nerMetrics } from '../../src/eval/ner-metrics.ts';
import { parseSystemChildArgs } from '../lib/child-args.ts';
import { msSince, percentile, selfPeakRssMb, shuffled, timeOneByOne } from '../lib/stats.ts';
import { charSpansToBio, conllSplit, joinTokens, keepTypes, lowerTokens, TARGET_TOKENS, wnutSplit } from './data.ts';
import type { NerLatency, NerSystemResult, WnutResult } from './results.ts';
import { type NativeCounts, NER_SYSTEMS, type NerSystem } from './systems.ts';

/** Test sentences in a `--quick` run (a seeded subsample). */
const QUICK_ROWS = 300;
/** Untimed calls before timing, and the least number of timed calls per latency set (cycled if the set is smaller). */
const WARMUP_CALLS = 500;
const MIN_TIMED_CALLS = 3000;

/**
 * WNUT-17 dev: the system trained on WNUT train and tuned on dev (switchboard) or with its types mapped (peers), every
 * dev sentence tagged as given and lower-cased, scored with `nerMetrics`; a peer also on the types it has.
 */
async function scoreWnut(load: NonNullable<NerSystem['wnut']>, types?: readonly string[]): Promise<WnutResult> {
  const all = wnutSplit('dev');
  const dev = values.quick ? shuffled(all, seed).slice(0, QUICK_ROWS) : all;
  const sys = await load({ quick: values.quick, seed });
  const tags: string[][] = [];
  const lower: string[][] = [];
  for (const s of dev) tags.push(await sys.tag(s.tokens));
  for (const s of dev) lower.push(await sys.tag(lowerTokens(s.tokens)));
  await sys.release?.();
  const g = dev.map((s) => s.tags);
  const out: WnutResult = { dev: nerMetrics(g, tags), dev_lowercase: nerMetrics(g, lower) };
  if (types) {
    out.types = [...types];
    out.dev_own_types = nerMetrics(
      g.map((t) => keepTypes(t, types)),
      tags,
    );
  }
  if (sys.trainSeconds !== undefined) out.train_seconds = sys.trainSeconds;
  if (sys.modelBytes !== undefined) out.model_bytes = sys.modelBytes;
  if (sys.training) out.training = sys.training;
  console.log(`   ${values.system}: WNUT-17 dev F1 ${(100 * out.dev.f1).toFixed(2)} (${dev.length} sentences)`);
  return out;
}

const values = parseSystemChildArgs('bench/ner/child.ts', Object.keys(NER_SYSTEMS));
const system = NER_SYSTEMS[values.system];
const seed = values.seed;
const allTest = conllSplit('test');
const test = values.quick ? shuffled(allTest, seed).slice(0, QUICK_ROWS) : allTest;
const gold = test.map((s) => s.tags);

const loadStart = process.hrtime.bigint();
const loaded = await system.load({ quick: values.quick, seed });
const loadMs = loaded.loadMs ?? msSince(loadStart);
if (loaded.trainSeconds !== undefined)
  console.log(`   ${values.system}: trained in ${loaded.trainSeconds.toFixed(1)} s`);

const tagAll = async (lower: boolean) => {
  const out: string[][] = [];
  for (const s of test) out.push(await loaded.tag(lower ? lowerTokens(s.tokens) : s.tokens));
  return out;
};
const predicted = await tagAll(false);
// The peers' own entity types over the test set as given (copied before the lower-cased pass adds to them).
const native = loaded.counts ? (JSON.parse(JSON.stringify(loaded.counts())) as NativeCounts) : undefined;
const predictedLower = await tagAll(true);
const own = [...system.types];
const goldOwn = gold.map((g) => keepTypes(g, own));
const testMetrics = nerMetrics(gold, predicted);
const lowerMetrics = nerMetrics(gold, predictedLower);
console.log(
  `   ${values.system}: test F1 ${(100 * testMetrics.f1).toFixed(2)}, lower-cased ${(100 * lowerMetrics.f1).toFixed(2)} (${test.length} sentences)`,
);

let fromText: NerSystemResult['test_from_text'];
if (loaded.spans) {
  const viaText: string[][] = [];
  for (const s of test) {
    const joined = joinTokens(s.tokens);
    viaText.push(charSpansToBio(await loaded.spans(joined.text), joined).tags);
  }
  fromText = nerMetrics(gold, viaText);
  console.log(`   ${values.system}: test F1 from recognize(text) ${(100 * fromText.f1).toFixed(2)}`);
}

// Latency: single calls on the sentence texts (tokens joined by spaces), in a seeded shuffled order.
const texts = shuffled(test, seed + 1).map((s) => ({ text: joinTokens(s.tokens).text, n: s.tokens.length }));
const target = texts.filter((t) => t.n >= TARGET_TOKENS.min && t.n <= TARGET_TOKENS.max);
let sink = 0;
for (let i = 0; i < WARMUP_CALLS; i++) sink += await loaded.call(texts[i % texts.length].text);
const timeCalls = async (set: { text: string }[]): Promise<NerLatency> => {
  const { latencies } = await timeOneByOne(set, async (t) => (sink += await loaded.call(t.text)), MIN_TIMED_CALLS);
  return {
    p50_ms: percentile(latencies, 50),
    p99_ms: percentile(latencies, 99),
    mean_ms: latencies.reduce((a, b) => a + b, 0) / latencies.length,
    n: latencies.length,
    sentences: set.length,
  };
};
const latency = await timeCalls(texts);
const latencyTarget = await timeCalls(target);
if (sink < 0) console.log('(impossible)'); // keeps the calls observable
await loaded.release?.();
const wnut = system.wnut ? await scoreWnut(system.wnut, system.wnutTypes) : undefined;

const result: NerSystemResult = {
  system: values.system,
  title: system.title,
  description: system.description,
  quick: values.quick,
  seed,
  types: own,
  test: testMetrics,
  test_lowercase: lowerMetrics,
  test_own_types: nerMetrics(goldOwn, predicted),
  test_own_types_lowercase: nerMetrics(goldOwn, predictedLower),
  ...(fromText ? { test_from_text: fromText } : {}),
  latency,
  latency_target: latencyTarget,
  latency_warmup: WARMUP_CALLS,
  load_ms: loadMs,
  ...(loaded.trainSeconds !== undefined ? { train_seconds: loaded.trainSeconds } : {}),
  ...(loaded.modelBytes !== undefined ? { model_bytes: loaded.modelBytes } : {}),
  ...(loaded.training ? { training: loaded.training } : {}),
  ...(native ? { native } : {}),
  ...(wnut ? { wnut } : {}),
  peak_rss_mb: selfPeakRssMb(),
  settings: system.settings,
  notes: system.notes,
  date: new Date().toISOString(),
};
writeFileSync(values.out, `${JSON.stringify(result, null, 2)}\n`);
console.log(
  `   ${values.system}: load ${loadMs.toFixed(0)} ms, p50 ${latency.p50_ms.toFixed(3)} ms, p99 ${latency.p99_ms.toFixed(3)} ms; ` +
    `${TARGET_TOKENS.min}–${TARGET_TOKENS.max} tokens (${target.length} sentences) p50 ${latencyTarget.p50_ms.toFixed(3)} ms, p99 ${latencyTarget.p99_ms.toFixed(3)} ms`,
);
