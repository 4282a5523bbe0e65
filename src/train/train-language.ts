/**
 * Learns a language profile from labelled messages (intent training data carries a `language` per example; the
 * shipped profile adds a broad multilingual corpus): naive Bayes counts of character n-grams per language, pruned to
 * each language's most frequent ones, quantised, then two things chosen on validation data — the temperature that
 * calibrates the posterior, and the hint bonus: the smallest prior for a hinted language that lifts held-out single
 * words to the target accuracy when the hint is right, while a wrong hint costs validation messages at most
 * `maxWrongHintLoss`. Validation scores each message over the configured languages that share its script
 * (`validLanguages`, default all the profile's languages) — the choice the detector faces at run time.
 */
import { createHash } from 'node:crypto';
import { minimizeOverTemperature } from '../eval/calibration.ts';
import {
  GRAM_SEED,
  type LanguageManifest,
  LanguageProfile,
  type LanguageProfileParts,
} from '../nlu/language/language-profile.ts';
import { keyLanguage, LANGUAGES, profileKey, type Script } from '../nlu/language/languages.ts';
import { textEvidence } from '../nlu/language/text-evidence.ts';
import { DataError } from './data-error.ts';
import { accuracyOf, chooseHintBonuses, nll, type Scored, type ScoreItem, scoreSet } from './language-calibration.ts';
import { assembleGrams, countLanguage, type GramCountOptions, type LanguageGrams } from './language-counts.ts';
import type { LanguageExample } from './read-language-data.ts';

export interface LanguageTrainOptions extends GramCountOptions {
  /** Accuracy on held-out single words with a correct hint that the hint bonus aims for. */
  hintTarget: number;
  /** Largest accuracy loss on validation messages a wrong hint may cause (fraction, 0.005 = half a point). */
  maxWrongHintLoss: number;
  /** Held-out words per language used to choose the hint bonus. */
  wordsPerLanguage: number;
  /** The configuration validation is scored in (default: every language of the profile). */
  validLanguages?: readonly string[];
  /** Recorded in the manifest as the languages of a bot that configures none. */
  defaultLanguages?: readonly string[];
}

export const DEFAULT_LANGUAGE_TRAIN_OPTIONS: LanguageTrainOptions = {
  maxN: 5,
  alpha: 0.1,
  minCount: 1,
  maxPerLanguage: 1_000_000,
  hintTarget: 0.97,
  maxWrongHintLoss: 0.005,
  wordsPerLanguage: 1000,
};

/** Validation numbers recorded in the manifest and the model card. */
export interface LanguageValidation {
  messages: number;
  accuracy: number;
  accuracy_float: number;
  held_out_words: number;
  words_accuracy: number;
  words_correct_hint: number;
  words_wrong_hint: number;
  messages_wrong_hint: number;
}

export interface TrainedLanguageProfile {
  manifest: LanguageManifest;
  parts: LanguageProfileParts;
  profile: LanguageProfile;
  validation: LanguageValidation;
}

/** Trains a profile on `train`, calibrates it and chooses the hint bonus on `valid`. */
export function trainLanguageProfile(
  train: readonly LanguageExample[],
  valid: readonly LanguageExample[],
  options: Partial<LanguageTrainOptions> = {},
): TrainedLanguageProfile {
  const o = { ...DEFAULT_LANGUAGE_TRAIN_OPTIONS, ...options };
  const byLanguage = profileGroups(train);
  const languages = [...byLanguage.keys()].sort();
  const covered = new Set(languages.map(keyLanguage));
  if (covered.size < 2) throw new DataError('training data', undefined, 'needs messages in at least two languages');
  for (const e of valid) {
    if (!covered.has(e.language)) {
      throw new DataError('validation data', undefined, `language '${e.language}' has no training messages`);
    }
  }
  const grams: LanguageGrams[] = languages.map((l) => countLanguage(byLanguage.get(l) ?? [], o));
  return calibrateLanguageProfile(languages, grams, valid, o, {
    messages: train.length,
    per_language: Object.fromEntries(languages.map((l) => [l, byLanguage.get(l)?.length ?? 0])),
  });
}

/**
 * Training messages grouped by profile key: the language, or `language-Script` when a language with several scripts
 * is written in its second one (`profileKey`), so each written form gets its own distribution.
 */
export function profileGroups(train: readonly LanguageExample[]): Map<string, LanguageExample[]> {
  const groups = new Map<string, LanguageExample[]>();
  for (const e of train) {
    const multi = (LANGUAGES[e.language]?.scripts.length ?? 0) > 1;
    const key = multi ? profileKey(e.language, textEvidence(e.text).script) : e.language;
    const list = groups.get(key);
    if (list) list.push(e);
    else groups.set(key, [e]);
  }
  return groups;
}

