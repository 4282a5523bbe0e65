/**
 * `switchboard train language` and `switchboard eval language`: learn a language profile from labelled messages, and
 * measure detection accuracy (per language and by message length).
 */

import { join } from 'node:path';
import { languageMetrics } from '../eval/language-metrics.ts';
import { DEFAULT_LANGUAGE_PROFILE_DIR } from '../nlu/default-model.ts';
import { LanguageDetector } from '../nlu/language/language-detector.ts';
import { LanguageProfile } from '../nlu/language/language-profile.ts';
import { extendLanguageProfile, MIN_CALIBRATION_MESSAGES } from '../train/extend-language-profile.ts';
import { checkModelOut } from '../train/model-dir.ts';
import { type LanguageExample, readLanguageData } from '../train/read-language-data.ts';
import { saveLanguageProfile, writeLanguageManifestAndCard } from '../train/save-language-profile.ts';
import { splitTrainValid } from '../train/split-train-valid.ts';
import { DEFAULT_LANGUAGE_TRAIN_OPTIONS, trainLanguageProfile } from '../train/train-language.ts';
import { numberFlag, parseCommandArgs, required } from './cli-args.ts';

const round = (x: number) => Number(x.toFixed(6));

/**
 * `switchboard train language --data FILE... [--valid FILE...] --out DIR [--base DIR|none] [--max-n N] [--alpha A]
 * [--min-count C] [--describe TEXT] [--json]`: learns a language profile from labelled messages (TSV
 * `text<TAB>language`, or JSONL with a `language` field — intent training data works as is). By default the bot's
 * messages extend the shipped broad profile (`--base`, see `extend-language-profile.ts`): its languages are
 * specialised to the bot's data and every other language is kept; `--base none` learns from the bot's data alone.
 * Without `--valid`, 10% of the data (stratified by language, seeded) is held out to calibrate and to choose the hint
 * bonus (and the bot's weight against the base).
 */
