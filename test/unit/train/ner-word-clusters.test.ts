import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { trainNerCommand } from '../../../src/cli/ner-commands.ts';
import { nerMetrics } from '../../../src/eval/ner-metrics.ts';
import { nerFeaturesPerToken, sentenceFeatures } from '../../../src/nlu/entities/ner-features.ts';
import { NerModel } from '../../../src/nlu/entities/ner-model.ts';
import { NerWordClusters } from '../../../src/nlu/entities/ner-word-clusters.ts';
import { buildNerWordClusters } from '../../../src/train/build-ner-clusters.ts';
import { evaluateNer } from '../../../src/train/evaluate-ner.ts';
import { lexiconVectors } from '../../../src/train/ner-dense-features.ts';
import { readWordVectors } from '../../../src/train/ner-word-vectors.ts';
import { readConll } from '../../../src/train/read-conll.ts';
import { saveNerModel } from '../../../src/train/save-ner-model.ts';
import { trainNer } from '../../../src/train/train-ner.ts';

const data = 'test/fixtures/data';
const dir = mkdtempSync(join(tmpdir(), 'switchboard-ner-clusters-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const vectors = readWordVectors(`${data}/ner-vectors.txt`);
const train = readConll(`${data}/ner-train.conll`).sentences;
const valid = readConll(`${data}/ner-valid.conll`).sentences;
const opts = { branching: [4, 2], topWords: 1000, iterations: 10, seed: 3 };

describe('word vectors and clusters', () => {
  it('reads text vectors and a wink-style JSON alike', () => {
    expect(vectors.dim).toBe(8);
    expect(vectors.words).toContain('london');
    const json = join(dir, 'v.json');
    const v = (w: string) => [
      ...vectors.data.subarray(vectors.words.indexOf(w) * 8, vectors.words.indexOf(w) * 8 + 8),
      1,
      0,
    ];
    writeFileSync(
      json,
      JSON.stringify({
        dimensions: 8,
        words: ['london', 'paris'],
        vectors: { london: v('london'), paris: v('paris') },
      }),
    );
    const j = readWordVectors(json);
    expect(j.words).toEqual(['london', 'paris']);
    expect(Array.from(j.data.subarray(0, 8))).toEqual(
      Array.from(vectors.data.subarray(vectors.words.indexOf('london') * 8, vectors.words.indexOf('london') * 8 + 8)),
    );
    expect(() => readWordVectors(join(dir, 'missing.txt'))).toThrow(/cannot read/);
  });

  it('clusters similar words together, deterministically, looked up in any casing', () => {
    const c = buildNerWordClusters(vectors, ['London'], opts);
    const again = buildNerWordClusters(vectors, [], opts);
    expect(Array.from(c.ids)).toEqual(Array.from(again.ids));
    const top = (w: string) => c.idAt(c.rowOf(w), 0);
    expect(top('London')).toBe(top('tokyo'));
    expect(top('LONDON')).toBe(top('berlin'));
    expect(top('anna')).toBe(top('olga'));
    expect(top('anna')).not.toBe(top('paris'));
    expect(c.rowOf('#paris')).toBe(c.rowOf('paris'));
    expect(c.rowOf('zzz')).toBe(-1);
    // The finer level refines the coarser one.
    for (let r = 0; r < c.words.length; r++) expect(Math.floor(c.idAt(r, 1) / 2)).toBe(c.idAt(r, 0));
  });

  it('round-trips through bytes and refuses other bytes', () => {
    const c = buildNerWordClusters(vectors, [], opts);
    const back = NerWordClusters.fromBytes(c.toBytes());
    expect(back.words).toEqual(c.words);
    expect(back.branching).toEqual(c.branching);
    expect(Array.from(back.ids)).toEqual(Array.from(c.ids));
    expect(() => NerWordClusters.fromBytes(new Uint8Array(40))).toThrow(/not a word-cluster file/);
  });

  it('adds cluster features per token without changing the others', () => {
    const c = buildNerWordClusters(vectors, [], opts);
    const tokens = ['Anna', 'flew', 'to', 'Oslo'];
    const plain = sentenceFeatures(tokens, 1);
    const withC = sentenceFeatures(tokens, 1, c);
    const F = nerFeaturesPerToken(c);
    expect(F).toBeGreaterThan(nerFeaturesPerToken());
    expect(withC.length).toBe(tokens.length * F);
    expect(Array.from(withC.subarray(0, nerFeaturesPerToken()))).toEqual(
      Array.from(plain.subarray(0, nerFeaturesPerToken())),
    );
  });
});

describe('trainNer with word clusters', () => {
  it('trains, exports and tags through ONNX exactly like its own decoder; the model keeps the clusters', async () => {
    const clusters = buildNerWordClusters(
      vectors,
      train.flatMap((s) => s.tokens),
      opts,
    );
    const model = trainNer(train, valid, { maxEpochs: 8, minCount: 1, clusters });
    expect(model.validation.f1).toBeGreaterThan(0.9);
    const out = join(dir, 'model');
    const manifest = await saveNerModel(out, model, {
      quantize: false,
      languages: ['en'],
      training: {},
      validation: {},
      vectorsSource: 'fixture',
    });
    expect(manifest.featurizer.word_clusters?.branching).toEqual([4, 2]);
    expect(manifest.featurizer.features_per_token).toBe(nerFeaturesPerToken(clusters));
    expect(readFileSync(join(out, 'MODEL_CARD.md'), 'utf8')).toMatch(
      /word-cluster features: \d+ lower-cased words clustered from fixture/,
    );
    const m = await NerModel.load(out);
    const tags: string[][] = [];
    for (const s of valid) tags.push((await m.tagTokens(s.tokens)).tags);
    // A city the labelled data never shows, found by its cluster.
    const found = await m.recognize('I flew to Vienna');
    await m.release();
    expect(
      nerMetrics(
        valid.map((s) => s.tags),
        tags,
      ).f1,
    ).toBeCloseTo(evaluateNer(model, valid).f1, 9);
    expect(found.map((e) => [e.type, e.text])).toEqual([['LOC', 'Vienna']]);
  });

  it('with dense vector features: bakes a per-word table that ONNX (float and int8) applies like the trainer', async () => {
    const clusters = buildNerWordClusters(
      vectors,
      train.flatMap((s) => s.tokens),
      opts,
    );
    const model = trainNer(train, valid, {
      maxEpochs: 8,
      minCount: 1,
      clusters,
      lexiconVectors: lexiconVectors(vectors, clusters),
    });
    expect(model.dense?.length).toBe(3 * (clusters.words.length + 1) * model.tags.length);
    expect(model.validation.f1).toBeGreaterThan(0.9);
    expect(evaluateNer(model, valid).f1).toBeCloseTo(model.validation.f1, 6);
    for (const quantize of [false, true]) {
      const out = join(dir, `dense-${quantize}`);
      const manifest = await saveNerModel(out, model, { quantize, languages: ['en'], training: {}, validation: {} });
      expect(manifest.featurizer.dense_offsets).toBe(3);
      const m = await NerModel.load(out);
      const tags: string[][] = [];
      for (const s of valid) tags.push((await m.tagTokens(s.tokens)).tags);
      const found = await m.recognize('I flew to Vienna');
      await m.release();
      const f1 = nerMetrics(
        valid.map((s) => s.tags),
        tags,
      ).f1;
      if (!quantize) expect(f1).toBeCloseTo(evaluateNer(model, valid).f1, 6);
      else expect(f1).toBeGreaterThan(0.85);
      expect(found.map((e) => e.type)).toEqual(['LOC']);
    }
  });

  it('train ner --word-vectors FILE writes a model with clusters and the dense table; --no-dense without it', async () => {
    for (const dense of [true, false]) {
      const out = join(dir, `cli-${dense}`);
      const args = ['--data', `${data}/ner-train.conll`, '--valid', `${data}/ner-valid.conll`, '--out', out];
      args.push('--word-vectors', `${data}/ner-vectors.txt`, '--cluster-levels', '4,2', '--epochs', '4', '--json');
      if (!dense) args.push('--no-dense');
      expect(await trainNerCommand(args)).toBe(0);
      const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
      expect(manifest.featurizer.word_clusters.branching).toEqual([4, 2]);
      expect(manifest.featurizer.dense_offsets).toBe(dense ? 3 : undefined);
      expect(manifest.training.peak_rss_mb).toBeGreaterThan(0);
      const m = await NerModel.load(out);
      expect((await m.tagTokens(['I', 'flew', 'to', 'Paris'])).tags).toHaveLength(4);
      await m.release();
    }
  });
});
