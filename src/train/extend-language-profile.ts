/**
 * `switchboard train language --base DIR`: a bot's own messages extend or specialise a broad profile (the shipped
 * one by default). Each language of the bot's data is re-estimated by interpolating the bot's maximum-likelihood
 * n-gram distribution with the base's: p(g) = w · p_bot(g) + (1 − w) · p_base(g), where w = N / (N + κ) shrinks
 * toward the base — N is the language's bot n-gram tokens and κ a prior strength (in tokens), so a few messages move
 * the base little and thousands move it more. An n-gram neither knows keeps the base's unseen probability times
 * (1 − w): the bot's data never makes a language likelier on text it has not seen, so languages outside the bot's
 * data are told apart exactly as the base tells them. Every other language of the base is kept as it is.
 *
 * Calibration shrinks toward the base too: κ is chosen on validation data only when there is enough of it (else
 * {@link DEFAULT_PRIOR_STRENGTH}); the temperature is fitted on validation NLL with a prior centred on the base's
 * temperature (bounded to a factor of {@link TEMPERATURE_RANGE} around it), or kept when validation is too small; the
 * hint bonuses are the base's unless validation holds enough messages to bound what a wrong hint costs. The new
 * profile's default languages are the bot's.
 */
import { LanguageProfile } from '../nlu/language/language-profile.ts';
import { keyLanguage, type Script } from '../nlu/language/languages.ts';
import { textEvidence } from '../nlu/language/text-evidence.ts';
import { DataError } from './data-error.ts';
import {
  accuracyOf,
  chooseHintBonuses,
  heldOutWords,
  type Scored,
  type ScoreItem,
  scoreSet,
  temperatureTowardBase,
} from './language-calibration.ts';
import { assembleGrams, countLanguage, type LanguageGrams } from './language-counts.ts';
import type { LanguageExample } from './read-language-data.ts';
import { attributionOf } from './save-language-profile.ts';
import {
  calibrateLanguageProfile,
  DEFAULT_LANGUAGE_TRAIN_OPTIONS,
  type LanguageTrainOptions,
  profileGroups,
  type TrainedLanguageProfile,
} from './train-language.ts';

/** Prior strengths κ (bot n-gram tokens) tried on validation data; larger keeps closer to the base. */
export const PRIOR_STRENGTHS = [5_000, 10_000, 20_000, 50_000, 100_000];
/** κ when validation is too small to choose it: ~50 short messages of a language give it a weight of about 0.2. */
export const DEFAULT_PRIOR_STRENGTH = 20_000;
/** Scored validation messages needed before κ and the temperature are chosen on them. */
export const MIN_CALIBRATION_MESSAGES = 50;
/** Held-out words needed (with a wrong-hint budget of at least one message) before the hint bonus is re-chosen. */
export const MIN_HINT_WORDS = 50;
/** The temperature stays within the base's divided or multiplied by this. */
export const TEMPERATURE_RANGE = 4;

/** A language's bot weight for `tokens` bot n-gram tokens under prior strength `kappa`. */
export function botWeight(tokens: number, kappa: number): number {
  return tokens > 0 ? tokens / (tokens + kappa) : 0;
}

/**
 * Interpolates one language's bot counts (as counted, Lidstone-smoothed) with its base distribution:
 * w · p_bot + (1 − w) · p_base, p_bot the bot's maximum-likelihood estimate (zero for an n-gram it never saw); an
 * n-gram neither stores scores (1 − w) · the base's unseen probability. Without a base the bot's counts are used as
 * they are.
 */
export function mixGrams(
  bot: LanguageGrams,
  base: { hashes: Uint32Array; logProbs: Float64Array; unseen: number } | undefined,
  w: number,
): LanguageGrams {
  if (!base) return bot;
  // Undo the smoothing: exp(lp) = (c + α) / D and exp(unseen) = α / D, with D = total + α · (seen + 1).
  const u = Math.exp(bot.unseen);
  const scale = 1 - u * (bot.seen + 1);
  const botP = (lp: number) => (bot.total > 0 && scale > 0 ? Math.max(0, Math.exp(lp) - u) / scale : 0);
  const hashes: number[] = [];
  const logProbs: number[] = [];
  const baseUnseen = Math.exp(base.unseen);
  let i = 0;
  let j = 0;
  while (i < bot.hashes.length || j < base.hashes.length) {
    const a = i < bot.hashes.length ? bot.hashes[i] : Number.POSITIVE_INFINITY;
    const b = j < base.hashes.length ? base.hashes[j] : Number.POSITIVE_INFINITY;
    const h = Math.min(a, b);
    const pBot = a === h ? botP(bot.logProbs[i++]) : 0;
    const pBase = b === h ? Math.exp(base.logProbs[j++]) : baseUnseen;
    hashes.push(h);
    logProbs.push(Math.log(w * pBot + (1 - w) * pBase));
  }
  return {
    ...bot,
    hashes: Uint32Array.from(hashes),
    logProbs: Float64Array.from(logProbs),
    unseen: Math.log(1 - w) + base.unseen,
  };
}

