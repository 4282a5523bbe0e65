/**
 * The one default training path, shared by `switchboard train intent`, `eval intent --cv` and the benchmark: checks
 * the data, draws out-of-scope lines from the background corpus (unless switched off), searches the configuration
 * (`intent-search.ts`) and reports what it did. What the benchmark measures is what a user gets.
 */
import { DEFAULT_FEATURIZER, type FeaturizerConfig } from '../nlu/features/featurizer-config.ts';
import { type IntentExample, OUT_OF_SCOPE } from '../nlu/intent/intent-example.ts';
import { DEFAULT_BACKGROUND_DIR, loadBackgroundCorpus } from './background/background-corpus.ts';
import { type BackgroundSelection, punctuatedShare, selectBackground } from './background/background-selection.ts';
import { DataError } from './data-error.ts';
import { type SearchReport, trainIntentAuto } from './intent-search.ts';
import type { TrainedIntentModel, TrainIntentOptions } from './train-intent-types.ts';

/** Background lines joining training, per own training example (the out-of-scope class stays a minority). */
export const BACKGROUND_TRAIN_RATIO = 0.5;
/**
 * The same for multi-label data, where background lines train as rows with no label: fewer, because every one of
 * them pushes every label down. Chosen on the validation splits of Multi3NLU++ (5 languages, the linear member,
 * bench/dev/multilabel-background-experiment.ts, issue 13): mean validation micro-F1 82.37 at 0.5, 82.52 at 0.2
 * (no language lower), 82.42 at 0; held-out background recall 77.4, 74.8 and 60.7%.
 */
export const BACKGROUND_TRAIN_RATIO_MULTI = 0.2;
/** Background lines held out to choose the answer threshold. */
export const BACKGROUND_HELD_LINES = 500;
/** Background lines this similar (word TF-IDF cosine) to a training example are dropped. */
export const BACKGROUND_MAX_SIMILARITY = 0.5;
/** The share of out-of-scope messages the answer threshold is chosen for. */
export const DEFAULT_OOS_SHARE = 0.2;
/**
 * The answer threshold (and the out-of-scope class) may cost at most this share of correct held-out answers — in a bot
 * with {@link LARGE_BOT_INTENTS} intents or more.
 */
export const DEFAULT_MAX_IN_SCOPE_LOSS = 0.01;
/**
 * The same for a bot with {@link SMALL_BOT_INTENTS} intents or fewer (linear in between). A bot that knows few intents
 * is asked about many things it does not know, and its few held-out rows made a 1% budget zero rows: its threshold
 * could reject nothing the model got right. Chosen on the validation split of the small bots (`npx tsx
 * bench/small-bots.ts --split valid --max-in-scope-loss L`, CLINC150 intents, 5 seeds; issue 13), out-of-scope recall /
 * in-scope accuracy of 5×10 and 20×20 bots: 1% 56.4 / 93.2 and 60.6 / 94.0; 2% 60.6 / 93.0 and 72.4 / 92.9; 3% 67.6 /
 * 94.2 and 76.4 / 92.3.
 */
export const SMALL_BOT_MAX_IN_SCOPE_LOSS = 0.03;
export const SMALL_BOT_INTENTS = 20;
export const LARGE_BOT_INTENTS = 50;

/** The in-scope loss budget of the answer threshold for a bot with `intents` intents (out_of_scope not counted). */
export function maxInScopeLossFor(intents: number): number {
  if (intents <= SMALL_BOT_INTENTS) return SMALL_BOT_MAX_IN_SCOPE_LOSS;
  if (intents >= LARGE_BOT_INTENTS) return DEFAULT_MAX_IN_SCOPE_LOSS;
  const t = (intents - SMALL_BOT_INTENTS) / (LARGE_BOT_INTENTS - SMALL_BOT_INTENTS);
  return SMALL_BOT_MAX_IN_SCOPE_LOSS + t * (DEFAULT_MAX_IN_SCOPE_LOSS - SMALL_BOT_MAX_IN_SCOPE_LOSS);
}

