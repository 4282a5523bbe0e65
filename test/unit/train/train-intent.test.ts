import { describe, expect, it } from 'vitest';
import { featurize } from '../../../src/nlu/features/featurize.ts';
import { forwardReference } from '../../../src/nlu/intent/forward-reference.ts';
import type { IntentExample } from '../../../src/nlu/intent/intent-example.ts';
import { readIntentData } from '../../../src/train/read-intent-data.ts';
import { trainIntentModel } from '../../../src/train/train-intent.ts';
import type { TrainedIntentModel } from '../../../src/train/train-intent-types.ts';
import { paddedBags } from '../../fixtures/padded-bags.ts';

const train = readIntentData('test/fixtures/data/support-train.jsonl').examples;
const valid = readIntentData('test/fixtures/data/support-valid.jsonl').examples;
const test = readIntentData('test/fixtures/data/support-test.jsonl').examples;
// Small and fast: the fixture has 50 training examples.
const small = { dim: 16, hidden: 32, maxEpochs: 30, patience: 30, batchSize: 8, workers: 1 };

function predict(model: TrainedIntentModel, texts: string[]): string[] {
  const bags = texts.map((t) => model.vocabulary.map(featurize(t, model.featurizer)));
  return forwardReference(model.weights, bags).map((p) => model.weights.labels[p.indexOf(Math.max(...p))]);
}

describe('trainIntentModel', () => {
  it('learns a small bilingual support data set and generalises to held-out phrasings', async () => {
    const model = await trainIntentModel(train, valid, { ...small, seed: 3 });
    expect(model.weights.labels).toEqual(['card_lost', 'greeting', 'out_of_scope', 'refund_status', 'talk_to_human']);
    expect(model.weights.mode).toBe('single');
    expect(
      predict(
        model,
        train.map((e) => e.text),
      ).filter((p, i) => p === train[i].intent).length,
    ).toBe(train.length);
    const predicted = predict(
      model,
      test.map((e) => e.text),
    );
    const correct = predicted.filter((p, i) => p === test[i].intent).length;
    expect(correct / test.length).toBeGreaterThanOrEqual(0.7);
    expect(model.weights.temperature).toBeGreaterThan(0);
    // out_of_scope rows are present, so a rejection threshold was chosen on validation.
    expect(model.threshold).toBeTypeOf('number');
    expect(model.validation.n).toBe(valid.length);
  });

  it('is reproducible for a seed and differs across seeds', async () => {
    const deepOnly = { ...small, maxEpochs: 3, linear: false };
    const a = await trainIntentModel(train, valid, { ...deepOnly, seed: 5 });
    const b = await trainIntentModel(train, valid, { ...deepOnly, seed: 5 });
    const c = await trainIntentModel(train, valid, { ...deepOnly, seed: 6 });
    expect(Buffer.from(a.weights.towers[0].embedding.buffer)).toEqual(
      Buffer.from(b.weights.towers[0].embedding.buffer),
    );
    expect(a.weights.towers[0].w2).toEqual(b.weights.towers[0].w2);
    expect(a.weights.temperature).toBe(b.weights.temperature);
    expect(a.dataHash).toBe(b.dataHash);
    expect(a.weights.towers[0].w2).not.toEqual(c.weights.towers[0].w2);
  });

  it('trains ensemble towers in worker threads with the same result as in one thread', async () => {
    const opts = { ...small, maxEpochs: 2, ensemble: 2, seed: 9, linear: false };
    const seq = await trainIntentModel(train, valid, { ...opts, workers: 1 });
    const par = await trainIntentModel(train, valid, { ...opts, workers: 2 });
    expect(par.weights.towers).toHaveLength(2);
    for (let k = 0; k < 2; k++) {
      expect(par.weights.towers[k].w2).toEqual(seq.weights.towers[k].w2);
      expect(par.weights.towers[k].embedding).toEqual(seq.weights.towers[k].embedding);
    }
    expect(par.weights.towers[0].w2).not.toEqual(par.weights.towers[1].w2);
  });

  it('carves a validation split from train when none is given, and warns', async () => {
    const model = await trainIntentModel(train, undefined, { ...small, maxEpochs: 2 });
    expect(model.validation.n).toBeGreaterThan(0);
    expect(model.warnings.join(' ')).toMatch(/held-out rows come from 2 of 10 folds of train/);
  });

  it('trains multi-label data with sigmoid outputs and a validation threshold', async () => {
    const multi: IntentExample[] = train.map((e) => ({
      text: e.text,
      intent:
        e.intent === 'out_of_scope' ? [] : e.intent === 'card_lost' ? ['card_lost', 'urgent'] : [e.intent as string],
    }));
    const model = await trainIntentModel(multi, undefined, { ...small, maxEpochs: 60, patience: 60, seed: 2 });
    expect(model.weights.mode).toBe('multi');
    expect(model.weights.labels).toContain('urgent');
    expect(model.threshold).toBeGreaterThan(0);
    const [p] = forwardReference(model.weights, [
      model.vocabulary.map(featurize('my card was stolen', model.featurizer)),
    ]);
    const at = (l: string) => p[model.weights.labels.indexOf(l)];
    const t = model.threshold!;
    expect(at('card_lost')).toBeGreaterThan(t);
    expect(at('urgent')).toBeGreaterThan(t);
    expect(at('greeting')).toBeLessThan(t);
    expect(at('refund_status')).toBeLessThan(t);
  });

  it('rejects an empty training set with a clear error', async () => {
    await expect(trainIntentModel([], undefined)).rejects.toThrow(/no training examples/);
  });
});

