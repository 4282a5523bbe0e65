/**
 * Renders docs/benchmarks.md from bench/results/*.json (no rerun needed; language.json and ner.json add their own
 * sections):
 * `tsx bench/lib/render-benchmarks.ts [--results DIR] [--out FILE]`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { MASSIVE_LOCALES, MULTI3_LANGUAGES } from '../datasets.ts';
import { languageSection } from '../language/render.ts';
import { readLanguageResults } from '../language/results.ts';
import { nerSection } from '../ner/render.ts';
import { readNerResults } from '../ner/results.ts';
import { DATASETS } from './bench-data.ts';
import { ROOT } from './child-args.ts';
import { readHeadToHead, readShippedModel, readSmallBots, targetsSection } from './render-targets.ts';
import { type DatasetResults, type ResultEntry, readAllResults, runsSentence } from './results-file.ts';

const ORDER = ['switchboard', 'nlpjs', 'fasttext', 'svm'];
const NAMES: Record<string, string> = {
  switchboard: 'switchboard (ours, ONNX)',
  nlpjs: 'NLP.js (NlpManager defaults)',
  fasttext: 'fastText (tuned)',
  svm: 'TF-IDF + LinearSVC',
};

const pct = (x: number | undefined | null) => (x == null || Number.isNaN(x) ? '–' : (100 * x).toFixed(1));
const num = (x: number | undefined | null, digits = 1) => (x == null || Number.isNaN(x) ? '–' : x.toFixed(digits));
const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(bytes < 2 ** 20 ? 2 : 1);
const row = (cells: string[]) => `| ${cells.join(' | ')} |`;
const table = (head: string[], rows: string[][]) =>
  [row(head), row(head.map(() => '---')), ...rows.map(row)].join('\n');

function entries(d: DatasetResults): ResultEntry[] {
  const rank = (s: string) => (ORDER.includes(s) ? ORDER.indexOf(s) : ORDER.length);
  return Object.values(d.systems).sort((a, b) => rank(a.system) - rank(b.system));
}

const costCells = (e: ResultEntry) => [
  num(e.train_seconds),
  num(e.latency_p50_ms, 2),
  num(e.latency_p99_ms, 2),
  `${num(e.throughput_per_s, 0)} (${e.throughput_mode === 'batched' ? 'batch' : 'seq'})`,
  mb(e.model_bytes),
  num(e.peak_rss_mb, 0),
];
const COST_HEAD = ['train s', 'p50 ms', 'p99 ms', 'msg/s', 'size MB', 'peak RSS MB'];

function datasetTable(d: DatasetResults): string {
  const es = entries(d);
  const multi = es[0]?.mode === 'multi';
  const oos = es.some((e) => e.oos_recall !== undefined);
  if (multi) {
    return table(
      ['system', 'micro-F1', 'macro-F1', 'exact match', 'threshold', ...COST_HEAD],
      es.map((e) => [
        NAMES[e.system] ?? e.system,
        pct(e.micro_f1),
        pct(e.macro_f1),
        pct(e.exact_match),
        num(e.threshold, 3),
        ...costCells(e),
      ]),
    );
  }
  if (oos) {
    return table(
      [
        'system',
        'accuracy',
        'in-scope acc',
        'OOS recall',
        'threshold',
        'no threshold: in-scope / OOS',
        'macro-F1',
        ...COST_HEAD,
      ],
      es.map((e) => [
        NAMES[e.system] ?? e.system,
        pct(e.accuracy),
        pct(e.in_scope_accuracy),
        pct(e.oos_recall),
        num(e.threshold, 3),
        `${pct(e.no_threshold?.in_scope_accuracy)} / ${pct(e.no_threshold?.oos_recall)}`,
        pct(e.macro_f1),
        ...costCells(e),
      ]),
    );
  }
  return table(
    ['system', 'accuracy', 'macro-F1', ...COST_HEAD],
    es.map((e) => [NAMES[e.system] ?? e.system, pct(e.accuracy), pct(e.macro_f1), ...costCells(e)]),
  );
}

function massiveTable(d: DatasetResults): string {
  const locales = [...MASSIVE_LOCALES];
  return table(
    ['system', ...locales, 'average'],
    entries(d).map((e) => {
      const per = locales.map((l) => e.per_language?.[l]);
      const avg = per.every((x) => x !== undefined) ? per.reduce((a, b) => a! + b!, 0)! / per.length : undefined;
      return [NAMES[e.system] ?? e.system, ...per.map(pct), pct(avg)];
    }),
  );
}

function multi3Table(all: DatasetResults[]): string {
  const langs = Object.keys(MULTI3_LANGUAGES);
  const systems = ORDER.filter((s) => all.some((d) => d.dataset.startsWith('multi3nlupp-') && d.systems[s]));
  const cell = (s: string, l: string) => pct(all.find((d) => d.dataset === `multi3nlupp-${l}`)?.systems[s]?.micro_f1);
  return table(
    ['system (micro-F1)', ...langs],
    systems.map((s) => [NAMES[s] ?? s, ...langs.map((l) => cell(s, l))]),
  );
}

function settingsLine(e: ResultEntry): string {
  const s = e.settings;
  const pick = (keys: string[]) =>
    keys
      .filter((k) => s[k] !== undefined)
      .map((k) => `${k} ${JSON.stringify(s[k])}`)
      .join(', ');
  const chosen =
    e.system === 'svm'
      ? pick(['C'])
      : e.system === 'fasttext'
        ? pick(['lr', 'epoch', 'loss', 'dim', 'wordNgrams', 'minn', 'maxn', 'bucket'])
        : pick(['dim', 'hidden', 'ensemble', 'epochs', 'linear_c', 'quantize']);
  return `- ${NAMES[e.system] ?? e.system}${chosen ? ` — ${chosen}` : ''}. ${e.notes.join('; ')}.`;
}

const TITLES: Record<string, string> = {
  banking77: 'Banking77 (77 intents, English; no validation split: peers tune on a seeded 10% of train)',
  clinc150: 'CLINC150 with the out_of_scope class (trained on oos_train, threshold on top)',
  'clinc150-no-oos-train':
    'CLINC150 with every out_of_scope row removed from train and validation (the test keeps its 1,000): switchboard relies on its background corpus; a peer with no out-of-scope rows to tune on gets no threshold',
  massive: 'MASSIVE, six locales (en de es fr hi th) in one model',
};

function datasetSection(d: DatasetResults): string {
  const es = entries(d);
  const title = TITLES[d.dataset] ?? d.dataset;
  const parts = [`## ${title}`, '', `Dataset \`${d.dataset}\`.`, '', datasetTable(d), ''];
  if (d.dataset === 'massive')
    parts.push(
      'Per-locale test accuracy (one model for all six locales; NLP.js trains one network per locale and is given',
      "each message's true locale):",
      '',
      massiveTable(d),
      '',
    );
  parts.push(
    `Test messages: ${es[0]?.n_test ?? '–'}. ${runsSentence(es)}`,
    '',
    'Settings and notes:',
    '',
    ...es.map(settingsLine),
    '',
    'Reproduce:',
    '',
    '```sh',
    ...es.map((e) => e.run.command),
    '```',
    '',
  );
  return parts.join('\n');
}

/** The benchmarks of the rest of the loop: each has its own generated page and command. */
const OTHER_BENCHMARKS = `## The rest of the loop

Each page below is written by the command next to it (on this machine; same caveat):

| what | page | command |
|---|---|---|
| Routing on CLINC150: thresholds for a target precision, the out-of-scope shift | [routing.md](routing.md) | \`npx tsx bench/route-clinc.ts .tmp/clinc-model\` |
| Latency of one turn (in process, HTTP at 200 req/s), the rule-entity budget trade-off | [turn-latency.md](turn-latency.md) | \`npx tsx bench/route-latency.ts 2000\` |
| Slack end to end: signed event → \`chat.postMessage\` at 50 and 200 events/s, RSS | [slack.md](slack.md#latency-benchmark) | \`npx tsx bench/slack-latency.ts\` |
| Handoff card posted in the agents' channel (Teams, Slack) | [handoff.md](handoff.md) | \`npx tsx bench/handoff-card-latency.ts\` |
| Turn-log cost per turn, \`/metrics\` scrape | [measurement-latency.md](measurement-latency.md) | \`npx tsx bench/measurement-latency.ts 3000\` |
| Does the automation rate's 95% interval contain the truth? 100 simulated weeks | [measurement-simulation.md](measurement-simulation.md) | \`npx tsx bench/simulate-weeks.ts 100 400\` |
`;

