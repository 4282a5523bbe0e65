/**
 * Picks the background sentences a bot trains with: those in the bot's languages, minus the ones too close to the
 * bot's own examples (a background line that says what an intent says would teach the model to refuse it), shuffled
 * and split into lines that train the out-of-scope class and lines held out to choose the answer threshold.
 */
import { DEFAULT_LANGUAGE_PROFILE_DIR } from '../../nlu/default-model.ts';
import { featurize } from '../../nlu/features/featurize.ts';
import type { FeaturizerConfig } from '../../nlu/features/featurizer-config.ts';
import type { IntentExample } from '../../nlu/intent/intent-example.ts';
import { LanguageDetector } from '../../nlu/language/language-detector.ts';
import { LanguageProfile } from '../../nlu/language/language-profile.ts';
import { baseLanguage } from '../../nlu/language/languages.ts';
import { Random } from '../../util/random.ts';
import type { BackgroundSentence } from './background-corpus.ts';

/** How many lines to take and how close is too close. */
export interface BackgroundSelectionOptions {
  /** Lines that join training as out-of-scope examples (at most). */
  trainLines: number;
  /** Lines held out to choose the threshold and measure out-of-scope recall (at most). */
  heldLines: number;
  /** A line whose word-feature TF-IDF cosine with any training example reaches this is dropped. */
  maxSimilarity: number;
  seed: number;
  /** Add lines in other languages to the training lines (default true). */
  otherLanguages?: boolean;
  /**
   * Take questions first for the training lines (bot-language ones; default false). Chosen on the small bots'
   * validation split for single-label bots (issue 13); a bot with more examples than the corpus has lines trains on
   * all of them anyway.
   */
  questionsFirst?: boolean;
}

/** What was selected, and why. */
export interface BackgroundSelection {
  /** The bot's languages as detected (or given by the examples' `language` fields). */
  languages: string[];
  /** How the languages were found. */
  languageSource: 'data' | 'word overlap' | 'language id';
  /** Languages of the examples' `language` fields the corpus has no line in (their off-topic messages are not measured). */
  unmatched: string[];
  /** Lines in those languages before the similarity filter. */
  candidates: number;
  /** Lines dropped as too close to a training example. */
  dropped: number;
  /** Training lines in languages outside the bot's (the last ones of `train`). */
  otherLanguageLines: number;
  /** Bot-language training lines that are questions. */
  questionLines: number;
  /** Share of the bot's examples with punctuation: each line keeps its own with this probability ({@link matchPunctuation}). */
  punctuatedShare: number;
  train: BackgroundSentence[];
  held: BackgroundSentence[];
}

const WORDS_ONLY = (f: FeaturizerConfig, orders: [number, number]): FeaturizerConfig => ({
  ...f,
  wordNgrams: orders,
  charNgrams: [0, 0],
});

/** Every `EVAL_RESERVE`-th corpus line is never trained on: `eval intent` measures out-of-scope recall on them. */
export const EVAL_RESERVE = 5;

/** Whether corpus line `index` is reserved for evaluation. */
export function isEvalReserve(index: number): boolean {
  return index % EVAL_RESERVE === 0;
}

/**
 * Lines in other languages that join the training lines (a share of the bot-language ones, at least a floor): a customer may write in
 * a language the bot does not speak, and a model that never saw one answers it with an intent.
 */
export const OTHER_LANGUAGE_SHARE = 0.1;
export const OTHER_LANGUAGE_MIN = 20;

/** Share of examples that must carry a `language` for the data's own languages to be trusted. */
const LANGUAGE_FIELD_SHARE = 0.8;
/** A corpus language is the bot's when its lines' word coverage reaches this share of the best language's. */
const COVERAGE_RATIO = 0.5;
/** …and at least this absolute coverage. */
const MIN_COVERAGE = 0.15;
/** Lines per language sampled to measure coverage. */
const COVERAGE_SAMPLE = 200;

