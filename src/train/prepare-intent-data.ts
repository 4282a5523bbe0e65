/**
 * Featurizes and encodes intent data once per data set (the search trains many configurations on it): labels, the
 * feature vocabulary with idf and word rows, the encoded training and validation sets (feature bags for the towers,
 * sublinear TF-IDF rows for the linear member), the folds, and the background lines.
 */
import { createHash } from 'node:crypto';
import { FeatureVocabulary } from '../nlu/features/feature-vocabulary.ts';
import { featurize } from '../nlu/features/featurize.ts';
import type { FeatureBag, SparseRow } from '../nlu/features/featurizer-config.ts';
import { linearFeatures } from '../nlu/intent/forward-reference.ts';
import { type IntentExample, OUT_OF_SCOPE } from '../nlu/intent/intent-example.ts';
import type { LabelMode } from '../nlu/intent/intent-weights.ts';
import { DEFAULT_TRAIN_OPTIONS, labelsOf } from './default-train-options.ts';
import { stratifiedFolds } from './split-train-valid.ts';
import type { TrainIntentOptions } from './train-intent-types.ts';
import type { Encoded } from './train-tower.ts';

/** Smoothed inverse document frequency per row: log((1 + N) / (1 + df)) + 1; 0 for the padding row. */
export function computeIdf(bags: FeatureBag[], rows: number): Float32Array {
  const df = new Float32Array(rows);
  for (const b of bags) for (const id of b.ids) df[id]++;
  const idf = new Float32Array(rows);
  const n = bags.length;
  for (let i = 1; i < rows; i++) idf[i] = Math.log((1 + n) / (1 + df[i])) + 1;
  return idf;
}

/** sha256 over the examples' text and labels, in order. */
export function hashExamples(examples: IntentExample[]): string {
  const h = createHash('sha256');
  for (const e of examples) h.update(`${e.text}\u0000${labelsOf(e).join('\u0001')}\n`);
  return h.digest('hex');
}

/** Examples featurized for every member: feature bags, targets, and the linear member's input rows. */
export interface EncodedSet extends Encoded {
  linear: SparseRow[];
}

/**
 * Everything the members train from, computed once per data set (the search trains many configurations on it):
 * labels, the feature vocabulary with idf and word rows, the encoded training and validation sets, the folds.
 */
export interface PreparedIntentData {
  mode: LabelMode;
  labels: string[];
  vocabulary: FeatureVocabulary;
  idf: Float32Array;
  wordRows: Uint8Array;
  train: EncodedSet;
  examples: IntentExample[];
  /** The given validation set, encoded; absent when validation is carved from train. */
  valid?: EncodedSet;
  validExamples?: IntentExample[];
  /** Carved validation: the fold of each training example (−1: never held out) and the number of folds. */
  folds?: { fold: Int32Array; count: number };
  /** Background lines held out as out-of-scope rows (scored by every member), with their examples. */
  backgroundHeld?: { set: EncodedSet; examples: IntentExample[] };
  /** Background lines appended to the training examples (they are the last `backgroundTrain` of `examples`). */
  backgroundTrain: number;
  /** Every example made from a background line (training and held out). */
  background: ReadonlySet<IntentExample>;
  warnings: string[];
}

/** Background sentences for one training run: lines to train on and lines to hold out (see background-selection). */
export interface BackgroundLines {
  train: readonly { text: string; language: string }[];
  held: readonly { text: string; language: string }[];
}

/** A background line as an example: out_of_scope (single-label) or no label at all (multi-label). */
function backgroundExample(line: { text: string; language: string }, mode: LabelMode): IntentExample {
  return { text: line.text, intent: mode === 'single' ? OUT_OF_SCOPE : [], language: line.language };
}

/** Marks the vocabulary rows produced by the word family (word n-grams) of the featurizer. */
function markWordRows(examples: IntentExample[], opts: TrainIntentOptions, vocabulary: FeatureVocabulary): Uint8Array {
  const wordOnly = { ...opts.featurizer, charNgrams: [0, 0] as [number, number] };
  const rows = new Uint8Array(vocabulary.rows);
  for (const e of examples) for (const r of vocabulary.map(featurize(e.text, wordOnly)).ids) rows[r] = 1;
  return rows;
}

