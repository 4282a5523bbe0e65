/**
 * The systems of the language-identification benchmark (issues 3 and 16): four peers, each with its own allow-list
 * option set to the configuration's languages where it has one, and switchboard's detector without its profile, with
 * it, and with a correct or a wrong `previous` hint. Each `load(languages)` imports its library on demand, so a child
 * process that measures one system loads only that one (its load time and RSS are its own); it is called once per
 * bot configuration (LANGUAGE_CONFIGS).
 */
import { LANGUAGES } from '../../src/nlu/language/languages.ts';
import { BENCH_LANGUAGES } from '../language-data.ts';

/** A row's hints, built before timing starts (only the switchboard hint systems get any). */
export interface RowHints {
  previous?: string;
}

/** Detects the language of `text` (ISO 639-1 or `und`); `hints` is read only by the hint systems. */
export type DetectFn = (text: string, hints: RowHints) => string;

/** One system of the benchmark. */
export interface LanguageSystem {
  /** What it is, in one line (rendered in docs/benchmarks.md). */
  description: string;
  /** Which `previous` hint each row gets: none, the gold language, or {@link wrongHint}. */
  hint: 'none' | 'gold' | 'wrong';
  /** Imports and constructs the system for a bot configured for `languages` (the first call is timed as its load). */
  load: (languages: readonly string[]) => Promise<DetectFn>;
  settings: Record<string, unknown>;
  notes: string[];
}

const UND = 'und';
const ISO3_TO_ISO1 = new Map(Object.entries(LANGUAGES).map(([code, info]) => [info.iso3, code]));
const iso3 = (languages: readonly string[]) => languages.map((l) => LANGUAGES[l].iso3);

/** franc's ISO 639-3 answer as ISO 639-1; `und` stays `und`, a code switchboard does not know stays as is (wrong). */
export function fromFranc(iso3: string): string {
  return iso3 === UND ? UND : (ISO3_TO_ISO1.get(iso3) ?? iso3);
}

/**
 * The wrong `previous` hint of row `row` whose gold language is `gold`: the configuration's languages that share a
 * script with `gold` (LANGUAGES[..].scripts), other than `gold`, in configuration order starting after `gold` and
 * wrapping around, cycled by row index; if none shares a script (th, am), simply the language after `gold`.
 * @example wrongHint('es', 0) // 'fr' (then 'tr', 'en', 'de' for rows 1, 2, 3)
 */
export function wrongHint(gold: string, row: number, languages: readonly string[] = BENCH_LANGUAGES): string {
  const order = [...languages];
  const at = order.indexOf(gold);
  const after = [...order.slice(at + 1), ...order.slice(0, at)];
  const scripts = LANGUAGES[gold]?.scripts ?? [];
  const same = after.filter((l) => LANGUAGES[l].scripts.some((s) => scripts.includes(s)));
  return same.length > 0 ? same[row % same.length] : after[0];
}

async function switchboardDetector(withProfile: boolean, languages: readonly string[]) {
  const { LanguageDetector } = await import('../../src/nlu/language/language-detector.ts');
  if (!withProfile) return new LanguageDetector({ languages });
  const { LanguageProfile } = await import('../../src/nlu/language/language-profile.ts');
  const { DEFAULT_LANGUAGE_PROFILE_DIR } = await import('../../src/nlu/default-model.ts');
  return new LanguageDetector({ languages, profile: LanguageProfile.load(DEFAULT_LANGUAGE_PROFILE_DIR) });
}

const PROFILE_NOTE =
  'The profile is models/language as shipped: naive Bayes over character n-grams of 138 languages, trained on the training splits only (langid-train without its held-out Tatoeba/UD lines, MASSIVE train, Multi3NLU++ folds 0–14)';

