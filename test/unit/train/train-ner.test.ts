import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isSwitchboardError } from '../../../src/errors.ts';
import { NerModel } from '../../../src/nlu/entities/ner-model.ts';
import { evaluateNer } from '../../../src/train/evaluate-ner.ts';
import { readConll } from '../../../src/train/read-conll.ts';
import { saveNerModel } from '../../../src/train/save-ner-model.ts';
import { type TrainedNer, trainNer } from '../../../src/train/train-ner.ts';

const data = 'test/fixtures/data';
const dir = mkdtempSync(join(tmpdir(), 'switchboard-ner-'));
const train = readConll(`${data}/ner-train.conll`).sentences;
const valid = readConll(`${data}/ner-valid.conll`).sentences;
let model: TrainedNer;

beforeAll(() => {
  model = trainNer(train, valid, { maxEpochs: 8, minCount: 1 });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const save = (name: string, quantize: boolean) =>
  saveNerModel(join(dir, name), model, { quantize, languages: ['en'], training: {}, validation: {} });

describe('trainNer', () => {
  it('learns the fixture types and tags held-out sentences well', () => {
    expect(model.tags).toEqual(['O', 'B-LOC', 'I-LOC', 'B-ORG', 'I-ORG', 'B-PER', 'I-PER']);
    expect(model.validation.f1).toBeGreaterThan(0.9);
    expect(evaluateNer(model, valid).f1).toBeCloseTo(model.validation.f1, 9);
  });

  it('is deterministic for a seed', () => {
    const again = trainNer(train, valid, { maxEpochs: 8, minCount: 1 });
    expect(Array.from(again.weights.slice(0, 500))).toEqual(Array.from(model.weights.slice(0, 500)));
  });

  it('without validation data runs every epoch and keeps the last', () => {
    const m = trainNer(train, [], { maxEpochs: 3, minCount: 1 });
    expect(m.epochs).toBe(3);
    expect(m.bestEpoch).toBe(3);
    expect(Number.isNaN(m.validation.f1)).toBe(true);
    expect(evaluateNer(m, valid).f1).toBeGreaterThan(0.8);
  });

  it('refuses data without entities', () => {
    expect(() => trainNer([{ tokens: ['hi'], tags: ['O'] }], [])).toThrow(/no entities/);
  });
});

describe('NerModel (ONNX export)', () => {
  it('tags exactly like the trainer’s own decoder, float and int8', async () => {
    for (const quantize of [false, true]) {
      await save(quantize ? 'int8' : 'float', quantize);
      const m = await NerModel.load(join(dir, quantize ? 'int8' : 'float'));
      const viaOnnx: string[][] = [];
      for (const s of valid) viaOnnx.push((await m.tagTokens(s.tokens)).tags);
      await m.release();
      if (!quantize) {
        const ts = evaluateNer(model, valid);
        const onnxF1 = (await import('../../../src/eval/ner-metrics.ts')).nerMetrics(
          valid.map((s) => s.tags),
          viaOnnx,
        ).f1;
        expect(onnxF1).toBeCloseTo(ts.f1, 9);
      }
      expect(viaOnnx.every((tags, i) => tags.length === valid[i].tokens.length)).toBe(true);
    }
  });

  it('recognizes entities with offsets into the original message and scores in (0, 1]', async () => {
    const m = await NerModel.load(join(dir, 'float'));
    const text = '😀  Anna Schmidt flew to New York with United Airlines!';
    const found = await m.recognize(text);
    await m.release();
    expect(found.map((e) => [e.type, e.text])).toEqual([
      ['PER', 'Anna Schmidt'],
      ['LOC', 'New York'],
      ['ORG', 'United Airlines'],
    ]);
    for (const e of found) {
      expect(text.slice(e.start, e.end)).toBe(e.text);
      expect(e.score).toBeGreaterThan(0);
      expect(e.score).toBeLessThanOrEqual(1);
      expect(e.source).toBe('ner');
    }
  });

  it('never throws on odd text and keeps offsets inside it', async () => {
    const m = await NerModel.load(join(dir, 'float'));
    for (const text of [
      '',
      '   ',
      'x'.repeat(100_000),
      'nospacesatallhere',
      '🎉🎉🎉',
      '"unbalanced (quote',
      '\u0000\ud800ab',
    ]) {
      const found = await m.recognize(text);
      for (const e of found) {
        expect(e.start).toBeGreaterThanOrEqual(0);
        expect(e.end).toBeLessThanOrEqual(text.length);
      }
    }
    await m.release();
  });

  it('reports missing, tampered and foreign model directories with coded errors', async () => {
    const code = async (p: Promise<unknown>) =>
      p.then(
        () => 'none',
        (e) => (isSwitchboardError(e) ? e.code : 'other'),
      );
    expect(await code(NerModel.load(join(dir, 'nope')))).toBe('E_MODEL_MISSING');
    await save('tampered', false);
    const f = join(dir, 'tampered', 'features.bin');
    const bytes = readFileSync(f);
    bytes[0] ^= 1;
    writeFileSync(f, bytes);
    expect(await code(NerModel.load(join(dir, 'tampered')))).toBe('E_MODEL_CHECKSUM');
    expect(await code(NerModel.load('models/intent-massive'))).toBe('E_MODEL_KIND');
  });
});
