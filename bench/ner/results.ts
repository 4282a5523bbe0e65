/**
 * bench/results/ner.json: every NER system's latest result, each with the run it came from, so re-running one system
 * replaces only its own entry. It has no `dataset` field, so the intent renderer's `readAllResults` skips it.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NerMetrics } from '../../src/eval/ner-metrics.ts';
import type { RunInfo } from '../lib/results-file.ts';
import type { NativeCounts } from './systems.ts';

/** p50 / p99 / mean of single timed calls. */
export interface NerLatency {
  p50_ms: number;
  p99_ms: number;
  mean_ms: number;
  /** Timed calls. */
  n: number;
  /** Distinct sentences they cycled over. */
  sentences: number;
}

/** WNUT-17 dev scores of one system (switchboard trained on WNUT train, tuned on dev; peers' types mapped). */
export interface WnutResult {
  dev: NerMetrics;
  dev_lowercase: NerMetrics;
  /** Peers: the WNUT types they can produce, and the scores with gold entities of the other types removed. */
  types?: string[];
  dev_own_types?: NerMetrics;
  train_seconds?: number;
  model_bytes?: number;
  training?: Record<string, unknown>;
}

/** Everything one child reports (`bench/ner/child.ts --out FILE`). */
export interface NerSystemResult {
  system: string;
  title: string;
  description: string;
  quick: boolean;
  seed: number;
  /** CoNLL types the system can produce. */
  types: string[];
  /** All four types, on the test tokens as given. */
  test: NerMetrics;
  /** All four types, on a lower-cased copy of the test tokens. */
  test_lowercase: NerMetrics;
  /** Only the types the system can produce (gold entities of the other types removed), as given / lower-cased. */
  test_own_types: NerMetrics;
  test_own_types_lowercase: NerMetrics;
  /** switchboard only: the same test scored from `recognize(joined text)` (its own tokenizer), spans mapped back. */
  test_from_text?: NerMetrics;
  /** Single calls on every test sentence (shuffled), after `latency_warmup` untimed calls. */
  latency: NerLatency;
  /** Single calls cycling over the test sentences of 25–35 tokens. */
  latency_target: NerLatency;
  latency_warmup: number;
  /** Import + load (not training), in ms. */
  load_ms: number;
  train_seconds?: number;
  model_bytes?: number;
  training?: Record<string, unknown>;
  native?: NativeCounts;
  /** WNUT-17 dev, for the systems that have it. */
  wnut?: WnutResult;
  peak_rss_mb: number;
  settings: Record<string, unknown>;
  notes: string[];
  date: string;
}

/** A system's result with its run. */
export interface NerEntry extends NerSystemResult {
  run: RunInfo;
}

/** The content of bench/results/ner.json. */
export interface NerResults {
  benchmark: 'ner';
  /** Test sentences and gold entities in the latest run, and sentences of 25–35 tokens. */
  test_sentences: number;
  test_entities: number;
  target_sentences: number;
  machine: RunInfo;
  updated: string;
  systems: Record<string, NerEntry>;
}

/** The file name inside a results directory. */
export const NER_RESULTS_FILE = 'ner.json';

/** Reads `DIR/ner.json`, if there is one. */
export function readNerResults(dir: string): NerResults | undefined {
  const file = join(dir, NER_RESULTS_FILE);
  if (!existsSync(file)) return undefined;
  const data = JSON.parse(readFileSync(file, 'utf8')) as Partial<NerResults>;
  return data.benchmark === 'ner' && data.systems ? (data as NerResults) : undefined;
}

/** Adds (or replaces) a system's entry in `DIR/ner.json`. */
export function mergeNerResult(dir: string, entry: NerEntry): void {
  mkdirSync(dir, { recursive: true });
  const current: NerResults = readNerResults(dir) ?? {
    benchmark: 'ner',
    test_sentences: 0,
    test_entities: 0,
    target_sentences: 0,
    machine: entry.run,
    updated: '',
    systems: {},
  };
  current.systems[entry.system] = entry;
  current.test_sentences = entry.test.n;
  current.test_entities = entry.test.support;
  current.target_sentences = entry.latency_target.sentences;
  current.machine = entry.run;
  current.updated = new Date().toISOString();
  writeFileSync(join(dir, NER_RESULTS_FILE), `${JSON.stringify(current, null, 2)}\n`);
}