/** Options of {@link trainIntentDefault}. */
export interface DefaultTrainingOptions {
  /** Options the user fixed (flags); everything else is searched or follows from the data. */
  fixed?: Partial<TrainIntentOptions>;
  /**
   * Search budget in work units (default: scales with the data); one unit is about one second of training on a quiet
   * 2-core machine, counted from the trials' sizes (`intent-search.ts`), so the choice never depends on machine load.
   */
  budgetUnits?: number;
  /**
   * Background lines joining training per own training example (default {@link BACKGROUND_TRAIN_RATIO}, multi-label
   * data {@link BACKGROUND_TRAIN_RATIO_MULTI}).
   */
  backgroundTrainRatio?: number;
  /** The background corpus directory, or false to train without one (`--no-background`). */
  background?: string | false;
  workers?: number;
  /** Penalties of the linear member to choose from on held-out rows (opt-in; default: C = 1). */
  linearCGrid?: readonly number[];
  onProgress?: TrainIntentOptions['onProgress'];
  log?: (line: string) => void;
}

/** How the model is protected against out-of-scope messages, as recorded in its manifest. */
export interface OosProtection {
  /** Where the out-of-scope evidence came from. */
  source: 'data' | 'background' | 'data+background' | 'none';
  /** Held-out out-of-scope rows the rule was chosen on. */
  heldOut: number;
  /** Share of them the model rejects (its out-of-scope label, or below the threshold). */
  recall?: number;
  /** The share of correct held-out answers the rejection rule could cost (single-label models). */
  maxInScopeLoss?: number;
}

/** What default training produced. */
export interface DefaultTrainingResult {
  trained: TrainedIntentModel;
  search: SearchReport;
  background?: Omit<BackgroundSelection, 'train' | 'held'> & { trainLines: number; heldLines: number };
  oos: OosProtection;
}

/** Labels of an example as a list. */
const labelsOf = (e: IntentExample) => (Array.isArray(e.intent) ? e.intent : [e.intent]);

/**
 * Rejects data no model can learn from, naming the problem: fewer than 5 examples, a single intent. (A label with a
 * single example is only warned about by the readers.)
 */
export function checkTrainable(examples: readonly IntentExample[], source = 'training data'): void {
  if (examples.length < 5) {
    throw new DataError(source, undefined, `only ${examples.length} example(s): at least 5 are needed to train`);
  }
  const labels = new Set(examples.flatMap(labelsOf).filter((l) => l !== OUT_OF_SCOPE));
  if (labels.size < 2) {
    const only = [...labels][0];
    throw new DataError(
      source,
      undefined,
      only === undefined
        ? 'no intent labels: at least two intents are needed'
        : `only one intent ('${only}'): at least two are needed (a model cannot tell one intent from nothing)`,
    );
  }
}

/**
 * Without validation data, rows of the training data are held out to measure the model and choose its answer
 * threshold: when every intent has a single example (single-label), none can be, and the model would be measured on
 * background lines alone (100% "accuracy", a threshold that refuses the bot's own examples). Throws a
 * {@link DataError} then.
 */
export function checkSomethingHeldOut(train: readonly IntentExample[], source = 'training data'): void {
  if (train.some((e) => Array.isArray(e.intent))) return;
  const counts = new Map<string, number>();
  for (const e of train)
    if (e.intent !== OUT_OF_SCOPE) counts.set(e.intent as string, (counts.get(e.intent as string) ?? 0) + 1);
  if ([...counts.values()].some((n) => n >= 2)) return;
  throw new DataError(
    source,
    undefined,
    `every intent has a single example (${counts.size} intents): nothing can be held out to measure the model or ` +
      'choose its answer threshold. Give each intent at least 2 examples (10 or more is better), or pass --valid FILE',
  );
}

/**
 * Throws a {@link DataError} when validation data cannot choose anything: no row of an intent the training data has
 * (only out_of_scope rows, or other labels). The answer threshold is chosen to keep correct answers on it; with none
 * to keep it would refuse nearly everything.
 */