const REFERENCES = `## Published reference numbers

Not measured here; from the papers (see ../shared/data/README.md):

- Banking77 accuracy: BERT-large fine-tuned 93.66, USE+ConveRT 93.36 (Casanueva et al. 2020).
- CLINC150 in-scope accuracy / out-of-scope recall (Larson et al. 2019, trained with the oos class): BERT 96.9/40.3,
  MLP(USE) 93.5/47.4, Rasa 91.5/45.3, SVM 91.0/14.5, FastText 89.0/9.7; with a confidence threshold BERT 96.2/52.3.
- MASSIVE intent accuracy (FitzGerald et al. 2023), XLM-R base: 85.1 averaged over 51 locales, 88.3 en-US; mT5 encoder
  86.1 / 89.0.
- CoNLL-2003 English NER test F1: BiLSTM-CRF with pretrained word vectors 90.94 (Lample et al. 2016); BERT-base 92.4.
- Multi3NLU++ / NLU++ report micro-F1 over (example, label) decisions in their own fold set-ups; the numbers here use
  folds 0–14 train, 15–16 validation, 17–19 test (DESIGN.md) and are not directly comparable to the papers'.
`;

function headline(e: ResultEntry | undefined): string {
  if (!e) return '–';
  if (e.micro_f1 !== undefined) return pct(e.micro_f1);
  if (e.oos_recall !== undefined) return `${pct(e.in_scope_accuracy)} / ${pct(e.oos_recall)}`;
  return pct(e.accuracy);
}