/**
 * The bot's languages: the examples' `language` fields when most carry one (each language with ≥ 2% of them; tags
 * as the corpus writes them: `en-US`, `EN` and `eng` are `en`), else the corpus languages whose sentences' words the
 * training data covers best (median share of a line's words that occur in the training data), so a bot needs no
 * language labels; when a handful of examples share too few words with any, the shipped language identifier reads them. `unmatched`: the fields' languages the corpus has no line in; when that is all of them, the words
 * decide.
 */
export function botLanguages(
  examples: readonly IntentExample[],
  corpus: readonly BackgroundSentence[],
  featurizer: FeaturizerConfig,
): { languages: string[]; source: 'data' | 'word overlap' | 'language id'; unmatched: string[] } {
  const labelled = examples.filter((e) => e.language);
  let unmatched: string[] = [];
  if (labelled.length >= LANGUAGE_FIELD_SHARE * examples.length && labelled.length > 0) {
    const counts = new Map<string, number>();
    for (const e of labelled) {
      const code = corpusLanguage(e.language!);
      counts.set(code, (counts.get(code) ?? 0) + 1);
    }
    const inCorpus = new Set(corpus.map((s) => s.language));
    const languages = [...counts]
      .filter(([, n]) => n >= 0.02 * labelled.length)
      .map(([l]) => l)
      .sort();
    unmatched = languages.filter((l) => !inCorpus.has(l));
    // Languages the corpus has no line of cannot be used; if none can, the words decide (below).
    if (unmatched.length < languages.length) return { languages, source: 'data', unmatched };
  }
  const unigrams = WORDS_ONLY(featurizer, [1, 1]);
  const known = new Set<number>();
  for (const e of examples) for (const id of featurize(e.text, unigrams).ids) known.add(id);
  const byLanguage = new Map<string, BackgroundSentence[]>();
  for (const s of corpus) {
    const list = byLanguage.get(s.language) ?? [];
    if (list.length < COVERAGE_SAMPLE) list.push(s);
    byLanguage.set(s.language, list);
  }
  const coverage = [...byLanguage].map(([language, lines]) => {
    const shares = lines
      .map((s) => {
        const ids = featurize(s.text, unigrams).ids;
        if (ids.length === 0) return 0;
        let hit = 0;
        for (const id of ids) if (known.has(id)) hit++;
        return hit / ids.length;
      })
      .sort((a, b) => a - b);
    return { language, median: shares[Math.floor(shares.length / 2)] ?? 0 };
  });
  const best = Math.max(0, ...coverage.map((c) => c.median));
  let found = coverage.filter((c) => c.median >= Math.max(MIN_COVERAGE, COVERAGE_RATIO * best));
  if (found.length === 0 && best > 0) {
    // A handful of examples covers too few words for MIN_COVERAGE (six English rows: 12.5%); a single clear leader
    // (every other language below half of it) is still the bot's language.
    const leaders = coverage.filter((c) => c.median >= COVERAGE_RATIO * best);
    if (leaders.length === 1) found = leaders;
  }
  const languages = found.map((c) => c.language).sort();
  if (languages.length === 0) {
    // Too few words to compare with the corpus ("where is my order", "track my package"): the product's own language
    // identifier reads each example.
    const identified = identifiedLanguages(examples, [...byLanguage.keys()]);
    if (identified.length > 0) return { languages: identified, source: 'language id', unmatched };
  }
  return { languages, source: 'word overlap', unmatched };
}

/** Examples read by the language identifier (the first this many). */
const IDENTIFIED_EXAMPLES = 200;

/**
 * The languages the shipped language identifier finds in the examples (among all it knows) that are `candidates` (the
 * corpus's): each one that at least a quarter of them (and two) are in, else the most frequent when it holds half;
 * none when the profile cannot be read.
 */
