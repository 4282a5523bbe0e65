import onnxProto from 'onnx-proto';
import { SwitchboardError } from '../errors.ts';
import { NORM_EPSILON } from '../nlu/intent/forward-reference.ts';
import type { IntentModelWeights, TowerWeights } from '../nlu/intent/intent-weights.ts';

import { addFusedTowers, canFuse, dequantizedFusedEmbeddings } from './export-fused-towers.ts';
import { FLOAT, GraphBuilder, INT8, INT64, intAttr, intsAttr } from './onnx-graph-builder.ts';

const { onnx } = onnxProto;

interface TowerOptions {
  quantize: boolean;
  temperature: number;
  /** Name of the tower's scaled-logits output. */
  out: string;
}

/** The ONNX operator set the exported graphs use. */
export const INTENT_ONNX_OPSET = 17;
/** ONNX IR version written into the model (IR 8 goes with opset 17). */
export const INTENT_ONNX_IR_VERSION = 8;

/** An embedding table quantized row by row: `table[r, k] ≈ q[r, k] · scales[r]`. */
export interface QuantizedRows {
  /** [rows × dim] int8 values in −127…127. */
  q: Int8Array;
  /** [rows] symmetric per-row scale, `max |row| / 127` (0 for an all-zero row). */
  scales: Float32Array;
}

/**
 * Symmetric per-row int8 quantization of a row-major `[rows × dim]` table: `scale = max|row| / 127`,
 * `q = round(x / scale)`. The int8 ONNX export stores exactly this.
 *
 * @example const { q, scales } = quantizeRows(tower.embedding, tower.buckets, tower.dim);
 */
export function quantizeRows(table: Float32Array, rows: number, dim: number): QuantizedRows {
  const q = new Int8Array(rows * dim);
  const scales = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    const base = r * dim;
    let max = 0;
    for (let k = 0; k < dim; k++) max = Math.max(max, Math.abs(table[base + k]));
    if (max === 0) continue;
    scales[r] = max / 127;
    for (let k = 0; k < dim; k++) q[base + k] = Math.max(-127, Math.min(127, Math.round(table[base + k] / scales[r])));
  }
  return { q, scales };
}

/**
 * The float table an int8 table stands for: `q[r, k] · scales[r]`.
 * @example dequantizeRows(q, scales, 64)
 */
export function dequantizeRows({ q, scales }: QuantizedRows, dim: number): Float32Array {
  const out = new Float32Array(q.length);
  for (let i = 0; i < q.length; i++) out[i] = q[i] * scales[Math.floor(i / dim)];
  return out;
}

/**
 * A copy of the weights whose embeddings went through int8 quantization and back: `forwardReference` on it predicts
 * what the quantized ONNX export computes, so the trainer can measure the accuracy cost of `quantize: true` in TS.
 *
 * @example const cost = accuracy(forwardReference(w, bags)) - accuracy(forwardReference(dequantizeWeights(w), bags));
 */
export function dequantizeWeights(weights: IntentModelWeights): IntentModelWeights {
  if (canFuse(weights.towers)) {
    // A fused ensemble is quantized as one wide table (one scale per fused row), as the export stores it.
    const tables = dequantizedFusedEmbeddings(weights.towers);
    return { ...weights, towers: weights.towers.map((t, k) => ({ ...t, embedding: tables[k] })) };
  }
  const towers = weights.towers.map((t) => ({
    ...t,
    embedding: dequantizeRows(quantizeRows(t.embedding, t.buckets, t.dim), t.dim),
  }));
  return { ...weights, towers };
}

function checkShapes(weights: IntentModelWeights): void {
  const fail = (msg: string) => {
    throw new SwitchboardError('E_MODEL_SHAPE', 'internal', `cannot export intent model: ${msg}`);
  };
  const c = weights.labels.length;
  if (weights.towers.length === 0) fail('no towers');
  if (!(weights.temperature > 0 && Number.isFinite(weights.temperature)))
    fail(`bad temperature ${weights.temperature}`);
  const v = weights.towers[0].buckets;
  weights.towers.forEach((t, k) => {
    const want: [string, number | undefined, number][] = [
      ['embedding', t.embedding.length, t.buckets * t.dim],
      ['idf', t.idf.length, t.buckets],
      ['w2', t.w2.length, (t.hidden > 0 ? t.hidden : t.dim) * c],
      ['b2', t.b2.length, c],
    ];
    if (t.hidden > 0) want.push(['w1', t.w1?.length, t.dim * t.hidden], ['b1', t.b1?.length, t.hidden]);
    for (const [name, got, expected] of want) {
      if (got !== expected) fail(`tower ${k}: ${name} has ${got} values, expected ${expected}`);
    }
    if (t.labels !== c) fail(`tower ${k} has ${t.labels} labels, the model ${c}`);
    if (t.buckets !== v) fail(`tower ${k} has ${t.buckets} buckets, tower 0 has ${v}`);
  });
}

