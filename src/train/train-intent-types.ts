import type { FeatureVocabulary } from '../nlu/features/feature-vocabulary.ts';
import type { FeaturizerConfig } from '../nlu/features/featurizer-config.ts';
import type { IntentModelWeights } from '../nlu/intent/intent-weights.ts';

/** Hyper-parameters of `trainIntentModel`. Every field has a default. */
export interface TrainIntentOptions {
  seed: number;
  featurizer: FeaturizerConfig;
  /** Keep hashed features seen in at least this many training texts. */
  minCount: number;
  /** Keep at most this many features (rows of the embedding), the most frequent first. */
  maxRows: number;
  /** Embedding dimension. */
  dim: number;
  /** Hidden units (0: no hidden layer). */
  hidden: number;
  /** Towers in the ensemble (each trained with seed + k). */
  ensemble: number;
  maxEpochs: number;
  /** Stop after this many epochs without a validation improvement. */
  patience: number;
  batchSize: number;
  learningRate: number;
  dropout: number;
  labelSmoothing: number;
  /** L2 weight decay on dense layers. */
  weightDecay: number;
  /** Share of train carved out for validation when no validation set is given. */
  validFraction: number;
  /** Towers trained at once in worker threads (1: in the calling thread). */
  workers: number;
  /** Called after each epoch (the CLI draws a progress bar from it). */
  onProgress?: (p: TrainProgress) => void;
}

export interface TrainProgress {
  tower: number;
  towers: number;
  epoch: number;
  maxEpochs: number;
  trainLoss: number;
  validScore: number;
  /** Fraction of examples done in the current epoch, 0–1. */
  epochFraction: number;
}

/** What training produced: the weights, the featurizer they expect, and how training went. */
export interface TrainedIntentModel {
  weights: IntentModelWeights;
  featurizer: FeaturizerConfig;
  /** The kept hashed features: bucket → embedding row (saved as `features.bin`). */
  vocabulary: FeatureVocabulary;
  options: Omit<TrainIntentOptions, 'onProgress' | 'featurizer' | 'workers'>;
  /** Validation metrics at the chosen epoch, per tower, and for the calibrated ensemble. */
  validation: { accuracy?: number; microF1?: number; nll: number; n: number };
  /** Probability threshold below which the top intent is treated as out of scope (chosen on validation), if any. */
  threshold?: number;
  /** Validation score (accuracy or micro-F1, 0–1) with float and with int8 embeddings, and the difference. */
  quantization: { floatScore: number; int8Score: number; cost: number };
  trainSeconds: number;
  /** sha256 of the training examples (text + labels, in order). */
  dataHash: string;
  trainExamples: number;
  warnings: string[];
}
