/**
 * Trains switchboard's shipped language profile (models/language): the broad corpus `../shared/data/langid-train`
 * (138 languages; Tatoeba and UD lines split 80/10/10 by `bench/language-corpus.ts`, FLORES-200 / TICO-19 / NTREX as
 * training text only) together with the chat data the previous profile learnt from (MASSIVE train + Multi3NLU++
 * folds 0–14). How much the formal FLORES text counts (`--flores-weight`) and how many n-grams each language keeps
 * (`--max-per-language`) are chosen on validation data only: MASSIVE dev + Multi3NLU++ folds 15–16 (the 9-language
 * configuration) and the valid split of the Tatoeba/UD lines (the 13-language configuration and every language).
 *
 *   npx tsx bench/language/train-profile.ts --grid [--weights 0,0.1 --sizes 12000 --scales 1,3]   # validation → stdout
 *   npx tsx bench/language/train-profile.ts --out models/language  # train with the chosen settings and write it
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { LanguageDetector } from '../../src/nlu/language/language-detector.ts';
import type { LanguageProfile } from '../../src/nlu/language/language-profile.ts';
import { countLanguage, type LanguageGrams, pruneLanguage } from '../../src/train/language-counts.ts';
import type { LanguageExample } from '../../src/train/read-language-data.ts';
import { saveLanguageProfile } from '../../src/train/save-language-profile.ts';
import {
  calibrateLanguageProfile,
  DEFAULT_LANGUAGE_TRAIN_OPTIONS,
  type LanguageTrainOptions,
  profileGroups,
} from '../../src/train/train-language.ts';
import { corpusLines } from '../language-corpus.ts';
import { BENCH_LANGUAGES, chatSplits, MIXED_LANGUAGES } from '../language-data.ts';

/** The settings chosen on validation (`--grid`); see models/language/MODEL_CARD.md. */
export const CHOSEN = { floresWeight: 0.1, maxPerLanguage: 10_000, scale: 3 };

/** Training and validation material for a given FLORES weight. */
export function profileData(floresWeight: number): { train: LanguageExample[]; valid: LanguageExample[] } {
  const chat = chatSplits();
  const corpus = corpusLines();
  const informal = new Set([
    ...chat.train.map((e) => e.language),
    ...corpus.filter((l) => l.source !== 'flores200').map((l) => l.language),
  ]);
  const train: LanguageExample[] = [...chat.train];
  const valid: LanguageExample[] = [...chat.valid];
  for (const line of corpus) {
    const e = { text: line.text, language: line.language };
    if (line.split === 'valid') valid.push(e);
    else if (line.split === 'train') {
      // Formal text counts `floresWeight` where a language has everyday text too; alone, it is all there is.
      const formal = line.source === 'flores200';
      train.push(formal && informal.has(line.language) ? { ...e, weight: floresWeight } : e);
    }
  }
  return { train, valid };
}

/** Counts every language of `train` (sorted codes) keeping at most `maxPerLanguage` n-grams each. */
export function countAll(
  train: readonly LanguageExample[],
  maxPerLanguage: number,
): { languages: string[]; grams: LanguageGrams[] } {
  const by = profileGroups(train);
  const languages = [...by.keys()].sort();
  const o = { ...DEFAULT_LANGUAGE_TRAIN_OPTIONS, maxPerLanguage };
  return { languages, grams: languages.map((l) => countLanguage(by.get(l) ?? [], o)) };
}

/** Accuracy of the detector (no hints) over `rows` when the bot is configured for `languages`. */
export function accuracyIn(profile: LanguageProfile, languages: readonly string[], rows: readonly LanguageExample[]) {
  const detector = new LanguageDetector({ languages, profile });
  const inConfig = rows.filter((r) => languages.includes(r.language));
  const per = new Map<string, [number, number]>();
  let ok = 0;
  for (const r of inConfig) {
    const right = detector.detect(r.text).language === r.language ? 1 : 0;
    ok += right;
    const c = per.get(r.language) ?? [0, 0];
    per.set(r.language, [c[0] + right, c[1] + 1]);
  }
  const macro = [...per.values()].reduce((a, [k, n]) => a + k / n, 0) / Math.max(1, per.size);
  return { n: inConfig.length, accuracy: ok / Math.max(1, inConfig.length), macro };
}

const TRAIN_OPTIONS = (maxPerLanguage: number): LanguageTrainOptions => ({
  ...DEFAULT_LANGUAGE_TRAIN_OPTIONS,
  maxPerLanguage,
  validLanguages: [...BENCH_LANGUAGES],
  defaultLanguages: [...BENCH_LANGUAGES],
});

/**
 * N-grams a language keeps: `k` times the square root of its share of the median language's n-gram tokens, between 1
 * and `scale` times `k` (languages with much more training text — the chat languages — earn more). `scale` 1: `k` each.
 */
