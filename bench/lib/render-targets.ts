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

/** Renders the targets table. */
export function targetsSection(all: DatasetResults[], h2h: HeadToHead | undefined): string {
  const get = (d: string, s: string) => all.find((x) => x.dataset === d)?.systems[s];
  const rows: string[][] = [];
  const add = (target: string, measured: string, ok: boolean | undefined) => rows.push([target, measured, verdict(ok)]);
  const b77 = get('banking77', 'switchboard');
  add('Banking77 test accuracy ≥ 92.0', pct(b77?.accuracy), b77 && (b77.accuracy ?? 0) >= 0.92);
  const clinc = get('clinc150', 'switchboard');
  add(
    'CLINC150 in-scope accuracy ≥ 93.0 with OOS recall ≥ 70',
    clinc ? `${pct(clinc.in_scope_accuracy)} / ${pct(clinc.oos_recall)}` : '–',
    clinc && (clinc.in_scope_accuracy ?? 0) >= 0.93 && (clinc.oos_recall ?? 0) >= 0.7,
  );
  const massive = get('massive', 'switchboard');
  add(
    'MASSIVE six locales, one model, average ≥ 85',
    pct(massive?.accuracy),
    massive && (massive.accuracy ?? 0) >= 0.85,
  );
  for (const d of all) {
    const ours = score(d.systems.switchboard);
    const peers = Object.values(d.systems).filter((e) => e.system !== 'switchboard');
    if (ours === undefined || peers.length === 0) continue;
    const best = peers.reduce((a, b) => ((score(b) ?? 0) > (score(a) ?? 0) ? b : a));
    add(
      `${d.dataset}: better than every peer`,
      `${pct(ours)} vs best peer ${best.system} ${pct(score(best))}`,
      peers.every((p) => ours > (score(p) ?? 0)),
    );
  }
  if (h2h) {
    add(
      'One message p50 ≤ 0.1 ms (featurize + inference)',
      `${h2h.switchboard.p50_ms.toFixed(3)} ms`,
      h2h.switchboard.p50_ms <= 0.1,
    );
    add('One message p99 ≤ 0.5 ms', `${h2h.switchboard.p99_ms.toFixed(3)} ms`, h2h.switchboard.p99_ms <= 0.5);
    add(
      'Faster than NLP.js at p50 and p99 (same run)',
      `NLP.js / ours: p50 ×${h2h.ratio_p50.toFixed(2)}, p99 ×${h2h.ratio_p99.toFixed(2)}`,
      h2h.ratio_p50 > 1 && h2h.ratio_p99 > 1,
    );
  }
  const trainB77 = b77?.train_seconds;
  add(
    'Banking77 training ≤ 60 s (per model of an ensemble)',
    trainB77 ? `${trainB77.toFixed(0)} s for the ensemble` : '–',
    trainB77 ? trainB77 <= 60 : undefined,
  );
  const trainM = massive?.train_seconds;
  add(
    'MASSIVE training ≤ 5 min per model',
    trainM ? `${(trainM / 60).toFixed(1)} min for the ensemble` : '–',
    trainM ? trainM <= 300 : undefined,
  );
  const sizes = all.map((d) => d.systems.switchboard?.model_bytes ?? 0);
  add(
    'Each model ≤ 15 MB',
    `largest ${(Math.max(0, ...sizes) / 2 ** 20).toFixed(1)} MB`,
    Math.max(0, ...sizes) <= 15 * 2 ** 20,
  );
  const lines = [
    '## Targets of the intent engine (issue 2)',
    '',
    'Measured by this benchmark on a shared 2-core machine (timings move with its load; the latency comparison with',
    'NLP.js is one process, one run: `npx tsx bench/latency.ts`).',
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
