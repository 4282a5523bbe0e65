/**
 * `npx tsx bench/dev/entity-prefilter.ts [--corpora massive-en,conll-en] [--limit N] [--examples K]`: measures the
 * prefilters of the rule entity recognizer (src/nlu/entities/rule-prefilters.ts) against the unfiltered models, on
 * MASSIVE train+test (en de es fr hi th; column 1 is the text) and CoNLL-2003 eng.testb (tokens joined by spaces).
 * Per corpus and type: mentions found without / with the prefilter, the share missed, the share of messages on which
 * the type's model ran; per corpus: ms per message (the whole rule stage: every model of the language) without / with
 * the prefilter, p50 / p99 / max, also for messages of 20+ tokens. `--examples K` prints K missed mentions per type.
 * The prefilter only skips models, so a miss is a message whose model was skipped although it would have found
 * something. Prints markdown (docs/entities.md quotes it).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { RULE_ENTITY_TYPES, RuleEntityRecognizer, type RuleEntityType } from '../../src/nlu/entities/rule-entities.ts';
import { DATETIME_STOP_WORDS } from '../../src/nlu/entities/rule-prefilters.ts';
import type { EntityMention } from '../../src/nlu/understanding.ts';
import { DATA_ROOT } from '../datasets.ts';
import { percentile } from '../lib/stats.ts';

const { values: args } = parseArgs({
  options: {
    corpora: { type: 'string' },
    limit: { type: 'string' },
    examples: { type: 'string', default: '0' },
    'skip-stop-check': { type: 'boolean', default: false },
  },
});

interface Corpus {
  name: string;
  language: string;
  texts: string[];
}

function massive(language: string): Corpus {
  const texts: string[] = [];
  for (const split of ['train', 'test']) {
    const file = join(DATA_ROOT, 'massive', language, `${split}_${language}_raw.txt`);
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      const text = line.split('\t')[0]?.trim();
      if (text) texts.push(text);
    }
  }
  return { name: `massive-${language}`, language, texts };
}

function conll(): Corpus {
  const texts: string[] = [];
  let tokens: string[] = [];
  for (const line of readFileSync(join(DATA_ROOT, 'conll2003', 'eng.testb'), 'utf8').split('\n')) {
    const token = line.split(' ')[0];
    if (!line.trim() || token === '-DOCSTART-') {
      if (tokens.length) texts.push(tokens.join(' '));
      tokens = [];
    } else tokens.push(token);
  }
  if (tokens.length) texts.push(tokens.join(' '));
  return { name: 'conll-en', language: 'en', texts };
}

const ALL = ['massive-en', 'massive-de', 'massive-es', 'massive-fr', 'massive-hi', 'massive-th', 'conll-en'];
const names = args.corpora ? args.corpora.split(',') : ALL;
const limit = args.limit ? Number(args.limit) : Number.POSITIVE_INFINITY;
const examples = Number(args.examples);
const now = () => new Date(2026, 10, 20, 10, 0, 0);
const languages = ['en', 'de', 'es', 'fr', 'hi', 'th'];
const filtered = new RuleEntityRecognizer({ languages, now });
const unfiltered = new RuleEntityRecognizer({ languages, now, prefilter: false });

const key = (m: EntityMention) => `${m.type}:${m.start}:${m.end}`;
const f1 = (x: number, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : '–');

const typeRows: string[] = [];
const timeRows: string[] = [];
for (const name of names) {
  const corpus = name === 'conll-en' ? conll() : massive(name.replace('massive-', ''));
  const texts = corpus.texts.slice(0, limit);
  const lang = corpus.language;
  for (const t of texts.slice(0, 200)) {
    unfiltered.candidates(t, lang);
    filtered.candidates(t, lang);
  }
  const types = filtered.typesFor(lang);
  const found = new Map<RuleEntityType, { raw: number; kept: number; ran: number; missed: string[] }>();
  for (const t of types) found.set(t, { raw: 0, kept: 0, ran: 0, missed: [] });
  const rawMs: number[] = [];
  const keptMs: number[] = [];
  const longRaw: number[] = [];
  const longKept: number[] = [];
  const started = Date.now();
  texts.forEach((text, i) => {
    let s = performance.now();
    const raw = unfiltered.candidates(text, lang);
    const r = performance.now() - s;
    s = performance.now();
    const kept = filtered.candidates(text, lang);
    const k = performance.now() - s;
    rawMs.push(r);
    keptMs.push(k);
    if (text.split(/\s+/).length >= 20) {
      longRaw.push(r);
      longKept.push(k);
    }
    for (const t of filtered.plannedTypes(text, lang)) found.get(t)!.ran++;
    const keptKeys = new Set(kept.map(key));
    for (const m of raw) {
      const f = found.get(m.type as RuleEntityType)!;
      f.raw++;
      if (keptKeys.has(key(m))) f.kept++;
      else if (f.missed.length < examples) f.missed.push(`${m.text} ⟵ ${text}`);
    }
    if (i % 2000 === 1999)
      console.error(`${name}: ${i + 1}/${texts.length} (${((Date.now() - started) / 1000).toFixed(0)} s)`);
  });
  for (const t of RULE_ENTITY_TYPES) {
    const f = found.get(t);
    if (!f) continue;
    const missed = f.raw - f.kept;
    typeRows.push(
      `| ${name} | ${t} | ${f.raw} | ${f.kept} | ${missed} | ${f1(f.raw ? (100 * missed) / f.raw : 0, 2)}% | ${f1((100 * f.ran) / texts.length)}% |`,
    );
    for (const e of f.missed) console.error(`  missed ${name} ${t}: ${e}`);
  }
  const p = (xs: number[], q: number) => f1(percentile(xs, q), 2);
  timeRows.push(
    `| ${name} | ${texts.length} | ${p(rawMs, 50)} / ${p(rawMs, 99)} / ${f1(Math.max(...rawMs), 0)} | ${p(keptMs, 50)} / ${p(keptMs, 99)} / ${f1(Math.max(...keptMs), 0)} | ${longRaw.length} | ${p(longRaw, 50)} / ${p(longRaw, 99)} | ${p(longKept, 50)} / ${p(longKept, 99)} |`,
  );
}

/**
 * Soundness on synthetic phrases: every stop word alone and in carrier phrases of stop words, next to numbers, and 300
 * seeded pairs per language; the prefiltered recognizer must find exactly the datetimes the unfiltered one finds.
 */