export function checkValidation(
  valid: readonly IntentExample[],
  train: readonly IntentExample[],
  source = 'validation data',
): void {
  const known = new Set(train.flatMap(labelsOf).filter((l) => l !== OUT_OF_SCOPE));
  const inScope = valid.filter((e) => labelsOf(e).some((l) => known.has(l)));
  if (inScope.length > 0) return;
  const oos = valid.filter((e) => labelsOf(e).length === 0 || labelsOf(e).every((l) => l === OUT_OF_SCOPE)).length;
  throw new DataError(
    source,
    undefined,
    oos === valid.length
      ? `no in-scope rows (${valid.length} out-of-scope): validation needs examples of your intents, to choose the answer threshold and the model`
      : `no row of an intent the training data has (${valid.length} rows): validation needs examples of your intents`,
  );
}

/**
 * Share of a bot's examples with punctuation at which punctuation marks become features: where examples are punctuated,
 * a `?` tells questions from statements (Multi3NLU++ validation, issue 13: +0.5 to +0.8 points in en, es, am; Banking77
 * +0.4); where they mostly are not (CLINC150 9%, MASSIVE 7%), the marks would tell nothing about intents, only which
 * lines came from elsewhere.
 */
export const PUNCTUATED_MIN = 0.25;

/**
 * The default featurizer for these examples: punctuation marks as tokens when enough examples have any (`share`: their
 * {@link punctuatedShare}, when the caller has it).
 */
export function featurizerFor(train: readonly IntentExample[], share = punctuatedShare(train)): FeaturizerConfig {
  return share >= PUNCTUATED_MIN ? { ...DEFAULT_FEATURIZER, punctuation: 'all' } : DEFAULT_FEATURIZER;
}

/**
 * Trains an intent model the default way. Background lines ({@link BACKGROUND_TRAIN_RATIO} per example, at most what
 * the corpus has in the bot's languages) join training as `out_of_scope` (single-label) or, {@link
 * BACKGROUND_TRAIN_RATIO_MULTI} per example, as rows with no label (multi-label), and {@link BACKGROUND_HELD_LINES}
 * more are held out to choose the rejection rule (multi-label: to measure out-of-scope recall).
 * @example const { trained, search } = await trainIntentDefault(examples, undefined, { fixed: { seed: 1 } });
 */