function sameArray(a: Float32Array, b: Float32Array): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * The L2-normalised TF-IDF weights `[batch, L]` of the bag for one idf vector (towers sharing an idf share this).
 * Padding (count 0) gives weight 0; an all-zero row stays zero thanks to the `max(norm, 1e-6)` floor.
 */
function addNormalizedWeights(g: GraphBuilder, idf: Float32Array, prefix: string): string {
  const idfName = g.init(`${prefix}.idf`, FLOAT, [idf.length], idf);
  const idfRows = g.op('Gather', [idfName, 'ids'], `${prefix}.idf_of_ids`);
  const w = g.op('Mul', ['counts', idfRows], `${prefix}.tfidf`);
  const norm = g.op('ReduceL2', [w], `${prefix}.tfidf_norm`, [intsAttr('axes', [1]), intAttr('keepdims', 1)]);
  const denom = g.op('Max', [norm, 'const.norm_eps'], `${prefix}.tfidf_denom`);
  return g.op('Div', [w, denom], `${prefix}.weights`);
}

/**
 * One tower from the normalised bag weights to temperature-scaled logits `[batch, C]`, named `out`. The temperature is
 * folded into the output layer (`w2 / T`, `b2 / T`), which saves a node per run.
 */
function addTower(g: GraphBuilder, t: TowerWeights, weights: string, p: string, opts: TowerOptions): string {
  let rows: string;
  let rowWeights = weights;
  if (opts.quantize) {
    const { q, scales } = quantizeRows(t.embedding, t.buckets, t.dim);
    const table = g.init(`${p}.embedding_int8`, INT8, [t.buckets, t.dim], q);
    const scaleTable = g.init(`${p}.embedding_scale`, FLOAT, [t.buckets], scales);
    const rowsQ = g.op('Gather', [table, 'ids'], `${p}.rows_int8`);
    rows = g.op('Cast', [rowsQ], `${p}.rows`, [intAttr('to', FLOAT)]);
    const rowScales = g.op('Gather', [scaleTable, 'ids'], `${p}.row_scales`);
    rowWeights = g.op('Mul', [weights, rowScales], `${p}.scaled_weights`);
  } else {
    const table = g.init(`${p}.embedding`, FLOAT, [t.buckets, t.dim], t.embedding);
    rows = g.op('Gather', [table, 'ids'], `${p}.rows`);
  }
  // Σ_i w_i · rows_i as one batched MatMul [B,1,L] × [B,L,D] (faster than Mul + ReduceSum, no [B,L,D] temporary).
  const w3 = g.op('Unsqueeze', [rowWeights, 'const.axis1'], `${p}.weights_3d`);
  const bag3 = g.op('MatMul', [w3, rows], `${p}.bag_3d`);
  const bag = g.op('Squeeze', [bag3, 'const.axis1'], `${p}.bag`);
  let h = g.op('Relu', [bag], `${p}.h0`);
  let inDim = t.dim;
  if (t.hidden > 0) {
    const w1 = g.init(`${p}.w1`, FLOAT, [t.dim, t.hidden], t.w1!);
    const b1 = g.init(`${p}.b1`, FLOAT, [t.hidden], t.b1!);
    const z1 = g.op('Add', [g.op('MatMul', [h, w1], `${p}.h0_w1`), b1], `${p}.z1`);
    h = g.op('Relu', [z1], `${p}.h1`);
    inDim = t.hidden;
  }
  const w2 = g.init(
    `${p}.w2_over_t`,
    FLOAT,
    [inDim, t.labels],
    t.w2.map((x) => x / opts.temperature),
  );
  const b2 = g.init(
    `${p}.b2_over_t`,
    FLOAT,
    [t.labels],
    t.b2.map((x) => x / opts.temperature),
  );
  return g.op('Add', [g.op('MatMul', [h, w2], `${p}.h_w2`), b2], opts.out);
}

/** A graph input or output: name, element type, dims (numbers or symbolic names). */
export const tensorType = (name: string, elemType: number, dims: (number | string)[]) => ({
  name,
  type: {
    tensorType: {
      elemType,
      shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
    },
  },
});

