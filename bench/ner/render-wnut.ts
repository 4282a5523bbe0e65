/**
 * The WNUT-17 part of the "Named entities (English)" section and the issue-17 targets (word representations), from
 * bench/results/ner.json, with met/missed computed from the numbers.
 */
import { TARGET_TOKENS, WNUT_TYPES } from './data.ts';
import type { NerEntry, NerResults } from './results.ts';
import { NER_SYSTEMS } from './systems.ts';

const pct = (x: number | undefined | null) => (x == null || Number.isNaN(x) ? '–' : (100 * x).toFixed(1));
const pct2 = (x: number | undefined | null) => (x == null || Number.isNaN(x) ? '–' : (100 * x).toFixed(2));
const row = (cells: string[]) => `| ${cells.join(' | ')} |`;
const table = (head: string[], rows: string[][]) =>
  [row(head), row(head.map(() => '---')), ...rows.map(row)].join('\n');
const verdict = (ok: boolean) => (ok ? '**met**' : '**missed**');

/** The issue-17 thresholds. */
export const NER_VECTOR_TARGETS = {
  f1: 0.885,
  lowercaseF1: 0.83,
  /** The repository's budget for this model (the issue allows 15 MB). */
  modelBytes: 12e6,
  p99Ms: 1.5,
  wnutF1: 0.35,
};

/** The trained systems with and without word vectors. */
const PLAIN = 'switchboard';
const VECTORS = 'switchboard-vectors';
const SHIPPED = 'switchboard-shipped';

function wnutTable(es: NerEntry[]): string {
  return table(
    ['system', 'dev F1', 'P', 'R', ...WNUT_TYPES, 'lower-cased F1', 'own types F1', 'train s', 'model MB'],
    es.map((e) => {
      const w = e.wnut!;
      const own = w.types === undefined ? '–' : w.types.length === 0 ? 'n/a' : pct(w.dev_own_types?.f1);
      return [
        e.title,
        pct(w.dev.f1),
        pct(w.dev.precision),
        pct(w.dev.recall),
        ...WNUT_TYPES.map((t) => pct(w.dev.per_type[t]?.f1 ?? 0)),
        pct(w.dev_lowercase.f1),
        own,
        w.train_seconds === undefined ? '–' : w.train_seconds.toFixed(1),
        w.model_bytes === undefined ? '–' : (w.model_bytes / 1e6).toFixed(2),
      ];
    }),
  );
}

function costTable(r: NerResults): string {
  const rows = [PLAIN, VECTORS]
    .map((s) => r.systems[s])
    .filter((e): e is NerEntry => e !== undefined)
    .map((e) => [
      e.title,
      e.train_seconds === undefined ? '–' : e.train_seconds.toFixed(1),
      String(e.training?.peak_rss_mb_after_training ?? '–'),
      e.wnut?.train_seconds === undefined ? '–' : e.wnut.train_seconds.toFixed(1),
      e.model_bytes === undefined ? '–' : (e.model_bytes / 1e6).toFixed(2),
    ]);
  return table(
    ['system', 'CoNLL training s', 'peak RSS MB after CoNLL training', 'WNUT-17 training s', 'CoNLL model MB'],
    rows,
  );
}

function targets(r: NerResults): string {
  const shipped = r.systems[SHIPPED];
  const vectors = r.systems[VECTORS];
  const rows: string[][] = [];
  const add = (target: string, who: string, value: string | undefined, ok: boolean | undefined) =>
    rows.push([target, who, value === undefined || ok === undefined ? 'not measured' : `${value} — ${verdict(ok)}`]);
  const t = NER_VECTOR_TARGETS;
  add(
    `CoNLL-2003 test F1 ≥ ${100 * t.f1}`,
    SHIPPED,
    shipped && pct2(shipped.test.f1),
    shipped && shipped.test.f1 >= t.f1,
  );
  add(
    `Lower-cased test F1 ≥ ${100 * t.lowercaseF1}`,
    SHIPPED,
    shipped && pct2(shipped.test_lowercase.f1),
    shipped && shipped.test_lowercase.f1 >= t.lowercaseF1,
  );
  add(
    `Model ≤ ${t.modelBytes / 1e6} MB (repository budget; the issue allows 15)`,
    SHIPPED,
    shipped?.model_bytes === undefined ? undefined : `${(shipped.model_bytes / 1e6).toFixed(2)} MB`,
    shipped?.model_bytes === undefined ? undefined : shipped.model_bytes <= t.modelBytes,
  );
  add(
    `NER alone p99 ≤ ${t.p99Ms} ms at ${TARGET_TOKENS.min}–${TARGET_TOKENS.max} tokens`,
    SHIPPED,
    shipped && `${shipped.latency_target.p99_ms.toFixed(3)} ms`,
    shipped && shipped.latency_target.p99_ms <= t.p99Ms,
  );
  add(
    `WNUT-17 F1 ≥ ${100 * t.wnutF1} (the goal is on the blind test split; dev shown)`,
    VECTORS,
    vectors?.wnut && `dev ${pct2(vectors.wnut.dev.f1)}`,
    vectors?.wnut && vectors.wnut.dev.f1 >= t.wnutF1,
  );
  return table(['target (issue 17)', 'system', 'measured'], rows);
}

/** The WNUT-17 table, the cost of word vectors, and the issue-17 targets ('' without results). */
export function wnutSection(r: NerResults): string {
  const order = Object.keys(NER_SYSTEMS);
  const es = Object.values(r.systems)
    .filter((e) => e.wnut)
    .sort((a, b) => order.indexOf(a.system) - order.indexOf(b.system));
  if (es.length === 0 && !r.systems[VECTORS]) return '';
  const n = es[0]?.wnut?.dev.n;
  return [
    '### WNUT-17 (noisy user text) and word vectors',
    '',
    `WNUT-17 dev (YouTube comments, ${n ?? '–'} sentences, six types; issue 17): switchboard trained on WNUT-17 train`,
    'with early stopping on dev (the only tuning), tagged through ONNX Runtime as served; compromise with people →',
    'person, places → location, organizations → corporation; wink-nlp has no WNUT type. The test split is kept for',
    'blind scoring and is not used here. Entity-level F1, exact span and type, in %.',
    '',
    es.length > 0 ? wnutTable(es) : '',
    '',
    'Training cost with and without word vectors (`switchboard` vs `switchboard-vectors`; with vectors the time',
    'includes reading the 310 MB vector JSON and clustering it; peak RSS is the child process):',
    '',
    costTable(r),
    '',
    targets(r),
    '',
  ].join('\n');
}