export async function trainLanguageCommand(args: string[]): Promise<number> {
  const cmd = 'train language';
  const { values } = parseCommandArgs(
    args,
    {
      data: { type: 'string', multiple: true },
      valid: { type: 'string', multiple: true },
      out: { type: 'string' },
      'max-n': { type: 'string' },
      alpha: { type: 'string' },
      'min-count': { type: 'string' },
      base: { type: 'string' },
      describe: { type: 'string' },
      json: { type: 'boolean' },
    },
    cmd,
  );
  const dataFiles = values.data ?? [];
  if (dataFiles.length === 0) required(undefined, 'data', cmd);
  const out = required(values.out, 'out', cmd);
  checkModelOut(
    out,
    'language-profile',
    '--out',
    values.base === 'none' ? [] : [values.base ?? DEFAULT_LANGUAGE_PROFILE_DIR],
  );
  let train: LanguageExample[] = dataFiles.flatMap((f) => readLanguageData(f));
  let valid: LanguageExample[];
  if (values.valid && values.valid.length > 0) valid = values.valid.flatMap((f) => readLanguageData(f));
  else {
    const split = splitTrainValid(
      train.map((e) => ({ text: e.text, intent: e.language })),
      0.1,
      13,
    );
    train = split.train.map((e) => ({ text: e.text, language: e.intent as string }));
    valid = split.valid.map((e) => ({ text: e.text, language: e.intent as string }));
  }
  const started = performance.now();
  const counting = {
    maxN: numberFlag(values['max-n'], 'max-n', DEFAULT_LANGUAGE_TRAIN_OPTIONS.maxN),
    alpha: numberFlag(values.alpha, 'alpha', DEFAULT_LANGUAGE_TRAIN_OPTIONS.alpha),
    minCount: numberFlag(values['min-count'], 'min-count', DEFAULT_LANGUAGE_TRAIN_OPTIONS.minCount),
  };
  const baseDir = values.base ?? DEFAULT_LANGUAGE_PROFILE_DIR;
  const base = baseDir === 'none' ? undefined : LanguageProfile.load(baseDir);
  const extended = base
    ? extendLanguageProfile(base, train, valid, {
        ...counting,
        maxN: numberFlag(values['max-n'], 'max-n', base.manifest.max_n),
      })
    : undefined;
  const trained = extended ?? trainLanguageProfile(train, valid, counting);
  const seconds = (performance.now() - started) / 1000;
  const training = trained.manifest.training ?? {};
  trained.manifest.training = {
    ...training,
    seconds: Number(seconds.toFixed(1)),
    ...(values.describe ? { data: values.describe } : {}),
    ...(base
      ? { base: { dir: values.base ?? 'models/language (shipped)', ...(training.base as Record<string, unknown>) } }
      : {}),
  };
  const warnings = extended ? extended.warnings : [];
  if (!base && trained.validation.messages < MIN_CALIBRATION_MESSAGES) {
    warnings.push(
      `too little data to validate: ${trained.validation.messages} validation messages scored (at least ` +
        `${MIN_CALIBRATION_MESSAGES} advised); the temperature and hint bonus are rough`,
    );
  }
  for (const w of warnings) process.stderr.write(`warning: ${w}\n`);
  const bytes = await saveLanguageProfile(out, trained, values.describe);
  const summary = {
    out,
    languages: trained.profile.defaultLanguages,
    profile_languages: trained.profile.covered.size,
    base: baseDir === 'none' ? null : baseDir,
    rows: trained.manifest.rows,
    bytes,
    seconds: Number(seconds.toFixed(1)),
    temperature: round(trained.manifest.temperature),
    hint_bonus: trained.manifest.hint_bonus,
    ...(extended
      ? { prior_strength: extended.priorStrength, bot_weights: extended.botWeights, calibration: extended.calibration }
      : {}),
    warnings,
    validation: Object.fromEntries(Object.entries(trained.validation).map(([k, v]) => [k, round(v)])),
  };
  if (values.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
  else {
    const v = trained.validation;
    const from = extended?.calibration;
    const weights = extended
      ? `; bot weight ${Object.entries(extended.botWeights)
          .map(([l, w]) => `${l} ${w.toFixed(3)}`)
          .join(', ')} (κ = ${extended.priorStrength})`
      : '';
    process.stdout.write(
      `wrote ${join(out, 'profile.bin')} (${(bytes / 1e6).toFixed(2)} MB, ${summary.rows} n-grams) in ${summary.seconds} s\n` +
        (v.messages > 0
          ? `validation: ${(100 * v.accuracy).toFixed(2)}% of ${v.messages} messages; held-out words ` +
            `${(100 * v.words_accuracy).toFixed(2)}% of ${v.held_out_words}\n`
          : 'validation: no validation message could be scored\n') +
        `temperature ${summary.temperature}${from ? ` (${from.temperature})` : ''}, hint bonus ${summary.hint_bonus}` +
        `${from ? ` (${from.hint_bonus})` : ''}${weights}\n`,
    );
  }
  return 0;
}

function accuracyWithout(texts: string[], data: LanguageExample[], languages: string[]): number {
  const plain = new LanguageDetector({ languages });
  let ok = 0;
  for (let i = 0; i < texts.length; i++) if (plain.detect(texts[i]).language === data[i].language) ok++;
  return texts.length ? ok / texts.length : 0;
}

/**
 * `switchboard eval language --data FILE [--languages en,es,…] [--model DIR|none] [--json] [--record NAME]`: detects
 * the language of every message (no hints) and prints `n, accuracy, per_language, by_length, undetermined` and, with a
 * profile, `without_profile_accuracy` (script rules + franc alone, on the same messages and languages).
 * `--languages` defaults to the profile's default languages; `--model none` uses franc (allow-listed) and the script rules only.
 */
export async function evalLanguageCommand(args: string[]): Promise<number> {
  const cmd = 'eval language';
  const { values } = parseCommandArgs(
    args,
    {
      data: { type: 'string' },
      languages: { type: 'string' },
      model: { type: 'string' },
      json: { type: 'boolean' },
      record: { type: 'string' },
    },
    cmd,
  );
  const data = readLanguageData(required(values.data, 'data', cmd));
  const modelDir = values.model ?? DEFAULT_LANGUAGE_PROFILE_DIR;
  const profile = modelDir === 'none' ? undefined : LanguageProfile.load(modelDir);
  const languages = values.languages
    ? values.languages
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : profile
      ? [...profile.defaultLanguages]
      : [...new Set(data.map((e) => e.language))];
  const detector = new LanguageDetector({ languages, profile });
  const texts = data.map((e) => e.text);
  const predicted = texts.map((t) => detector.detect(t).language);
  const m = languageMetrics(
    texts,
    data.map((e) => e.language),
    predicted,
  );
  const result = {
    n: m.n,
    accuracy: round(m.accuracy),
    per_language: Object.fromEntries(
      Object.entries(m.per_language).map(([l, a]) => [l, { n: a.n, accuracy: round(a.accuracy) }]),
    ),
    by_length: Object.fromEntries(
      Object.entries(m.by_length).map(([b, a]) => [b, { n: a.n, accuracy: round(a.accuracy) }]),
    ),
    undetermined: predicted.filter((p) => p === 'und').length,
    languages: detector.languages,
    // What the profile buys: the same detector without it (script rules + franc over the same languages).
    ...(profile ? { without_profile_accuracy: round(accuracyWithout(texts, data, languages)) } : {}),
  };
  if (values.record) {
    if (!profile) required(undefined, 'model DIR (a profile to record into)', cmd);
    const manifest = { ...(profile as LanguageProfile).manifest };
    manifest.evaluations = { ...(manifest.evaluations ?? {}), [values.record]: result };
    await writeLanguageManifestAndCard(modelDir, manifest);
  }
  if (values.json) process.stdout.write(`${JSON.stringify(result)}\n`);
  else {
    process.stdout.write(
      `n ${result.n}  accuracy ${(100 * result.accuracy).toFixed(2)}%  und ${result.undetermined}\n`,
    );
    for (const [b, a] of Object.entries(result.by_length)) {
      process.stdout.write(`  ${b.padEnd(6)} ${(100 * a.accuracy).toFixed(2)}% of ${a.n}\n`);
    }
    for (const [l, a] of Object.entries(result.per_language)) {
      process.stdout.write(`  ${l.padEnd(6)} ${(100 * a.accuracy).toFixed(2)}% of ${a.n}\n`);
    }
  }
  return 0;
}
