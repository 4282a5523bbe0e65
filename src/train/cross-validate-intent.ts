/**
 * Stratified K-fold cross-validation of the default training path (`eval intent --cv K`): for small bots, where a
 * held-out test set would be a handful of rows. Each fold's model is trained exactly as `train intent` trains
 * (`trainIntentDefault`), saved, loaded through ONNX Runtime and scored on the fold it never saw. Out-of-scope recall
 * comes from the data's out_of_scope rows in the fold, or else from the background corpus's evaluation reserve
 * (lines no model trains on) in the model's languages.
 */

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type LabelScores,
  type MultiLabelMetrics,
  multiLabelMetrics,
  predictSingleLabel,
  type SingleLabelMetrics,
  singleLabelMetrics,
} from '../eval/intent-metrics.ts';
import { IntentClassifier } from '../nlu/intent/intent-classifier.ts';
import { type IntentExample, OUT_OF_SCOPE } from '../nlu/intent/intent-example.ts';
import { DEFAULT_BACKGROUND_DIR, loadBackgroundCorpus } from './background/background-corpus.ts';
import { reservedBackground } from './background/background-selection.ts';
import { DataError } from './data-error.ts';
import { saveIntentModel } from './save-intent-model.ts';
import { stratifiedFolds } from './split-train-valid.ts';
import { BACKGROUND_MAX_SIMILARITY, type DefaultTrainingOptions, trainIntentDefault } from './train-intent-default.ts';

/** One fold's scores. */
export interface CvFold {
  fold: number;
  n: number;
  /** Accuracy (single-label) or exact match (multi-label). */
  accuracy: number;
  macro_f1: number;
  /** Multi-label only. */
  micro_f1?: number;
  /** Share of out-of-scope rows rejected, and how many there were (data rows or background reserve lines). */
  oos_recall?: number;
  oos_n?: number;
  chosen: string;
  seconds: number;
}

/** Mean and (sample) standard deviation over folds. */
export interface MeanStd {
  mean: number;
  std: number;
}

/** The result of a cross-validation. */
export interface CvReport {
  k: number;
  /** K asked for (reduced when an intent has fewer examples than folds). */
  requested_k: number;
  n: number;
  mode: 'single' | 'multi';
  /** Where out-of-scope recall was measured. */
  oos_source: 'data' | 'background' | 'none';
  folds: CvFold[];
  accuracy: MeanStd;
  macro_f1: MeanStd;
  micro_f1?: MeanStd;
  oos_recall?: MeanStd;
  /** Out-of-scope recall over every fold's out-of-scope rows together, and how many there were. */
  oos_pooled?: { recall: number; n: number };
  /** Per intent: F1 across folds, worst mean first. */
  per_intent: { intent: string; f1: MeanStd; support: number }[];
  /** Pooled out-of-fold confusions, most frequent first. */
  confusions: { gold: string; predicted: string; count: number }[];
  /** Out-of-fold metrics over all rows pooled (for the HTML report). */
  pooled: SingleLabelMetrics | MultiLabelMetrics;
  /** Out-of-fold probabilities per row (in data order; rows never held out are absent) and the label order. */
  probs: (Float32Array | undefined)[];
  labels: string[];
  warnings: string[];
}

/** Mean and sample standard deviation. */
export function meanStd(xs: readonly number[]): MeanStd {
  if (xs.length === 0) return { mean: Number.NaN, std: Number.NaN };
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const v = xs.length > 1 ? xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (xs.length - 1) : 0;
  return { mean, std: Math.sqrt(v) };
}

const labelsOf = (e: IntentExample) => (Array.isArray(e.intent) ? e.intent : [e.intent]);

/**
 * The K actually used: at most the smallest number of examples of an intent that has at least two (so every fold can
 * hold one out; an intent with one example is never held out, it always trains), at least 2. Returns the warnings to
 * show: K reduced, intents never held out. Throws a `DataError` when no intent has two examples (nothing to hold out).
 */
