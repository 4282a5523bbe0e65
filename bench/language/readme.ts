/**
 * The README's language-identification table (between its `bench:language` markers), from
 * bench/results/language.json: both bot configurations, every system, in one table. Written after every full
 * `npm run bench -- --datasets language` (bench/language/driver.ts), or by hand: `npx tsx bench/language/readme.ts`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ms, ordered, pct, table } from './render.ts';
import { shortMessages } from './render-mixed.ts';
import { LANGUAGE_RESULTS_FILE, type LanguageResults, readLanguageResults } from './results.ts';

const START = '<!-- bench:language (written by bench/language/readme.ts) -->';
const END = '<!-- /bench:language -->';

/** The table: 9-language chat / words / sentences, 13-language short messages / words, p99. */
export function readmeLanguageTable(r: LanguageResults): string {
  return table(
    [
      'system',
      '9 languages: chat',
      'chat ≤ 10 chars',
      'words',
      'sentences',
      '13 languages: short messages',
      'words',
      'p99 ms',
    ],
    ordered(r).map((e) => [
      e.system === 'switchboard' ? '**switchboard**' : `\`${e.system}\``,
      pct(e.sets.chat.accuracy),
      pct(e.sets.chat.by_length['≤10']?.accuracy),
      pct(e.sets.words.accuracy),
      pct(e.sets.sentences.accuracy),
      pct(shortMessages(e)?.accuracy),
      pct(e.mixed?.words.accuracy),
      ms(e.latency_p99_ms),
    ]),
  );
}

/** Rewrites the README block from `resultsDir`'s language.json (no-op without results or markers). */
export function writeReadmeLanguageTable(resultsDir: string, readmeFile: string): boolean {
  const r = readLanguageResults(resultsDir);
  const readme = readFileSync(readmeFile, 'utf8');
  const a = readme.indexOf(START);
  const b = readme.indexOf(END);
  if (!r || a < 0 || b < a) return false;
  writeFileSync(readmeFile, `${readme.slice(0, a + START.length)}\n${readmeLanguageTable(r)}\n${readme.slice(b)}`);
  return true;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const root = join(import.meta.dirname, '..', '..');
  const done = writeReadmeLanguageTable(join(root, 'bench', 'results'), join(root, 'README.md'));
  console.log(done ? `README.md: language table from bench/results/${LANGUAGE_RESULTS_FILE}` : 'nothing written');
}
