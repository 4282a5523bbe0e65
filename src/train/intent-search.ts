/**
 * Best-by-default training: `switchboard train intent` with no shape flags picks its own configuration on validation
 * data. A bounded search over the deep member's shape (none — the linear member alone —, 64-dim and 128-dim
 * embedding bags with a 256-unit hidden layer), each at the most feature rows that keep the model under the size
 * budget; the ensemble size, the folds and the epoch cap follow from the data's size, and early stopping picks the
 * epoch. Trials are compared on the same held-out rows (one fold, or the given validation set); the winner's first
 * tower and the linear fits are reused by the final model. Every flag the user gives is fixed, not searched.
 *
 * The budget counts work, not time: a trial's cost is the multiply-adds its members train for (`member-pool.ts`,
 * {@link towerWorkMadds}, {@link linearWorkMadds}) in work units ({@link TOWER_MADDS_PER_UNIT}, about one second on
 * a quiet 2-core machine). What the search tries, and so what it chooses, depends on the data and the budget only —
 * never on how busy the machine is. The clock only reports how long trials took.
 */
import type { FeaturizerConfig } from '../nlu/features/featurizer-config.ts';
import type { IntentExample } from '../nlu/intent/intent-example.ts';
import type { LinearModel } from './linear-svm.ts';
import { linearWorkMadds, towerWorkMadds } from './member-pool.ts';
import {
  assembleIntentModel,
  type BackgroundLines,
  DEFAULT_TRAIN_OPTIONS,
  type PreparedIntentData,
  prepareIntentData,
  trainIntentMembers,
} from './train-intent.ts';
import { towerTable } from './train-intent-members.ts';
import type { TrainedIntentModel, TrainIntentOptions } from './train-intent-types.ts';
import type { TowerResult } from './train-tower.ts';

/** The size budget of a model (each model ≤ 15 MB; a margin for the manifest, dense layers and features.bin). */
export const MODEL_BYTES_BUDGET = 14_000_000;

/** One configuration the search tries. */
export interface SearchCandidate {
  name: string;
  dim: number;
  hidden: number;
  /** Towers in the final model (0: the linear member alone). */
  ensemble: number;
}

/** What one trial measured. */
export interface SearchTrial {
  candidate: SearchCandidate;
  /** Feature rows the candidate trains with (the size budget may cap them). */
  rows: number;
  /** Rows of the towers' tables, when fewer than `rows` (the rest reach only the linear member). */
  towerRows?: number;
  /**
   * Held-out score the candidates are compared on: accuracy (single-label; with out-of-scope rows, in-scope accuracy
   * and out-of-scope recall weighted by the out-of-scope share) or micro-F1 (multi-label).
   */
  score?: number;
  /** Estimated size of the final model in bytes. */
  bytes: number;
  /** Estimated work of the trial in work units (what the budget counts; 0 for the linear member's own trial). */
  units: number;
  seconds: number;
  /** Why it was not trained, if it was not. */
  skipped?: string;
}

/** The search's account, recorded in the manifest and the model card. */
export interface SearchReport {
  /** The budget in work units ({@link TOWER_MADDS_PER_UNIT}): what `--budget` sets. */
  budgetUnits: number;
  /** Work units the search spent on trials (estimated by the cost model, as the budget counts them). */
  spentUnits: number;
  trials: SearchTrial[];
  chosen: string;
  /** Options the search set from the data's size. */
  dataDefaults: Partial<TrainIntentOptions>;
  /** Options the user fixed. */
  fixed: Partial<TrainIntentOptions>;
  /** Held-out rows the trials were compared on. */
  comparedOn: number;
  /** The linear member's penalty C: chosen on the held-out rows unless fixed by a flag. */
  linearC?: LinearCReport;
  seconds: number;
}

/** One penalty the linear-C search tried: the linear member alone, scored like a candidate. */
export interface LinearCTrial {
  c: number;
  /** Held-out score (as {@link SearchTrial.score}); absent when skipped. */
  score?: number;
  seconds: number;
  /** Why it was not trained, if it was not. */
  skipped?: string;
}