export function effectiveFolds(examples: readonly IntentExample[], k: number): { k: number; warning?: string } {
  const counts = new Map<string, number>();
  for (const e of examples) for (const l of labelsOf(e)) counts.set(l, (counts.get(l) ?? 0) + 1);
  let smallest = Number.POSITIVE_INFINITY;
  let which = '';
  const single: string[] = [];
  // Multi-label: a row carrying a single-example label is never held out with its other labels either, so every label
  // counts towards K there, as before.
  const multi = examples.some((e) => Array.isArray(e.intent));
  for (const [l, n] of counts) {
    if (n < 2 && !multi) single.push(l);
    else if (n < smallest) [smallest, which] = [n, l];
  }
  if (multi && k > smallest) {
    const reduced = Math.max(2, smallest);
    return { k: reduced, warning: `--cv ${k} reduced to ${reduced}: label '${which}' has only ${smallest} example(s)` };
  }
  if (smallest === Number.POSITIVE_INFINITY) {
    throw new DataError(
      'cross-validation data',
      undefined,
      `every intent has a single example (${counts.size}): nothing can be held out; add examples`,
    );
  }
  const shown = single.slice(0, 5).map((l) => `'${l}'`);
  if (single.length > 5) shown.push(`${single.length - 5} more`);
  const never =
    single.length === 0
      ? ''
      : `${single.length === 1 ? 'intent' : 'intents'} ${shown.join(', ')} ${single.length === 1 ? 'has' : 'have'} ` +
        'a single example: never held out';
  if (k <= smallest) return never ? { k, warning: never } : { k };
  const reduced = Math.max(2, smallest);
  return {
    k: reduced,
    warning: `--cv ${k} reduced to ${reduced}: intent '${which}' has only ${smallest} examples${never ? `; ${never}` : ''}`,
  };
}

/**
 * Cross-validates the default training path on `examples` with K stratified folds.
 * @example const report = await crossValidateIntent(examples, 5, { fixed: { seed: 1 } });
 */
