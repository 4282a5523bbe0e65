/**
 * Language detection for short chat messages, over the bot's configured languages only:
 * 1. the message's letters are read (URLs, mentions, code and emoji codes removed; `text-evidence.ts`);
 * 2. script and orthography rules decide where they can: a script only one configured language is written in (Thai →
 *    th, Hangul → ko, kana → ja…), Han without kana → zh when zh is configured;
 * 3. otherwise the configured languages of that script are weighed by the learned profile (naive Bayes over character
 *    n-grams; `language-profile.ts`). Languages the profile lacks go to a fallback detector (`language-fallback.ts`:
 *    tinyld where it knows every such candidate, else franc), which first weighs all the candidates: the share it
 *    gives the covered languages is then split among them by the profile — never all-or-nothing;
 * 4. hints (the conversation's previous language, the channel locale, the workspace default) add a prior that breaks
 *    ties and never outweighs clear evidence.
 * Never throws on any input: no letters gives the hint or `und` with a reason.
 */
import { SwitchboardError } from '../../errors.ts';
import type { LanguageGuess } from '../understanding.ts';
import { type LanguageDetection, type LanguageHints, type LanguageReason, UNDETERMINED } from './language-detection.ts';
import { chooseFallback, francFallback, type LanguageFallback, tinyldFallback } from './language-fallback.ts';
import type { LanguageProfile } from './language-profile.ts';
import { baseLanguage, LANGUAGES, normalizeLanguages, type Script } from './languages.ts';
import { candidateLanguages, textEvidence } from './text-evidence.ts';

/** Weight of each hint relative to the profile's hint bonus: the conversation's own history counts most. */
export const HINT_WEIGHTS: Readonly<Record<keyof LanguageHints, number>> = {
  previous: 1,
  locale: 0.5,
  default: 0.25,
  browser: 0.1,
};
/**
 * The logit a `previous` hint adds on the fallback path: the largest a wrong hint can be given for ≤ 0.5 points lost,
 * on MASSIVE + Multi3NLU++ validation splits (`npx tsx bench/dev/franc-scale.ts`: 0.15). Fallback scores sit close
 * together, so on this path a hint is little more than a tie-breaker.
 */
export const FRANC_HINT_BONUS = 0.15;

/** Which detectors weigh the languages the profile lacks: `tinyld` (then franc for the rest), or franc alone. */
export type FallbackChoice = 'tinyld' | 'franc';
/** Chosen on validation data (`npx tsx bench/language/choose-fallback.ts`). */
export const DEFAULT_FALLBACK: FallbackChoice = 'tinyld';

export interface LanguageDetectorOptions {
  /** The bot's languages (ISO 639-1 codes or BCP 47 tags): every answer is one of these or `und`. */
  languages: readonly string[];
  /** Learned evidence; languages it does not cover are weighed by the fallback. */
  profile?: LanguageProfile;
  /** The fallback for languages the profile lacks (default {@link DEFAULT_FALLBACK}). */
  fallback?: FallbackChoice;
  /** Overrides the profile's hint bonus (logits added for a `previous` hint). */
  hintBonus?: number;
}

/** Detects the language of chat messages among a fixed set of languages. Construct once, call `detect` per turn. */
export class LanguageDetector {
  readonly languages: readonly string[];
  readonly profile?: LanguageProfile;
  private readonly hintBonusOverride?: number;
  private readonly francHintBonus: number;
  private readonly fallbacks: readonly LanguageFallback[];
  /** The profile restricted to the configured languages: what messages are scored with. */
  private readonly scorer?: LanguageProfile;

  constructor(options: LanguageDetectorOptions) {
    const languages = normalizeLanguages(options.languages);
    if (languages.length === 0) throw new SwitchboardError('E_LANGUAGE_UNKNOWN', 'input', 'no languages configured');
    this.languages = languages;
    this.profile = options.profile;
    this.scorer = options.profile?.restrictTo(languages);
    this.hintBonusOverride = options.hintBonus;
    this.francHintBonus = options.hintBonus ?? FRANC_HINT_BONUS;
    // tinyld is loaded only when some configured language is not in the profile.
    const needed = languages.some((l) => !this.profile?.covered.has(l));
    const choice = options.fallback ?? DEFAULT_FALLBACK;
    this.fallbacks = needed && choice === 'tinyld' ? [tinyldFallback(), francFallback] : [francFallback];
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
    const profile = this.scorer;
    const covered = profile ? candidates.filter((c) => profile.covered.has(c)) : [];
    const logits =
      profile && covered.length === candidates.length
        ? this.profileLogits(profile, candidates, evidence.words, script, prior)
        : this.mixedLogits(candidates, covered, evidence.words, script, prior);
    // The fallback found nothing it knows ("ok", "ß") and no profile covers anything: as if there were no letters.
    if (!logits) return fromHint(prior, 'no_evidence', script);
    const guesses = softmaxRanked(candidates, logits);
    return { language: guesses[0].language, guesses, reason: 'text', script };
  }