/** The linear-C search's account. */
export interface LinearCReport {
  chosen: number;
  /** True when `--linear-c` fixed it (no search). */
  fixed: boolean;
  trials: LinearCTrial[];
  /** Held-out rows the penalties were compared on. */
  comparedOn: number;
  seconds: number;
}

/** Options of {@link trainIntentAuto}. */
export interface IntentSearchOptions {
  /** Options the user set (CLI flags): never searched. */
  fixed?: Partial<TrainIntentOptions>;
  /** Settings the product chose for this data (`trainIntentDefault`: the rejection rule's budgets); flags override them. */
  settings?: Partial<TrainIntentOptions>;
  /**
   * Work units the search may spend on trials (default: scales with the data, {@link defaultBudget}); one unit is
   * about one second of training on a quiet 2-core machine, counted from the trials' sizes, not measured.
   */
  budgetUnits?: number;
  /** The clock (ms) that times trials for the report (default `performance.now`); it never steers the search. */
  clock?: () => number;
  background?: BackgroundLines;
  /** The featurizer chosen from the data (`trainIntentDefault`), unless `fixed` sets one. */
  featurizer?: FeaturizerConfig;
  onProgress?: TrainIntentOptions['onProgress'];
  log?: (line: string) => void;
  workers?: number;
  /**
   * Penalties C of the linear member to choose from on the held-out rows (e.g. {@link LINEAR_C_SEARCH_GRID}); default
   * none: C = 1, or the fixed `linearC`.
   */
  linearCGrid?: readonly number[];
}

/**
 * Multiply-adds of tower training one work unit stands for: about what one second trains on a quiet 2-core machine
 * (AMD EPYC, Node 20: 300–400 M/s per thread for the 64- and 128-dim towers, bench/dev/budget-calibration.ts), so
 * that a budget in units explores what the former budget in seconds explored on a quiet machine.
 */
export const TOWER_MADDS_PER_UNIT = 350e6;
/** Multiply-adds of linear fitting one work unit stands for (about 250 M/s per thread, same calibration). */
export const LINEAR_MADDS_PER_UNIT = 250e6;
/** Share of the epoch cap a tower is expected to train for (early stopping). */
const EXPECTED_EPOCH_SHARE = 0.75;

/** Default search budget in work units: 60 plus 20 per 1,000 training examples, at most 600 (about 10 minutes). */
export function defaultBudget(examples: number): number {
  return Math.min(600, 60 + (20 * examples) / 1000);
}

/** Small data is cheap to search: the default budget binds only larger data; a --budget always binds. */
function enforceBudget(opts: IntentSearchOptions, full: boolean): boolean {
  return opts.budgetUnits !== undefined || !full;
}

/** Options that follow from the data's size and label mode (all overridable). */
export function dataDefaults(examples: number, mode: 'single' | 'multi'): Partial<TrainIntentOptions> {
  const small = examples < 1000;
  return {
    // Small data: five towers on five folds of 20%, so every example is held out once (calibration and the threshold
    // see all of it); larger data: two towers, each holding out its own 10%.
    ensemble: small ? 5 : 2,
    validFraction: small ? 0.2 : 0.1,
    // Multi-label (sigmoid outputs) learns more slowly; tiny data needs more passes for the same number of steps.
    maxEpochs:
      mode === 'multi' ? 40 : small ? Math.min(60, Math.max(12, Math.ceil(20_000 / Math.max(1, examples)))) : 12,
    patience: mode === 'multi' ? 5 : 3,
  };
}

/** The candidates the search tries, cheapest first. */
export const SEARCH_CANDIDATES: readonly Omit<SearchCandidate, 'ensemble'>[] = [
  { name: 'linear', dim: 0, hidden: 0 },
  { name: 'linear + 64-dim bag, hidden 256', dim: 64, hidden: 256 },
  { name: 'linear + 128-dim bag, hidden 256', dim: 128, hidden: 256 },
];