export async function crossValidateIntent(
  examples: IntentExample[],
  requestedK: number,
  opts: DefaultTrainingOptions & { seed?: number; onFold?: (fold: number, k: number) => void } = {},
): Promise<CvReport> {
  const mode = Array.isArray(examples[0]?.intent) ? 'multi' : 'single';
  const warnings: string[] = [];
  const { k, warning } = effectiveFolds(examples, requestedK);
  if (warning) warnings.push(warning);
  const seed = opts.seed ?? opts.fixed?.seed ?? 1;
  const fold = stratifiedFolds(examples, k, seed);
  const dataOos = examples.some((e) => e.intent === OUT_OF_SCOPE);
  const corpus =
    !dataOos && opts.background !== false ? loadBackgroundCorpus(opts.background || DEFAULT_BACKGROUND_DIR) : undefined;
  const folds: CvFold[] = [];
  const probs: (Float32Array | undefined)[] = new Array(examples.length);
  let labels: string[] = [];
  const perIntent = new Map<string, { f1: number[]; support: number }>();
  for (let f = 0; f < k; f++) {
    opts.onFold?.(f, k);
    const test = examples.filter((_, i) => fold[i] === f);
    const train = examples.filter((_, i) => fold[i] !== f);
    const started = performance.now();
    const { trained, background } = await trainIntentDefault(train, undefined, {
      ...opts,
      fixed: { seed, ...opts.fixed },
    });
    const dir = await mkdtemp(join(tmpdir(), 'switchboard-cv-'));
    try {
      await saveIntentModel(dir, trained, { quantize: true, dataDescription: `cross-validation fold ${f + 1}/${k}` });
      const clf = await IntentClassifier.load(dir);
      try {
        labels = [...clf.labels];
        const p = await clf.scores(test.map((e) => e.text));
        let j = 0;
        examples.forEach((_, i) => {
          if (fold[i] === f) probs[i] = p[j++];
        });
        const threshold = clf.threshold ?? 0;
        const row: CvFold = { fold: f + 1, n: test.length, accuracy: 0, macro_f1: 0, chosen: '', seconds: 0 };
        let perLabel: LabelScores[];
        if (mode === 'single') {
          const m = singleLabelMetrics(
            test.map((e) => e.intent as string),
            p,
            labels,
            threshold,
          );
          Object.assign(row, { accuracy: m.accuracy, macro_f1: m.macro_f1 });
          if (m.oos_recall !== undefined) {
            row.oos_recall = m.oos_recall;
            row.oos_n = test.filter((e) => e.intent === OUT_OF_SCOPE).length;
          }
          perLabel = m.per_label;
        } else {
          const m = multiLabelMetrics(
            test.map((e) => e.intent as string[]),
            p,
            labels,
            threshold,
          );
          Object.assign(row, { accuracy: m.exact_match, macro_f1: m.macro_f1, micro_f1: m.micro_f1 });
          perLabel = m.per_label;
        }
        if (corpus && background && background.languages.length > 0) {
          const lines = reservedBackground(
            corpus.sentences,
            background.languages,
            test,
            trained.featurizer,
            BACKGROUND_MAX_SIMILARITY,
          );
          const bp = await clf.scores(lines.map((l) => l.text));
          row.oos_n = lines.length;
          row.oos_recall = lines.length ? rejectedShare(bp, labels, threshold, mode) : undefined;
        }
        row.chosen = `${trained.options.ensemble > 0 ? `${trained.options.ensemble} tower(s) + ` : ''}linear`;
        row.seconds = (performance.now() - started) / 1000;
        folds.push(row);
        const support = new Map<string, number>();
        for (const e of test) for (const l of labelsOf(e)) support.set(l, (support.get(l) ?? 0) + 1);
        for (const s of perLabel) {
          if (!support.has(s.label)) continue;
          const entry = perIntent.get(s.label) ?? { f1: [], support: 0 };
          entry.f1.push(s.f1);
          entry.support += support.get(s.label)!;
          perIntent.set(s.label, entry);
        }
      } finally {
        await clf.release();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  const scored = examples
    .map((e, i) => ({ e, p: probs[i] }))
    .filter((r): r is { e: IntentExample; p: Float32Array } => r.p !== undefined);
  const pooled =
    mode === 'single'
      ? singleLabelMetrics(
          scored.map((r) => r.e.intent as string),
          scored.map((r) => r.p),
          labels,
          0,
        )
      : multiLabelMetrics(
          scored.map((r) => r.e.intent as string[]),
          scored.map((r) => r.p),
          labels,
          0.5,
        );
  const oosFolds = folds.filter((f) => f.oos_recall !== undefined).map((f) => f.oos_recall!);
  // All folds' out-of-scope rows together: with a few per fold, each fold's recall is 0, 50 or 100%.
  const oosN = folds.reduce((n, f) => n + (f.oos_recall !== undefined ? (f.oos_n ?? 0) : 0), 0);
  const oosRejected = folds.reduce((n, f) => n + (f.oos_recall !== undefined ? f.oos_recall * (f.oos_n ?? 0) : 0), 0);
  return {
    k,
    requested_k: requestedK,
    n: examples.length,
    mode,
    oos_source: dataOos ? 'data' : oosFolds.length ? 'background' : 'none',
    folds,
    accuracy: meanStd(folds.map((f) => f.accuracy)),
    macro_f1: meanStd(folds.map((f) => f.macro_f1)),
    ...(mode === 'multi' ? { micro_f1: meanStd(folds.map((f) => f.micro_f1 ?? 0)) } : {}),
    ...(oosFolds.length
      ? { oos_recall: meanStd(oosFolds), oos_pooled: { recall: oosRejected / Math.max(1, oosN), n: oosN } }
      : {}),
    per_intent: [...perIntent]
      .map(([intent, v]) => ({ intent, f1: meanStd(v.f1), support: v.support }))
      .sort((a, b) => a.f1.mean - b.f1.mean || a.intent.localeCompare(b.intent)),
    confusions: pooled.confusions.map(({ gold, predicted, count }) => ({ gold, predicted, count })),
    pooled,
    probs,
    labels,
    warnings,
  };
}

/** Share of rows the model rejects: out_of_scope on top or below the threshold (single); no label (multi). */
function rejectedShare(
  probs: readonly Float32Array[],
  labels: readonly string[],
  threshold: number,
  mode: 'single' | 'multi',
): number {
  if (probs.length === 0) return 0;
  if (mode === 'multi') return probs.filter((p) => p.every((x) => x < threshold)).length / probs.length;
  const predicted = predictSingleLabel(probs, labels, threshold);
  return predicted.filter((l) => l === OUT_OF_SCOPE).length / probs.length;
}
