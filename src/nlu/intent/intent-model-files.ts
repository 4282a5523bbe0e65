/**
 * Reading an intent model directory safely: required files, checksummed reads, the feature vocabulary, and the mapping
 * of hashed features to table rows.
 */
import { createHash } from 'node:crypto';
import { lstat, readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ErrorCode } from '../../error-codes.ts';
import { SwitchboardError } from '../../errors.ts';
import { FeatureVocabulary } from '../features/feature-vocabulary.ts';
import type { FeatureBag } from '../features/featurizer-config.ts';
import { FEATURES_FILE, type IntentManifest } from './intent-manifest.ts';

/**
 * Throws the `SwitchboardError` (kind `input`) of a model directory that cannot be used.
 * @example modelError('E_MODEL_CORRUPT', 'models/x/model.onnx is not an ONNX model');
 */
export function modelError(code: ErrorCode, message: string, cause?: unknown): never {
  throw new SwitchboardError(code, 'input', message, { cause });
}

/**
 * Fails with `E_MODEL_MISSING` naming `dir` unless it is a directory.
 * @example await requireModelDir('models/intent-massive');
 */
export async function requireModelDir(dir: string): Promise<void> {
  const isDir = await stat(dir).then(
    (s) => s.isDirectory(),
    () => false,
  );
  if (!isDir) modelError('E_MODEL_MISSING', `model directory not found: ${dir}`);
}

/**
 * Reads a file of a model directory and checks its sha256 against the manifest's record: `E_MODEL_MISSING` (absent,
 * path named), `E_MODEL_CORRUPT` (unreadable) or `E_MODEL_CHECKSUM` (expected vs actual digest).
 *
 * @example const bytes = await readCheckedFile(dir, 'model.onnx', manifest.onnx);
 */
export async function readCheckedFile(
  dir: string,
  file: string,
  expected: { sha256: string; bytes: number },
): Promise<Uint8Array> {
  const path = join(dir, file);
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (e) {
    const missing = (e as NodeJS.ErrnoException).code === 'ENOENT';
    return modelError(missing ? 'E_MODEL_MISSING' : 'E_MODEL_CORRUPT', `cannot read model file ${path}: ${e}`, e);
  }
  const actual = createHash('sha256').update(bytes).digest('hex');
  if (actual !== expected.sha256) {
    const saved = await interruptedSaveCopy(dir, file, expected);
    modelError(
      'E_MODEL_CHECKSUM',
      `${path} does not match its manifest: sha256 expected ${expected.sha256}, actual ${actual} ` +
        `(${bytes.byteLength} bytes, manifest says ${expected.bytes})` +
        (saved
          ? `; the file this manifest expects is in ${saved}, left by a save that was interrupted while it swapped ` +
            'files in (or is swapping them now: then loading again in a moment works). If no training is running, ' +
            'move the files of that directory back into the model directory, or train the model again'
          : ''),
    );
  }
  return bytes;
}

/** Staging (`.new-<pid>-<time>`) and backup (`.old-<pid>-<time>`) directories a model save makes in a model directory. */
export const SAVE_LEFTOVER = /^\.(?:new|old)-\d+-[0-9a-z]+$/;

/**
 * The backup directory (`.old-*`, left by a save that crashed while swapping files) holding the version of `file`
 * that the manifest expects, if any: only regular files of the expected size are read.
 */
async function interruptedSaveCopy(
  dir: string,
  file: string,
  expected: { sha256: string; bytes: number },
): Promise<string | undefined> {
  const names = await readdir(dir).catch(() => [] as string[]);
  for (const name of names.filter((n) => n.startsWith('.old-') && SAVE_LEFTOVER.test(n))) {
    const path = join(dir, name, file);
    const info = await lstat(path).catch(() => undefined);
    if (!info?.isFile() || info.size !== expected.bytes) continue;
    const copy = await readFile(path).catch(() => undefined);
    if (copy && createHash('sha256').update(copy).digest('hex') === expected.sha256) return join(dir, name);
  }
  return undefined;
}

/**
 * Loads `features.bin` when the manifest lists one (else `undefined`), checked against the manifest and the
 * featurizer's bucket range.
 *
 * @example const vocabulary = await readFeatureVocabulary(dir, manifest);
 */
export async function readFeatureVocabulary(
  dir: string,
  manifest: IntentManifest,
): Promise<FeatureVocabulary | undefined> {
  if (!manifest.features) return undefined;
  const path = join(dir, FEATURES_FILE);
  const bytes = await readCheckedFile(dir, FEATURES_FILE, manifest.features);
  let vocabulary: FeatureVocabulary;
  try {
    vocabulary = FeatureVocabulary.fromBytes(bytes);
  } catch (e) {
    return modelError('E_MODEL_CORRUPT', `${path} is not a valid feature vocabulary: ${(e as Error).message}`, e);
  }
  const b = vocabulary.buckets;
  if (b.length > 0 && (b[0] < 1 || b[b.length - 1] >= manifest.featurizer.buckets)) {
    modelError('E_MODEL_CORRUPT', `${path} lists buckets outside 1…${manifest.featurizer.buckets - 1}`);
  }
  return vocabulary;
}

/** Largest featurizer bucket count for which a dense bucket → row table (4 bytes a bucket) is built. */
const MAX_DENSE_BUCKETS = 1 << 22;

/**
 * A function mapping a bag of hashed buckets to a bag of embedding rows, with the result of `vocabulary.map` but one
 * array read per id (a dense table of `buckets` int32) instead of a binary search, which costs more than featurization
 * for a large vocabulary. Without a vocabulary, buckets are rows and bags pass through.
 *
 * @example const toRows = rowMapper(vocabulary, manifest.featurizer.buckets); const rows = toRows(featurize(t, f));
 */
export function rowMapper(vocabulary: FeatureVocabulary | undefined, buckets: number): (bag: FeatureBag) => FeatureBag {
  if (!vocabulary) return (bag) => bag;
  if (buckets > MAX_DENSE_BUCKETS) return (bag) => vocabulary.map(bag);
  const table = new Int32Array(buckets);
  vocabulary.buckets.forEach((bucket, k) => {
    table[bucket] = k + 1;
  });
  return (bag) => {
    const ids = new Int32Array(bag.ids.length);
    const counts = new Float32Array(bag.ids.length);
    let n = 0;
    for (let i = 0; i < bag.ids.length; i++) {
      const row = table[bag.ids[i]];
      if (row === 0) continue;
      ids[n] = row; // the map is monotone: rows stay ascending
      counts[n++] = bag.counts[i];
    }
    return { ids: ids.subarray(0, n), counts: counts.subarray(0, n) };
  };
}