/**
 * Estimated bytes of a saved int8 model with `rows` feature rows: per row, K·D embedding bytes, C linear-weight bytes
 * and 16 bytes of scales, idf, word mask and vocabulary; plus the dense layers (float32). With `towerRows` (fewer
 * rows in the towers' tables, through a row map) the K·D bytes count for those rows only, and every feature row
 * costs 8 bytes more (the map and the towers' own idf).
 */
export function estimateModelBytes(
  rows: number,
  c: SearchCandidate,
  labels: number,
  linear: boolean,
  towerRows?: number,
): number {
  const dense = c.ensemble * (c.dim * c.hidden + (c.hidden || c.dim) * labels) * 4;
  if (towerRows === undefined) return rows * (c.ensemble * c.dim + (linear ? labels : 0) + 16) + dense;
  return rows * ((linear ? labels : 0) + 24) + towerRows * (c.ensemble * c.dim + 4) + dense;
}

/**
 * Share of the size budget the towers' tables may take when the budget binds: the linear member keeps the rest of
 * the rows. Chosen on validation (bench/results/tower-rows-validation.jsonl, bench/dev/tower-rows-experiment.ts):
 * on MASSIVE (60 intents, six languages, 288,000 features) a 128-dim tower and the linear member stack to 84.68 with
 * 40,880 rows each (the former plan), and at the same size to 84.72 / 85.23 / 84.89 with the towers on 5,000 /
 * 8,000 / 13,000 rows (about 10 / 15 / 25% of the budget) and the linear member on the rest; on CLINC150 (a 64-dim
 * tower, 60,817 features) 91.26 with 45,803 each against 91.13 with the towers on 15,800: no gain where the linear
 * member has nearly every feature already.
 */
export const TOWER_BYTES_SHARE = 0.15;

/**
 * The rows are split only when the data has at least this many times the features every member could keep: near the
 * boundary the evidence is mixed (BANKING77, 1.4×: the 128-dim trial's held-out score 94.28 unsplit, 93.89 split;
 * CLINC150 with its background lines, 1.6×: 90.89 unsplit, 91.77 split, but test out-of-scope recall 66.3 → 64.4),
 * far from it (MASSIVE, 7×) every split measured beat the unsplit plan.
 */
export const SPLIT_MIN_FEATURES_RATIO = 2;

/** Feature rows of a candidate: the model's (the linear member's), and the towers' when fewer. */
export interface RowPlan {
  rows: number;
  towerRows?: number;
}

/**
 * The feature rows a candidate keeps within the size budget, given the `features` the data has (at most `maxRows`).
 * When every feature fits in every member, all of them; when the data has at least {@link SPLIT_MIN_FEATURES_RATIO}
 * times what fits (a linear member and towers), the towers' tables take {@link TOWER_BYTES_SHARE} of the budget, the
 * linear member as many rows as the rest pays for, and what the linear member cannot use goes back to the towers;
 * otherwise the most frequent rows that fit, in every member. `fixedTowerRows` (`--tower-rows`) always splits.
 */
export function rowPlan(
  c: SearchCandidate,
  labels: number,
  linear: boolean,
  features: number,
  fixedTowerRows?: number,
): RowPlan {
  const dense = estimateModelBytes(0, c, labels, linear);
  const room = MODEL_BYTES_BUDGET - dense;
  const shared = Math.max(1000, Math.floor(room / (c.ensemble * c.dim + (linear ? labels : 0) + 16)));
  if (!linear || c.ensemble === 0) return { rows: Math.min(features, shared) };
  if (fixedTowerRows === undefined && features < SPLIT_MIN_FEATURES_RATIO * shared)
    return { rows: Math.min(features, shared) };
  const towerRowBytes = c.ensemble * c.dim + 4;
  const linearRowBytes = labels + 24;
  let towerRows = fixedTowerRows ?? Math.floor((TOWER_BYTES_SHARE * room) / towerRowBytes);
  const rows = Math.min(features, Math.max(1000, Math.floor((room - towerRows * towerRowBytes) / linearRowBytes)));
  if (fixedTowerRows === undefined) towerRows = Math.floor((room - rows * linearRowBytes) / towerRowBytes);
  // Thousands of labels: the linear member's floor of rows may leave the towers nothing; then no split.
  return towerRows >= rows || towerRows < 1 ? { rows: Math.min(features, shared) } : { rows, towerRows };
}

