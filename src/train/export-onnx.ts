/**
 * The intent model as one ONNX graph: features → towers and the linear member → stacked, calibrated scores, every
 * weight inside the graph (int8 tables when that costs little).
 */
import onnxProto from 'onnx-proto';
import { SwitchboardError } from '../errors.ts';
import { NORM_EPSILON } from '../nlu/intent/forward-reference.ts';
import { type IntentModelWeights, modelRows, type TowerWeights, towerTableRows } from '../nlu/intent/intent-weights.ts';
import { addFusedTowers, canFuse, dequantizedFusedEmbeddings, tableIds } from './export-fused-towers.ts';
import { addLinear } from './export-linear-member.ts';
import { FLOAT, GraphBuilder, INT8, INT64, intAttr, intsAttr } from './onnx-graph-builder.ts';
import { dequantizeRows, quantizeRows } from './quantize-rows.ts';

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

/**
 * A copy of the weights whose embeddings went through int8 quantization and back: `forwardReference` on it predicts
 * what the quantized ONNX export computes, so the trainer can measure the accuracy cost of `quantize: true` in TS.
 *
 * @example const cost = accuracy(forwardReference(w, bags)) - accuracy(forwardReference(dequantizeWeights(w), bags));
 */
export function dequantizeWeights(weights: IntentModelWeights): IntentModelWeights {
  const linear = weights.linear && {
    ...weights.linear,
    weights: dequantizeRows(
      quantizeRows(weights.linear.weights, weights.linear.rows, weights.linear.labels),
      weights.linear.labels,
    ),
  };
  if (canFuse(weights.towers)) {
    // A fused ensemble is quantized as one wide table (one scale per fused row), as the export stores it.
    const tables = dequantizedFusedEmbeddings(weights.towers);
    return { ...weights, towers: weights.towers.map((t, k) => ({ ...t, embedding: tables[k] })), linear };
  }
  const towers = weights.towers.map((t) => ({
    ...t,
    embedding: dequantizeRows(quantizeRows(t.embedding, towerTableRows(t), t.dim), t.dim),
  }));
  return { ...weights, towers, linear };
}