export async function trainIntentDefault(
  train: IntentExample[],
  valid: IntentExample[] | undefined,
  opts: DefaultTrainingOptions = {},
): Promise<DefaultTrainingResult> {
  checkTrainable(train);
  if (valid) checkValidation(valid, train);
  else checkSomethingHeldOut(train);
  const log = opts.log ?? (() => {});
  const share = punctuatedShare(train);
  const featurizer: FeaturizerConfig = opts.fixed?.featurizer ?? featurizerFor(train, share);
  if (!opts.fixed?.featurizer)
    log(
      `features: punctuation marks ${featurizer.punctuation ? 'are' : 'are not'} tokens (${(100 * share).toFixed(0)}% ` +
        `of your examples have any; at least ${100 * PUNCTUATED_MIN}% turns them on)`,
    );
  let background: DefaultTrainingResult['background'];
  let lines: { train: BackgroundSelection['train']; held: BackgroundSelection['held'] } | undefined;
  const multi = Array.isArray(train[0]?.intent);
  const defaultRatio = multi ? BACKGROUND_TRAIN_RATIO_MULTI : BACKGROUND_TRAIN_RATIO;
  if (opts.background !== false) {
    const corpus = loadBackgroundCorpus(opts.background ?? DEFAULT_BACKGROUND_DIR);
    const sel = selectBackground(corpus.sentences, train, featurizer, {
      trainLines: Math.round((opts.backgroundTrainRatio ?? defaultRatio) * train.length),
      heldLines: BACKGROUND_HELD_LINES,
      maxSimilarity: BACKGROUND_MAX_SIMILARITY,
      seed: opts.fixed?.seed ?? 1,
      // Single-label: off-topic questions first. Chosen on the small bots' validation split (bench/small-bots.ts
      // --split valid, bench/results/small-bots-validation.jsonl; out-of-scope recall / in-scope accuracy): 5×10
      // 67.6 / 94.2 → 71.6 / 93.6, 20×20 76.4 / 92.35 → 82.2 / 92.54. Multi-label was not validated: off there.
      questionsFirst: !multi,
    });
    const { train: bgTrain, held, ...info } = sel;
    background = { ...info, trainLines: bgTrain.length, heldLines: held.length };
    lines = { train: bgTrain, held };
    log(
      `background: ${bgTrain.length} lines train the out-of-scope class (${sel.otherLanguageLines} of them in other ` +
        `languages${multi ? '' : `, ${sel.questionLines} questions`}), ${held.length} are held out (languages ${sel.languages.join(' ') || 'none'} by ` +
        `${sel.languageSource}; ${sel.dropped} of ${sel.candidates} dropped as too close to your examples)`,
    );
    if (sel.languages.length === 0)
      log(
        sel.languageSource !== 'data'
          ? "background: your examples' language was not recognised from their words; only other languages used " +
              '(add a language field to your examples, e.g. "language": "en")'
          : 'background: no corpus language matches your data; only other languages used',
      );
    if (sel.unmatched.length > 0)
      log(
        `background: the corpus has no lines in ${sel.unmatched.join(', ')} (your data's language field): off-topic ` +
          `messages in ${sel.unmatched.length === 1 ? 'it' : 'them'} are not measured` +
          (sel.languageSource !== 'data' ? '; languages found from your words instead' : ''),
      );
  }
  const intents = new Set(train.flatMap(labelsOf).filter((l) => l !== OUT_OF_SCOPE)).size;
  // The rejection rule's settings for this data: the product's, not the user's flags (a flag overrides them).
  const settings: Partial<TrainIntentOptions> = {
    oosShare: DEFAULT_OOS_SHARE,
    maxInScopeLoss: maxInScopeLossFor(intents),
  };
  const fixed: Partial<TrainIntentOptions> = { ...settings, ...opts.fixed };
  if (!multi && opts.fixed?.maxInScopeLoss === undefined)
    log(
      `answer threshold: may cost at most ${+(100 * (fixed.maxInScopeLoss ?? 0)).toFixed(2)}% of the correct ` +
        `held-out answers (${intents} intents; ${100 * DEFAULT_MAX_IN_SCOPE_LOSS}% from ${LARGE_BOT_INTENTS}, ` +
        `${100 * SMALL_BOT_MAX_IN_SCOPE_LOSS}% up to ${SMALL_BOT_INTENTS})`,
    );
  const { trained, search } = await trainIntentAuto(train, valid, {
    fixed: opts.fixed ?? {},
    settings,
    budgetUnits: opts.budgetUnits,
    background: lines,
    onProgress: opts.onProgress,
    log,
    workers: opts.workers,
    linearCGrid: opts.linearCGrid,
    featurizer,
  });
  const dataOos = train.some((e) => e.intent === OUT_OF_SCOPE) || (valid ?? []).some((e) => e.intent === OUT_OF_SCOPE);
  const bgUsed = (lines?.held.length ?? 0) + (lines?.train.length ?? 0) > 0;
  // Without held-out lines in the bot's languages (none in the corpus), the background measured nothing.
  const bgMeasured = (lines?.held.length ?? 0) > 0;
  const source: OosProtection['source'] = dataOos
    ? bgUsed
      ? 'data+background'
      : 'data'
    : bgMeasured
      ? 'background'
      : 'none';
  const oos: OosProtection = {
    source,
    // Out-of-scope rows of other languages only (no corpus lines in the bot's) measure nothing about its customers.
    heldOut: source === 'none' ? 0 : (trained.validation.oosRows ?? 0),
    ...(trained.validation.oosRecall !== undefined && source !== 'none'
      ? { recall: trained.validation.oosRecall }
      : {}),
    ...(!multi && fixed.maxInScopeLoss !== undefined ? { maxInScopeLoss: fixed.maxInScopeLoss } : {}),
  };
  return { trained, search, ...(background ? { background } : {}), oos };
}