/**
 * What one held-out row can move the search's score by: with the weighted objective, the larger of an in-scope row's
 * weight (1 − share) / in-scope rows and an out-of-scope row's share / out-of-scope rows — on a small bot one
 * in-scope row among 70 moves it by 1.1 points, while 1/n over 70 + 500 background rows says 0.18; micro-F1 (multi-label),
 * one of the data's own rows it is computed on; otherwise 1/n.
 */
export function rowWorth(v: TrainedIntentModel['validation'], oosShare: number): number {
  if (v.objective !== undefined && v.inScopeRows && v.oosRows)
    return Math.max((1 - oosShare) / v.inScopeRows, oosShare / v.oosRows);
  return 1 / Math.max(1, v.microF1Rows ?? v.n);
}

/**
 * The winning trial: a larger candidate replaces a cheaper one only when it scores better by more than one held-out
 * row's worth ({@link rowWorth}) — a smaller gap is noise, and the cheaper model is smaller. (With 1/n, a 7-intent bot
 * of 70 examples chose a 128-dim model over the linear one for 2 in-scope rows and answered 4 of 5 off-topic
 * questions. On the small-bot benchmark the row's worth moved one 5×10 seed of five: validation in-scope 93.6 → 93.8,
 * out-of-scope recall 71.6 → 71.2; test 94.7 → 94.8 and 65.3 → 63.9.) Trials are in order of cost.
 */
export function pickCandidate(trials: readonly Pick<SearchTrial, 'score'>[], margin: number): number {
  let best = -1;
  trials.forEach((t, i) => {
    if (t.score !== undefined && (best < 0 || t.score > (trials[best].score ?? -1) + margin)) best = i;
  });
  return best;
}

/** The linear member's default penalty (scikit-learn LinearSVC's default): kept unless another clearly wins. */
export const DEFAULT_LINEAR_C = 1;
/**
 * Penalties an opt-in linear-C search tries (`linearCGrid`), the default first. Not the default: on the validation
 * splits of CLINC150 and Multi3NLU++ (bench/dev/linear-c-experiment.ts, issue 13) the default path kept C = 1 or moved
 * on differences of a few held-out rows, so default training fits C = 1 only. (0.25 was never the best.)
 */
export const LINEAR_C_SEARCH_GRID: readonly number[] = [DEFAULT_LINEAR_C, 0.5, 2];
/**
 * Share of the search budget the linear-C search may take, where the budget binds: C = 1 and 0.5 always train (two
 * cores, one fit each); the larger C (about twice as slow to converge as C = 1) only when it is expected to fit.
 */
export const LINEAR_C_BUDGET_SHARE = 0.25;

/**
 * The chosen penalty: the default ({@link DEFAULT_LINEAR_C}, or the first trial when the grid lacks it) unless another
 * scores better by more than one held-out row's worth (`margin`, {@link rowWorth}), as in {@link pickCandidate}; among those, the best score
 * (ties: the one nearer the default, on a log scale).
 */
export function pickLinearC(all: readonly Pick<LinearCTrial, 'c' | 'score'>[], margin: number): number {
  const trials = all.filter((t): t is { c: number; score: number } => t.score !== undefined);
  if (trials.length === 0) return DEFAULT_LINEAR_C;
  const base = trials.find((t) => t.c === DEFAULT_LINEAR_C) ?? trials[0];
  const distance = (c: number) => Math.abs(Math.log(c / DEFAULT_LINEAR_C));
  let best = base;
  for (const t of trials) {
    if (t === base || !(t.score > base.score + margin)) continue;
    if (best === base || t.score > best.score || (t.score === best.score && distance(t.c) < distance(best.c))) best = t;
  }
  return best.c;
}