export function keptPerLanguage(grams: readonly LanguageGrams[], k: number, scale: number): number[] {
  const totals = grams.map((g) => g.total).sort((a, b) => a - b);
  const median = totals[totals.length >> 1];
  return grams.map((g) => Math.round(k * Math.min(scale, Math.max(1, Math.sqrt(g.total / median)))));
}

/** Trains, calibrates and measures one setting on the validation splits. */
export function trainProfile(
  floresWeight: number,
  maxPerLanguage: number,
  counted?: ReturnType<typeof countAll>,
  scale = CHOSEN.scale,
) {
  const { train, valid } = profileData(floresWeight);
  const { languages, grams } = counted ?? countAll(train, Math.round(maxPerLanguage * scale));
  const kept = keptPerLanguage(grams, maxPerLanguage, scale);
  const pruned = grams.map((g, i) => pruneLanguage(g, kept[i]));
  const perLanguage: Record<string, number> = {};
  for (const e of train) perLanguage[e.language] = (perLanguage[e.language] ?? 0) + 1;
  const trained = calibrateLanguageProfile(languages, pruned, valid, TRAIN_OPTIONS(maxPerLanguage), {
    messages: train.length,
    per_language: perLanguage,
    flores_weight: floresWeight,
    kept_scale: scale,
  });
  return { trained, valid };
}

/** Validation measures of a trained profile: the 9-language chat set, the 13-language and all-language corpus lines. */
export function validationReport(profile: LanguageProfile, valid: readonly LanguageExample[]) {
  const chat = chatSplits().valid;
  const corpusValid = valid.slice(chat.length);
  return {
    chat9: accuracyIn(profile, BENCH_LANGUAGES, chat),
    corpus13: accuracyIn(profile, MIXED_LANGUAGES, corpusValid),
    corpusAll: accuracyIn(profile, [...profile.covered], corpusValid),
  };
}

async function main() {
  const { values } = parseArgs({
    options: {
      grid: { type: 'boolean' },
      weights: { type: 'string' },
      sizes: { type: 'string' },
      scales: { type: 'string' },
      out: { type: 'string' },
      'flores-weight': { type: 'string' },
      'max-per-language': { type: 'string' },
    },
  });
  if (values.grid) {
    const sizes = (values.sizes ?? '12000,16000').split(',').map(Number);
    const scales = (values.scales ?? '1').split(',').map(Number);
    for (const w of (values.weights ?? '0,0.1,0.25,0.5,1').split(',').map(Number)) {
      const counted = countAll(profileData(w).train, Math.max(...sizes) * Math.max(...scales));
      for (const k of sizes) {
        for (const scale of scales) {
          const { trained, valid } = trainProfile(w, k, counted, scale);
          const row: GridRow = {
            flores_weight: w,
            max_per_language: k,
            scale,
            mb: (trained.manifest.rows * 5 + trained.manifest.entries * 2) / 1e6,
            ...validationReport(trained.profile, valid),
            words_correct_hint: trained.validation.words_correct_hint,
          };
          saveGridRow(row);
          console.log(gridLine(row));
        }
      }
    }
    return;
  }
  const w = values['flores-weight'] ? Number(values['flores-weight']) : CHOSEN.floresWeight;
  const k = values['max-per-language'] ? Number(values['max-per-language']) : CHOSEN.maxPerLanguage;
  // The profile being replaced: its recorded evaluations go into the new card for comparison.
  const previous =
    values.out && existsSync(join(values.out, 'manifest.json'))
      ? (JSON.parse(readFileSync(join(values.out, 'manifest.json'), 'utf8')) as {
          languages?: string[];
          evaluations?: unknown;
        })
      : undefined;
  const started = performance.now();
  const { trained, valid } = trainProfile(w, k);
  trained.manifest.training = {
    ...trained.manifest.training,
    seconds: Math.round((performance.now() - started) / 1000),
    data: cardDescription(w, k, CHOSEN.scale),
    ...(previous?.evaluations
      ? { replaced: { languages: previous.languages, evaluations: previous.evaluations } }
      : {}),
  };
  const report = validationReport(trained.profile, valid);
  trained.manifest.validation = { ...trained.manifest.validation, configurations: report };
  console.log(JSON.stringify(report));
  if (values.out) console.log(`wrote ${await saveLanguageProfile(values.out, trained)} bytes to ${values.out}`);
}

/** One setting of the validation grid. */
interface GridRow extends ReturnType<typeof validationReport> {
  flores_weight: number;
  max_per_language: number;
  scale: number;
  mb: number;
  words_correct_hint: number;
}

const GRID_FILE = join(import.meta.dirname, '..', 'results', 'language-profile-grid.json');

