/**
 * `switchboard train language --base DIR`: a bot's own messages extend or specialise a broad profile (the shipped
 * one by default). Languages of the bot's data are re-estimated as a mixture of the bot's n-gram distribution and the
 * base's — p(g) = w · p_bot(g) + (1 − w) · p_base(g), the bot's weight w chosen on validation data — and every other
 * language of the base is kept as it is, so the bot still tells its languages from the rest. The new profile's
 * default languages are the bot's.
 */
import type { LanguageProfile } from '../nlu/language/language-profile.ts';
import { countLanguage, type LanguageGrams } from './language-counts.ts';
import type { LanguageExample } from './read-language-data.ts';
import {
  calibrateLanguageProfile,
  DEFAULT_LANGUAGE_TRAIN_OPTIONS,
  type LanguageTrainOptions,
  profileGroups,
  type TrainedLanguageProfile,
} from './train-language.ts';

/** Bot weights tried on validation data. */
export const BOT_WEIGHTS = [0.25, 0.5, 0.75, 0.9];

/** Mixes one language's bot counts into its base distribution with weight `w` (either side may be missing). */
export function mixGrams(
  bot: LanguageGrams,
  base: { hashes: Uint32Array; logProbs: Float64Array; unseen: number } | undefined,
  w: number,
): LanguageGrams {
  if (!base) return bot;
  const mix = (a: number, b: number) => Math.log(w * Math.exp(a) + (1 - w) * Math.exp(b));
  const hashes: number[] = [];
  const logProbs: number[] = [];
  let i = 0;
  let j = 0;
  while (i < bot.hashes.length || j < base.hashes.length) {
    const a = i < bot.hashes.length ? bot.hashes[i] : Number.POSITIVE_INFINITY;
    const b = j < base.hashes.length ? base.hashes[j] : Number.POSITIVE_INFINITY;
    const h = Math.min(a, b);
    const lpBot = a === h ? bot.logProbs[i++] : bot.unseen;
    const lpBase = b === h ? base.logProbs[j++] : base.unseen;
    hashes.push(h);
    logProbs.push(mix(lpBot, lpBase));
  }
  return {
    ...bot,
    hashes: Uint32Array.from(hashes),
    logProbs: Float64Array.from(logProbs),
    unseen: mix(bot.unseen, base.unseen),
  };
}

/** Trains on the bot's messages on top of `base`, choosing the bot's weight by validation accuracy. */
export function extendLanguageProfile(
  base: LanguageProfile,
  train: readonly LanguageExample[],
  valid: readonly LanguageExample[],
  options: Partial<LanguageTrainOptions> = {},
): TrainedLanguageProfile & { botWeight: number } {
  const botLanguages = [...new Set(train.map((e) => e.language))].sort();
  const o: LanguageTrainOptions = {
    ...DEFAULT_LANGUAGE_TRAIN_OPTIONS,
    maxN: base.manifest.max_n,
    validLanguages: botLanguages,
    defaultLanguages: botLanguages,
    ...options,
  };
  if (o.maxN !== base.manifest.max_n) throw new Error(`the base profile uses n-grams up to ${base.manifest.max_n}`);
  const groups = profileGroups(train);
  const counted = new Map([...groups].map(([key, rows]) => [key, countLanguage(rows, o)]));
  const baseGrams = base.languageGrams();
  const keys = [...new Set([...base.languages, ...groups.keys()])].sort();
  const empty = new Set<string>();
  const build = (w: number) =>
    keys.map((key): LanguageGrams => {
      const b = base.languages.indexOf(key);
      const bot = counted.get(key);
      const fromBase = b >= 0 ? baseGrams[b] : undefined;
      if (!bot) return { ...(fromBase as NonNullable<typeof fromBase>), total: 0, seen: 0, words: empty };
      return mixGrams(bot, fromBase, w);
    });
  const training = {
    messages: train.length,
    per_language: Object.fromEntries(botLanguages.map((l) => [l, train.filter((e) => e.language === l).length])),
    base: { languages: base.covered.size, sha256: base.manifest.sha256 },
  };
  let best: (TrainedLanguageProfile & { botWeight: number }) | undefined;
  for (const w of BOT_WEIGHTS) {
    const trained = calibrateLanguageProfile(keys, build(w), valid, o, { ...training, bot_weight: w });
    if (!best || trained.validation.accuracy > best.validation.accuracy) best = { ...trained, botWeight: w };
  }
  return best as TrainedLanguageProfile & { botWeight: number };
}
