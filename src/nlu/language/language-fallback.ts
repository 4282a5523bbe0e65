/**
 * Detectors for configured languages the learned profile does not cover. Each gives logits over the candidates it
 * knows, or undefined when the text holds nothing it can place. Chosen on validation data
 * (`npx tsx bench/language/choose-fallback.ts`): tinyld restricted to the candidates where it knows them all, else
 * franc — franc covers the long tail tinyld lacks.
 */
import { createRequire } from 'node:module';
import { francAll } from 'franc';
import { LANGUAGES } from './languages.ts';

/** A detector for languages the profile lacks. */
export interface LanguageFallback {
  /** Name, for reports. */
  readonly name: string;
  /** True when it can weigh this language. */
  supports(language: string): boolean;
  /** Logits over `candidates` (all supported), or undefined when it has no opinion on `text`. */
  logits(text: string, candidates: readonly string[]): Float64Array | undefined;
}

/**
 * franc's scores (1 for its best language, lower for the rest) times this are the logits of the franc path: the scale
 * minimises NLL on MASSIVE + Multi3NLU++ validation splits (`npx tsx bench/dev/franc-scale.ts`).
 */
export const FRANC_SCALE = 8.39;

/** franc 6 (trigrams, 187 languages) restricted to the candidates, `minLength: 1`. */
export const francFallback: LanguageFallback = {
  name: 'franc',
  supports: (language) => FRANC_LANGUAGES.has(language),
  logits(text, candidates) {
    const out = new Float64Array(candidates.length);
    const iso3 = candidates.map((c) => LANGUAGES[c].iso3);
    for (const [code, score] of francAll(text, { only: iso3, minLength: 1 })) {
      const i = iso3.indexOf(code);
      if (i >= 0) out[i] = score * FRANC_SCALE;
    }
    return Math.max(...out) > Math.min(...out) ? out : undefined;
  },
};

/** Languages franc 6 has no trigram model for (switchboard's codes); franc answers `und` for them. */
const FRANC_MISSING = new Set(
  'ak as ba br cy dz eu fj fo ga gd gn ia ie io is ki ks ku kw la lb li mi mt oc om or sa sc sd sm'.split(' '),
);
const FRANC_LANGUAGES = new Set(Object.keys(LANGUAGES).filter((l) => !FRANC_MISSING.has(l)));

interface TinyldModule {
  detectAll(text: string, options: { only: string[] }): { lang: string; accuracy: number }[];
  supportedLanguages: string[];
  toISO2(code: string): string;
}

let tinyld: TinyldModule | undefined;
/** tinyld's "normal" model, loaded on first use (about 0.15 s; a 0.6 MB module, no download). */
function loadTinyld(): TinyldModule {
  tinyld ??= createRequire(import.meta.url)('tinyld') as TinyldModule;
  return tinyld;
}

/** Its accuracies (0…1) times this are logits: the same scale as franc's, so hints weigh alike. */
export const TINYLD_SCALE = 8.39;

/** tinyld 1 (normal model, 62 languages) restricted to the candidates. */
export function tinyldFallback(): LanguageFallback {
  const t = loadTinyld();
  const known = new Set(t.supportedLanguages.map((c) => t.toISO2(c)));
  return {
    name: 'tinyld',
    supports: (language) => known.has(language),
    logits(text, candidates) {
      const out = new Float64Array(candidates.length);
      for (const { lang, accuracy } of t.detectAll(text, { only: [...candidates] })) {
        const i = candidates.indexOf(lang);
        if (i >= 0) out[i] = accuracy * TINYLD_SCALE;
      }
      return Math.max(...out) > Math.min(...out) ? out : undefined;
    },
  };
}

/**
 * The first fallback that supports every candidate; when none does, the one that supports the most (the rest get
 * no share of the probability from it).
 */
export function chooseFallback(fallbacks: readonly LanguageFallback[], candidates: readonly string[]) {
  let best = fallbacks[0];
  let most = -1;
  for (const f of fallbacks) {
    const n = candidates.filter((c) => f.supports(c)).length;
    if (n === candidates.length) return f;
    if (n > most) [best, most] = [f, n];
  }
  return best;
}