describe('towers on fewer feature rows than the linear member', () => {
  it('keeps the most frequent rows in the towers (the rest reach the linear member only) and exports what it trained', async () => {
    // No linear member here: on 50 examples the stacking may drop the towers, and the towers are what is tested.
    const model = await trainIntentModel(train, valid, {
      ...small,
      seed: 4,
      ensemble: 2,
      towerRows: 60,
      linear: false,
    });
    const V = model.vocabulary.rows;
    expect(V).toBeGreaterThan(200);
    const [t0, t1] = model.weights.towers;
    expect(t0.buckets).toBe(V);
    expect(t0.embedding.length).toBe(61 * t0.dim);
    expect(t0.rowMap).toBe(t1.rowMap);
    const map = t0.rowMap!;
    // 60 rows, in feature-row order, each kept row with its idf; the others with idf 0.
    const kept = [...map.keys()].filter((r) => map[r] > 0);
    expect(kept).toHaveLength(60);
    expect(kept.map((r) => map[r])).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    for (let r = 1; r < V; r++) expect(t0.idf[r] > 0).toBe(map[r] > 0);
    // The kept rows are those found in the most training texts.
    const df = new Float64Array(V);
    for (const e of train) for (const id of model.vocabulary.map(featurize(e.text, model.featurizer)).ids) df[id]++;
    const least = Math.min(...kept.map((r) => df[r]));
    const dropped = [...df.keys()].filter((r) => r > 0 && map[r] === 0);
    expect(Math.max(...dropped.map((r) => df[r]))).toBeLessThanOrEqual(least);
    expect(model.options.towerRows).toBe(60);
    // Exported (float and int8), the graph computes what the trainer's reference computes.
    const { buildIntentOnnx, dequantizeWeights } = await import('../../../src/train/export-onnx.ts');
    const { OnnxSession } = await import('../../../src/nlu/onnx/onnx-session.ts');
    const texts = test.map((e) => e.text);
    const bags = texts.map((t) => model.vocabulary.map(featurize(t, model.featurizer)));
    for (const quantize of [false, true]) {
      const session = await OnnxSession.create(buildIntentOnnx(model.weights, { quantize }));
      const ref = forwardReference(quantize ? dequantizeWeights(model.weights) : model.weights, bags);
      const { ids, counts, dims } = paddedBags(bags);
      const out = await session.run({ ids: { data: ids, dims }, counts: { data: counts, dims } }, ['probs']);
      const probs = out.probs.data as Float32Array;
      ref.forEach((p, r) => {
        p.forEach((v, c) => {
          expect(Math.abs(v - probs[r * p.length + c])).toBeLessThan(1e-5);
        });
      });
      await session.release();
    }
  });
});