function encodeSet(
  examples: IntentExample[],
  bags: FeatureBag[],
  labelIndex: Map<string, number>,
  mode: LabelMode,
  idf: Float32Array,
  wordRows: Uint8Array,
): EncodedSet {
  const C = labelIndex.size;
  const targets = examples.map((e) => {
    if (mode === 'single') return labelIndex.get(e.intent as string) ?? -1;
    const y = new Float32Array(C);
    for (const l of labelsOf(e)) {
      const i = labelIndex.get(l);
      if (i !== undefined) y[i] = 1;
    }
    return y;
  });
  return { bags, targets, linear: bags.map((b) => linearFeatures(b, idf, wordRows)) };
}

/**
 * Featurizes and encodes the data once: vocabulary (features seen in ≥ `minCount` texts, at most `maxRows`), idf,
 * word rows, targets; with no validation set, stratified folds of about `validFraction` each.
 */
export function prepareIntentData(
  ownTrain: IntentExample[],
  valid: IntentExample[] | undefined,
  options: Partial<TrainIntentOptions> = {},
  background?: BackgroundLines,
): PreparedIntentData {
  const opts: TrainIntentOptions = { ...DEFAULT_TRAIN_OPTIONS, ...options };
  if (ownTrain.length === 0) throw new Error('trainIntentModel: no training examples');
  const mode: LabelMode = Array.isArray(ownTrain[0].intent) ? 'multi' : 'single';
  const train = [...ownTrain, ...(background?.train ?? []).map((l) => backgroundExample(l, mode))];
  const labels = [...new Set(train.flatMap(labelsOf))].sort();
  const labelIndex = new Map(labels.map((l, i) => [l, i]));
  const raw = train.map((e) => featurize(e.text, opts.featurizer));
  const vocabulary = FeatureVocabulary.fromDocumentFrequency(raw, opts.minCount, opts.maxRows);
  const bags = raw.map((b) => vocabulary.map(b));
  const idf = computeIdf(bags, vocabulary.rows);
  const wordRows = markWordRows(train, opts, vocabulary);
  const warnings: string[] = [];
  const prepared: PreparedIntentData = {
    mode,
    labels,
    vocabulary,
    idf,
    wordRows,
    train: encodeSet(train, bags, labelIndex, mode, idf, wordRows),
    examples: train,
    backgroundTrain: train.length - ownTrain.length,
    background: new Set(train.slice(ownTrain.length)),
    warnings,
  };
  if (background && background.held.length > 0) {
    const examples = background.held.map((l) => backgroundExample(l, mode));
    const bBags = examples.map((e) => vocabulary.map(featurize(e.text, opts.featurizer)));
    prepared.backgroundHeld = { set: encodeSet(examples, bBags, labelIndex, mode, idf, wordRows), examples };
    for (const e of examples) (prepared.background as Set<IntentExample>).add(e);
  }
  if (valid && valid.length > 0) {
    const vBags = valid.map((e) => vocabulary.map(featurize(e.text, opts.featurizer)));
    prepared.valid = encodeSet(valid, vBags, labelIndex, mode, idf, wordRows);
    prepared.validExamples = valid;
    const unknown = valid.filter((_, i) => prepared.valid!.targets[i] === -1);
    if (unknown.length > 0) {
      const names = [...new Set(unknown.flatMap((e) => (Array.isArray(e.intent) ? e.intent : [e.intent])))].filter(
        (l) => !labelIndex.has(l),
      );
      const shown = names.slice(0, 5).map((l) => `'${l}'`);
      if (names.length > 5) shown.push(`${names.length - 5} more`);
      warnings.push(
        `${unknown.length} validation examples have labels absent from train${shown.length > 0 ? ` (${shown.join(', ')})` : ''}; they count as errors`,
      );
    }
    const seen = new Set(ownTrain.map((e) => sameText(e.text)));
    const repeated = valid.filter((e) => seen.has(sameText(e.text))).length;
    if (repeated > 0)
      warnings.push(
        `${repeated} of ${valid.length} validation examples are also in the training data (same text): the held-out ` +
          'scores and the answer threshold are chosen on messages the model trained on, so they are too optimistic. ' +
          'Validation should hold messages the model does not train on',
      );
  } else {
    const count = Math.max(2, Math.round(1 / opts.validFraction));
    prepared.folds = { fold: stratifiedFolds(train, count, opts.seed), count };
  }
  return prepared;
}

/** Texts compared for "the same message": case, spacing and Unicode form ignored. */
const sameText = (text: string) => text.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