/**
 * Trains an intent model the way `switchboard train intent` does by default: searches the candidates within the
 * budget, then trains the winner's full ensemble and assembles it. Deterministic for a seed.
 * @example const { trained, search } = await trainIntentAuto(train, undefined, { fixed: { seed: 1 } });
 */
export async function trainIntentAuto(
  train: IntentExample[],
  valid: IntentExample[] | undefined,
  opts: IntentSearchOptions = {},
): Promise<{ trained: TrainedIntentModel; search: SearchReport }> {
  const clock = opts.clock ?? (() => performance.now());
  const started = clock();
  const log = opts.log ?? (() => {});
  const fixed = opts.fixed ?? {};
  const mode = Array.isArray(train[0]?.intent) ? 'multi' : 'single';
  const defaults = dataDefaults(train.length, mode);
  const base: Partial<TrainIntentOptions> = {
    ...defaults,
    ...(opts.featurizer ? { featurizer: opts.featurizer } : {}),
    ...opts.settings,
    ...fixed,
    ...(opts.workers !== undefined ? { workers: opts.workers } : {}),
  };
  const oosShare = base.oosShare ?? 0.2; // the search objective's weight of out-of-scope recall
  const ensemble = base.ensemble ?? DEFAULT_TRAIN_OPTIONS.ensemble;
  const linear = base.linear ?? true;
  const budget = opts.budgetUnits ?? defaultBudget(train.length);
  const workers = Math.max(1, opts.workers ?? 2);
  // Work units spent so far (as the cost model counts them): what the budget is checked against.
  let spent = 0;
  const labelCount = new Set(train.flatMap((e) => (Array.isArray(e.intent) ? e.intent : [e.intent]))).size + 1;
  let candidates: SearchCandidate[] = SEARCH_CANDIDATES.map((c) => ({ ...c, ensemble: c.dim === 0 ? 0 : ensemble }));
  if (!linear) candidates = candidates.filter((c) => c.dim > 0);
  if (fixed.dim !== undefined || fixed.hidden !== undefined || fixed.ensemble !== undefined) {
    const dim = fixed.dim ?? (fixed.ensemble === 0 ? 0 : DEFAULT_TRAIN_OPTIONS.dim);
    const hidden = fixed.hidden ?? (dim === 0 ? 0 : DEFAULT_TRAIN_OPTIONS.hidden);
    const k = dim === 0 ? 0 : ensemble;
    candidates = [
      { name: k === 0 ? 'linear (fixed)' : `${dim}-dim bag, hidden ${hidden} (fixed)`, dim, hidden, ensemble: k },
    ];
  }
  const maxRows = fixed.maxRows ?? DEFAULT_TRAIN_OPTIONS.maxRows;
  // Preparations (and their linear fits) are shared by the candidates with the same row cap.
  const prepared = new Map<number, PreparedIntentData>();
  const fits = new Map<number, LinearModel[]>();
  const prepare = (cap: number) => {
    let p = prepared.get(cap);
    if (!p) {
      p = prepareIntentData(train, valid, { ...base, maxRows: cap }, opts.background);
      prepared.set(cap, p);
    }
    return p;
  };
  // The features the data has, as far as any member can keep them: prepared once at the linear member's widest (the
  // cheapest candidate's preparation) — no plan gives a member more rows. Towers alone: the size cap decides.
  const widest = linear
    ? Math.min(maxRows, rowPlan({ name: 'linear', dim: 0, hidden: 0, ensemble: 0 }, labelCount, true, maxRows).rows)
    : maxRows;
  let features = maxRows;
  if (linear) {
    features = prepare(widest).vocabulary.rows - 1;
    if (features < widest) prepared.set(features, prepared.get(widest)!); // every feature kept: the same preparation
  }
  const plans = candidates.map((c) => rowPlan(c, labelCount, linear, features, fixed.towerRows));
  const caps = plans.map((r) => r.rows);
  // Small data: every trial trains all its towers and is compared on every fold; larger data: tower 0, fold 0.
  const full = train.length * Math.max(1, ensemble) <= 20_000;
  const trials: SearchTrial[] = [];
  const results: ({ towers: TowerResult[] } | undefined)[] = [];
  let comparedOn = 0;
  let margin = 0;
  const runTrial = async (i: number): Promise<void> => {
    const c = candidates[i];
    const p = prepare(caps[i]);
    const trial = trials[i];
    const t0 = clock();
    const towersToTrain = c.ensemble === 0 ? 0 : full ? c.ensemble : 1;
    const trialOpts: Partial<TrainIntentOptions> = {
      ...base,
      maxRows: caps[i],
      towerRows: plans[i].towerRows,
      dim: c.dim,
      hidden: c.hidden,
      ensemble: c.ensemble,
      heldFolds: Math.max(1, ensemble),
      onlyTowers: towersToTrain,
      ...(full ? {} : { onlyHeldFold: 0 }),
      onProgress: opts.onProgress,
    };
    const members = await trainIntentMembers(p, trialOpts, { linearFits: fits.get(caps[i]) });
    fits.set(caps[i], members.linearFits);
    const model = assembleIntentModel(p, members, trialOpts);
    const v = model.validation;
    trial.score = v.objective ?? v.accuracy ?? v.microF1 ?? 0;
    trial.seconds = (clock() - t0) / 1000;
    comparedOn = v.n;
    margin = rowWorth(v, oosShare);
    results[i] = { towers: members.towers.map((weights, k) => ({ weights, validLogits: members.towerLogits[k] })) };
    const w = model.combination;
    log(
      `search: ${c.name}: ${(trial.score * 100).toFixed(2)}${
        v.objective !== undefined && v.inScopeAccuracy !== undefined && v.oosRecall !== undefined
          ? ` (in-scope ${(v.inScopeAccuracy * 100).toFixed(1)}, out-of-scope recall ${(v.oosRecall * 100).toFixed(1)}, weighted ${(1 - oosShare).toFixed(1)}/${oosShare.toFixed(1)})`
          : ''
      } on ${v.n} held-out rows, ${trial.rows} feature rows${
        plans[i].towerRows !== undefined ? ` (${plans[i].towerRows} in the towers)` : ''
      }, ` +
        `~${(trial.bytes / 1e6).toFixed(1)} MB, ~${trial.units.toFixed(0)} work units, ${trial.seconds.toFixed(1)} s` +
        (c.ensemble > 0 ? ` (stacking weights: towers ${w.deep.toFixed(2)}, linear ${w.linear.toFixed(2)})` : ''),
    );
  };
  /**
   * Estimated work units of a candidate's trial: its towers' training (the fit rows × three quarters of the epoch cap,
   * early stopping) at {@link TOWER_MADDS_PER_UNIT}, two towers at a time on two workers. Linear fits are counted where
   * they train ({@link linearUnits}).
   */
  const towerUnits = (i: number): number => {
    const c = candidates[i];
    if (c.ensemble === 0) return 0;
    const p = prepare(caps[i]);
    const towers = full ? c.ensemble : 1;
    const all = towerTable(p, plans[i].towerRows).encode(p.train).bags;
    const bags = p.folds ? all.filter((_, k) => p.folds!.fold[k] !== 0) : all;
    const o = { ...DEFAULT_TRAIN_OPTIONS, ...base };
    const madds = towerWorkMadds(bags, c.dim, c.hidden, p.labels.length, o.maxEpochs * EXPECTED_EPOCH_SHARE);
    return (towers * madds) / TOWER_MADDS_PER_UNIT;
  };
  /** Work units of `fits` linear fits on a preparation (each on its fit rows), `workers` at a time. */
  const linearUnits = (p: PreparedIntentData, fits: number): number => {
    const rows = p.folds ? p.train.linear.filter((_, k) => p.folds!.fold[k] !== 0) : p.train.linear;
    return (Math.ceil(fits / workers) * linearWorkMadds(rows, p.labels.length)) / LINEAR_MADDS_PER_UNIT;
  };
  const linearFitCount = (p: PreparedIntentData) => (p.folds ? Math.min(Math.max(1, ensemble), p.folds.count) : 1);
  /** Estimated work units of a trial: its towers, and its linear fits unless an earlier trial trained them. */
  const trialUnits = (i: number): number => {
    const p = prepare(caps[i]);
    return towerUnits(i) + (linear && !fits.has(caps[i]) ? linearUnits(p, linearFitCount(p)) : 0);
  };
  candidates.forEach((c, i) => {
    const p = prepare(caps[i]);
    trials.push({
      candidate: c,
      rows: p.vocabulary.rows,
      ...(plans[i].towerRows !== undefined ? { towerRows: plans[i].towerRows } : {}),
      bytes: estimateModelBytes(p.vocabulary.rows, c, p.labels.length, linear, plans[i].towerRows),
      units: 0,
      seconds: 0,
    });
  });
  // The linear member's penalty C: fixed by a flag, else C = 1 — or, with a grid of penalties (opt-in), chosen first
  // (every candidate then trains with it): the linear member alone at each C, scored on the held-out rows like a
  // candidate (on larger data, on the fold the candidates are compared on).
  let linearC: LinearCReport | undefined;
  const grid = opts.linearCGrid ?? [];
  if (linear && (fixed.linearC !== undefined || grid.length < 2)) {
    const chosen = fixed.linearC ?? grid[0] ?? DEFAULT_LINEAR_C;
    base.linearC = chosen;
    linearC = { chosen, fixed: fixed.linearC !== undefined, trials: [], comparedOn: 0, seconds: 0 };
  } else if (linear) {
    const t0 = clock();
    const p = prepare(caps[0]);
    const heldFolds = full ? Math.max(1, ensemble) : 1;
    const cTrials: LinearCTrial[] = [];
    const cFits = new Map<number, LinearModel[]>();
    let cRows = 0;
    let cMargin = 0;
    const tryC = async (c: number): Promise<void> => {
      const t1 = clock();
      const o: Partial<TrainIntentOptions> = {
        ...base,
        maxRows: caps[0],
        dim: 0,
        hidden: 0,
        ensemble: 0,
        heldFolds,
        onlyTowers: 0,
        linearC: c,
        onProgress: opts.onProgress,
      };
      const members = await trainIntentMembers(p, o);
      const v = assembleIntentModel(p, members, o).validation;
      cFits.set(c, members.linearFits);
      cRows = v.n;
      cMargin = rowWorth(v, oosShare);
      cTrials.push({ c, score: v.objective ?? v.accuracy ?? v.microF1 ?? 0, seconds: (clock() - t1) / 1000 });
    };
    // One fit per held-out fold at C = 1; a larger C converges more slowly (about in proportion).
    const perPenalty = (c: number) => Math.max(1, c / DEFAULT_LINEAR_C) * linearUnits(p, heldFolds);
    // One fit per penalty (larger data): the default and the next C together on the two cores; several folds per
    // penalty: one penalty at a time. The rest only while the budget's share allows (where the budget binds).
    const parallel = heldFolds === 1 || !p.folds;
    const first = grid.slice(0, parallel ? Math.min(2, workers) : 1);
    if (parallel) await Promise.all(first.map(tryC));
    else for (const c of first) await tryC(c);
    spent += parallel ? Math.max(...first.map(perPenalty)) : first.reduce((a, c) => a + perPenalty(c), 0);
    for (const c of grid.slice(first.length)) {
      const cost = perPenalty(c);
      if (enforceBudget(opts, full) && spent + cost > LINEAR_C_BUDGET_SHARE * budget) {
        cTrials.push({
          c,
          seconds: 0,
          skipped: `budget: ~${cost.toFixed(0)} units more would pass ${(LINEAR_C_BUDGET_SHARE * budget).toFixed(0)}`,
        });
        continue;
      }
      await tryC(c);
      spent += cost;
    }
    cTrials.sort((a, b) => grid.indexOf(a.c) - grid.indexOf(b.c));
    const chosenC = pickLinearC(cTrials, cMargin);
    base.linearC = chosenC;
    fits.set(caps[0], cFits.get(chosenC) ?? []);
    linearC = {
      chosen: chosenC,
      fixed: false,
      trials: cTrials,
      comparedOn: cRows,
      seconds: (clock() - t0) / 1000,
    };
    log(
      `search: linear C ${cTrials.map((t) => `${t.c}: ${t.score === undefined ? `skipped (${t.skipped})` : (t.score * 100).toFixed(2)}`).join(', ')} on ${cRows} ` +
        `held-out rows (${linearC.seconds.toFixed(1)} s); chose C ${chosenC}` +
        (chosenC === DEFAULT_LINEAR_C ? '' : ` (better than C ${DEFAULT_LINEAR_C} by more than one row)`),
    );
  }
  // The cheapest candidate first (the linear member alone, when allowed).
  trials[0].units = trialUnits(0);
  await runTrial(0);
  spent += trials[0].units;
  // The rest in pairs (the machine's two cores), while their estimated work fits the budget.
  for (let i = 1; i < candidates.length; i += workers) {
    const group = candidates.map((_, j) => j).slice(i, i + workers);
    // The group's towers run two at a time: its work is about its largest member's, or the sum over two cores.
    const ests = group.map(trialUnits);
    const cost = Math.max(Math.max(...ests), ests.reduce((a, b) => a + b, 0) / workers);
    group.forEach((j, k) => {
      trials[j].units = ests[k];
    });
    if (enforceBudget(opts, full) && results.length > 0 && spent + cost > budget) {
      for (const j of group) {
        const pair = group.length > 1 ? ' for the pair trained together' : '';
        trials[j].skipped =
          `budget: ~${cost.toFixed(0)} units more${pair} would pass ${budget.toFixed(0)}; ${spent.toFixed(0)} spent`;
        log(`search: ${candidates[j].name}: skipped (${trials[j].skipped})`);
      }
      continue;
    }
    await Promise.all(group.map((j) => runTrial(j)));
    spent += cost;
  }
  const best = pickCandidate(trials, margin);
  const chosen = candidates[best];
  log(`search: chose ${chosen.name}`);
  const p = prepare(caps[best]);
  const finalOpts: Partial<TrainIntentOptions> = {
    ...base,
    maxRows: caps[best],
    towerRows: plans[best].towerRows,
    dim: chosen.dim,
    hidden: chosen.hidden,
    ensemble: chosen.ensemble,
    heldFolds: Math.max(1, ensemble),
    onProgress: opts.onProgress,
  };
  const members = await trainIntentMembers(p, finalOpts, {
    towers: results[best]?.towers,
    linearFits: fits.get(caps[best]),
  });
  // Training time in performance.now() terms (the injected clock may run at another rate).
  const trained = assembleIntentModel(p, members, finalOpts, performance.now() - (clock() - started));
  const search: SearchReport = {
    budgetUnits: budget,
    spentUnits: spent,
    trials,
    chosen: chosen.name,
    // What the data's size set and the flags did not override (the card lists both; a key is in one of them).
    dataDefaults: Object.fromEntries(Object.entries(defaults).filter(([k]) => !(k in fixed))),
    fixed,
    comparedOn,
    ...(linearC ? { linearC } : {}),
    seconds: (clock() - started) / 1000,
  };
  return { trained, search };
}