function summaryTable(all: DatasetResults[]): string {
  const systems = ORDER.filter((s) => all.some((d) => d.systems[s]));
  return table(
    ['system', ...all.map((d) => d.dataset)],
    systems.map((s) => [NAMES[s] ?? s, ...all.map((d) => headline(d.systems[s]))]),
  );
}

/** Renders the whole document. */
export function renderBenchmarks(unordered: DatasetResults[], resultsDir?: string): string {
  const known = Object.keys(DATASETS);
  const rank = (d: DatasetResults) => (known.includes(d.dataset) ? known.indexOf(d.dataset) : known.length);
  const all = [...unordered].sort((a, b) => rank(a) - rank(b));
  const machine = all.map((d) => d.machine).sort((a, b) => b.id.localeCompare(a.id))[0];
  const multi3 = all.filter((d) => d.dataset.startsWith('multi3nlupp-'));
  const out = [
    '# Benchmarks',
    '',
    '<!-- Generated by bench/lib/render-benchmarks.ts from bench/results/*.json; do not edit by hand. -->',
    '',
    'Every system is trained and evaluated on the same splits by `npm run bench` (bench/run.ts), one child process per',
    '(dataset, system), one at a time. Scores are on the test split. switchboard is trained exactly as',
    '`switchboard train intent --data F [--valid V] --seed 13` trains (its configuration search, its background corpus)',
    "and judged with the threshold it chose itself; every peer's threshold (CLINC150 out-of-scope, multi-label",
    'decisions) is chosen on the validation split and then applied to test. Latency: one message at a time, after a',
    'warm-up, over ≥ 1000 calls. Peak RSS: the process that trains and serves the model. Size: the saved model.',
    "Macro-F1 averages over the union of gold and predicted labels (scikit-learn's convention): on data without",
    "out-of-scope rows, switchboard's out-of-scope answers add a label with F1 0 (`switchboard eval intent` averages over",
    'the gold labels only).',
    '',
    '**Caveat:** a shared 2-core machine; timings are single runs (latencies are medians / p99 of ≥ 1000 calls) and move',
    'with the other load on the machine: compare costs only as ratios within one run.',
    '',
    machine
      ? `Latest run: ${machine.cpu}, ${machine.cores} cores, ${machine.memory_gb} GB, Node ${machine.node}, Python ${machine.python}, commit ${machine.git}, ${machine.id}.`
      : 'No results yet: run `npm run bench`.',
    '',
    'Re-render without rerunning: `npx tsx bench/lib/render-benchmarks.ts`. Run everything: `npm run bench`.',
    '',
    '## Summary',
    '',
    'Test accuracy (single-label), in-scope accuracy / OOS recall at the threshold (CLINC150: switchboard its own, peers',
    'chosen on validation), or',
    'micro-F1 (Multi3NLU++), in %:',
    '',
    summaryTable(all),
    '',
    OTHER_BENCHMARKS,
    targetsSection(
      all,
      resultsDir ? readHeadToHead(resultsDir) : undefined,
      resultsDir ? readSmallBots(resultsDir) : undefined,
      readShippedModel(join(ROOT, 'models', 'intent-massive')),
    ),
    ...all.filter((d) => !d.dataset.startsWith('multi3nlupp-')).map(datasetSection),
  ];
  if (multi3.length > 0) {
    out.push('## Multi3NLU++ (per language)', '', multi3Table(all), '', ...multi3.map(datasetSection));
  }
  const language = resultsDir ? languageSection(readLanguageResults(resultsDir)) : '';
  if (language) out.push(language);
  const ner = resultsDir ? nerSection(readNerResults(resultsDir)) : '';
  if (ner) out.push(ner);
  out.push(REFERENCES);
  return `${out.join('\n')}\n`;
}

