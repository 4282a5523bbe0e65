/**
 * Writes a trained language profile directory (`profile.bin`, `manifest.json`, `MODEL_CARD.md`).
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LanguageManifest } from '../nlu/language/language-profile.ts';
import { LANGUAGES } from '../nlu/language/languages.ts';
import { replaceModelDir } from './model-dir.ts';
import { profileBytes, type TrainedLanguageProfile } from './train-language.ts';

const pct = (x: unknown) => (typeof x === 'number' ? `${(100 * x).toFixed(2)}%` : '—');

/** Writes `profile.bin`, `manifest.json` and `MODEL_CARD.md` into `dir` (created if missing). */
export async function saveLanguageProfile(dir: string, trained: TrainedLanguageProfile, dataDescription?: string) {
  const bin = profileBytes(trained.parts);
  // The directory is replaced as a unit: a failed save leaves the previous profile as it was.
  await replaceModelDir(dir, async (staging) => {
    await writeFile(join(staging, 'profile.bin'), bin);
    await writeLanguageManifestAndCard(staging, trained.manifest, dataDescription);
  });
  return bin.length;
}

/** (Re)writes the manifest and the card generated from it (also after `eval language --record`). */
export async function writeLanguageManifestAndCard(dir: string, manifest: LanguageManifest, dataDescription?: string) {
  await writeFile(join(dir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  await writeFile(join(dir, 'MODEL_CARD.md'), renderLanguageCard(manifest, dataDescription));
}

/** The model card of a language profile: data, method, and every measured number in the manifest. */
export function renderLanguageCard(m: LanguageManifest, dataDescription?: string): string {
  const t = (m.training ?? {}) as Record<string, unknown>;
  const v = (m.validation ?? {}) as Record<string, unknown>;
  const perLanguage = (t.per_language ?? {}) as Record<string, number>;
  const evaluations = (m as { evaluations?: Record<string, Record<string, unknown>> }).evaluations ?? {};
  const broad = m.languages.length > 20;
  const base = t.base && typeof t.base === 'object' ? (t.base as Record<string, unknown>) : undefined;
  const lines = [
    broad
      ? `# Language profile: ${m.languages.length} languages and written forms (default: ${(m.default_languages ?? []).join(' ')})`
      : `# Language profile: ${m.languages.join(' ')}`,
    '',
    'Naive Bayes over character 1–' +
      `${m.max_n}-grams of padded words; used by switchboard's language detector to choose among configured languages ` +
      'that share a script (scripts used by one configured language decide directly; configured languages the ' +
      'profile lacks go to the fallback detector). Written by `switchboard train language` or ' +
      '`bench/language/train-profile.ts`.',
    '',
    '## Training data',
    '',
    dataDescription ??
      (typeof t.data === 'string'
        ? t.data
        : base
          ? `The bot's own messages: ${t.messages ?? '?'} training messages (below) and ${v.messages ?? '?'} scored ` +
            'validation messages, learnt on top of the base profile described under "Base profile".'
          : 'Not described.'),
    '',
    '| language | messages |',
    '|---|---|',
    ...Object.entries(perLanguage).map(([l, n]) => `| ${l} (${LANGUAGES[l]?.name ?? '?'}) | ${n} |`),
    '',
    `Profile keys: ${m.languages.join(' ')}.`,
    '',
    `N-grams seen ${t.n_grams_seen ?? '?'}, kept ${m.rows} (seen ≥ ${t.min_count ?? '?'} times), smoothing α = ` +
      `${t.alpha ?? '?'}, at most ${t.max_per_language ?? '?'} per language; ${m.entries} (n-gram, language) log-probabilities ` +
      `stored as uint8 over ${m.rows} distinct n-grams (${m.rows * 5 + m.entries * 2} bytes).`,
    '',
    '## Chosen on validation data',
    '',
    `- Temperature ${m.temperature.toFixed(3)} (${
      !base
        ? 'minimum validation NLL'
        : calibrationOf(t).temperature === 'validation'
          ? "validation NLL with a prior centred on the base's"
          : "the base's: too little validation data to choose it"
    }).`,
    `- Hint bonus (logits for the conversation's previous language; channel locale ×0.5, workspace default ×0.25), one ` +
      `per script of the message: ${
        Object.entries(m.hint_bonus_by_script ?? {})
          .map(([script, b]) => `${script} ${b}`)
          .join(', ') || 'none'
      }; other scripts ${m.hint_bonus}. ` +
      (base && calibrationOf(t).hint_bonus !== 'validation'
        ? "The base's hint bonuses: too little validation data to choose them."
        : 'Chosen together: the most held-out words right with a correct hint while wrong hints cost validation ' +
          'messages at most half a point in total' +
          (Array.isArray(v.languages)
            ? ` (validation scored for a bot of ${(v.languages as string[]).join(' ')}).`
            : '.')),
    '',
    '## Validation (messages whose script leaves more than one candidate)',
    '',
    '| measure | value |',
    '|---|---|',
    `| messages | ${v.messages ?? '—'} |`,
    `| accuracy, no hint (uint8 profile) | ${pct(v.accuracy)} |`,
    `| accuracy, no hint (float profile) | ${pct(v.accuracy_float)} |`,
    `| accuracy, wrong hint | ${pct(v.messages_wrong_hint)} |`,
    `| held-out single words (≥ 5 letters, unseen in training) | ${v.held_out_words ?? '—'} |`,
    `| words, no hint | ${pct(v.words_accuracy)} |`,
    `| words, correct hint | ${pct(v.words_correct_hint)} |`,
    `| words, wrong hint | ${pct(v.words_wrong_hint)} |`,
    ...Object.entries((v.configurations ?? {}) as Record<string, { n: number; accuracy: number }>).map(
      ([name, c]) => `| ${name}: every message, no hint (n = ${c.n}) | ${pct(c.accuracy)} |`,
    ),
    '',
  ];
  if (base) lines.push(...baseSection(base, t));
  if (Object.keys(evaluations).length > 0) {
    lines.push('## Recorded evaluations (`switchboard eval language --record NAME`)', '');
    lines.push(
      '| name | n | accuracy | ≤10 | 11–20 | 21–40 | >40 | without the profile (script rules + fallback) |',
      '|---|---|---|---|---|---|---|---|',
    );
    for (const [name, e] of Object.entries(evaluations)) {
      const by = (e.by_length ?? {}) as Record<string, { accuracy: number }>;
      lines.push(
        `| ${name} | ${e.n} | ${pct(e.accuracy)} | ${['≤10', '11–20', '21–40', '>40'].map((b) => pct(by[b]?.accuracy)).join(' | ')} | ${pct(e.without_profile_accuracy)} |`,
      );
    }
    lines.push('');
  }
  const replaced = t.replaced as { languages?: string[]; evaluations?: Record<string, Record<string, unknown>> };
  if (replaced?.evaluations && Object.keys(replaced.evaluations).length > 0) {
    lines.push(
      '## Compared with the profile this one replaced',
      '',
      `Its languages: ${(replaced.languages ?? []).join(' ')}. Accuracy on the same recorded sets (as recorded in its manifest):`,
      '',
      '| name | n | replaced profile | this profile |',
      '|---|---|---|---|',
    );
    for (const [name, e] of Object.entries(replaced.evaluations)) {
      lines.push(`| ${name} | ${e.n} | ${pct(e.accuracy)} | ${pct(evaluations[name]?.accuracy)} |`);
    }
    lines.push('');
  }
  return `${lines.join('\n')}\n`;
}

/** The paragraph of a profile's data description that gives its attribution and licence (or undefined). */
export function attributionOf(training: Record<string, unknown> | undefined): string | undefined {
  const base = training?.base as Record<string, unknown> | undefined;
  if (typeof base?.attribution === 'string') return base.attribution;
  const data = typeof training?.data === 'string' ? training.data : '';
  return data.split(/\n\s*\n/).find((p) => /attribution|licen[cs]e/i.test(p));
}

/** "Base profile": what an extended profile was built on, how much the bot's data weighs, and the base's licence. */
function baseSection(base: Record<string, unknown>, t: Record<string, unknown>): string[] {
  const weights = (t.bot_weights ?? {}) as Record<string, number>;
  const tokens = (t.bot_tokens ?? {}) as Record<string, number>;
  const calibration = calibrationOf(t);
  const from = (what: string) => (calibration[what] === 'validation' ? 'chosen on validation data' : "the base's");
  const attribution = typeof base.attribution === 'string' ? base.attribution : undefined;
  const lines = [
    '## Base profile',
    '',
    `Extends the base profile ${base.dir ? `\`${base.dir}\` ` : ''}(${base.languages ?? '?'} languages, profile.bin ` +
      `sha256 ${String(base.sha256 ?? '?').slice(0, 16)}…; temperature ${Number(base.temperature).toFixed(3)}, hint ` +
      `bonus ${base.hint_bonus ?? '?'}). Each language of the bot's data is re-estimated as p = w · p_bot + (1 − w) · ` +
      "p_base, with p_bot its maximum-likelihood n-gram distribution in the bot's messages and w = N / (N + κ) for N " +
      `bot n-gram tokens, κ = ${t.prior_strength ?? '?'} (${calibration.prior_strength === 'validation' ? 'chosen on validation data' : 'the default: too little validation data to choose it'}); ` +
      "every other language is the base's, unchanged. Temperature: " +
      `${from('temperature')}; hint bonus: ${from('hint_bonus')}.`,
    '',
    '| profile key | bot n-gram tokens | bot weight w |',
    '|---|---|---|',
    ...Object.entries(weights).map(([k, w]) => `| ${k} | ${tokens[k] ?? '?'} | ${w.toFixed(3)} |`),
    '',
  ];
  if (typeof base.data === 'string') {
    const data = base.data
      .split(/\n#+ /)[0]
      .split(/\n\s*\n/)
      .filter((para) => para.trim() !== attribution?.trim())
      .join('\n\n')
      .trim();
    lines.push("### The base's training data", '', data, '');
  }
  lines.push('### Attribution and licence', '');
  if (attribution) {
    lines.push(
      'This profile is derived from the base profile, whose attribution and licence carry over to it. ' +
        attribution
          .replace(/^\*\*Attribution and licence\.\*\*\s*/, '')
          .replace(/^This profile is derived from/, 'The base profile is derived from'),
    );
    if (/CC BY-SA/.test(attribution)) {
      lines.push(
        '',
        'As a derivative of share-alike data, this `profile.bin` is distributed under CC BY-SA 4.0 as well.',
      );
    }
  } else lines.push("The base profile's manifest states no attribution or licence; check the base's own card.");
  lines.push('');
  return lines;
}

const calibrationOf = (t: Record<string, unknown>) => (t.calibration ?? {}) as Record<string, string>;
