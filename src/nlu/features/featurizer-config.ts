/**
 * Settings of the intent featurizer. They are stored in a model's `manifest.json`, so the runtime featurizes text exactly
 * as the trainer did.
 */
export interface FeaturizerConfig {
  /** Size of the hash space. Bucket 0 is reserved for padding; the model's vocabulary maps kept buckets to rows. */
  buckets: number;
  /** Seed of the MurmurHash3 (x86, 32-bit) feature hash. */
  seed: number;
  /** Word n-gram orders, inclusive range, e.g. [1, 2] for unigrams and bigrams. */
  wordNgrams: [number, number];
  /** Character n-gram orders within a word (with `<` `>` boundary marks), inclusive range, e.g. [2, 5]. */
  charNgrams: [number, number];
  /** At most this many word tokens are featurized (the rest of a huge message is ignored). */
  maxTokens: number;
  /**
   * Punctuation marks as tokens of their own (`?`, `¿`, `!`, `।`…): a question mark says "question", which many intents
   * are. Absent (models trained before it existed): punctuation is dropped.
   */
  punctuation?: PunctuationTokens;
}

/** Which punctuation {@link FeaturizerConfig.punctuation} keeps: question and exclamation marks, or every mark. */
export type PunctuationTokens = 'questions' | 'all';

/** Defaults used by `train intent` unless overridden. */
export const DEFAULT_FEATURIZER: FeaturizerConfig = {
  buckets: 1 << 20,
  seed: 0x5eed,
  wordNgrams: [1, 2],
  charNgrams: [2, 5],
  maxTokens: 256,
  // No punctuation tokens here; default training turns them on for punctuated data (train-intent-default.ts,
  // featurizerFor).
};

/** The features of one text: distinct bucket ids (ascending) with their counts. */
export interface FeatureBag {
  ids: Int32Array;
  counts: Float32Array;
}

/** Weighted features of one text: distinct row ids with real-valued weights (e.g. normalised TF-IDF). */
export interface SparseRow {
  ids: Int32Array;
  values: Float32Array;
}