function identifiedLanguages(examples: readonly IntentExample[], candidates: readonly string[]): string[] {
  let detector: LanguageDetector;
  try {
    // Every language the profile knows, not only the corpus's: with few candidates the identifier would name one of
    // them whatever the text (an English bot and a German-only corpus would read as German).
    const profile = LanguageProfile.load(DEFAULT_LANGUAGE_PROFILE_DIR);
    if (!candidates.some((l) => profile.covered.has(l))) return [];
    detector = new LanguageDetector({ languages: [...profile.covered], profile });
  } catch {
    return [];
  }
  const sample = examples.slice(0, IDENTIFIED_EXAMPLES);
  const counts = new Map<string, number>();
  for (const e of sample) {
    const { language } = detector.detect(e.text);
    if (candidates.includes(language)) counts.set(language, (counts.get(language) ?? 0) + 1);
  }
  const ranked = [...counts].sort((a, b) => b[1] - a[1]);
  const kept = ranked.filter(([, n]) => n >= Math.max(2, 0.25 * sample.length)).map(([l]) => l);
  if (kept.length > 0) return kept.sort();
  return ranked.length > 0 && ranked[0][1] >= sample.length / 2 ? [ranked[0][0]] : [];
}

/** The corpus's code for an example's `language` (`en-US`, `EN`, `eng` → `en`); an unknown one lower-cased. */
function corpusLanguage(tag: string): string {
  return baseLanguage(tag) ?? tag.trim().toLowerCase();
}

/**
 * For each line, the highest cosine similarity of its word 1–2-gram TF-IDF vector (idf from the training examples)
 * with any training example's. Very common words (in more than 5% of the examples) are left out of the index: they
 * weigh little and would make the scan quadratic.
 */
export function maxSimilarities(
  lines: readonly string[],
  examples: readonly IntentExample[],
  featurizer: FeaturizerConfig,
): Float32Array {
  const words = WORDS_ONLY(featurizer, [1, 2]);
  const bags = examples.map((e) => featurize(e.text, words));
  const df = new Map<number, number>();
  for (const b of bags) for (const id of b.ids) df.set(id, (df.get(id) ?? 0) + 1);
  const n = bags.length;
  const idf = (id: number) => Math.log((1 + n) / (1 + (df.get(id) ?? 0))) + 1;
  const cap = Math.max(20, 0.05 * n);
  const postings = new Map<number, { doc: number[]; w: number[] }>();
  bags.forEach((b, doc) => {
    let ss = 0;
    const ws = Array.from(b.ids, (id, i) => b.counts[i] * idf(id));
    for (const w of ws) ss += w * w;
    const norm = Math.sqrt(ss) || 1;
    b.ids.forEach((id, i) => {
      if ((df.get(id) ?? 0) > cap) return;
      let p = postings.get(id);
      if (!p) postings.set(id, (p = { doc: [], w: [] }));
      p.doc.push(doc);
      p.w.push(ws[i] / norm);
    });
  });
  const dots = new Float64Array(n);
  const touched: number[] = [];
  return Float32Array.from(lines, (text) => {
    const b = featurize(text, words);
    const ws = Array.from(b.ids, (id, i) => b.counts[i] * idf(id));
    const norm = Math.sqrt(ws.reduce((a, w) => a + w * w, 0)) || 1;
    b.ids.forEach((id, i) => {
      const p = postings.get(id);
      if (!p) return;
      const wi = ws[i] / norm;
      for (let k = 0; k < p.doc.length; k++) {
        const d = p.doc[k];
        if (dots[d] === 0) touched.push(d);
        dots[d] += wi * p.w[k];
      }
    });
    let best = 0;
    for (const d of touched) {
      if (dots[d] > best) best = dots[d];
      dots[d] = 0;
    }
    touched.length = 0;
    return best;
  });
}

