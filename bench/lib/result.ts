/**
 * The one JSON record each system child writes (`--out FILE`), and how the metric part of it is computed from a
 * system's ranked predictions on the validation and test splits.
 */
import { writeFileSync } from 'node:fs';
import type { DatasetSplits } from '../datasets.ts';
import { hasOos, labelOf, labelsOf } from './bench-data.ts';
import {
  accuracy,
  chooseMultiThreshold,
  chooseOosThreshold,
  macroF1,
  multiLabels,
  multiScores,
  oosScores,
  type Ranked,
  top,
  withThreshold,
} from './metrics.ts';
import { percentile } from './stats.ts';

/** Metrics of one system on one dataset (fractions 0–1). */
export interface Metrics {
  n_test: number;
  /** Single-label: share of test messages whose final label (after any OOS threshold) is right. */
  accuracy?: number;
  /** Multi-label: micro-F1 over all (example, label) decisions. */
  micro_f1?: number;
  micro_precision?: number;
  micro_recall?: number;
  exact_match?: number;
  macro_f1: number;
  /** CLINC150: in-scope accuracy and OOS recall at the threshold chosen on validation. */
  in_scope_accuracy?: number;
  oos_recall?: number;
  /** The decision threshold chosen on validation (OOS or multi-label), in the system's own score scale. */
  threshold?: number;
  /** CLINC150: the same without any threshold (the top label as is). */
  no_threshold?: { accuracy: number; in_scope_accuracy: number; oos_recall: number };
  /** Accuracy (single) or micro-F1 (multi) per `language` of the test examples. */
  per_language?: Record<string, number>;
}

/** Everything one child reports. */
export interface SystemResult extends Metrics {
  system: string;
  dataset: string;
  mode: 'single' | 'multi';
  quick: boolean;
  seed: number;
  train_seconds: number;
  /** Seconds spent on the hyper-parameter search before the final training (peers that tune). */
  tuning_seconds?: number;
  latency_p50_ms: number;
  latency_p99_ms: number;
  latency_mean_ms: number;
  /** Number of timed single-message calls (≥ 1000). */
  latency_n: number;
  throughput_per_s: number;
  throughput_mode: 'batched' | 'sequential';
  model_bytes: number;
  /** Peak RSS of the process that trains and runs the model (see notes for what it covers). */
  peak_rss_mb: number;
  /** Peak RSS of the node driver when the model runs in another process (python peers). */
  driver_rss_mb?: number;
  settings: Record<string, unknown>;
  notes: string[];
  date: string;
}

/**
 * Computes the metrics of test predictions, choosing any threshold on the validation predictions — or applying the
 * system's own threshold (`ownThreshold`: switchboard's model chooses its threshold itself, and the product uses it).
 */
export function evaluate(
  ds: DatasetSplits,
  validPreds: readonly Ranked[] | undefined,
  testPreds: Ranked[],
  ownThreshold?: number,
): Metrics {
  if (testPreds.length !== ds.test.length) throw new Error(`expected ${ds.test.length} test predictions`);
  if (ds.mode === 'multi') return evaluateMulti(ds, validPreds, testPreds, ownThreshold);
  const gold = ds.test.map(labelOf);
  const perLanguage = (pred: string[]) => groupBy(ds, (idx) => accuracy(pick(gold, idx), pick(pred, idx)));
  if (!hasOos(ds)) {
    const pred = testPreds.map((r) => top(r)[0]);
    return {
      n_test: gold.length,
      accuracy: accuracy(gold, pred),
      macro_f1: macroF1(gold, pred),
      per_language: perLanguage(pred),
    };
  }
  let threshold = ownThreshold;
  if (threshold === undefined) {
    if (!ds.valid || !validPreds) throw new Error('an OOS threshold needs validation predictions');
    threshold = chooseOosThreshold(ds.valid.map(labelOf), validPreds);
  }
  const pred = testPreds.map((r) => withThreshold(r, threshold));
  const raw = testPreds.map((r) => top(r)[0]);
  return {
    n_test: gold.length,
    accuracy: accuracy(gold, pred),
    macro_f1: macroF1(gold, pred),
    ...oosScores(gold, pred),
    threshold,
    no_threshold: { accuracy: accuracy(gold, raw), ...oosScores(gold, raw) },
  };
}

function evaluateMulti(
  ds: DatasetSplits,
  validPreds: readonly Ranked[] | undefined,
  testPreds: Ranked[],
  ownThreshold?: number,
): Metrics {
  let threshold = ownThreshold;
  if (threshold === undefined) {
    if (!ds.valid || !validPreds) throw new Error('a multi-label threshold needs validation predictions');
    threshold = chooseMultiThreshold(ds.valid.map(labelsOf), validPreds);
  }
  const gold = ds.test.map(labelsOf);
  const pred = testPreds.map((r) => multiLabels(r, threshold));
  return {
    n_test: gold.length,
    ...multiScores(gold, pred),
    threshold,
    per_language: groupBy(ds, (idx) => multiScores(pick(gold, idx), pick(pred, idx)).micro_f1),
  };
}

function pick<T>(xs: readonly T[], idx: number[]): T[] {
  return idx.map((i) => xs[i]);
}

function groupBy(ds: DatasetSplits, score: (idx: number[]) => number): Record<string, number> {
  const groups = new Map<string, number[]>();
  ds.test.forEach((e, i) => {
    const l = e.language ?? '?';
    groups.set(l, [...(groups.get(l) ?? []), i]);
  });
  return Object.fromEntries([...groups].map(([l, idx]) => [l, score(idx)]));
}

/** Latency summary of timed single-message calls, in ms. */
export function latencySummary(latencies: readonly number[]) {
  return {
    latency_p50_ms: percentile(latencies, 50),
    latency_p99_ms: percentile(latencies, 99),
    latency_mean_ms: latencies.reduce((a, b) => a + b, 0) / Math.max(1, latencies.length),
    latency_n: latencies.length,
  };
}

/** Writes a child's result JSON. */
export function writeResult(file: string, result: SystemResult): void {
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
}
