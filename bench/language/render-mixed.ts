/**
 * The 13-language part of the "Language identification" section (issue 16): a bot configured for ar da de en id it
 * ja kk lt nl sr tr zh (Latin, Cyrillic, Arabic, kana and Han), every system restricted to those languages, and the
 * issue's targets with met/missed computed from the numbers (and the shipped profile's size, read from disk).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { AccuracyCount } from '../../src/eval/language-metrics.ts';
import { DEFAULT_LANGUAGE_PROFILE_DIR } from '../../src/nlu/default-model.ts';
import { LANGUAGE_CONFIGS, LANGUAGE_SETS, type LanguageSet } from '../language-data.ts';
import { ms, ordered, pct, pct2, pooled, table, verdict } from './render.ts';
import type { LanguageEntry, LanguageResults } from './results.ts';
import { LANGUAGE_PEERS } from './systems.ts';

/** The short-message sets the 13-language target pools: word pairs, sentences and chat lines. */
export const SHORT_SETS: readonly LanguageSet[] = ['pairs', 'sentences', 'chat'];

/** Pairs + sentences + chat of the 13-language configuration, pooled by row counts. */
export function shortMessages(e: LanguageEntry | undefined): AccuracyCount | undefined {
  return e?.mixed && pooled(SHORT_SETS.map((s) => e.mixed?.[s]));
}

function mainTable(es: LanguageEntry[]): string {
  return table(
    ['system', 'short messages (pairs + sentences + chat)', ...LANGUAGE_SETS.map((s) => s)],
    es.map((e) => [
      `\`${e.system}\``,
      pct2(shortMessages(e)?.accuracy),
      ...LANGUAGE_SETS.map((s) => pct(e.mixed?.[s]?.accuracy)),
    ]),
  );
}

function perLanguage(es: LanguageEntry[], set: LanguageSet): string {
  const languages = [...LANGUAGE_CONFIGS.mixed];
  return table(
    [`system (${set})`, ...languages],
    es.map((e) => [`\`${e.system}\``, ...languages.map((l) => pct(e.mixed?.[set]?.per_language[l]?.accuracy))]),
  );
}

function profileMb(): number | undefined {
  try {
    return statSync(join(DEFAULT_LANGUAGE_PROFILE_DIR, 'profile.bin')).size / 1e6;
  } catch {
    return undefined;
  }
}

function targets(r: LanguageResults): string {
  const sb = r.systems.switchboard;
  const hint = r.systems['switchboard-hint'];
  const peers = LANGUAGE_PEERS.map((p) => r.systems[p]).filter((e): e is LanguageEntry => e?.mixed !== undefined);
  const rows: string[][] = [];
  const add = (target: string, measured: string, ok: boolean | undefined) => rows.push([target, measured, verdict(ok)]);
  const mine = shortMessages(sb);
  add('13 languages, short messages: ≥ 95%', pct2(mine?.accuracy), mine && mine.accuracy >= 0.95);
  const best = peers.reduce<LanguageEntry | undefined>(
    (a, b) => (!a || (shortMessages(b)?.accuracy ?? 0) > (shortMessages(a)?.accuracy ?? 0) ? b : a),
    undefined,
  );
  add(
    '13 languages, short messages: ≥ every peer (franc, franc-only, eld, tinyld)',
    mine && best
      ? `${pct2(mine.accuracy)} vs best peer \`${best.system}\` ${pct2(shortMessages(best)?.accuracy)}`
      : '–',
    mine && best ? peers.every((p) => mine.accuracy >= (shortMessages(p)?.accuracy ?? 0)) : undefined,
  );
  for (const set of SHORT_SETS) {
    const a = sb?.mixed?.[set]?.accuracy;
    const top = Math.max(...peers.map((p) => p.mixed?.[set]?.accuracy ?? 0));
    add(
      `13 languages, ${set} alone: ≥ every peer`,
      `${pct2(a)} vs ${pct2(top)}`,
      a === undefined ? undefined : a >= top,
    );
  }
  add(
    '9 languages, chat (MASSIVE + Multi3NLU++): ≥ 99.4%',
    pct2(sb?.sets.chat.accuracy),
    sb && sb.sets.chat.accuracy >= 0.994,
  );
  add(
    '9 languages, single words with a correct hint: ≥ 97%',
    pct2(hint?.sets.words.accuracy),
    hint && hint.sets.words.accuracy >= 0.97,
  );
  const size = profileMb();
  add(
    'Profile ≤ 10 MB (models/ budget; the issue allows 15)',
    size ? `${size.toFixed(2)} MB` : '–',
    size !== undefined ? size <= 10 : undefined,
  );
  add(
    'One message p99 ≤ 0.2 ms (`switchboard`, 9-language chat)',
    sb ? `${ms(sb.latency_p99_ms)} ms` : '–',
    sb && sb.latency_p99_ms <= 0.2,
  );
  add('Load ≤ 1 s (`switchboard`)', sb ? `${sb.load_ms.toFixed(0)} ms` : '–', sb && sb.load_ms <= 1000);
  return table(['target (issue 16)', 'measured', ''], rows);
}