const CARRIERS: Record<string, string[]> = {
  en: ['W', 'the W', 'at W', 'on W', 'in the W', 'for the W', 'W please', 'until W', 'from W to W'],
  es: ['W', 'el W', 'la W', 'a las W', 'en W', 'para el W', 'W por favor', 'hasta W', 'de W a W'],
  fr: ['W', 'le W', 'la W', 'à W', 'en W', 'pour le W', 'W merci', "jusqu'à W", 'de W à W'],
};
const DIGITS: Record<string, string[]> = {
  en: ['W 5', 'W 12', 'W the 5', '5 W', 'W 5 30', 'W 5 6', '3 W 5', 'W 25', 'W 1 2'],
  es: ['W 5', 'W 12', 'W las 5', '5 W', 'W 5 30', 'W 5 6', '3 W 5', 'W 25', 'W 1 2'],
  fr: ['W 5', 'W 12', 'W le 5', '5 W', 'W 5 30', 'W 5 6', '3 W 5', 'W 25', 'W 1 2'],
};
const unsound: string[] = [];
let checked = 0;
if (!args['skip-stop-check']) {
  const datetimes = (r: RuleEntityRecognizer, text: string, lang: string) =>
    r
      .candidates(text, lang)
      .filter((m) => m.type === 'datetime')
      .map(key)
      .join(' ');
  for (const [lang, stop] of Object.entries(DATETIME_STOP_WORDS)) {
    const templates = [...(CARRIERS[lang] ?? ['W']), ...(DIGITS[lang] ?? [])];
    const phrases = stop.flatMap((w) => templates.map((c) => c.replaceAll('W', w)));
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % stop.length;
    for (let i = 0; i < 300; i++) phrases.push(`${stop[next()]} ${stop[next()]}`);
    for (const phrase of phrases) {
      checked++;
      const want = datetimes(unfiltered, phrase, lang);
      if (want !== datetimes(filtered, phrase, lang)) unsound.push(`${lang}: "${phrase}" → ${want}`);
    }
  }
  console.log(`Synthetic stop-word phrases: ${checked}, datetimes missed by the prefilter: ${unsound.length}`);
  for (const u of unsound) console.log(`- ${u}`);
  console.log();
}

console.log('| corpus | type | found without prefilter | found with | missed | missed % | model ran on |');
console.log('|---|---|---:|---:|---:|---:|---:|');
for (const r of typeRows) console.log(r);
console.log();
console.log(
  '| corpus | messages | ms without prefilter p50 / p99 / max | ms with prefilter p50 / p99 / max | 20+ tokens | 20+ without p50 / p99 | 20+ with p50 / p99 |',
);
console.log('|---|---:|---:|---:|---:|---:|---:|');
for (const r of timeRows) console.log(r);
