/**
 * The intent trainer with fixed options: featurize (`prepare-intent-data.ts`), train the members — embedding-bag towers
 * (deep) and a linear SVM over TF-IDF features (wide) — on folds of the data or on all of it with a validation set
 * (`train-intent-members.ts`), then stack them and choose the rejection rule (`assemble-intent-model.ts`).
 * Deterministic for a seed. `intent-search.ts` chooses the options; `train-intent-default.ts` is what the CLI runs.
 */
import type { IntentExample } from '../nlu/intent/intent-example.ts';
import { assembleIntentModel } from './assemble-intent-model.ts';
import { type BackgroundLines, prepareIntentData } from './prepare-intent-data.ts';
import { trainIntentMembers } from './train-intent-members.ts';
import type { TrainedIntentModel, TrainIntentOptions } from './train-intent-types.ts';

export { assembleIntentModel } from './assemble-intent-model.ts';
export { DEFAULT_TRAIN_OPTIONS, labelsOf } from './default-train-options.ts';
export {
  type BackgroundLines,
  computeIdf,
  hashExamples,
  type PreparedIntentData,
  prepareIntentData,
} from './prepare-intent-data.ts';
export { trainIntentMembers } from './train-intent-members.ts';

/**
 * Trains an intent model with fixed options: {@link prepareIntentData}, {@link trainIntentMembers},
 * {@link assembleIntentModel}. Single-label data (string intents) → softmax; multi-label (list intents) → sigmoid.
 * Deterministic for a seed.
 */
export async function trainIntentModel(
  train: IntentExample[],
  valid: IntentExample[] | undefined,
  options: Partial<TrainIntentOptions> = {},
  background?: BackgroundLines,
): Promise<TrainedIntentModel> {
  const started = performance.now();
  const prepared = prepareIntentData(train, valid, options, background);
  const members = await trainIntentMembers(prepared, options);
  return assembleIntentModel(prepared, members, options, started);
}
