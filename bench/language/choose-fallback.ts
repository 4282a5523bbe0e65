/**
 * Chooses the fallback for languages the profile lacks, on validation data only: each candidate detector answers
 * alone (no profile) among a bot's configured languages — the 13-language configuration on the valid split of the
 * broad corpus's Tatoeba/UD lines, and the 9 benchmark languages on MASSIVE dev + Multi3NLU++ folds 15–16.
 * `npx tsx bench/language/choose-fallback.ts` prints accuracy and mean microseconds per message, and writes them to
 * bench/results/language-fallback.json (rendered in docs/benchmarks.md).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LanguageDetector } from '../../src/nlu/language/language-detector.ts';
import type { LanguageExample } from '../../src/train/read-language-data.ts';
import { corpusLines } from '../language-corpus.ts';
import { BENCH_LANGUAGES, chatSplits, MIXED_LANGUAGES } from '../language-data.ts';

type Detect = (text: string) => string;

async function eldFor(size: 'large' | 'medium' | 'small', languages: readonly string[]): Promise<Detect> {
  const { eld } = await import(`eld/${size}`);
  return (text) => {
    eld.setLanguageSubset([...languages]);
    return eld.detect(text).language || 'und';
  };
}

function measure(detect: Detect, rows: readonly LanguageExample[]) {
  let ok = 0;
  const t0 = performance.now();
  for (const r of rows) if (detect(r.text) === r.language) ok++;
  return { accuracy: ok / rows.length, us: (1000 * (performance.now() - t0)) / rows.length };
}

const corpusValid = corpusLines()
  .filter((l) => l.split === 'valid')
  .map((l) => ({ text: l.text, language: l.language }));
const configs = [
  { name: '13 languages, corpus valid', languages: MIXED_LANGUAGES, rows: corpusValid },
  { name: '9 languages, chat valid', languages: BENCH_LANGUAGES, rows: chatSplits().valid },
];
const results: { config: string; system: string; n: number; accuracy: number; us_per_message: number }[] = [];
for (const { name, languages, rows } of configs) {
  const inConfig = rows.filter((r) => (languages as readonly string[]).includes(r.language));
  const systems: Record<string, Detect> = {};
  for (const fallback of ['franc', 'tinyld'] as const) {
    const d = new LanguageDetector({ languages, fallback });
    systems[`switchboard rules + ${fallback}`] = (t) => d.detect(t).language;
  }
  for (const size of ['small', 'large'] as const) systems[`eld ${size}`] = await eldFor(size, languages);
  for (const [system, detect] of Object.entries(systems)) {
    const r = measure(detect, inConfig);
    results.push({ config: name, system, n: inConfig.length, accuracy: r.accuracy, us_per_message: r.us });
    console.log(
      `${name}\t${system}\t${(100 * r.accuracy).toFixed(2)}%\t${r.us.toFixed(1)} µs (n = ${inConfig.length})`,
    );
  }
}
const out = join(import.meta.dirname, '..', 'results', 'language-fallback.json');
writeFileSync(out, `${JSON.stringify({ date: new Date().toISOString(), results }, null, 2)}\n`);
console.log(`wrote ${out}`);
