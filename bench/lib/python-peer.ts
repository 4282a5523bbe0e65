/**
 * Runs a python peer (bench/peers/<name>.py, see peer_common.py for the protocol) with Debian's /usr/bin/python3 and
 * turns its output into a `SystemResult`.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DatasetSplits } from '../datasets.ts';
import { tuningSplit, writeJsonl } from './bench-data.ts';
import type { ChildArgs } from './child-args.ts';
import { ROOT } from './child-args.ts';
import type { Ranked } from './metrics.ts';
import { evaluate, latencySummary, type SystemResult } from './result.ts';
import { selfPeakRssMb } from './stats.ts';

/** The interpreter of the python peers: Debian's, which has python3-sklearn and python3-fasttext. */
export const PYTHON = '/usr/bin/python3';

/** What a python peer writes. */
export interface PeerOutput {
  settings: Record<string, unknown>;
  tuning: unknown[];
  tuning_seconds: number;
  train_seconds: number;
  valid_pred: Ranked[];
  test_pred: Ranked[];
  latencies_ms: number[];
  latency_repeats: number;
  throughput_per_s: number;
  throughput_mode: 'batched' | 'sequential';
  model_bytes: number;
  peak_rss_mb: number;
  /** Largest child of the python process (e.g. the fasttext binary while training), MiB. */
  child_peak_rss_mb?: number;
  notes: string[];
}

/** Runs `bench/peers/<script>` on the dataset (tuning on its validation split, or a carved one) and scores it. */
export async function runPythonPeer(
  system: string,
  script: string,
  ds: DatasetSplits,
  args: ChildArgs,
): Promise<SystemResult> {
  const { fit, valid, carved } = tuningSplit(ds, args.seed);
  const files = { fit: join(args.work, 'fit.jsonl'), valid: join(args.work, 'valid.jsonl') };
  writeJsonl(files.fit, fit);
  writeJsonl(files.valid, valid);
  writeJsonl(join(args.work, 'test.jsonl'), ds.test);
  const out = join(args.work, 'peer-output.json');
  const argv = [
    join(ROOT, 'bench', 'peers', script),
    ...['--fit', files.fit, '--valid', files.valid, '--test', join(args.work, 'test.jsonl')],
    ...['--mode', ds.mode, '--seed', String(args.seed), '--work', args.work, '--out', out],
    ...(carved ? ['--refit'] : []),
  ];
  await new Promise<void>((resolve, reject) => {
    const child = spawn(PYTHON, argv, { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env } });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${script} exited with ${code}`))));
  });
  const p = JSON.parse(readFileSync(out, 'utf8')) as PeerOutput;
  // With a carved validation split the final model was retrained on all of train: its valid predictions are on
  // training data and only serve thresholds when the dataset has a real validation split.
  const metrics = evaluate(ds, ds.valid ? p.valid_pred : undefined, p.test_pred);
  const rss = Math.max(p.peak_rss_mb, p.child_peak_rss_mb ?? 0);
  return {
    system,
    dataset: args.dataset,
    mode: ds.mode,
    quick: args.quick,
    seed: args.seed,
    ...metrics,
    train_seconds: p.train_seconds,
    tuning_seconds: p.tuning_seconds,
    ...latencySummary(p.latencies_ms),
    throughput_per_s: p.throughput_per_s,
    throughput_mode: p.throughput_mode,
    model_bytes: p.model_bytes,
    peak_rss_mb: rss,
    driver_rss_mb: selfPeakRssMb(),
    settings: { ...p.settings, tuning: p.tuning, tuned_on: carved ? 'seeded stratified 10% of train' : 'valid split' },
    notes: [
      ...p.notes,
      `peak_rss_mb: the python process (python ${p.peak_rss_mb.toFixed(0)} MB` +
        (p.child_peak_rss_mb ? `, largest child ${p.child_peak_rss_mb.toFixed(0)} MB` : '') +
        '), not the node driver (driver_rss_mb)',
      ...(p.latency_repeats > 0 ? [`latency: test set cycled ${p.latency_repeats} extra calls to reach 1000`] : []),
    ],
    date: new Date().toISOString(),
  };
}