/** Every system, in the order they run and are listed. */
export const LANGUAGE_SYSTEMS: Record<string, LanguageSystem> = {
  franc: {
    hint: 'none',
    description: 'franc 6, defaults (all its languages, minLength 10)',
    load: async () => {
      const { franc } = await import('franc');
      return (text) => fromFranc(franc(text));
    },
    settings: { options: {} },
    notes: [
      "Below 10 characters franc answers 'und' (counted as wrong)",
      'Its ISO 639-3 answers are mapped to ISO 639-1 through LANGUAGES; any language outside the configuration counts as wrong',
    ],
  },
  'franc-only': {
    hint: 'none',
    description: "franc 6, `only` = the configuration's languages, minLength 1",
    load: async (languages) => {
      const { franc } = await import('franc');
      const options = { only: iso3(languages), minLength: 1 };
      return (text) => fromFranc(franc(text, options));
    },
    settings: { options: { only: 'ISO 639-3 of the languages', minLength: 1 } },
    notes: [],
  },
  eld: {
    hint: 'none',
    description: "eld 2 (large data), `setLanguageSubset` = the configuration's languages",
    load: async (languages) => {
      const { eld } = await import('eld/large');
      eld.setLanguageSubset([...languages]);
      return (text) => eld.detect(text).language || UND;
    },
    settings: { entry: `eld/large`, setLanguageSubset: 'the languages' },
    notes: [
      "The large n-gram database (`import { eld } from 'eld/large'`), the most accurate of eld's four sizes by its README (the dynamic entry 'eld' loads none until `load()`, whose default is 'medium')",
      "An empty answer counts as 'und'",
    ],
  },
  tinyld: {
    hint: 'none',
    description: "tinyld 1 (normal), `only` = the configuration's languages",
    load: async (languages) => {
      const { detect } = await import('tinyld');
      const options = { only: [...languages] };
      return (text) => detect(text, options) || UND;
    },
    settings: { entry: 'tinyld', only: 'the languages' },
    notes: [
      'tinyld has no Marathi (not in its `supportedLanguages`): every mr row is wrong',
      "tinyld's own training data includes Tatoeba sentences, so the 13-language chat set (held-out Tatoeba/UD lines) may hold sentences it was trained on",
      "`only` takes ISO 639-1 codes; an empty answer counts as 'und'",
    ],
  },
  'switchboard-franc': {
    hint: 'none',
    description:
      'switchboard LanguageDetector, no profile (script rules + the fallback: tinyld, franc for the languages it lacks)',
    load: async (languages) => {
      const detector = await switchboardDetector(false, languages);
      return (text) => detector.detect(text).language;
    },
    settings: { profile: null },
    notes: ['The same detector without the learned profile: shows what the profile buys'],
  },
  switchboard: {
    hint: 'none',
    description: 'switchboard LanguageDetector with the shipped profile, no hints',
    load: async (languages) => {
      const detector = await switchboardDetector(true, languages);
      return (text) => detector.detect(text).language;
    },
    settings: { profile: 'models/language' },
    notes: [PROFILE_NOTE],
  },
  'switchboard-hint': {
    hint: 'gold',
    description: '`switchboard` with a correct hint `{ previous: gold }` on every message',
    load: async (languages) => {
      const detector = await switchboardDetector(true, languages);
      return (text, hints) => detector.detect(text, hints).language;
    },
    settings: { profile: 'models/language', hints: '{ previous: gold }' },
    notes: [],
  },
  'switchboard-wrong-hint': {
    hint: 'wrong',
    description: '`switchboard` with a wrong hint `{ previous: h }` on every message (h defined below)',
    load: async (languages) => {
      const detector = await switchboardDetector(true, languages);
      return (text, hints) => detector.detect(text, hints).language;
    },
    settings: { profile: 'models/language', hints: '{ previous: wrongHint(gold, row) }' },
    notes: [],
  },
};

/** The peers (everything that is not switchboard's own detector). */
export const LANGUAGE_PEERS = ['franc', 'franc-only', 'eld', 'tinyld'];