/**
 * Builds the ONNX model (opset 17, every weight an initializer) of a trained intent model.
 *
 * Inputs: `ids` int64 `[batch, L]` (embedding rows: hashed buckets mapped through the feature vocabulary; padded with
 * 0, the padding row) and `counts` float `[batch, L]` (0 for padding). Per tower: idf-weighted counts, L2-normalised
 * (`max(norm, 1e-6)`, so an empty bag embeds to zero, never NaN), a weighted sum of the gathered embedding rows (one
 * batched MatMul `[B,1,L] × [B,L,D]`), ReLU, the optional hidden layer, the output layer. Outputs: `probs` float `[batch, C]`, the calibrated probabilities (softmax or sigmoid of
 * `logits / T`, averaged over the towers), and `logits` float `[batch, C]`: the MEAN over the towers of the
 * temperature-SCALED logits `logits / T` (multiply by the manifest's temperature for raw logits). The temperature is
 * folded into each tower's output layer at export (`w2 / T`, `b2 / T`) rather than applied by a separate node.
 *
 * With `quantize`, each embedding is stored int8 with a per-row float scale ({@link quantizeRows}); the graph gathers
 * the int8 rows and their scales for the ids only, so the cost stays proportional to L, not to the table.
 *
 * @example await writeFile('model.onnx', buildIntentOnnx(trained.weights, { quantize: true }));
 */
export function buildIntentOnnx(weights: IntentModelWeights, opts: { quantize: boolean }): Uint8Array {
  checkShapes(weights);
  const g = new GraphBuilder();
  g.init('const.axis1', INT64, [1], BigInt64Array.of(1n));
  g.init('const.norm_eps', FLOAT, [], Float32Array.of(NORM_EPSILON));

  if (canFuse(weights.towers)) {
    const bag = addNormalizedWeights(g, weights.towers[0].idf, 'bag0');
    addFusedTowers(g, weights.towers, bag, {
      quantize: opts.quantize,
      temperature: weights.temperature,
      mode: weights.mode,
    });
    return encodeModel(g, weights, opts);
  }
  // Towers trained on the same data share one idf vector: store it, and normalise the bag, once.
  const idfs: { idf: Float32Array; weights: string }[] = [];
  const logits: string[] = [];
  const probs: string[] = [];
  const single = weights.towers.length === 1; // then the tower's nodes write the graph outputs directly
  weights.towers.forEach((t, k) => {
    let shared = idfs.find((s) => sameArray(s.idf, t.idf));
    if (!shared) {
      shared = { idf: t.idf, weights: addNormalizedWeights(g, t.idf, `bag${idfs.length}`) };
      idfs.push(shared);
    }
    const p = `tower${k}`;
    const out = single ? 'logits' : `${p}.logits`;
    logits.push(addTower(g, t, shared.weights, p, { quantize: opts.quantize, temperature: weights.temperature, out }));
    const pOut = single ? 'probs' : `${p}.probs`;
    probs.push(
      weights.mode === 'single'
        ? g.op('Softmax', [logits[k]], pOut, [intAttr('axis', -1)])
        : g.op('Sigmoid', [logits[k]], pOut),
    );
  });
  if (!single) {
    g.op('Mean', probs, 'probs');
    g.op('Mean', logits, 'logits');
  }
  return encodeModel(g, weights, opts);
}

/** Wraps the graph in a ModelProto (opset, IR version, metadata, inputs and outputs) and encodes it. */
function encodeModel(g: GraphBuilder, weights: IntentModelWeights, opts: { quantize: boolean }): Uint8Array {
  const c = weights.labels.length;
  const model = onnx.ModelProto.create({
    irVersion: INTENT_ONNX_IR_VERSION,
    opsetImport: [{ domain: '', version: INTENT_ONNX_OPSET }],
    producerName: 'switchboard',
    docString: `switchboard intent model: ${weights.towers.length} tower(s), ${weights.mode}-label, ${c} labels`,
    metadataProps: [
      { key: 'switchboard.kind', value: 'intent' },
      { key: 'switchboard.mode', value: weights.mode },
      { key: 'switchboard.labels', value: JSON.stringify(weights.labels) },
      { key: 'switchboard.buckets', value: String(weights.towers[0].buckets) },
      { key: 'switchboard.quantized', value: String(opts.quantize) },
    ],
    graph: {
      name: 'intent_embedding_bag',
      node: g.nodes,
      initializer: g.initializers,
      input: [tensorType('ids', INT64, ['batch', 'L']), tensorType('counts', FLOAT, ['batch', 'L'])],
      output: [tensorType('probs', FLOAT, ['batch', c]), tensorType('logits', FLOAT, ['batch', c])],
    },
  });
  return onnx.ModelProto.encode(model).finish();
}
