/**
 * Writes a trained language profile directory (`profile.bin`, `manifest.json`, `MODEL_CARD.md`).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LanguageManifest } from '../nlu/language/language-profile.ts';
import { LANGUAGES } from '../nlu/language/languages.ts';
import { profileBytes, type TrainedLanguageProfile } from './train-language.ts';

const pct = (x: unknown) => (typeof x === 'number' ? `${(100 * x).toFixed(2)}%` : '—');

/** Writes `profile.bin`, `manifest.json` and `MODEL_CARD.md` into `dir` (created if missing). */
export async function saveLanguageProfile(dir: string, trained: TrainedLanguageProfile, dataDescription?: string) {
  await mkdir(dir, { recursive: true });
  const bin = profileBytes(trained.parts);
  await writeFile(join(dir, 'profile.bin'), bin);
  await writeLanguageManifestAndCard(dir, trained.manifest, dataDescription);
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
    dataDescription ?? (typeof t.data === 'string' ? t.data : 'Not described.'),
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
    `- Temperature ${m.temperature.toFixed(3)} (minimum validation NLL).`,
    `- Hint bonus (logits for the conversation's previous language; channel locale ×0.5, workspace default ×0.25), one ` +
      `per script of the message: ${
        Object.entries(m.hint_bonus_by_script ?? {})
          .map(([script, b]) => `${script} ${b}`)
          .join(', ') || 'none'
      }; other scripts ${m.hint_bonus}. Chosen together: the most held-out words right with a correct hint while ` +
      'wrong hints cost validation messages at most half a point in total' +
      (Array.isArray(v.languages) ? ` (validation scored for a bot of ${(v.languages as string[]).join(' ')}).` : '.'),
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
