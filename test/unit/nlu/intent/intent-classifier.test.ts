import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { featurize } from '../../../../src/nlu/features/featurize.ts';
import { forwardReference } from '../../../../src/nlu/intent/forward-reference.ts';
import { IntentClassifier, type IntentScore } from '../../../../src/nlu/intent/intent-classifier.ts';
import { dequantizeWeights } from '../../../../src/train/export-onnx.ts';
import { saveIntentModel } from '../../../../src/train/save-intent-model.ts';
import type { TrainedIntentModel } from '../../../../src/train/train-intent-types.ts';
import {
  saveTinyIntentModel,
  type TinyIntentModelOptions,
  tinyIntentModel,
} from '../../../fixtures/tiny-intent-model.ts';

const TEXTS = [
  '',
  '   \t\n ',
  'hello',
  'my card was blocked yesterday',
  'Where is my REFUND?? order #12345',
  '¿Dónde está mi pedido?',
  'Bonjour, je voudrais annuler mon abonnement',
  'मेरा कार्ड ब्लॉक हो गया है',
  'ขอบคุณครับ ช่วยด้วย',
  '我的银行卡被冻结了',
  '🙂🙂🙂',
  '👍',
  '\u0000\u0001\u0007\u001b[31m',
  '\ud800 lone surrogate \udfff',
  'https://example.com/reset?token=abc',
  'the the the the the the',
  'a'.repeat(100_000),
  'refund please '.repeat(8_000),
  String.fromCharCode(...Array.from({ length: 256 }, (_, i) => i)),
  'مرحبا أريد استرداد المال',
];

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function load(opts: TinyIntentModelOptions & { quantize?: boolean }) {
  const saved = await saveTinyIntentModel(opts);
  dirs.push(saved.dir);
  return { ...saved, clf: await IntentClassifier.load(saved.dir) };
}

/** The row bags the model sees: hashed features mapped through the feature vocabulary, as in training. */
const bagsOf = (trained: TrainedIntentModel) =>
  TEXTS.map((t) => trained.vocabulary.map(featurize(t, trained.featurizer)));

/** Scores in label order from a ranked list. */
const inLabelOrder = (ranked: IntentScore[], labels: readonly string[]) =>
  labels.map((l) => ranked.find((s) => s.intent === l)!.score);

function expectSameScores(a: IntentScore[], b: IntentScore[], labels: readonly string[]) {
  const x = inLabelOrder(a, labels);
  const y = inLabelOrder(b, labels);
  x.forEach((p, k) => {
    expect(Math.abs(p - y[k])).toBeLessThan(1e-6);
  });
}

function expectParity(ranked: IntentScore[][], trained: TrainedIntentModel, reference: Float32Array[]) {
  expect(ranked).toHaveLength(TEXTS.length);
  ranked.forEach((r, i) => {
    const got = inLabelOrder(r, trained.weights.labels);
    got.forEach((p, k) => {
      expect(Math.abs(p - reference[i][k]), `text ${i} label ${k}`).toBeLessThan(1e-5);
    });
  });
}

const CASES: [string, TinyIntentModelOptions][] = [
  ['single, hidden, 2 towers', { seed: 11, mode: 'single', hidden: 6, towers: 2 }],
  [
    'single, no hidden, 2 towers with distinct idf',
    { seed: 12, mode: 'single', hidden: 0, towers: 2, distinctIdf: true },
  ],
  ['multi, hidden, 2 towers', { seed: 13, mode: 'multi', hidden: 6, towers: 2 }],
  ['multi, no hidden, 1 tower', { seed: 14, mode: 'multi', hidden: 0, towers: 1 }],
  ['single, hidden, 1 tower', { seed: 15, mode: 'single', hidden: 6, towers: 1 }],
  ['single, identity vocabulary', { seed: 16, mode: 'single', hidden: 6, towers: 2, hashBuckets: 'identity' }],
  [
    'single, 2 towers + linear member + bias',
    { seed: 18, mode: 'single', hidden: 6, towers: 2, linear: true, bias: true },
  ],
  [
    'multi, 1 tower + linear member + bias',
    { seed: 19, mode: 'multi', hidden: 0, towers: 1, linear: true, bias: true },
  ],
  ['single, the linear member alone', { seed: 20, mode: 'single', towers: 0, linear: true }],
  ['single, 5 fused towers + linear member', { seed: 21, mode: 'single', hidden: 6, towers: 5, linear: true }],
  [
    'single, 2 fused towers on 200 of the rows + linear member',
    { seed: 22, mode: 'single', hidden: 6, towers: 2, linear: true, towerRows: 200 },
  ],
  ['multi, 1 tower on 200 of the rows', { seed: 23, mode: 'multi', hidden: 0, towers: 1, towerRows: 200 }],
];

