import { describe, expect, it } from 'vitest';
import { featurize } from '../../../src/nlu/features/featurize.ts';
import { forwardReference } from '../../../src/nlu/intent/forward-reference.ts';
import type { IntentExample } from '../../../src/nlu/intent/intent-example.ts';
import { readIntentData } from '../../../src/train/read-intent-data.ts';
import { trainIntentModel } from '../../../src/train/train-intent.ts';
import type { TrainedIntentModel } from '../../../src/train/train-intent-types.ts';

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
