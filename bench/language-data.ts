/**
 * The language-ID benchmark sets (issue 3), from ../shared/data:
 * (a) `chat`: MASSIVE test (en de es fr hi th) + Multi3NLU++ test folds 17–19 (en es mr tr am) — chat-like utterances;
 * (b) `words`, `pairs`, `sentences`: lingua's accuracy-report lines for the same languages.
 * Training material for switchboard's profile: MASSIVE train + Multi3NLU++ folds 0–14; validation: MASSIVE dev +
 * folds 15–16. Nothing learned ever sees a test split.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LanguageExample } from '../src/train/read-language-data.ts';
import { DATA_ROOT, MULTI3_LANGUAGES, massive, multi3nlupp } from './datasets.ts';
import { corpusLines } from './language-corpus.ts';

/** The allow-list of the benchmark: the MASSIVE and Multi3NLU++ languages. */
export const BENCH_LANGUAGES = ['en', 'de', 'es', 'fr', 'hi', 'th', 'mr', 'tr', 'am'] as const;
/** A bot configured for 13 languages of mixed scripts (issue 16): Latin, Cyrillic, Arabic, kana and Han. */
export const MIXED_LANGUAGES = ['ar', 'da', 'de', 'en', 'id', 'it', 'ja', 'kk', 'lt', 'nl', 'sr', 'tr', 'zh'] as const;
export const LANGUAGE_SETS = ['chat', 'words', 'pairs', 'sentences'] as const;
export type LanguageSet = (typeof LANGUAGE_SETS)[number];

const asLanguage = (e: { text: string; language?: string }): LanguageExample => ({
  text: e.text,
  language: e.language as string,
});

/** Train / valid / chat-test splits of MASSIVE (six locales) and Multi3NLU++ (five languages). */
export function chatSplits(): { train: LanguageExample[]; valid: LanguageExample[]; test: LanguageExample[] } {
  const m = massive();
  const multi = (Object.keys(MULTI3_LANGUAGES) as (keyof typeof MULTI3_LANGUAGES)[]).map((k) => multi3nlupp(k));
  return {
    train: [...m.train, ...multi.flatMap((d) => d.train)].map(asLanguage),
    valid: [...(m.valid ?? []), ...multi.flatMap((d) => d.valid ?? [])].map(asLanguage),
    test: [...m.test, ...multi.flatMap((d) => d.test)].map(asLanguage),
  };
}

const LINGUA_DIR: Record<Exclude<LanguageSet, 'chat'>, string> = {
  words: 'single-words',
  pairs: 'word-pairs',
  sentences: 'sentences',
};

/** The benchmark's bot configurations: the 9 chat-data languages, and 13 languages of mixed scripts (issue 16). */
export const LANGUAGE_CONFIGS = {
  core: BENCH_LANGUAGES,
  mixed: MIXED_LANGUAGES,
} as const satisfies Record<string, readonly string[]>;
export type LanguageConfig = keyof typeof LANGUAGE_CONFIGS;

/**
 * One benchmark set of a configuration, every row labelled with its ISO 639-1 language. `chat` is MASSIVE +
 * Multi3NLU++ test for `core`, and the test split of the broad corpus's Tatoeba/UD lines for `mixed`
 * (bench/language-corpus.ts).
 */
export function languageSet(set: LanguageSet, config: LanguageConfig = 'core'): LanguageExample[] {
  const languages: readonly string[] = LANGUAGE_CONFIGS[config];
  if (set === 'chat') {
    if (config === 'core') return chatSplits().test;
    return corpusLines()
      .filter((l) => l.split === 'test' && languages.includes(l.language))
      .map((l) => ({ text: l.text, language: l.language }));
  }
  return languages.flatMap((language) =>
    readFileSync(join(DATA_ROOT, 'langid', 'lingua-testdata', LINGUA_DIR[set], `${language}.txt`), 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((text) => ({ text, language })),
  );
}

/** TSV lines `text<TAB>language` (tabs and line breaks inside a message become spaces). */
export function toTsv(rows: readonly LanguageExample[]): string {
  return rows.map((r) => `${r.text.replace(/[\t\r\n]+/g, ' ')}\t${r.language}\n`).join('');
}