/** The fallback comparison of bench/language/choose-fallback.ts (validation splits), if it was run. */
function fallbackTable(): string {
  const file = join(import.meta.dirname, '..', 'results', 'language-fallback.json');
  if (!existsSync(file)) return '';
  const { results } = JSON.parse(readFileSync(file, 'utf8')) as {
    results: { config: string; system: string; n: number; accuracy: number; us_per_message: number }[];
  };
  return [
    'The fallback for configured languages a profile lacks, chosen on validation data only',
    '(`npx tsx bench/language/choose-fallback.ts`; each detector alone, no profile; mean µs per message on the shared',
    "2-core machine). tinyld's training data includes Tatoeba, which flatters it on the corpus lines. switchboard",
    'falls back to tinyld where it knows every candidate and to franc for the long tail (`language-fallback.ts`):',
    '',
    table(
      ['validation set', 'detector', 'n', 'accuracy %', 'µs / message'],
      results.map((r) => [r.config, r.system, String(r.n), pct2(r.accuracy), r.us_per_message.toFixed(1)]),
    ),
    '',
  ].join('\n');
}

/** The 13-language section (empty when no result has it). */
export function mixedSection(r: LanguageResults): string {
  const es = ordered(r).filter((e) => e.mixed);
  if (es.length === 0) return '';
  const size = (s: LanguageSet) => r.mixed_set_sizes?.[s] ?? '–';
  return [
    '### A bot configured for 13 languages of mixed scripts (issue 16)',
    '',
    `Languages \`${LANGUAGE_CONFIGS.mixed.join(' ')}\` (Latin, Cyrillic, Arabic, kana and Han); every system is`,
    'restricted to them (the same allow-list options as above), no hints except in the hint rows. Sets:',
    '',
    `- \`chat\` (${size('chat')} lines): the held-out test split of the Tatoeba/UD lines of \`langid-train\` for these`,
    '  languages (`bench/language-corpus.ts`: a hash of each line puts it in train, valid or test, 80/10/10; the',
    "  profile never sees the test lines). Everyday sentences, not assistant requests. tinyld's own training data",
    '  includes Tatoeba, so this set may favour it.',
    `- \`words\` (${size('words')}), \`pairs\` (${size('pairs')}), \`sentences\` (${size('sentences')}): lingua's test data for the`,
    '  13 languages. The target pools word pairs, sentences and chat lines ("short messages"); single words are shown too.',
    '',
    'Accuracy in %:',
    '',
    mainTable(es),
    '',
    targets(r),
    '',
    'Per language (%), chat lines and word pairs:',
    '',
    perLanguage(es, 'chat'),
    '',
    perLanguage(es, 'pairs'),
    '',
    fallbackTable(),
  ].join('\n');
}
