/**
 * The "Language identification" section of docs/benchmarks.md, from bench/results/language.json: the main table,
 * per-language chat accuracy, `und` counts, and the targets of issue 3 with met/missed computed from the numbers;
 * then the 13-language configuration of issue 16 (bench/language/render-mixed.ts).
 */

import type { AccuracyCount } from '../../src/eval/language-metrics.ts';
import { LANGUAGE_SETS } from '../language-data.ts';
import { machineLine, runsSentence } from '../lib/results-file.ts';
import { mixedSection } from './render-mixed.ts';
import type { LanguageEntry, LanguageResults } from './results.ts';
import { LANGUAGE_PEERS, LANGUAGE_SYSTEMS, wrongHint } from './systems.ts';

export const pct = (x: number | undefined | null) => (x == null || Number.isNaN(x) ? '–' : (100 * x).toFixed(1));
export const ms = (x: number | undefined | null) => (x == null || Number.isNaN(x) ? '–' : x.toFixed(3));
const row = (cells: string[]) => `| ${cells.join(' | ')} |`;
export const table = (head: string[], rows: string[][]) =>
  [row(head), row(head.map(() => '---')), ...rows.map(row)].join('\n');
export const verdict = (ok: boolean | undefined) => (ok === undefined ? 'not measured' : ok ? '**met**' : '**missed**');
/** Two decimals in the targets table, so a value just under a threshold never prints as the threshold. */
export const pct2 = (x: number | undefined | null) => (x == null || Number.isNaN(x) ? '–' : (100 * x).toFixed(2));
const points = (x: number) => `${x >= 0 ? '+' : '−'}${Math.abs(100 * x).toFixed(2)}`;

/** Accuracy over several length buckets together, weighted by their message counts. */
export function pooled(buckets: readonly (AccuracyCount | undefined)[]): AccuracyCount | undefined {
  const present = buckets.filter((b): b is AccuracyCount => b !== undefined && b.n > 0);
  const n = present.reduce((a, b) => a + b.n, 0);
  if (n === 0) return undefined;
  return { n, accuracy: present.reduce((a, b) => a + b.n * b.accuracy, 0) / n };
}

const rssRange = (es: LanguageEntry[]) => {
  const xs = es.map((e) => e.rss_before_load_mb);
  return `${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)}`;
};

const chat21 = (e: LanguageEntry | undefined) =>
  e && pooled([e.sets.chat.by_length['21–40'], e.sets.chat.by_length['>40']]);

export function ordered(r: LanguageResults): LanguageEntry[] {
  const order = Object.keys(LANGUAGE_SYSTEMS);
  const rank = (s: string) => (order.includes(s) ? order.indexOf(s) : order.length);
  return Object.values(r.systems).sort((a, b) => rank(a.system) - rank(b.system));
}

function mainTable(es: LanguageEntry[]): string {
  const bucket = (e: LanguageEntry, b: '≤10' | '11–20' | '21–40' | '>40') => pct(e.sets.chat.by_length[b]?.accuracy);
  return table(
    [
      'system',
      'chat',
      'chat ≤10',
      'chat 11–20',
      'chat 21–40',
      'chat >40',
      'words',
      'pairs',
      'sentences',
      'p50 ms',
      'p99 ms',
      'load ms',
      'peak RSS MB',
    ],
    es.map((e) => [
      `\`${e.system}\``,
      pct(e.sets.chat.accuracy),
      bucket(e, '≤10'),
      bucket(e, '11–20'),
      bucket(e, '21–40'),
      bucket(e, '>40'),
      pct(e.sets.words?.accuracy),
      pct(e.sets.pairs?.accuracy),
      pct(e.sets.sentences?.accuracy),
      ms(e.latency_p50_ms),
      ms(e.latency_p99_ms),
      e.load_ms.toFixed(0),
      e.peak_rss_mb.toFixed(0),
    ]),
  );
}

function perLanguageTable(es: LanguageEntry[], languages: string[]): string {
  return table(
    ['system (chat)', ...languages],
    es.map((e) => [`\`${e.system}\``, ...languages.map((l) => pct(e.sets.chat.per_language[l]?.accuracy))]),
  );
}

function undTable(es: LanguageEntry[]): string {
  return table(
    ['system (`und` answers)', ...LANGUAGE_SETS],
    es.map((e) => [`\`${e.system}\``, ...LANGUAGE_SETS.map((s) => String(e.sets[s]?.und ?? '–'))]),
  );
}