  /** The profile's logits over `candidates` (all covered), hints added. */
  private profileLogits(
    profile: LanguageProfile,
    candidates: readonly string[],
    words: readonly string[],
    script: Script,
    prior: Map<string, number>,
  ): Float64Array {
    const { scores } = profile.logLikelihoods(words);
    const t = profile.manifest.temperature;
    const bonus =
      this.hintBonusOverride ?? profile.manifest.hint_bonus_by_script?.[script] ?? profile.manifest.hint_bonus;
    const out = new Float64Array(candidates.length);
    for (let i = 0; i < candidates.length; i++) {
      out[i] = scores[profile.indexFor(candidates[i], script)] / t + bonus * (prior.get(candidates[i]) ?? 0);
    }
    return out;
  }

  /**
   * Log-probabilities when some candidates are not in the profile: the fallback weighs every candidate it knows;
   * the share it gives the covered ones is split among them by the profile. Undefined when neither has evidence.
   */
  private mixedLogits(
    candidates: readonly string[],
    covered: readonly string[],
    words: readonly string[],
    script: Script,
    prior: Map<string, number>,
  ): Float64Array | undefined {
    const fallback = chooseFallback(this.fallbacks, candidates);
    const known = candidates.filter((c) => fallback.supports(c));
    const raw = known.length > 0 ? fallback.logits(words.join(' '), known) : undefined;
    if (!raw && covered.length === 0) return undefined;
    const out = new Float64Array(candidates.length).fill(Number.NEGATIVE_INFINITY);
    // Fallback posterior over all candidates (uniform when it has no opinion; unknown ones get its lowest logit).
    const fb = new Float64Array(candidates.length);
    const floor = raw ? Math.min(...raw) : 0;
    for (let i = 0; i < candidates.length; i++) {
      const j = known.indexOf(candidates[i]);
      fb[i] = (raw && j >= 0 ? raw[j] : floor) + this.francHintBonus * (prior.get(candidates[i]) ?? 0);
    }
    const p = softmax(fb);
    let coveredMass = 0;
    for (let i = 0; i < candidates.length; i++) {
      if (covered.includes(candidates[i])) coveredMass += p[i];
      else out[i] = Math.log(p[i]);
    }
    if (covered.length > 0 && this.scorer) {
      const q = softmax(this.profileLogits(this.scorer, covered, words, script, prior));
      for (let i = 0; i < covered.length; i++) out[candidates.indexOf(covered[i])] = Math.log(coveredMass * q[i]);
    }
    return out;
  }

  /** Hint weight per configured language (hints naming other languages, or nothing known, are ignored). */
  private hintPrior(hints: LanguageHints): Map<string, number> {
    const prior = new Map<string, number>();
    for (const key of ['previous', 'locale', 'default', 'browser'] as const) {
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

/** The strongest configured hint (reason `hint`), or `und` with `reason` when there is none. */
function fromHint(prior: Map<string, number>, reason: LanguageReason, script?: Script): LanguageDetection {
  const best = [...prior].sort((a, b) => b[1] - a[1])[0];
  if (!best) return und(reason, script);
  const out: LanguageDetection = { language: best[0], guesses: [{ language: best[0], score: 1 }], reason: 'hint' };
  return script ? { ...out, script } : out;
}

/** Probabilities from logits. */
function softmax(logits: Float64Array): Float64Array {
  let max = Number.NEGATIVE_INFINITY;
  for (const x of logits) if (x > max) max = x;
  const out = Float64Array.from(logits, (x) => Math.exp(x - max));
  let sum = 0;
  for (const x of out) sum += x;
  for (let i = 0; i < out.length; i++) out[i] /= sum;
  return out;
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
