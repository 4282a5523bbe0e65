import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FeatureVocabulary } from '../../../src/nlu/features/feature-vocabulary.ts';
import { saveIntentModel } from '../../../src/train/save-intent-model.ts';
import { saveTinyIntentModel, tinyIntentModel } from '../../fixtures/tiny-intent-model.ts';

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe('saveIntentModel', () => {
  it('writes model.onnx, manifest.json with its sha256, and a model card', async () => {
    const { dir, manifest, trained } = await saveTinyIntentModel({ seed: 61, quantize: true, threshold: 0.25 });
    dirs.push(dir);
    expect((await readdir(dir)).sort()).toEqual(['MODEL_CARD.md', 'features.bin', 'manifest.json', 'model.onnx']);
    const features = await readFile(join(dir, 'features.bin'));
    expect(manifest.features).toEqual({
      file: 'features.bin',
      sha256: createHash('sha256').update(features).digest('hex'),
      bytes: 511 * 4,
      rows: 512,
    });
    const bytes = await readFile(join(dir, 'model.onnx'));
    expect(manifest.onnx).toMatchObject({
      sha256: createHash('sha256').update(bytes).digest('hex'),
      bytes: bytes.byteLength,
      quantized: true,
      opset: 17,
    });
    expect(manifest.training).toMatchObject({ data_sha256: trained.dataHash, seed: 61, examples: 10 });
    expect(manifest.calibration).toEqual({ temperature: trained.weights.temperature, threshold: 0.25 });
    expect(manifest.metrics).toEqual({ validation: trained.validation, test: { accuracy: 0.5 } });
    const card = await readFile(join(dir, 'MODEL_CARD.md'), 'utf8');
    for (const part of ['## Data', '## Training protocol', '## Metrics', '## Size', '## Intended use and limits']) {
      expect(card).toContain(part);
    }
    expect(card).toContain('| test.accuracy | 0.5000 |');
    expect(card).toContain('int8 embeddings');
    expect(card).toContain('2026-01-01T00:00:00.000Z');
  });

  it('refuses a feature vocabulary whose row count differs from the model tables', async () => {
    const trained = tinyIntentModel({ seed: 62 });
    trained.vocabulary = new FeatureVocabulary(trained.vocabulary.buckets.slice(0, 311));
    const dir = await mkdtemp(join(tmpdir(), 'switchboard-save-'));
    dirs.push(dir);
    await expect(saveIntentModel(dir, trained, { quantize: false, dataDescription: '' })).rejects.toThrow(
      /the feature vocabulary has 312 rows but the model's tables have 512 rows/,
    );
    expect(await readdir(dir)).toEqual([]);
  });
});