function checkShapes(weights: IntentModelWeights): void {
  const fail = (msg: string) => {
    throw new SwitchboardError('E_MODEL_SHAPE', 'internal', `cannot export intent model: ${msg}`);
  };
  const c = weights.labels.length;
  const linear = weights.linear && weights.linearScale ? weights.linear : undefined;
  if (weights.towers.length === 0 && !linear) fail('neither towers nor a linear member');
  if (!(weights.temperature > 0 && Number.isFinite(weights.temperature)))
    fail(`bad temperature ${weights.temperature}`);
  if (!Number.isFinite(weights.linearScale ?? 0)) fail(`bad linearScale ${weights.linearScale}`);
  if (weights.bias && (weights.bias.length !== c || !weights.bias.every(Number.isFinite))) {
    fail(`bias must hold ${c} finite values`);
  }
  const v = weights.towers[0]?.buckets ?? linear!.rows;
  if (linear) {
    const want: [string, number, number][] = [
      ['weights', linear.weights.length, linear.rows * c],
      ['bias', linear.bias.length, c],
      ['idf', linear.idf.length, linear.rows],
      ['wordRows', linear.wordRows.length, linear.rows],
    ];
    for (const [name, got, expected] of want) {
      if (got !== expected) fail(`linear member: ${name} has ${got} values, expected ${expected}`);
    }
    if (linear.labels !== c) fail(`the linear member has ${linear.labels} labels, the model ${c}`);
    if (linear.rows !== v) fail(`the linear member has ${linear.rows} rows, the towers ${v}`);
  }
  weights.towers.forEach((t, k) => {
    const want: [string, number | undefined, number][] = [
      ['embedding', t.embedding.length, (t.rowMap ? towerTableRows(t) : t.buckets) * t.dim],
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
    if (t.rowMap) {
      const rows = towerTableRows(t);
      if (!Number.isInteger(rows)) fail(`tower ${k}: embedding length is not a multiple of ${t.dim}`);
      if (t.rowMap.length !== v) fail(`tower ${k}: row map has ${t.rowMap.length} entries, expected ${v}`);
      if (t.rowMap[0] !== 0) fail(`tower ${k}: row map must send padding to row 0`);
      if (t.rowMap.some((r) => r < 0 || r >= rows)) fail(`tower ${k}: row map points outside its ${rows} rows`);
    }
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
function addNormalizedWeights(g: GraphBuilder, idfRows: string, prefix: string): string {
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
  const E = towerTableRows(t);
  const ids = tableIds(g, t.rowMap, p);
  if (opts.quantize) {
    const { q, scales } = quantizeRows(t.embedding, E, t.dim);
    const table = g.init(`${p}.embedding_int8`, INT8, [E, t.dim], q);
    const scaleTable = g.init(`${p}.embedding_scale`, FLOAT, [E], scales);
    const rowsQ = g.op('Gather', [table, ids], `${p}.rows_int8`);
    rows = g.op('Cast', [rowsQ], `${p}.rows`, [intAttr('to', FLOAT)]);
    const rowScales = g.op('Gather', [scaleTable, ids], `${p}.row_scales`);
    rowWeights = g.op('Mul', [weights, rowScales], `${p}.scaled_weights`);
  } else {
    const table = g.init(`${p}.embedding`, FLOAT, [E, t.dim], t.embedding);
    rows = g.op('Gather', [table, ids], `${p}.rows`);
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
 * Inputs: `ids` int64 `[batch, L]` (feature rows: hashed buckets mapped through the feature vocabulary; padded with
 * 0, the padding row) and `counts` float `[batch, L]` (0 for padding). Deep members: per tower, idf-weighted counts,
 * L2-normalised (`max(norm, 1e-6)`, so an empty bag embeds to zero, never NaN), a weighted sum of the gathered
 * embedding rows (one batched MatMul `[B,1,L] × [B,L,D]`), ReLU, the optional hidden layer, the output layer divided by
 * the temperature (folded into `w2`, `b2`); the towers' logits are averaged. The wide member adds its scaled linear
 * scores ({@link addLinear}). Outputs: `logits` float `[batch, C]`, the combined logits of {@link IntentModelWeights},
 * and `probs` float `[batch, C]`, their softmax (single-label) or sigmoid (multi-label).
 *
 * With `quantize`, each embedding and the linear weight table are stored int8 with a per-row float scale
 * (quantizeRows); the graph gathers the int8 rows and their scales for the ids only, so the cost stays proportional to
 * L, not to the table.
 *
 * @example await writeFile('model.onnx', buildIntentOnnx(trained.weights, { quantize: true }));
 */
export function buildIntentOnnx(weights: IntentModelWeights, opts: { quantize: boolean }): Uint8Array {
  checkShapes(weights);
  const g = new GraphBuilder();
  g.init('const.axis1', INT64, [1], BigInt64Array.of(1n));
  g.init('const.norm_eps', FLOAT, [], Float32Array.of(NORM_EPSILON));
  g.init('const.one', FLOAT, [], Float32Array.of(1));
  // idf vectors gathered once per distinct array (members trained on the same data share one).
  const gathered: { idf: Float32Array; rows: string }[] = [];
  const idfRowsOf = (idf: Float32Array): string => {
    let hit = gathered.find((s) => sameArray(s.idf, idf));
    if (!hit) {
      const k = gathered.length;
      const name = g.init(`bag${k}.idf`, FLOAT, [idf.length], idf);
      hit = { idf, rows: g.op('Gather', [name, 'ids'], `bag${k}.idf_of_ids`) };
      gathered.push(hit);
    }
    return hit.rows;
  };
  const parts: string[] = [];
  const towers = weights.towers;
  if (canFuse(towers)) {
    const bag = addNormalizedWeights(g, idfRowsOf(towers[0].idf), 'bag0');
    parts.push(addFusedTowers(g, towers, bag, { quantize: opts.quantize, temperature: weights.temperature }));
  } else if (towers.length > 0) {
    const normalized: { idf: Float32Array; weights: string }[] = [];
    const logits = towers.map((t, k) => {
      let shared = normalized.find((s) => sameArray(s.idf, t.idf));
      if (!shared) {
        const prefix = `bag${normalized.length}`;
        shared = { idf: t.idf, weights: addNormalizedWeights(g, idfRowsOf(t.idf), prefix) };
        normalized.push(shared);
      }
      const out = `tower${k}.logits`;
      return addTower(g, t, shared.weights, `tower${k}`, {
        quantize: opts.quantize,
        temperature: weights.temperature,
        out,
      });
    });
    parts.push(logits.length === 1 ? logits[0] : g.op('Mean', logits, 'deep.logits'));
  }
  if (weights.linear && weights.linearScale) {
    parts.push(
      addLinear(g, weights.linear, idfRowsOf(weights.linear.idf), {
        quantize: opts.quantize,
        scale: weights.linearScale,
        shift: weights.bias,
      }),
    );
  } else if (weights.bias?.some((b) => b !== 0)) {
    parts.push(g.init('const.bias', FLOAT, [weights.labels.length], weights.bias));
  }
  const logits = parts.length === 1 ? g.op('Identity', parts, 'logits') : g.op('Sum', parts, 'logits');
  if (weights.mode === 'single') g.op('Softmax', [logits], 'probs', [intAttr('axis', -1)]);
  else g.op('Sigmoid', [logits], 'probs');
  return encodeModel(g, weights, opts);
}

/** Wraps the graph in a ModelProto (opset, IR version, metadata, inputs and outputs) and encodes it. */
function encodeModel(g: GraphBuilder, weights: IntentModelWeights, opts: { quantize: boolean }): Uint8Array {
  const c = weights.labels.length;
  const model = onnx.ModelProto.create({
    irVersion: INTENT_ONNX_IR_VERSION,
    opsetImport: [{ domain: '', version: INTENT_ONNX_OPSET }],
    producerName: 'switchboard',
    docString:
      `switchboard intent model: ${weights.towers.length} tower(s)${weights.linear ? ' + a linear member' : ''}, ` +
      `${weights.mode}-label, ${c} labels`,
    metadataProps: [
      { key: 'switchboard.kind', value: 'intent' },
      { key: 'switchboard.mode', value: weights.mode },
      { key: 'switchboard.labels', value: JSON.stringify(weights.labels) },
      { key: 'switchboard.buckets', value: String(modelRows(weights)) },
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