/** What extending chose, next to the profile. */
export interface ExtendedLanguageProfile extends TrainedLanguageProfile {
  /** The prior strength κ used (bot n-gram tokens). */
  priorStrength: number;
  /** Each bot language's weight against the base (1 for a language the base lacks). */
  botWeights: Record<string, number>;
  /** Where the temperature and the hint bonus came from. */
  calibration: {
    temperature: 'base' | 'validation';
    hint_bonus: 'base' | 'validation';
    prior_strength: 'default' | 'validation';
  };
  /** Why the base's calibration was kept, for the user. */
  warnings: string[];
}

/** Trains on the bot's messages on top of `base` (see the module comment). */
export function extendLanguageProfile(
  base: LanguageProfile,
  train: readonly LanguageExample[],
  valid: readonly LanguageExample[],
  options: Partial<LanguageTrainOptions> = {},
  /** A fixed prior strength κ (skips choosing it on validation data). */
  priorStrength?: number,
): ExtendedLanguageProfile {
  const botLanguages = [...new Set(train.map((e) => e.language))].sort();
  const o: LanguageTrainOptions = {
    ...DEFAULT_LANGUAGE_TRAIN_OPTIONS,
    maxN: base.manifest.max_n,
    validLanguages: botLanguages,
    defaultLanguages: botLanguages,
    ...options,
  };
  if (o.maxN !== base.manifest.max_n) throw new Error(`the base profile uses n-grams up to ${base.manifest.max_n}`);
  const configured = o.validLanguages ?? botLanguages;
  const groups = profileGroups(train);
  const counted = new Map([...groups].map(([key, rows]) => [key, countLanguage(rows, o)]));
  const baseGrams = base.languageGrams();
  const keys = [...new Set([...base.languages, ...groups.keys()])].sort();
  const empty = new Set<string>();
  const weights = (kappa: number) =>
    Object.fromEntries(
      [...counted].map(([key, g]) => [key, base.languages.includes(key) ? botWeight(g.total, kappa) : 1]),
    );
  const build = (kappa: number, only?: (key: string) => boolean) => {
    const w = weights(kappa);
    const chosen = only ? keys.filter(only) : keys;
    const grams = chosen.map((key): LanguageGrams => {
      const b = base.languages.indexOf(key);
      const bot = counted.get(key);
      const fromBase = b >= 0 ? baseGrams[b] : undefined;
      if (!bot) return { ...(fromBase as NonNullable<typeof fromBase>), total: 0, seen: 0, words: empty };
      return mixGrams(bot, fromBase, w[key]);
    });
    return { keys: chosen, grams };
  };
  const validItems: ScoreItem[] = valid.map((e) => ({ evidence: textEvidence(e.text), language: e.language }));
  const warnings: string[] = [];

  // κ: chosen on validation when there is enough of it (ties keep the larger κ, closer to the base).
  const inBot = (key: string) => configured.includes(keyLanguage(key));
  const smallProfile = (kappa: number) => {
    const { keys: k, grams } = build(kappa, inBot);
    const { parts, logProbs } = assembleGrams(grams);
    const manifest = {
      ...base.manifest,
      languages: k,
      unseen: grams.map((g) => g.unseen),
      rows: parts.keys.length,
      entries: parts.languages.length,
    };
    return LanguageProfile.fromLogProbs(manifest, parts, logProbs);
  };
  let kappa = priorStrength ?? DEFAULT_PRIOR_STRENGTH;
  let kappaFrom: 'default' | 'validation' = 'default';
  const scoredAtDefault = scoreSet(smallProfile(kappa), validItems, configured).length;
  if (priorStrength === undefined && scoredAtDefault >= MIN_CALIBRATION_MESSAGES) {
    let bestAccuracy = -1;
    for (const k of [...PRIOR_STRENGTHS].sort((a, b) => b - a)) {
      const accuracy = accuracyOf(scoreSet(smallProfile(k), validItems, configured), () => 0, 'none');
      if (accuracy > bestAccuracy + 1e-12) [bestAccuracy, kappa] = [accuracy, k];
    }
    kappaFrom = 'validation';
  }

  if ([...counted.values()].every((g) => g.total === 0)) {
    throw new DataError('training data', undefined, 'no message has letters to learn from');
  }
  const botWeights = weights(kappa);
  const { grams } = build(kappa);
  const baseTraining = base.manifest.training ?? {};
  const attribution = attributionOf(baseTraining);
  const training = {
    messages: train.length,
    per_language: Object.fromEntries(botLanguages.map((l) => [l, train.filter((e) => e.language === l).length])),
    base: {
      languages: base.covered.size,
      sha256: base.manifest.sha256,
      temperature: base.manifest.temperature,
      hint_bonus: base.manifest.hint_bonus,
      ...(base.manifest.hint_bonus_by_script ? { hint_bonus_by_script: base.manifest.hint_bonus_by_script } : {}),
      ...(typeof baseTraining.data === 'string' ? { data: baseTraining.data } : {}),
      ...(attribution ? { attribution } : {}),
    },
    prior_strength: kappa,
    bot_weights: Object.fromEntries(Object.entries(botWeights).map(([k, w]) => [k, Number(w.toFixed(4))])),
    bot_tokens: Object.fromEntries([...counted].map(([k, g]) => [k, g.total])),
  };
  const trained = calibrateLanguageProfile(keys, grams, valid, o, training);

  // Temperature and hint bonuses: the base's, unless validation can say otherwise.
  const { manifest, parts } = trained;
  const messages = scoreSet(trained.profile, validItems, configured);
  const words = scoreSet(trained.profile, heldOutWords(trained.profile, valid, grams, o.wordsPerLanguage), configured);
  let temperature = base.manifest.temperature;
  let temperatureFrom: 'base' | 'validation' = 'base';
  if (messages.length >= MIN_CALIBRATION_MESSAGES) {
    temperature = temperatureTowardBase(messages, base.manifest.temperature, TEMPERATURE_RANGE);
    temperatureFrom = 'validation';
  }
  const scaled = (set: Scored[]) => set.map((s) => ({ ...s, logits: s.logits.map((x) => x / temperature) }));
  const m = scaled(messages);
  const w = scaled(words);
  const inConfig = valid.filter((e) => configured.includes(e.language)).length;
  const budget = Math.floor(o.maxWrongHintLoss * inConfig + 1e-9);
  let byScript: Record<string, number> = { ...(base.manifest.hint_bonus_by_script ?? {}) };
  let fallback = base.manifest.hint_bonus;
  let hintFrom: 'base' | 'validation' = 'base';
  if (budget >= 1 && w.length >= MIN_HINT_WORDS) {
    byScript = chooseHintBonuses(m, w, budget, o.hintTarget);
    const perScript = new Map<Script, number>();
    for (const x of w) perScript.set(x.script, (perScript.get(x.script) ?? 0) + 1);
    const commonest = [...perScript].sort((a, b) => b[1] - a[1])[0]?.[0];
    fallback = commonest ? byScript[commonest] : base.manifest.hint_bonus;
    hintFrom = 'validation';
  }
  const hintNeeds =
    `${Math.ceil(1 / o.maxWrongHintLoss)} validation messages in the bot's languages and ${MIN_HINT_WORDS} ` +
    `held-out words to choose the hint bonus`;
  const kept = `temperature ${base.manifest.temperature.toFixed(3)}, hint bonus ${base.manifest.hint_bonus}`;
  if (temperatureFrom === 'base') {
    warnings.push(
      `too little data to validate: ${messages.length} validation message${messages.length === 1 ? '' : 's'} ` +
        `scored, ${w.length} held-out words (at least ${MIN_CALIBRATION_MESSAGES} messages are needed to choose the ` +
        `temperature and the bot weight, ${hintNeeds}); keeping the base's calibration (${kept}) and the default ` +
        `prior strength κ = ${kappa}`,
    );
  } else if (hintFrom === 'base') {
    warnings.push(
      `too little data to choose the hint bonus: ${inConfig} validation messages in the bot's languages, ` +
        `${w.length} held-out words (${hintNeeds}); keeping the base's hint bonus ${base.manifest.hint_bonus}`,
    );
  }
  const bonusFor = (script: Script) => byScript[script] ?? fallback;
  const validation = {
    ...trained.validation,
    words_correct_hint: accuracyOf(w, bonusFor, 'right'),
    words_wrong_hint: accuracyOf(w, bonusFor, 'wrong'),
    messages_wrong_hint: accuracyOf(m, bonusFor, 'wrong'),
  };
  const calibration = { temperature: temperatureFrom, hint_bonus: hintFrom, prior_strength: kappaFrom };
  manifest.temperature = temperature;
  manifest.hint_bonus = fallback;
  manifest.hint_bonus_by_script = byScript;
  manifest.validation = { ...validation, languages: [...configured] };
  manifest.training = { ...manifest.training, calibration };
  return {
    manifest,
    parts,
    profile: LanguageProfile.fromParts(manifest, parts),
    validation,
    priorStrength: kappa,
    botWeights,
    calibration,
    warnings,
  };
}
