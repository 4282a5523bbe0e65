import { describe, expect, it } from 'vitest';
import { isSwitchboardError } from '../../../src/errors.ts';
import { OnnxSession } from '../../../src/nlu/onnx/onnx-session.ts';
import { buildIntentOnnx, dequantizeWeights } from '../../../src/train/export-onnx.ts';
import { dequantizeRows, quantizeRows } from '../../../src/train/quantize-rows.ts';
import { tinyIntentModel } from '../../fixtures/tiny-intent-model.ts';

describe('quantizeRows', () => {
  it('stores symmetric per-row int8 with scale = maxabs / 127', () => {
    const table = Float32Array.of(0, 0, 0, 1, -2, 0.5, 0.01, 0.02, -0.03);
    const { q, scales } = quantizeRows(table, 3, 3);
    expect(scales[0]).toBe(0);
    expect([...q.subarray(0, 3)]).toEqual([0, 0, 0]);
    expect(scales[1]).toBeCloseTo(2 / 127, 7);
    expect([...q.subarray(3, 6)]).toEqual([64, -127, 32]);
    expect(q[8]).toBe(-127);
    const back = dequantizeRows({ q, scales }, 3);
    for (let i = 0; i < table.length; i++)
      expect(Math.abs(back[i] - table[i])).toBeLessThanOrEqual(scales[Math.floor(i / 3)] / 2 + 1e-7);
  });

  it('dequantizeWeights only touches the embeddings and the linear weight table', () => {
    const { weights } = tinyIntentModel({ seed: 5, linear: true });
    const deq = dequantizeWeights(weights);
    expect(deq.towers[0].w2).toBe(weights.towers[0].w2);
    expect(deq.towers[0].embedding).not.toBe(weights.towers[0].embedding);
    expect(Math.abs(deq.towers[0].embedding[20] - weights.towers[0].embedding[20])).toBeLessThan(0.01);
    expect(deq.linear!.bias).toBe(weights.linear!.bias);
    expect(deq.linear!.weights).not.toBe(weights.linear!.weights);
    expect(Math.abs(deq.linear!.weights[40] - weights.linear!.weights[40])).toBeLessThan(0.01);
  });
});

describe('buildIntentOnnx', () => {
  it('declares ids/counts inputs and probs/logits outputs, and is much smaller when quantized', async () => {
    const { weights } = tinyIntentModel({ seed: 2, buckets: 4096, dim: 16 });
    const plain = buildIntentOnnx(weights, { quantize: false });
    const quant = buildIntentOnnx(weights, { quantize: true });
    expect(quant.byteLength).toBeLessThan(plain.byteLength * 0.5);
    const s = await OnnxSession.create(plain);
    expect([...s.inputNames].sort()).toEqual(['counts', 'ids']);
    expect([...s.outputNames].sort()).toEqual(['logits', 'probs']);
    await s.release();
  });

  it('is deterministic', () => {
    const { weights } = tinyIntentModel({ seed: 9 });
    expect(buildIntentOnnx(weights, { quantize: true })).toEqual(buildIntentOnnx(weights, { quantize: true }));
  });

  it('rejects inconsistent weights with E_MODEL_SHAPE', () => {
    const { weights } = tinyIntentModel({ seed: 3 });
    const bad = { ...weights, labels: [...weights.labels, 'extra'] };
    expect(() => buildIntentOnnx(bad, { quantize: false })).toThrow(/tower 0: w2 has/);
    const t0 = { ...weights.towers[0], idf: new Float32Array(3) };
    try {
      buildIntentOnnx({ ...weights, towers: [t0] }, { quantize: false });
      expect.unreachable();
    } catch (e) {
      expect(isSwitchboardError(e, 'E_MODEL_SHAPE')).toBe(true);
    }
    expect(() => buildIntentOnnx({ ...weights, temperature: 0 }, { quantize: false })).toThrow(/temperature/);
    expect(() => buildIntentOnnx({ ...weights, towers: [] }, { quantize: false })).toThrow(/neither towers nor/);
    const lin = tinyIntentModel({ seed: 3, linear: true }).weights;
    expect(() =>
      buildIntentOnnx({ ...lin, linear: { ...lin.linear!, wordRows: new Uint8Array(2) } }, { quantize: false }),
    ).toThrow(/linear member: wordRows/);
    expect(() => buildIntentOnnx({ ...lin, bias: new Float32Array(2) }, { quantize: false })).toThrow(/bias/);
  });

  it('outputs the combined logits as `logits`: the tower logits over T (one tower, empty bag)', async () => {
    const trained = tinyIntentModel({ seed: 4, towers: 1, temperature: 2 });
    const s = await OnnxSession.create(buildIntentOnnx(trained.weights, { quantize: false }));
    const out = await s.run({
      ids: { data: BigInt64Array.of(0n), dims: [1, 1] },
      counts: { data: Float32Array.of(0), dims: [1, 1] },
    });
    // Empty bag: h0 = 0 → logits = (relu(b1) · w2 + b2) / T.
    const t = trained.weights.towers[0];
    const h1 = [...t.b1!].map((b) => Math.max(0, b));
    for (let c = 0; c < t.labels; c++) {
      let z = t.b2[c];
      for (let j = 0; j < t.hidden; j++) z += h1[j] * t.w2[j * t.labels + c];
      expect((out.logits.data as Float32Array)[c]).toBeCloseTo(z / 2, 5);
    }
    await s.release();
  });
});
