/** The default options of the intent trainer, and a small helper shared by its modules. */

import { DEFAULT_FEATURIZER } from '../nlu/features/featurizer-config.ts';
import type { IntentExample } from '../nlu/intent/intent-example.ts';
import type { TrainIntentOptions } from './train-intent-types.ts';

/**
 * Defaults of `trainIntentModel` when called directly (the CLI and the benchmark go through `intent-search.ts`, which
 * picks the shape on validation data).
 */
export const DEFAULT_TRAIN_OPTIONS: Omit<TrainIntentOptions, 'onProgress'> = {
  seed: 1,
  featurizer: DEFAULT_FEATURIZER,
  minCount: 1,
  maxRows: 200_000,
  dim: 128,
  hidden: 256,
  ensemble: 2,
  maxEpochs: 12,
  patience: 3,
  batchSize: 32,
  learningRate: 3e-3,
  dropout: 0.3,
  labelSmoothing: 0.1,
  weightDecay: 0,
  linear: true,
  linearC: 1,
  validFraction: 0.1,
  workers: 2,
};

export function labelsOf(e: IntentExample): string[] {
  return Array.isArray(e.intent) ? e.intent : [e.intent];
}