function readGrid(): GridRow[] {
  return existsSync(GRID_FILE) ? (JSON.parse(readFileSync(GRID_FILE, 'utf8')) as GridRow[]) : [];
}

function saveGridRow(row: GridRow): void {
  const same = (a: GridRow) =>
    a.flores_weight === row.flores_weight && a.max_per_language === row.max_per_language && a.scale === row.scale;
  const rows = [...readGrid().filter((r) => !same(r)), row].sort(
    (a, b) => a.flores_weight - b.flores_weight || a.max_per_language - b.max_per_language || a.scale - b.scale,
  );
  writeFileSync(GRID_FILE, `${JSON.stringify(rows, null, 2)}\n`);
}

const p2 = (x: number) => (100 * x).toFixed(2);
function gridLine(r: GridRow): string {
  const f = (x: { accuracy: number; macro: number }) => `${p2(x.accuracy)}/${p2(x.macro)}`;
  return `flores ${r.flores_weight}\tK ${r.max_per_language}\tscale ${r.scale}\t${r.mb.toFixed(2)} MB\tchat9 ${f(r.chat9)}\tcorpus13 ${f(r.corpus13)}\tall ${f(r.corpusAll)}\twords+hint ${p2(r.words_correct_hint)}`;
}

/** The card's account of the data, its licences and the validation grid the settings were chosen from. */
function cardDescription(w: number, k: number, scale: number): string {
  const grid = readGrid();
  return [
    'A broad profile: 138 languages (`langid-train`) plus the chat data the previous profile learnt from. Trained by',
    '`npx tsx bench/language/train-profile.ts --out models/language` (about a minute); the grid below by `--grid`.',
    '',
    '- `../shared/data/langid-train` (see its SOURCE.md): Tatoeba and UD lines split 80/10/10 into train / valid /',
    '  test by a hash of each line (`bench/language-corpus.ts`; only train is learnt from, valid chooses the settings,',
    "  test is the 13-language benchmark's chat set); FLORES-200 devtest, TICO-19 and NTREX-128 lines are training text,",
    `  FLORES counting ${w} of a line where the language has everyday text too (all of it where FLORES is all there is).`,
    '- MASSIVE 1.1 train (en de es fr hi th) + Multi3NLU++ folds 0–14 (en es mr tr am); their validation splits',
    '  (MASSIVE dev, folds 15–16) choose settings too. No test split of any of them is read.',
    `- Each language keeps its ${k} most frequent n-grams times √(its n-gram tokens / the median language's), between`,
    `  1 and ${scale} times that; a language in a second script is learnt as its own form (\`sr-Latin\`, \`uz-Cyrillic\`).`,
    '',
    '**Attribution and licence.** This profile is derived from: sentences from Tatoeba (https://tatoeba.org), by',
    'Tatoeba contributors, CC BY 2.0 FR (via facebookresearch/LASER and Tatoeba/tatodet); FLORES-200 (NLLB Team,',
    'Meta AI), CC BY-SA 4.0; NTREX-128 (Microsoft), CC BY-SA 4.0; Universal Dependencies treebanks UD_Amharic-ATT,',
    'UD_Tamil-MWTT, UD_Kazakh-KTB, UD_Thai-TUD, CC BY-SA 4.0; TICO-19, CC0; MASSIVE 1.1 (Amazon), CC BY 4.0;',
    'Multi3NLU++, CC BY 4.0. Because of the share-alike parts, `profile.bin` is distributed under CC BY-SA 4.0.',
    '',
    '### Validation grid (accuracy / macro-average over languages, %, no hints)',
    '',
    '`chat9`: MASSIVE dev + Multi3NLU++ folds 15–16, bot of the 9 default languages; `corpus13`: valid Tatoeba/UD',
    'lines of the 13-language bot (ar da de en id it ja kk lt nl sr tr zh); `all`: valid lines of every language with',
    'the bot configured for all 138. Size = profile.bin. The temperature and hint bonuses are then calibrated for a bot',
    'of the 9 default languages (en de es fr hi th mr tr am), as for the previous profile.',
    '',
    '| FLORES weight | n-grams per language | scale | MB | chat9 | corpus13 | all |',
    '|---|---|---|---|---|---|---|',
    ...grid.map((r) => {
      const chosen = r.flores_weight === w && r.max_per_language === k && r.scale === scale ? ' **(chosen)**' : '';
      const f = (x: { accuracy: number; macro: number }) => `${p2(x.accuracy)} / ${p2(x.macro)}`;
      return `| ${r.flores_weight}${chosen} | ${r.max_per_language} | ${r.scale} | ${r.mb.toFixed(2)} | ${f(r.chat9)} | ${f(r.corpus13)} | ${f(r.corpusAll)} |`;
    }),
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
