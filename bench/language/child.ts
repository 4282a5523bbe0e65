/**
 * Language-ID benchmark child: measures ONE system of bench/language/systems.ts in this process, so its load time
 * and peak RSS are its own. For each bot configuration (LANGUAGE_CONFIGS: the 9 core languages, then the 13 of mixed
 * scripts) it reads the four sets, loads the system for those languages (the first load is timed), detects every row
 * of every set; then times single `detect` calls on the core chat set, and writes one `LanguageSystemResult` JSON.
 * `tsx bench/language/child.ts --system NAME --out FILE [--quick] [--seed N]`
 */
import { writeFileSync } from 'node:fs';
import { languageMetrics } from '../../src/eval/language-metrics.ts';
import {
  LANGUAGE_CONFIGS,
  LANGUAGE_SETS,
  type LanguageConfig,
  type LanguageSet,
  languageSet,
} from '../language-data.ts';
import { parseSystemChildArgs } from '../lib/child-args.ts';
import { msSince, percentile, selfPeakRssMb, shuffled, timeOneByOne } from '../lib/stats.ts';
import type { LanguageSetResult, LanguageSystemResult } from './results.ts';
import { LANGUAGE_SYSTEMS, type RowHints, wrongHint } from './systems.ts';

/** Rows per set in a `--quick` run (a seeded subsample). */
const QUICK_ROWS = 300;
/** Untimed calls before timing, and the least number of timed calls (the full chat set is timed once if larger). */
const WARMUP_CALLS = 1000;
const MIN_TIMED_CALLS = 5000;

interface Row {
  text: string;
  language: string;
  hints: RowHints;
}

const values = parseSystemChildArgs('bench/language/child.ts', Object.keys(LANGUAGE_SYSTEMS));
const system = LANGUAGE_SYSTEMS[values.system];
const seed = values.seed;
const noHints: RowHints = {};

function readSets(config: LanguageConfig): Record<LanguageSet, Row[]> {
  const languages = LANGUAGE_CONFIGS[config];
  const sets = {} as Record<LanguageSet, Row[]>;
  for (const set of LANGUAGE_SETS) {
    const all = languageSet(set, config);
    const rows = values.quick ? shuffled(all, seed).slice(0, QUICK_ROWS) : all;
    sets[set] = rows.map((r, i) => ({
      ...r,
      hints:
        system.hint === 'gold'
          ? { previous: r.language }
          : system.hint === 'wrong'
            ? { previous: wrongHint(r.language, i, languages) }
            : noHints,
    }));
  }
  return sets;
}

function score(detect: (text: string, hints: RowHints) => string, sets: Record<LanguageSet, Row[]>, config: string) {
  const results = {} as Record<LanguageSet, LanguageSetResult>;
  for (const set of LANGUAGE_SETS) {
    const rows = sets[set];
    const predicted = rows.map((r) => detect(r.text, r.hints));
    const metrics = languageMetrics(
      rows.map((r) => r.text),
      rows.map((r) => r.language),
      predicted,
    );
    results[set] = { ...metrics, und: predicted.filter((p) => p === 'und').length };
    console.log(`   ${values.system} ${config} ${set}: ${(100 * metrics.accuracy).toFixed(2)}% of ${metrics.n}`);
  }
  return results;
}

const sets = readSets('core');
const mixedSets = readSets('mixed');

const mb = (bytes: number) => bytes / 2 ** 20;
const rssBefore = mb(process.memoryUsage().rss);
const loadStart = process.hrtime.bigint();
const detect = await system.load(LANGUAGE_CONFIGS.core);
const loadMs = msSince(loadStart);
const rssAfter = mb(process.memoryUsage().rss);

const results = score(detect, sets, 'core');
const mixed = score(await system.load(LANGUAGE_CONFIGS.mixed), mixedSets, 'mixed');

// Latency: single synchronous calls on the shuffled chat set (so every language and length is mixed in).
const order = shuffled(sets.chat, seed + 1);
let sink = 0;
for (let i = 0; i < WARMUP_CALLS; i++) {
  const r = order[i % order.length];
  sink += detect(r.text, r.hints).length;
}
const { latencies } = await timeOneByOne(order, (r) => (sink += detect(r.text, r.hints).length), MIN_TIMED_CALLS);
const timedCalls = latencies.length;
if (sink === 0) console.log('(no answers)'); // keeps the calls observable

const result: LanguageSystemResult = {
  system: values.system,
  description: system.description,
  quick: values.quick,
  seed,
  sets: results,
  mixed,
  latency_p50_ms: percentile(latencies, 50),
  latency_p99_ms: percentile(latencies, 99),
  latency_mean_ms: latencies.reduce((a, b) => a + b, 0) / latencies.length,
  latency_n: timedCalls,
  latency_warmup: WARMUP_CALLS,
  load_ms: loadMs,
  rss_before_load_mb: rssBefore,
  rss_after_load_mb: rssAfter,
  peak_rss_mb: selfPeakRssMb(),
  settings: system.settings,
  notes: system.notes,
  date: new Date().toISOString(),
};
writeFileSync(values.out, `${JSON.stringify(result, null, 2)}\n`);
console.log(
  `   ${values.system}: load ${loadMs.toFixed(0)} ms, p50 ${result.latency_p50_ms.toFixed(4)} ms, p99 ${result.latency_p99_ms.toFixed(4)} ms, peak RSS ${result.peak_rss_mb.toFixed(0)} MB`,
);