/**
 * Selects background lines for a bot: its languages ({@link botLanguages}), lines not reserved for evaluation
 * ({@link isEvalReserve}), not too close to its examples
 * ({@link maxSimilarities}), shuffled with the seed, the first `heldLines` held out and the next `trainLines` for
 * training. Languages are balanced by taking lines round-robin across them. A few lines in other languages join the
 * training lines (held-out lines stay in the bot's languages: they choose the threshold for the messages it will see).
 * @example const sel = selectBackground(corpus.sentences, train, featurizer, { trainLines: 1000, heldLines: 500, maxSimilarity: 0.5, seed: 1 });
 */
export function selectBackground(
  corpus: readonly BackgroundSentence[],
  examples: readonly IntentExample[],
  featurizer: FeaturizerConfig,
  opts: BackgroundSelectionOptions,
): BackgroundSelection {
  const { languages, source, unmatched } = botLanguages(examples, corpus, featurizer);
  const wanted = new Set(languages);
  const candidates = corpus.filter((s, i) => wanted.has(s.language) && !isEvalReserve(i));
  const sims = maxSimilarities(
    candidates.map((s) => s.text),
    examples,
    featurizer,
  );
  const kept = candidates.filter((_, i) => sims[i] < opts.maxSimilarity);
  const rng = new Random(opts.seed);
  const interleaved = roundRobin(languages.map((l) => rng.shuffle(kept.filter((s) => s.language === l))));
  // A small corpus (few lines in the bot's language) keeps two thirds for training.
  const heldCount = Math.min(opts.heldLines, Math.floor(interleaved.length / 3));
  const held = interleaved.slice(0, heldCount);
  // Questions first among the training lines (when there are more lines than the bot trains with, as in a small bot):
  // customers ask questions, and off-topic ones are what the out-of-scope class must learn to refuse.
  // Within each language, so the languages stay balanced as above.
  const rest = interleaved.slice(heldCount);
  // Only when some lines are left out: a bot that trains on every line keeps their order (and its model) as before.
  const ordered =
    opts.questionsFirst && rest.length > opts.trainLines
      ? roundRobin(languages.map((l) => questionsFirst(rest, l)))
      : rest;
  const train = ordered.slice(0, opts.trainLines);
  const questionLines = train.filter((s) => isQuestion(s.text, s.language)).length;
  // Other languages: round-robin over them (no similarity filter needed: they share few words with the bot's data).
  const others =
    opts.otherLanguages === false || opts.trainLines <= 0 ? [] : trainOtherLanguages(corpus, wanted, train.length, rng);
  train.push(...others);
  const share = punctuatedShare(examples);
  const styled = new Random(opts.seed + 1);
  return {
    languages,
    languageSource: source,
    unmatched,
    candidates: candidates.length,
    dropped: candidates.length - kept.length,
    otherLanguageLines: others.length,
    questionLines,
    punctuatedShare: share,
    train: matchPunctuation(train, share, styled),
    held: matchPunctuation(held, share, styled),
  };
}

/**
 * A question: it ends with a question mark (`?`, fullwidth `？`, Arabic `؟`, Ethiopic `፧`; Greek's `;` in Greek), opens
 * with Spanish `¿`, or holds Armenian `՞` (written on the stressed word).
 */
const QUESTION = /[?？؟፧]\s*$|^\s*¿|՞/u;
const GREEK_QUESTION = /[;\u037e]\s*$/u;

/** Whether a corpus line is a question (its own punctuation, before {@link matchPunctuation}). */
export function isQuestion(text: string, language?: string): boolean {
  return QUESTION.test(text) || (language === 'el' && GREEK_QUESTION.test(text));
}

/** One language's lines with its questions first (each group in its order). */
function questionsFirst(lines: readonly BackgroundSentence[], language: string): BackgroundSentence[] {
  const mine = lines.filter((s) => s.language === language);
  return [...mine.filter((s) => isQuestion(s.text, language)), ...mine.filter((s) => !isQuestion(s.text, language))];
}

