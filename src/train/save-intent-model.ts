/**
 * Writes a trained intent model directory (`model.onnx`, `features.bin`, `manifest.json` with checksums,
 * `MODEL_CARD.md`) and records evaluations in its manifest.
 */
import { createHash } from 'node:crypto';
import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SwitchboardError } from '../errors.ts';
import {
  FEATURES_FILE,
  type IntentManifest,
  intentManifestSchema,
  MANIFEST_FILE,
  MANIFEST_FORMAT_VERSION,
  MODEL_CARD_FILE,
  MODEL_FILE,
  readManifest,
} from '../nlu/intent/intent-manifest.ts';
import { modelRows } from '../nlu/intent/intent-weights.ts';
import { buildIntentOnnx, INTENT_ONNX_OPSET } from './export-onnx.ts';
import { renderModelCard } from './model-card.ts';
import { replaceModelDir } from './model-dir.ts';
import type { OosProtection } from './train-intent-default.ts';
import type { TrainedIntentModel } from './train-intent-types.ts';

/** Options of {@link saveIntentModel}. */
export interface SaveIntentModelOptions {
  /** Store the embeddings as int8 with per-row scales (about 4× smaller). */
  quantize: boolean;
  /** Test/validation metrics to record in the manifest and the card (merged over `{ validation }`). */
  metrics?: Record<string, unknown>;
  /** Free text on the training data for the model card. */
  dataDescription: string;
  /** Recorded as `created_by`; default `switchboard train intent`. */
  createdBy?: string;
  /** Fixed creation date (tests, reproducible builds); default now. */
  date?: Date;
  /** The configuration search's report (recorded in the manifest and the card). */
  search?: object;
  /** The background corpus lines used. */
  background?: object;
  /** The out-of-scope protection measured at training. */
  oos?: OosProtection;
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** Writes a file atomically: to a temporary name, then renamed over the target. */
async function writeAtomic(path: string, data: Uint8Array | string): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  await writeFile(tmp, data);
  await rename(tmp, path);
}

/**
 * Exports a trained intent model into `dir` (created if needed): `model.onnx`, `features.bin` (the feature
 * vocabulary, when the model has one), `manifest.json` (sha256 and size of both, the featurizer, calibration and
 * training facts) and a generated `MODEL_CARD.md`. The directory is replaced as a unit ({@link replaceModelDir}): a
 * failed save leaves the previous model as it was.
 * Returns the manifest.
 *
 * @example
 * const trained = await trainIntentModel(examples, options);
 * await saveIntentModel('models/intent-massive', trained, { quantize: true, dataDescription: 'MASSIVE 1.1, 6 locales' });
 */
export async function saveIntentModel(
  dir: string,
  trained: TrainedIntentModel,
  opts: SaveIntentModelOptions,
): Promise<IntentManifest> {
  const { weights, featurizer, vocabulary } = trained;
  const rows = modelRows(weights);
  const expected = vocabulary ? vocabulary.rows : featurizer.buckets;
  if (rows !== expected) {
    const source = vocabulary
      ? `the feature vocabulary has ${expected} rows`
      : `the featurizer hashes into ${expected} buckets`;
    throw new SwitchboardError('E_MODEL_SHAPE', 'internal', `${source} but the model's tables have ${rows} rows`);
  }
  const featureBytes = vocabulary?.toBytes();
  const bytes = buildIntentOnnx(weights, { quantize: opts.quantize });
  const calibration: IntentManifest['calibration'] = { temperature: weights.temperature };
  if (trained.threshold !== undefined) calibration.threshold = trained.threshold;
  if (opts.oos) {
    calibration.oos_protection = {
      source: opts.oos.source,
      held_out: opts.oos.heldOut,
      ...(opts.oos.recall !== undefined ? { recall: opts.oos.recall } : {}),
      ...(opts.oos.maxInScopeLoss !== undefined ? { max_in_scope_loss: opts.oos.maxInScopeLoss } : {}),
    };
  }

  const manifest = intentManifestSchema.parse({
    format_version: MANIFEST_FORMAT_VERSION,
    kind: 'intent',
    mode: weights.mode,
    labels: weights.labels,
    featurizer,
    calibration,
    onnx: {
      file: MODEL_FILE,
      sha256: sha256(bytes),
      bytes: bytes.byteLength,
      quantized: opts.quantize,
      opset: INTENT_ONNX_OPSET,
    },
    ...(featureBytes && {
      features: { file: FEATURES_FILE, sha256: sha256(featureBytes), bytes: featureBytes.byteLength, rows: expected },
    }),
    training: {
      data_sha256: trained.dataHash,
      examples: trained.trainExamples,
      seed: trained.options.seed,
      options: { ...trained.options },
      seconds: trained.trainSeconds,
      date: (opts.date ?? new Date()).toISOString(),
      data_description: opts.dataDescription,
      warnings: trained.warnings,
      combination: { ...trained.combination },
      ...(opts.search ? { search: JSON.parse(JSON.stringify(opts.search)) } : {}),
      ...(opts.background ? { background: JSON.parse(JSON.stringify(opts.background)) } : {}),
    },
    metrics: JSON.parse(JSON.stringify({ validation: trained.validation, ...opts.metrics })),
    created_by: opts.createdBy ?? 'switchboard train intent',
  } satisfies IntentManifest);

  await replaceModelDir(dir, async (staging) => {
    await writeFile(join(staging, MODEL_FILE), bytes);
    if (featureBytes) await writeFile(join(staging, FEATURES_FILE), featureBytes);
    await writeManifestAndCard(staging, manifest);
  });
  return manifest;
}

/** Writes `manifest.json` and the `MODEL_CARD.md` rendered from it (each atomically). */
export async function writeManifestAndCard(dir: string, manifest: IntentManifest): Promise<void> {
  await writeAtomic(join(dir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
  const card = renderModelCard({
    manifest,
    dataDescription: manifest.training.data_description ?? '',
    warnings: manifest.training.warnings ?? [],
  });
  await writeAtomic(join(dir, MODEL_CARD_FILE), card);
}

/**
 * Records evaluation results in a saved model: `manifest.metrics[name] = metrics`, then re-renders the model card, so
 * the card shows test numbers measured on the exported model. The model files (and their checksums) are untouched.
 * @example await recordEvaluation('models/intent-massive', 'test', { accuracy: 0.84, per_language: { en: 0.86 } });
 */
export async function recordEvaluation(dir: string, name: string, metrics: Record<string, unknown>): Promise<void> {
  const manifest = await readManifest(dir);
  manifest.metrics = { ...manifest.metrics, [name]: metrics };
  await writeManifestAndCard(dir, manifest);
}
