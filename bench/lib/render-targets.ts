/**
 * The "targets" section of docs/benchmarks.md: each target of the intent-engine issue, the measured value from
 * bench/results, and whether it is met. Computed from the results, so it never disagrees with the tables.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DatasetResults, ResultEntry } from './results-file.ts';

interface HeadToHead {
  switchboard: { p50_ms: number; p99_ms: number; n: number };
  nlpjs: { p50_ms: number; p99_ms: number; n: number };
  ratio_p50: number;
  ratio_p99: number;
  date: string;
}

const pct = (x: number | undefined | null) => (x == null || Number.isNaN(x) ? '–' : (100 * x).toFixed(1));
const verdict = (ok: boolean | undefined) => (ok === undefined ? 'not measured' : ok ? '**met**' : '**missed**');
const score = (e: ResultEntry | undefined) => e?.micro_f1 ?? e?.accuracy;

/** Reads the same-run latency comparison written by bench/latency.ts, if any. */
export function readHeadToHead(resultsDir: string): HeadToHead | undefined {
  const file = join(resultsDir, 'latency', 'banking77.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as HeadToHead) : undefined;
}

/** bench/results/small-bots.json (bench/small-bots.ts), if any. */
interface SmallBots {
  split: string;
  seeds: number;
  date: string;
  bots: {
    bot: string;
    with_background: { in_scope: number; in_scope_top1: number; oos_recall: number; train_seconds: number };
    without_background: { in_scope: number; in_scope_top1: number; oos_recall: number; train_seconds: number };
  }[];
}

/** Reads the small-bots results, if any. */
export function readSmallBots(resultsDir: string): SmallBots | undefined {
  const file = join(resultsDir, 'small-bots.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as SmallBots) : undefined;
}

/** The shipped intent model's recorded test metrics (models/intent-massive/manifest.json), if any. */
interface ShippedModel {
  accuracy?: number;
  bytes: number;
  per_language?: Record<string, number>;
}

/** Reads the shipped model's size and its recorded `metrics.test`. */
export function readShippedModel(modelDir: string): ShippedModel | undefined {
  const file = join(modelDir, 'manifest.json');
  if (!existsSync(file)) return undefined;
  const m = JSON.parse(readFileSync(file, 'utf8'));
  const test = m.metrics?.test ?? {};
  return { accuracy: test.accuracy, per_language: test.per_language, bytes: m.onnx.bytes + (m.features?.bytes ?? 0) };
}

/** Renders the targets table of the intent issue (13). */
export function targetsSection(
  all: DatasetResults[],
  h2h: HeadToHead | undefined,
  small?: SmallBots,
  shipped?: ShippedModel,
): string {
  const get = (d: string, s: string) => all.find((x) => x.dataset === d)?.systems[s];
  const rows: string[][] = [];
  const add = (target: string, measured: string, ok: boolean | undefined) => rows.push([target, measured, verdict(ok)]);
  // ≥ TF-IDF + LinearSVC + 0.5 points, same run, CLI defaults.
  for (const d of all) {
    const ours = d.systems.switchboard;
    const svm = d.systems.svm;
    if (!ours || !svm) continue;
    const oursScore = d.dataset.startsWith('clinc150') ? ours.in_scope_accuracy : score(ours);
    const svmScore = d.dataset.startsWith('clinc150') ? svm.in_scope_accuracy : score(svm);
    if (d.dataset === 'clinc150-no-oos-train') continue; // its own target below
    const sameRun = ours.run.id === svm.run.id;
    add(
      `${d.dataset}${d.dataset === 'clinc150' ? ' in-scope' : ''}: ≥ TF-IDF + LinearSVC + 0.5 (CLI defaults, same run)`,
      `${pct(oursScore)} vs ${pct(svmScore)} (${oursScore !== undefined && svmScore !== undefined ? `${(oursScore - svmScore) * 100 >= 0 ? '+' : ''}${((oursScore - svmScore) * 100).toFixed(1)}` : '–'})${sameRun ? '' : '; NOT the same run'}`,
      oursScore !== undefined && svmScore !== undefined ? oursScore >= svmScore + 0.005 : undefined,
    );
  }
  const clinc = get('clinc150', 'switchboard');
  add(
    'CLINC150 with its out-of-scope training rows: in-scope ≥ 93.0 and OOS recall ≥ 70',
    clinc ? `${pct(clinc.in_scope_accuracy)} / ${pct(clinc.oos_recall)}` : '–',
    clinc ? (clinc.in_scope_accuracy ?? 0) >= 0.93 && (clinc.oos_recall ?? 0) >= 0.7 : undefined,
  );
  const noOos = get('clinc150-no-oos-train', 'switchboard');
  add(
    'CLINC150 with no out-of-scope rows in train or validation: OOS recall ≥ 60 with in-scope ≥ 92.0',
    noOos ? `${pct(noOos.in_scope_accuracy)} / ${pct(noOos.oos_recall)}` : '–',
    noOos ? (noOos.in_scope_accuracy ?? 0) >= 0.92 && (noOos.oos_recall ?? 0) >= 0.6 : undefined,
  );
  for (const b of small?.bots ?? []) {
    const w = b.with_background;
    const o = b.without_background;
    add(
      `Small bot ${b.bot.replace('x', '×')} (${small!.seeds} seeds): OOS recall ≥ 70 with in-scope ≤ 2 points below no background`,
      `${pct(w.in_scope)} / ${pct(w.oos_recall)}; no background: ${pct(o.in_scope_top1)} (top-1), ${pct(o.in_scope)} (its threshold) / ${pct(o.oos_recall)}`,
      w.oos_recall >= 0.7 && w.in_scope >= o.in_scope_top1 - 0.02,
    );
  }
  if (shipped) {
    add(
      'Shipped MASSIVE model: average test accuracy over six locales ≥ 85.0, ≤ 15 MB',
      `${pct(shipped.accuracy)}, ${(shipped.bytes / 1e6).toFixed(1)} MB`,
      shipped.accuracy !== undefined ? shipped.accuracy >= 0.85 && shipped.bytes <= 15e6 : undefined,
    );
  }
  const b77 = get('banking77', 'switchboard');
  const trainB77 = b77?.train_seconds;
  add(
    'Default training on Banking77 ≤ 5 min',
    trainB77 ? `${(trainB77 / 60).toFixed(1)} min` : '–',
    trainB77 ? trainB77 <= 300 : undefined,
  );
  const five = small?.bots.find((b) => b.bot === '5x10');
  add(
    'A 50-example bot ≤ 15 s',
    five ? `${five.with_background.train_seconds.toFixed(1)} s (mean of ${small!.seeds})` : '–',
    five ? five.with_background.train_seconds <= 15 : undefined,
  );
  if (h2h) {
    add(
      'One message p50 and p99 no slower than NLP.js (same process, same run)',
      `ours ${h2h.switchboard.p50_ms.toFixed(3)} / ${h2h.switchboard.p99_ms.toFixed(3)} ms; NLP.js / ours: p50 ×${h2h.ratio_p50.toFixed(2)}, p99 ×${h2h.ratio_p99.toFixed(2)}`,
      h2h.ratio_p50 >= 1 && h2h.ratio_p99 >= 1,
    );
  }
  const sizes = all.map((d) => d.systems.switchboard?.model_bytes ?? 0);
  add('Each model ≤ 15 MB', `largest ${(Math.max(0, ...sizes) / 1e6).toFixed(1)} MB`, Math.max(0, ...sizes) <= 15e6);
  const lines = [
    '## Targets of the intent engine (issue 13)',
    '',
    'switchboard is trained the way `switchboard train intent --data F [--valid V] --seed N` trains by default (the',
    'configuration search, the background corpus) and judged with its own threshold; TF-IDF + LinearSVC in the same run.',
    'Timings: a shared 2-core machine (they move with its load). Latency: one process, one run: `npx tsx bench/latency.ts`.',
    'Small bots: `npx tsx bench/small-bots.ts`. Shipped model: `switchboard eval intent --model models/intent-massive',
    '--data <MASSIVE test> --record test`.',
    '',
    '| target | measured | |',
    '| --- | --- | --- |',
    ...rows.map((r) => `| ${r.join(' | ')} |`),
    '',
  ];
  if (h2h) {
    lines.push(
      `Same-run latency (Banking77 test, ${h2h.switchboard.n} messages each, alternating order, ${h2h.date}): switchboard`,
      `p50 ${h2h.switchboard.p50_ms.toFixed(3)} ms / p99 ${h2h.switchboard.p99_ms.toFixed(3)} ms; NLP.js p50 ${h2h.nlpjs.p50_ms.toFixed(3)} ms / p99`,
      `${h2h.nlpjs.p99_ms.toFixed(3)} ms.`,
      '',
    );
  }
  return lines.join('\n');
}
