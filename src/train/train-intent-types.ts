/**
 * The options, progress events and result of intent training, shared by the trainer's modules and the CLI.
 */
import type { FeatureVocabulary } from '../nlu/features/feature-vocabulary.ts';
import type { FeaturizerConfig } from '../nlu/features/featurizer-config.ts';
import type { IntentModelWeights } from '../nlu/intent/intent-weights.ts';

/** Hyper-parameters of `trainIntentModel`. Every field has a default. */
export interface TrainIntentOptions {
  seed: number;
  featurizer: FeaturizerConfig;
  /** Keep hashed features seen in at least this many training texts. */
  minCount: number;
  /** Keep at most this many features (the model's feature rows: the linear member's table), the most frequent first. */
  maxRows: number;
  /**
   * The towers' embedding tables keep at most this many of those rows, the most frequent first (the rest reach only
   * the linear member); unset: every row.
   */
  towerRows?: number;
  /** Embedding dimension. */
  dim: number;
  /** Hidden units (0: no hidden layer). */
  hidden: number;
  /** Towers in the ensemble (each trained with seed + k); 0: no deep member. */
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
  /** Train the wide member: a linear SVM over TF-IDF features, stacked with the towers. */
  linear: boolean;
  /** Penalty C of the linear SVM. */
  linearC: number;
  /** Share of out-of-scope messages the answer threshold is chosen for (weights held-out out-of-scope rows); unset: their own share. */
  oosShare?: number;
  /** The answer threshold may reject at most this fraction of the held-out in-scope rows answered right without it. */
  maxInScopeLoss?: number;
  /** Folds of train held out (carved validation; default: one per tower, at least one). */
  heldFolds?: number;
  /** Train only towers 0 … n−1 of the ensemble (the search's trials). */
  onlyTowers?: number;
  /** Keep only the rows of this held-out fold (the search's trials compare candidates on one fold). */
  onlyHeldFold?: number;
  /** Size of a fold of train held out for validation when no validation set is given (folds = 1 / this). */
  validFraction: number;
  /** Towers trained at once in worker threads (1: in the calling thread). */
  workers: number;
  /** Called after each epoch (the CLI draws a progress bar from it). */
  onProgress?: (p: TrainProgress) => void;
}

/** Overall progress of a training run (for a progress bar). */
export interface TrainProgress {
  /** Fraction of the whole run done, 0–1; never decreases. */
  fraction: number;
  /** What is running, e.g. `model 1/2 epoch 3 loss 0.412 valid 91.2`. */
  status: string;
}

/** What training produced: the weights, the featurizer they expect, and how training went. */
export interface TrainedIntentModel {
  weights: IntentModelWeights;
  featurizer: FeaturizerConfig;
  /** The kept hashed features: bucket → embedding row (saved as `features.bin`). */
  vocabulary: FeatureVocabulary;
  options: Omit<TrainIntentOptions, 'onProgress' | 'featurizer' | 'workers'>;
  /** Validation metrics at the chosen epoch, per tower, and for the calibrated ensemble. */
  validation: {
    /** Single-label: the top label against the gold label on every held-out row (no threshold: the raw classifier). */
    accuracy?: number;
    microF1?: number;
    /** Multi-label: the held-out rows micro-F1 is computed on (the data's own; background rows are not among them). */
    microF1Rows?: number;
    nll: number;
    n: number;
    /** Held-out out-of-scope rows (data or background) and the share the model rejects. */
    oosRows?: number;
    oosRecall?: number;
    /** Single-label: the top label's accuracy on the held-out in-scope rows alone (no threshold), and their number. */
    inScopeAccuracy?: number;
    inScopeRows?: number;
    /**
     * Single-label, as served (the threshold and the out-of-scope class applied): every held-out row right when
     * answered with its label or, out of scope, rejected; and the in-scope rows alone (a rejection counts as wrong, as
     * in `eval intent`).
     */
    servedAccuracy?: number;
    servedInScopeAccuracy?: number;
    /** In-scope accuracy and out-of-scope recall weighted by the out-of-scope share: what the search compares. */
    objective?: number;
  };
  /** How the members are combined (fitted on the held-out rows). */
  combination: { deep: number; linear: number; offset: number; oosShift: number };
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