function targetsTable(r: LanguageResults): string {
  const sb = r.systems.switchboard;
  const hint = r.systems['switchboard-hint'];
  const wrong = r.systems['switchboard-wrong-hint'];
  const peers = LANGUAGE_PEERS.map((p) => r.systems[p]).filter((e): e is LanguageEntry => e !== undefined);
  const rows: string[][] = [];
  const add = (target: string, measured: string, ok: boolean | undefined) => rows.push([target, measured, verdict(ok)]);
  add('Chat, no hints: ≥ 97% overall', pct2(sb?.sets.chat.accuracy), sb && sb.sets.chat.accuracy >= 0.97);
  const long = chat21(sb);
  add(
    'Chat, no hints: ≥ 99% on messages of 21+ characters (21–40 and >40 pooled)',
    long ? `${pct2(long.accuracy)} (n = ${long.n})` : '–',
    long && long.accuracy >= 0.99,
  );
  add('Single words, no hints: ≥ 80%', pct2(sb?.sets.words.accuracy), sb && sb.sets.words.accuracy >= 0.8);
  add('Single words, correct hint: ≥ 97%', pct2(hint?.sets.words.accuracy), hint && hint.sets.words.accuracy >= 0.97);
  const loss = (set: 'chat' | 'sentences') =>
    sb && wrong ? sb.sets[set].accuracy - wrong.sets[set].accuracy : undefined;
  const lossChat = loss('chat');
  const lossSentences = loss('sentences');
  add(
    'Wrong hint loses ≤ 0.5 points on chat and on sentences (vs `switchboard`)',
    lossChat === undefined || lossSentences === undefined
      ? '–'
      : `chat ${points(-lossChat)}, sentences ${points(-lossSentences)} points`,
    lossChat === undefined || lossSentences === undefined
      ? undefined
      : lossChat <= 0.005 + 1e-12 && lossSentences <= 0.005 + 1e-12,
  );
  const best = peers.reduce<LanguageEntry | undefined>(
    (a, b) => (!a || b.sets.chat.accuracy > a.sets.chat.accuracy ? b : a),
    undefined,
  );
  add(
    'Chat: better than every peer (no hints)',
    sb && best
      ? `${pct2(sb.sets.chat.accuracy)} vs best peer \`${best.system}\` ${pct2(best.sets.chat.accuracy)}`
      : '–',
    sb && best ? peers.every((p) => sb.sets.chat.accuracy > p.sets.chat.accuracy) : undefined,
  );
  add(
    'One message p99 ≤ 0.2 ms (`switchboard`, chat)',
    sb ? `${ms(sb.latency_p99_ms)} ms` : '–',
    sb && sb.latency_p99_ms <= 0.2,
  );
  return table(['target (issue 3)', 'measured', ''], rows);
}

/** The distinct wrong hints of language `g`, in the order rows cycle through them. */
function hintCycle(g: string): string[] {
  const cycle = [wrongHint(g, 0)];
  for (let i = 1; wrongHint(g, i) !== cycle[0]; i++) cycle.push(wrongHint(g, i));
  return cycle;
}

/** Renders the section (empty string when there are no language results). */
export function languageSection(r: LanguageResults | undefined): string {
  if (!r || Object.keys(r.systems).length === 0) return '';
  const es = ordered(r);
  const size = (s: (typeof LANGUAGE_SETS)[number]) => r.set_sizes[s] ?? '–';
  const quick = es.some((e) => e.quick) ? ' **Quick run (a 300-row subsample of each set): a smoke test only.**' : '';
  return [
    '## Language identification',
    '',
    `Which of ${r.languages.length} languages (${r.languages.join(' ')}) a message is written in (issue 3). Every system`,
    'answers every row of the same four sets; an answer of `und` (or of any other language) counts as wrong. Sets:',
    '',
    `- \`chat\` (${size('chat')} messages): MASSIVE test (en de es fr hi th) + Multi3NLU++ test folds 17–19 (en es mr tr am).`,
    `- \`words\` (${size('words')}), \`pairs\` (${size('pairs')}), \`sentences\` (${size('sentences')}): lingua's accuracy-report`,
    '  test data (single words, word pairs, sentences) for the same languages.',
    '',
    "switchboard's shipped profile (models/language) is trained on MASSIVE train + Multi3NLU++ folds 0–14 and the",
    'training split of `langid-train` (138 languages), and tuned on their validation splits only; the peers come with',
    'their own pre-trained data.',
    '',
    `Accuracy in %; the chat set also by message length in code points.${quick}`,
    '',
    mainTable(es),
    '',
    'Reproduce: `npm run bench -- --datasets language` (all eight systems, both configurations; one child process per system, one at a',
    'time); one system: `npm run bench -- --datasets language --systems eld`.',
    '',
    '**Caveat:** a shared 2-core machine. Latency is single `detect` calls on the shuffled chat set (one pass over all',
    'of it, ≥ 5000 calls) after 1000 untimed calls, `process.hrtime.bigint()` around each call; p50 and p99 are from the',
    "same run and move with the machine's other load, so compare them as ratios within one run. Load: import (through",
    "tsx, so switchboard's TypeScript is compiled or read from tsx's cache) + construct. Peak RSS: the whole child process",
    `after everything, including node + tsx + the four sets (which reads all of MASSIVE): ${rssRange(es)} MB before`,
    'the system was loaded.',
    '',
    runsSentence(es),
    machineLine(r.machine),
    '',
    targetsTable(r),
    '',
    'Chat accuracy per language (%):',
    '',
    perLanguageTable(es, r.languages),
    '',
    undTable(es),
    '',
    'Systems:',
    '',
    ...es.map((e) => `- \`${e.system}\` — ${e.description}.${e.notes.map((n) => ` ${n}.`).join('')}`),
    '',
    'The wrong hint of `switchboard-wrong-hint`: for the row with index i (within its set) and gold language g, h is',
    'taken from the benchmark languages that share a script with g (`LANGUAGES[..].scripts`), other than g, in the order',
    `\`${r.languages.join(' ')}\` starting after g and wrapping around, cycling by i; when no other language shares the`,
    'script, h is the language after g in that order. The hints, in the order rows cycle through them:',
    `${r.languages.map((g) => `${g} → ${hintCycle(g).join(', ')}`).join('; ')}.`,
    'A script only one of the languages uses (Thai, Ethiopic) decides directly, so the hint cannot mislead those rows.',
    '',
    mixedSection(r),
  ].join('\n');
}
