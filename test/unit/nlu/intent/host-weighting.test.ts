import onnxProto from 'onnx-proto';
import { describe, expect, it } from 'vitest';
import { featurize } from '../../../../src/nlu/features/featurize.ts';
import { fillHostWeight, hostWeightedGraph } from '../../../../src/nlu/intent/host-weighting.ts';
import { IntentClassifier } from '../../../../src/nlu/intent/intent-classifier.ts';
import { OnnxSession } from '../../../../src/nlu/onnx/onnx-session.ts';
import { buildIntentOnnx } from '../../../../src/train/export-onnx.ts';
import { paddedBags } from '../../../fixtures/padded-bags.ts';
import { type TinyIntentModelOptions, tinyIntentModel } from '../../../fixtures/tiny-intent-model.ts';

const { onnx } = onnxProto;

const TEXTS = [
  '',
  'hello',
  'my card was blocked yesterday',
  'Where is my REFUND?? refund refund',
  '¿Dónde está?',
  '🙂',
];

const VARIANTS: [string, TinyIntentModelOptions, number][] = [
  ['2 fused towers', { seed: 31, towers: 2 }, 1],
  ['2 towers with distinct idf', { seed: 32, towers: 2, hidden: 0, distinctIdf: true }, 2],
  ['1 tower + linear member, multi-label', { seed: 33, towers: 1, linear: true, mode: 'multi' }, 2],
  ['the linear member alone', { seed: 34, towers: 0, linear: true }, 1],
  ['5 fused towers + linear member', { seed: 35, towers: 5, linear: true }, 2],
  ['2 fused towers on 200 of the rows + linear member', { seed: 37, towers: 2, linear: true, towerRows: 200 }, 2],
  ['2 towers on 200 of the rows, distinct idf', { seed: 38, towers: 2, distinctIdf: true, towerRows: 200 }, 2],
];

/** Probabilities of the stored graph and of its rewritten form with host weights, for the same padded batch. */
async function bothWays(bytes: Uint8Array, bags: { ids: Int32Array; counts: Float32Array }[]) {
  const plan = hostWeightedGraph(bytes);
  if (!plan) throw new Error('graph not rewritten');
  const { ids, counts, dims } = paddedBags(bags);
  const len = dims[1];
  const stored = await OnnxSession.create(bytes);
  const rewritten = await OnnxSession.create(plan.bytes);
  const a = await stored.run({ ids: { data: ids, dims }, counts: { data: counts, dims } }, ['probs']);
  const feeds: Parameters<OnnxSession['run']>[0] = { ids: { data: ids, dims } };
  for (const w of plan.weights) {
    const data = new Float32Array(bags.length * len).fill(Number.NaN); // every cell must be written
    fillHostWeight(w, bags, len, data);
    feeds[w.name] = { data, dims: w.unsqueezed ? [bags.length, 1, len] : dims };
  }
  const b = await rewritten.run(feeds, ['probs']);
  const inputs = rewritten.inputNames;
  await stored.release();
  await rewritten.release();
  return { plan, inputs, stored: a.probs.data as Float32Array, host: b.probs.data as Float32Array };
}

describe('hostWeightedGraph', () => {
  for (const [name, opts, expected] of VARIANTS) {
    for (const quantize of [false, true]) {
      it(`${name}${quantize ? ', int8' : ''}: cuts the weighting nodes and computes the same probabilities`, async () => {
        const trained = tinyIntentModel(opts);
        const bags = TEXTS.map((t) => trained.vocabulary.map(featurize(t, trained.featurizer)));
        const bytes = buildIntentOnnx(trained.weights, { quantize });
        const { plan, inputs, stored, host } = await bothWays(bytes, bags);
        expect(plan.weights).toHaveLength(expected);
        expect(inputs).not.toContain('counts');
        expect(inputs).toEqual(['ids', ...plan.weights.map((w) => w.name)]);
        // int8 tables: the row scales are applied on the host too; each weighting is fed as its MatMul takes it.
        expect(plan.weights.every((w) => (w.scale !== undefined) === quantize)).toBe(true);
        expect(plan.weights.every((w) => w.unsqueezed)).toBe(true);
        const nodes = (g: Uint8Array) => onnx.ModelProto.decode(g).graph!.node!.length;
        expect(nodes(plan.bytes)).toBeLessThan(nodes(bytes) - 4);
        expect(host).toHaveLength(stored.length);
        stored.forEach((p, i) => {
          expect(Math.abs(p - host[i]), `cell ${i}`).toBeLessThan(1e-6);
        });
      });
    }
  }

  it('leaves a graph it does not recognise node for node as it is', () => {
    const trained = tinyIntentModel({ seed: 36, towers: 1, linear: true });
    const bytes = buildIntentOnnx(trained.weights, { quantize: false });
    expect(hostWeightedGraph(Uint8Array.of(1, 2, 3))).toBeUndefined();
    // Another epsilon shape, another ReduceL2 axis: the weighting is no longer the one the host computes.
    const model = onnx.ModelProto.decode(bytes);
    const eps = model.graph!.initializer!.find((t) => t.name === 'const.norm_eps')!;
    eps.dims = [2];
    eps.rawData = new Uint8Array(new Float32Array([1e-6, 1e-6]).buffer);
    expect(hostWeightedGraph(onnx.ModelProto.encode(model).finish())).toBeUndefined();
    const model2 = onnx.ModelProto.decode(bytes);
    for (const n of model2.graph!.node!) {
      if (n.opType === 'ReduceL2') n.attribute = [{ name: 'axes', type: 7, ints: [0] }];
    }
    expect(hostWeightedGraph(onnx.ModelProto.encode(model2).finish())).toBeUndefined();
    // A word mask that is not 0/1 (the host picks a family per id): the linear weighting stays in the graph, and
    // since it reads `counts`, nothing is cut.
    const model4 = onnx.ModelProto.decode(bytes);
    const mask = model4.graph!.initializer!.find((t) => t.name === 'linear.word_rows')!;
    const values = new Float32Array(new Uint8Array(mask.rawData!).buffer).map((m) => (m ? 0.7 : 0.3));
    mask.rawData = new Uint8Array(values.buffer);
    expect(hostWeightedGraph(onnx.ModelProto.encode(model4).finish())).toBeUndefined();
    // `counts` used by a node outside the weighting: nothing is cut.
    const model3 = onnx.ModelProto.decode(bytes);
    const g = model3.graph!;
    g.node!.push({ opType: 'ReduceSum', input: ['counts'], output: ['total'], name: 'total/ReduceSum' });
    g.output!.push({ ...g.output![0], name: 'total' });
    expect(hostWeightedGraph(onnx.ModelProto.encode(model3).finish())).toBeUndefined();
  });
});

describe('IntentClassifier with host weighting', () => {
  it('scores the shipped model as the stored graph does, one text and batched', async () => {
    const texts = [...TEXTS, 'je voudrais annuler ma commande', 'x'.repeat(5000), 'wake me up at 7 am tomorrow'];
    const stored = await IntentClassifier.load('models/intent-massive', { hostWeighting: false });
    const host = await IntentClassifier.load('models/intent-massive');
    const a = await stored.scores(texts);
    const b = await host.scores(texts);
    for (const [i, t] of texts.entries()) {
      const one = await host.scoreOne(t);
      a[i].forEach((p, k) => {
        expect(Math.abs(p - b[i][k])).toBeLessThan(1e-5);
        expect(Math.abs(p - one[k])).toBeLessThan(1e-5);
      });
    }
    await stored.release();
    await host.release();
  });
});
