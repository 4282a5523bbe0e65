/**
 * Readers of the public benchmark datasets in ../shared/data, converted to switchboard's intent example format.
 * Benchmarks and model training use these; tests never do (the data is not in the repository).
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { IntentExample } from '../src/nlu/intent/intent-example.ts';

/** Root of the shared datasets: `SWITCHBOARD_DATA` or `../shared/data` next to the repository. */
export const DATA_ROOT = resolve(
  process.env.SWITCHBOARD_DATA ?? join(import.meta.dirname, '..', '..', 'shared', 'data'),
);

/** A dataset with its official splits (valid may be absent: carve it from train). */
export interface DatasetSplits {
  name: string;
  mode: 'single' | 'multi';
  train: IntentExample[];
  valid?: IntentExample[];
  test: IntentExample[];
}

/** Parses RFC 4180 CSV (quoted fields may hold commas, quotes and line breaks). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

function banking77Split(file: string): IntentExample[] {
  const rows = parseCsv(readFileSync(join(DATA_ROOT, 'banking77', file), 'utf8'));
  return rows.slice(1).map(([text, intent]) => ({ text, intent, language: 'en' }));
}

/** Banking77: official train/test, no validation split. */
export function banking77(): DatasetSplits {
  return { name: 'banking77', mode: 'single', train: banking77Split('train.csv'), test: banking77Split('test.csv') };
}

/**
 * CLINC150 (data_full) with `oos` renamed `out_of_scope`; train/val/test each include their oos part. Without
 * `withOosTrain`, every out_of_scope row is removed from train AND validation (the test keeps its 1,000): a bot with no
 * out-of-scope data, whose only protection is what it learns elsewhere (switchboard: the background corpus).
 */
export function clinc150(withOosTrain = true): DatasetSplits {
  const data = JSON.parse(readFileSync(join(DATA_ROOT, 'clinc150', 'data_full.json'), 'utf8')) as Record<
    string,
    [string, string][]
  >;
  const conv = (pairs: [string, string][]) =>
    pairs.map(([text, intent]) => ({ text, intent: intent === 'oos' ? 'out_of_scope' : intent, language: 'en' }));
  return {
    name: withOosTrain ? 'clinc150' : 'clinc150-no-oos-train',
    mode: 'single',
    train: conv([...data.train, ...(withOosTrain ? data.oos_train : [])]),
    valid: conv([...data.val, ...(withOosTrain ? data.oos_val : [])]),
    test: conv([...data.test, ...data.oos_test]),
  };
}

export const MASSIVE_LOCALES = ['en', 'de', 'es', 'fr', 'hi', 'th'] as const;

/** MASSIVE for the given locales, concatenated (one model for all of them). */
export function massive(locales: readonly string[] = MASSIVE_LOCALES): DatasetSplits {
  const read = (split: string) =>
    locales.flatMap((l) =>
      readFileSync(join(DATA_ROOT, 'massive', l, `${split}_${l}_raw.txt`), 'utf8')
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => {
          const cols = line.split('\t');
          return { text: cols[0], intent: cols[1], language: l };
        }),
    );
  return {
    name: `massive-${locales.join('+')}`,
    mode: 'single',
    train: read('train'),
    valid: read('dev'),
    test: read('test'),
  };
}

export const MULTI3_LANGUAGES = { english: 'en', spanish: 'es', marathi: 'mr', turkish: 'tr', amharic: 'am' } as const;

/** Multi3NLU++ for one language, both domains; folds 0–14 train, 15–16 valid, 17–19 test (DESIGN.md). */
export function multi3nlupp(language: keyof typeof MULTI3_LANGUAGES): DatasetSplits {
  const read = (folds: number[]) =>
    folds.flatMap((f) =>
      ['banking', 'hotels'].flatMap((domain) =>
        (
          JSON.parse(readFileSync(join(DATA_ROOT, 'multi3nlupp', language, domain, `fold${f}.json`), 'utf8')) as {
            text: string;
            intents?: string[];
          }[]
        ).map((e) => ({ text: e.text, intent: e.intents ?? [], language: MULTI3_LANGUAGES[language] })),
      ),
    );
  const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);
  return {
    name: `multi3nlupp-${language}`,
    mode: 'multi',
    train: read(range(0, 14)),
    valid: read(range(15, 16)),
    test: read(range(17, 19)),
  };
}

export const MULTILINGUAL_TOD_LANGUAGES = ['es', 'th'] as const;

/**
 * Multilingual Task-Oriented Dialog (Schuster et al. 2019), one language: 12 intents (alarm, reminder, weather) of
 * short commands to an assistant; official train / eval (validation) / test. English has no train split here.
 * PyText TSV: intent, slots, utterance, language, tokens (the utterance is trimmed).
 */
export function multilingualTod(language: (typeof MULTILINGUAL_TOD_LANGUAGES)[number]): DatasetSplits {
  const read = (split: string) =>
    readFileSync(join(DATA_ROOT, 'multilingual_tod', language, `${split}-${language}.tsv`), 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => {
        const cols = line.split('\t');
        return { text: cols[2].trim(), intent: cols[0], language };
      });
  return {
    name: `multilingual-tod-${language}`,
    mode: 'single',
    train: read('train'),
    valid: read('eval'),
    test: read('test'),
  };
}