/** The README's intent table: the headline of each system on the main datasets (between its markers). */
export function readmeIntentTable(all: DatasetResults[]): string {
  const cols: [string, string][] = [
    ['banking77', 'Banking77'],
    ['clinc150', 'CLINC150 in-scope / OOS'],
    ['clinc150-no-oos-train', 'CLINC150, no OOS data'],
    ['massive', 'MASSIVE (6 locales, one model)'],
    ['multi3nlupp-english', 'Multi3NLU++ en'],
  ];
  const present = cols.filter(([d]) => all.some((x) => x.dataset === d));
  const systems = ORDER.filter((sys) => all.some((d) => d.systems[sys]));
  return table(
    ['system', ...present.map(([, name]) => name)],
    systems.map((sys) => [
      NAMES[sys] ?? sys,
      ...present.map(([d]) => headline(all.find((x) => x.dataset === d)?.systems[sys])),
    ]),
  );
}

const README_START = '<!-- bench:intent (written by bench/lib/render-benchmarks.ts) -->';
const README_END = '<!-- /bench:intent -->';

/** Rewrites the README's intent table between its markers, if the README has them. */
export function updateReadme(readme: string, all: DatasetResults[]): string {
  const a = readme.indexOf(README_START);
  const b = readme.indexOf(README_END);
  if (a < 0 || b < a) return readme;
  return `${readme.slice(0, a + README_START.length)}\n${readmeIntentTable(all)}\n${readme.slice(b)}`;
}

/** Reads the results directory and writes the markdown file (and, for the real results, the README's table). */
export function renderBenchmarksFile(resultsDir: string, outFile: string): void {
  const all = readAllResults(resultsDir);
  writeFileSync(outFile, renderBenchmarks(all, resultsDir));
  if (resultsDir === join(ROOT, 'bench', 'results')) {
    const readmeFile = join(ROOT, 'README.md');
    const readme = readFileSync(readmeFile, 'utf8');
    const next = updateReadme(readme, all);
    if (next !== readme) writeFileSync(readmeFile, next);
  }
}

if (process.argv[1] && import.meta.filename === process.argv[1]) {
  const { values } = parseArgs({ options: { results: { type: 'string' }, out: { type: 'string' } } });
  const results = values.results ?? join(ROOT, 'bench', 'results');
  const out = values.out ?? join(ROOT, 'docs', 'benchmarks.md');
  renderBenchmarksFile(results, out);
  console.log(`wrote ${out}`);
}