/** Lists interleaved: the first of each, then the second of each, … (languages balanced). */
function roundRobin(lists: readonly (readonly BackgroundSentence[])[]): BackgroundSentence[] {
  const out: BackgroundSentence[] = [];
  const total = lists.reduce((n, l) => n + l.length, 0);
  for (let i = 0; out.length < total; i++) for (const list of lists) if (i < list.length) out.push(list[i]);
  return out;
}

// Punctuation marks, except apostrophes (inside words they are part of the word: "don't").
const PUNCTUATION_MARK = /[^\P{P}'’]/u;
const PUNCTUATION_MARKS = /[^\P{P}'’]+/gu;

/** Share of the examples with at least one punctuation mark (apostrophes aside). */
export function punctuatedShare(examples: readonly IntentExample[]): number {
  if (examples.length === 0) return 1;
  return examples.filter((e) => PUNCTUATION_MARK.test(e.text)).length / examples.length;
}

/**
 * Background lines written like the bot's examples: each keeps its punctuation with probability `share` (the share of
 * the bot's examples that have any) and loses it otherwise. Corpus sentences are punctuated nearly always; a bot whose
 * examples are not (CLINC150, MASSIVE, many exported chat logs) would otherwise learn "a full stop means out of
 * scope" — and answer every unpunctuated off-topic message (issue 13: CLINC150 with no out-of-scope training rows fell
 * from 61% to 12.5% out-of-scope recall when punctuation marks became features).
 */
export function matchPunctuation(lines: BackgroundSentence[], share: number, rng: Random): BackgroundSentence[] {
  return lines.map((s) => {
    if (rng.next() < share) return s;
    const text = s.text.replace(PUNCTUATION_MARKS, ' ').replace(/\s+/g, ' ').trim();
    return text ? { ...s, text } : s;
  });
}

/** Up to max(OTHER_LANGUAGE_MIN, OTHER_LANGUAGE_SHARE × own) lines in languages outside `bot` (`own`: the bot-language training lines), one language after another. */
function trainOtherLanguages(
  corpus: readonly BackgroundSentence[],
  bot: ReadonlySet<string>,
  own: number,
  rng: Random,
): BackgroundSentence[] {
  const want = Math.max(OTHER_LANGUAGE_MIN, Math.round(OTHER_LANGUAGE_SHARE * own));
  const byLanguage = new Map<string, BackgroundSentence[]>();
  corpus.forEach((s, i) => {
    if (bot.has(s.language) || isEvalReserve(i)) return;
    const list = byLanguage.get(s.language) ?? [];
    list.push(s);
    byLanguage.set(s.language, list);
  });
  const lists = rng.shuffle([...byLanguage.keys()].sort()).map((l) => byLanguage.get(l)!);
  const out: BackgroundSentence[] = [];
  while (out.length < want && lists.some((l) => l.length > 0))
    for (const list of lists) {
      if (out.length >= want || list.length === 0) continue;
      out.push(list.splice(rng.int(list.length), 1)[0]);
    }
  return out;
}

/**
 * The evaluation reserve for some languages: corpus lines no model trains on, minus those too close to the given
 * in-scope examples (as in training). `eval intent` scores them as out-of-scope rows when its data has none.
 * @example const lines = reservedBackground(corpus, ['en'], testInScope, featurizer, 0.5);
 */
export function reservedBackground(
  corpus: readonly BackgroundSentence[],
  languages: readonly string[],
  examples: readonly IntentExample[],
  featurizer: FeaturizerConfig,
  maxSimilarity: number,
): BackgroundSentence[] {
  const wanted = new Set(languages);
  const reserve = corpus.filter((s, i) => wanted.has(s.language) && isEvalReserve(i));
  const sims = maxSimilarities(
    reserve.map((s) => s.text),
    examples,
    featurizer,
  );
  return reserve.filter((_, i) => sims[i] < maxSimilarity);
}