/** Assembles counted languages into a profile, then calibrates it on `valid` (see the module comment). */
export function calibrateLanguageProfile(
  languages: readonly string[],
  grams: readonly LanguageGrams[],
  valid: readonly LanguageExample[],
  o: LanguageTrainOptions,
  training: Record<string, unknown>,
): TrainedLanguageProfile {
  const { parts, quantization, logProbs } = assembleGrams(grams);
  const manifest: LanguageManifest = {
    kind: 'language-profile',
    format_version: 2,
    languages: [...languages],
    ...(o.defaultLanguages ? { default_languages: [...o.defaultLanguages] } : {}),
    max_n: o.maxN,
    seed: GRAM_SEED,
    rows: parts.keys.length,
    entries: parts.languages.length,
    quantization,
    unseen: grams.map((g) => g.unseen),
    temperature: 1,
    hint_bonus: 0,
    sha256: profileChecksum(parts),
    training: {
      ...training,
      n_grams_seen: grams.reduce((a, g) => a + g.seen, 0),
      n_grams_kept: parts.languages.length,
      max_n: o.maxN,
      alpha: o.alpha,
      min_count: o.minCount,
      max_per_language: o.maxPerLanguage,
    },
  };
  let profile = LanguageProfile.fromParts(manifest, parts);
  const configured = o.validLanguages ?? [...profile.covered];

  // Validation messages and held-out words (≥ 5 letters, never seen in training).
  const validItems: ScoreItem[] = valid.map((e) => ({ evidence: textEvidence(e.text), language: e.language }));
  const messages = scoreSet(profile, validItems, configured);
  const heldOut: ScoreItem[] = [];
  const seenPer = new Map<string, Set<string>>();
  for (const e of valid) {
    const l = profile.indexFor(e.language, textEvidence(e.text).script);
    const seen = seenPer.get(e.language) ?? new Set<string>();
    seenPer.set(e.language, seen);
    for (const w of textEvidence(e.text).words) {
      if (seen.size >= o.wordsPerLanguage) break;
      if ([...w].length >= 5 && !grams[l].words.has(w) && !seen.has(w)) {
        seen.add(w);
        heldOut.push({ evidence: textEvidence(w), language: e.language });
      }
    }
  }
  const words = scoreSet(profile, heldOut, configured);
  const floatProfile = LanguageProfile.fromLogProbs(manifest, parts, logProbs);
  const floatAccuracy = accuracyOf(scoreSet(floatProfile, validItems, configured), () => 0, 'none');

  const temperature = minimizeOverTemperature((t) => nll(messages, t));
  const scaled = (set: Scored[]) => set.map((s) => ({ ...s, logits: s.logits.map((x) => x / temperature) }));
  const m = scaled(messages);
  const w = scaled(words);
  const none = () => 0;
  // A wrong hint can only hurt messages whose script leaves a choice: the loss budget counts every validation message
  // in the configuration's languages (script-decided ones included; messages in other languages are not the bot's).
  const inConfig = valid.filter((e) => configured.includes(e.language)).length;
  const byScript = chooseHintBonuses(m, w, Math.floor(o.maxWrongHintLoss * inConfig + 1e-9), o.hintTarget);
  // Scripts validation never saw use the bonus of the script with the most held-out words.
  const wordsPerScript = new Map<Script, number>();
  for (const x of w) wordsPerScript.set(x.script, (wordsPerScript.get(x.script) ?? 0) + 1);
  const commonest = [...wordsPerScript].sort((a, b) => b[1] - a[1])[0]?.[0];
  const fallback = commonest ? byScript[commonest] : 0;
  const bonusFor = (script: Script) => byScript[script] ?? fallback;
  const validation: LanguageValidation = {
    messages: m.length,
    accuracy: accuracyOf(m, none, 'none'),
    accuracy_float: floatAccuracy,
    held_out_words: heldOut.length,
    words_accuracy: accuracyOf(w, none, 'none'),
    words_correct_hint: accuracyOf(w, bonusFor, 'right'),
    words_wrong_hint: accuracyOf(w, bonusFor, 'wrong'),
    messages_wrong_hint: accuracyOf(m, bonusFor, 'wrong'),
  };
  manifest.temperature = temperature;
  manifest.hint_bonus = fallback;
  manifest.hint_bonus_by_script = byScript;
  manifest.validation = { ...validation, languages: [...configured] };
  profile = LanguageProfile.fromParts(manifest, parts);
  return { manifest, parts, profile, validation };
}

/** `profile.bin` as written (layout in `LanguageProfile.load`). */
export function profileBytes(parts: LanguageProfileParts): Buffer {
  const { keys, counts, languages, quantized } = parts;
  const buf = Buffer.alloc(keys.length * 5 + languages.length * 2);
  for (let i = 0; i < keys.length; i++) buf.writeUInt32LE(keys[i], i * 4);
  buf.set(counts, keys.length * 4);
  buf.set(languages, keys.length * 5);
  buf.set(quantized, keys.length * 5 + languages.length);
  return buf;
}

function profileChecksum(parts: LanguageProfileParts): string {
  return createHash('sha256').update(profileBytes(parts)).digest('hex');
}