describe('IntentClassifier parity with forwardReference', () => {
  for (const [name, opts] of CASES) {
    it(`${name}: float export matches within 1e-5`, async () => {
      const { clf, trained } = await load(opts);
      const reference = forwardReference(trained.weights, bagsOf(trained));
      expectParity(await clf.classify(TEXTS), trained, reference);
      // The single-text fast path gives the same scores.
      for (const [i, text] of TEXTS.entries()) {
        const probs = await clf.scoreOne(text);
        probs.forEach((p, k) => {
          expect(Math.abs(p - reference[i][k])).toBeLessThan(1e-5);
        });
      }
      await clf.release();
    });

    it(`${name}: int8 export matches the reference on dequantized weights`, async () => {
      const { clf, trained, manifest } = await load({ ...opts, quantize: true });
      expect(manifest.onnx.quantized).toBe(true);
      const reference = forwardReference(dequantizeWeights(trained.weights), bagsOf(trained));
      expectParity(await clf.classify(TEXTS), trained, reference);
      await clf.release();
    });
  }
});

describe('IntentClassifier without a feature vocabulary', () => {
  it('uses bucket ids as embedding rows when the manifest lists no features.bin', async () => {
    const { dir, trained } = await saveTinyIntentModel({ seed: 17, hashBuckets: 'identity' });
    dirs.push(dir);
    const path = join(dir, 'manifest.json');
    const manifest = JSON.parse(await readFile(path, 'utf8'));
    delete manifest.features;
    await writeFile(path, JSON.stringify(manifest));
    await rm(join(dir, 'features.bin'));
    const clf = await IntentClassifier.load(dir);
    const reference = forwardReference(trained.weights, bagsOf(trained));
    expectParity(await clf.classify(TEXTS), trained, reference);
    await clf.release();
  });
});

describe('IntentClassifier.classify', () => {
  it('returns every label, ranked, summing to 1 for single-label models, even for odd text', async () => {
    const { clf } = await load({ seed: 21 });
    const out = await clf.classify(TEXTS);
    for (const ranked of out) {
      expect(ranked.map((s) => s.intent).sort()).toEqual([...clf.labels].sort());
      for (let k = 1; k < ranked.length; k++) expect(ranked[k - 1].score).toBeGreaterThanOrEqual(ranked[k].score);
      expect(ranked.every((s) => Number.isFinite(s.score) && s.score >= 0 && s.score <= 1)).toBe(true);
      expect(ranked.reduce((a, s) => a + s.score, 0)).toBeCloseTo(1, 5);
    }
    expectSameScores(await clf.classifyOne(''), out[0], clf.labels);
    await clf.release();
  });

  it('splits large batches and keeps the input order', async () => {
    const { clf } = await load({ seed: 22 });
    const texts = Array.from({ length: 150 }, (_, i) => (i % 7 === 0 ? '' : `message number ${i} ${'x'.repeat(i)}`));
    const batched = await clf.classify(texts);
    expect(batched).toHaveLength(150);
    for (const i of [0, 1, 63, 64, 65, 128, 149]) {
      expectSameScores(batched[i], await clf.classifyOne(texts[i]), clf.labels);
    }
    expect(await clf.classify([])).toEqual([]);
    await clf.release();
  });

  it('serves concurrent single-text calls correctly', async () => {
    const { clf } = await load({ seed: 23 });
    const texts = ['card blocked', 'refund', 'hello there', '', 'cancel my order now please'];
    const expected = await clf.classify(texts);
    const concurrent = await Promise.all(texts.map((t) => clf.classifyOne(t)));
    concurrent.forEach((ranked, i) => {
      expectSameScores(ranked, expected[i], clf.labels);
    });
    await clf.release();
  });

  it('ranks ties in label order', async () => {
    // No hidden layer and equal biases: the empty bag (h0 = 0) gives every label the same score.
    const trained = tinyIntentModel({ seed: 25, hidden: 0, towers: 1, labelCount: 70 });
    trained.weights.towers[0].b2.fill(0.25);
    const dir = await mkdtemp(join(tmpdir(), 'switchboard-ties-'));
    dirs.push(dir);
    await saveIntentModel(dir, trained, { quantize: false, dataDescription: '' });
    const clf = await IntentClassifier.load(dir);
    const ranked = await clf.classifyOne('');
    expect(ranked.map((s) => s.intent)).toEqual(trained.weights.labels);
    expect(ranked[0].score).toBeCloseTo(1 / 70, 6);
    const [text] = await clf.classify(['billing question']);
    for (let k = 1; k < text.length; k++) expect(text[k - 1].score).toBeGreaterThanOrEqual(text[k].score);
    await clf.release();
  });

  it('exposes labels, manifest and threshold', async () => {
    const { clf, trained } = await load({ seed: 24, threshold: 0.4, labels: ['billing', 'refund', 'greeting'] });
    expect(clf.labels).toEqual(['billing', 'refund', 'greeting']);
    expect(clf.threshold).toBe(0.4);
    expect(clf.manifest.featurizer).toEqual(trained.featurizer);
    await clf.release();
  });
});
