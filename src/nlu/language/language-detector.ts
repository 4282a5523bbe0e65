/**
 * Language detection for short chat messages, over the bot's configured languages only:
 * 1. the message's letters are read (URLs, mentions, code and emoji codes removed; `text-evidence.ts`);
 * 2. a script that only one configured language is written in decides directly (Thai → th, Ethiopic → am…);
 * 3. otherwise the configured languages of that script are weighed by the learned profile (naive Bayes over character
 *    n-grams from the bot's training data; `language-profile.ts`) or, for languages it does not cover, by franc
 *    restricted to them (`only`, `minLength: 1`);
 * 4. hints (the conversation's previous language, the channel locale, the workspace default) add a prior that breaks
 *    ties and never outweighs clear evidence.
 * Never throws on any input: no letters gives the hint or `und` with a reason.
 */
import { francAll } from 'franc';
import { SwitchboardError } from '../../errors.ts';
import type { LanguageGuess } from '../understanding.ts';
import { type LanguageDetection, type LanguageHints, type LanguageReason, UNDETERMINED } from './language-detection.ts';
import type { LanguageProfile } from './language-profile.ts';
import { baseLanguage, LANGUAGES, normalizeLanguages, type Script } from './languages.ts';
import { candidateLanguages, textEvidence } from './text-evidence.ts';

/** Weight of each hint relative to the profile's hint bonus: the conversation's own history counts most. */
export const HINT_WEIGHTS: Readonly<Record<keyof LanguageHints, number>> = { previous: 1, locale: 0.5, default: 0.25 };
/**
 * franc's scores (1 for its best language, lower for the rest) times this are the logits of the franc path, and the
 * logit a `previous` hint adds there: the scale minimises NLL and the bonus is the largest a wrong hint can be given
 * for ≤ 0.5 points lost, on MASSIVE + Multi3NLU++ validation splits (`npx tsx bench/dev/franc-scale.ts`: 8.39, 0.15).
 * franc's scores sit close together, so on this path a hint is little more than a tie-breaker.
 */
export const FRANC_SCALE = 8.39;
export const FRANC_HINT_BONUS = 0.15;

export interface LanguageDetectorOptions {
  /** The bot's languages (ISO 639-1 codes or BCP 47 tags): every answer is one of these or `und`. */
  languages: readonly string[];
  /** Learned evidence; languages it does not cover are weighed by franc. */
  profile?: LanguageProfile;
  /** Overrides the profile's hint bonus (logits added for a `previous` hint). */
  hintBonus?: number;
}

/** Detects the language of chat messages among a fixed set of languages. Construct once, call `detect` per turn. */
export class LanguageDetector {
  readonly languages: readonly string[];
  readonly profile?: LanguageProfile;
  private readonly hintBonusOverride?: number;
  private readonly francHintBonus: number;

  constructor(options: LanguageDetectorOptions) {
    const languages = normalizeLanguages(options.languages);
    if (languages.length === 0) throw new SwitchboardError('E_LANGUAGE_UNKNOWN', 'input', 'no languages configured');
    this.languages = languages;
    this.profile = options.profile;
    this.hintBonusOverride = options.hintBonus;
    this.francHintBonus = options.hintBonus ?? FRANC_HINT_BONUS;
  }

  /** The language of one message. `hints` only break ties (see {@link LanguageHints}). */
  detect(text: string, hints: LanguageHints = {}): LanguageDetection {
    const input = typeof text === 'string' ? text : '';
    const evidence = textEvidence(input);
    const prior = this.hintPrior(hints);
    if (evidence.letters === 0) return fromHint(prior, evidence.blank ? 'empty' : 'no_letters');
    if (!evidence.script) return und('unsupported_script');
    const script = evidence.script;
    const candidates = candidateLanguages(evidence, this.languages, scriptsOf);
    if (candidates.length === 0) return und('unsupported_script', script);
    if (candidates.length === 1) {
      return { language: candidates[0], guesses: [{ language: candidates[0], score: 1 }], reason: 'script', script };
    }
    const profile = this.profile?.covers(candidates) ? this.profile : undefined;
    const logits = profile
      ? profileLogits(profile, candidates, evidence.words)
      : francLogits(candidates, evidence.words.join(' '));
    // franc found no trigram it knows ("ok", "ß"): the text is no evidence, as if it had no letters.
    if (!logits) return fromHint(prior, 'no_evidence', script);
    const bonus = profile
      ? (this.hintBonusOverride ?? profile.manifest.hint_bonus_by_script?.[script] ?? profile.manifest.hint_bonus)
      : this.francHintBonus;
    for (let i = 0; i < candidates.length; i++) logits[i] += bonus * (prior.get(candidates[i]) ?? 0);
    const guesses = softmaxRanked(candidates, logits);
    return { language: guesses[0].language, guesses, reason: 'text', script };
  }

  /** Hint weight per configured language (hints naming other languages, or nothing known, are ignored). */
  private hintPrior(hints: LanguageHints): Map<string, number> {
    const prior = new Map<string, number>();
    for (const key of ['previous', 'locale', 'default'] as const) {
      const code = baseLanguage(hints?.[key]);
      if (code && this.languages.includes(code)) prior.set(code, (prior.get(code) ?? 0) + HINT_WEIGHTS[key]);
    }
    return prior;
  }
}

const scriptsOf = (language: string): readonly Script[] => LANGUAGES[language]?.scripts ?? [];

function und(reason: LanguageReason, script?: Script): LanguageDetection {
  return script
    ? { language: UNDETERMINED, guesses: [], reason, script }
    : { language: UNDETERMINED, guesses: [], reason };
}

function profileLogits(
  profile: LanguageProfile,
  candidates: readonly string[],
  words: readonly string[],
): Float64Array {
  const { scores } = profile.logLikelihoods(words);
  const t = profile.manifest.temperature;
  const out = new Float64Array(candidates.length);
  for (let i = 0; i < candidates.length; i++) out[i] = scores[profile.languages.indexOf(candidates[i])] / t;
  return out;
}

/** franc's scores over the candidates as logits, or undefined when franc has no opinion (`und`, or all equal). */
function francLogits(candidates: readonly string[], text: string): Float64Array | undefined {
  const out = new Float64Array(candidates.length);
  const iso3 = candidates.map((c) => LANGUAGES[c].iso3);
  for (const [code, score] of francAll(text, { only: iso3, minLength: 1 })) {
    const i = iso3.indexOf(code);
    if (i >= 0) out[i] = score * FRANC_SCALE;
  }
  return Math.max(...out) > Math.min(...out) ? out : undefined;
}

/** The strongest configured hint (reason `hint`), or `und` with `reason` when there is none. */
function fromHint(prior: Map<string, number>, reason: LanguageReason, script?: Script): LanguageDetection {
  const best = [...prior].sort((a, b) => b[1] - a[1])[0];
  if (!best) return und(reason, script);
  const out: LanguageDetection = { language: best[0], guesses: [{ language: best[0], score: 1 }], reason: 'hint' };
  return script ? { ...out, script } : out;
}

/** Softmax over the candidates, ranked best first; ties keep configuration order. */
export function softmaxRanked(candidates: readonly string[], logits: Float64Array): LanguageGuess[] {
  let max = Number.NEGATIVE_INFINITY;
  for (const x of logits) if (x > max) max = x;
  let sum = 0;
  const exps = Array.from(logits, (x) => {
    const e = Math.exp(x - max);
    sum += e;
    return e;
  });
  return candidates.map((language, i) => ({ language, score: exps[i] / sum })).sort((a, b) => b.score - a.score);
}
