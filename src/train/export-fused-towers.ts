/**
 * The ONNX nodes of several embedding-bag towers fused into batched MatMuls (one embedding table, one hidden layer per
 * tower side by side), with their int8 variant.
 */
import { type TowerWeights, towerTableRows } from '../nlu/intent/intent-weights.ts';
import { FLOAT, type GraphBuilder, INT8, INT32, INT64, intAttr, intsAttr } from './onnx-graph-builder.ts';
import { dequantizeRows, quantizeRows } from './quantize-rows.ts';

/**
 * Whether an ensemble can run as ONE wide tower: at least two towers with the same rows, dimension, hidden size and
 * idf (towers trained together share all four). ONNX Runtime's cost per node dominates a single message, so running K
 * towers as one graph of block-diagonal layers instead of K graphs roughly divides the per-message cost by K.
 */
export function canFuse(towers: readonly TowerWeights[]): boolean {
  if (towers.length < 2) return false;
  const [t0] = towers;
  return towers.every(
    (t) =>
      t.buckets === t0.buckets &&
      t.dim === t0.dim &&
      t.hidden === t0.hidden &&
      sameValues(t.idf, t0.idf) &&
      sameMap(t.rowMap, t0.rowMap),
  );
}

function sameMap(a: Int32Array | undefined, b: Int32Array | undefined): boolean {
  if (a === b) return true;
  if (!a || !b || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function sameValues(a: Float32Array, b: Float32Array): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * The indices a tower gathers its embedding rows with: `ids`, or — with a row map — `Gather(map, ids)` (int32), the
 * same node for every tower sharing the map (named by `prefix`).
 */
export function tableIds(g: GraphBuilder, rowMap: Int32Array | undefined, prefix: string): string {
  if (!rowMap) return 'ids';
  return g.op('Gather', [g.init(`${prefix}.row_map`, INT32, [rowMap.length], rowMap), 'ids'], `${prefix}.table_ids`);
}

/** The towers' embeddings side by side: row r is `[tower0 row r | tower1 row r | …]`, `[E × K·D]`. */
export function fusedEmbedding(towers: readonly TowerWeights[]): Float32Array {
  const { dim: D } = towers[0];
  const V = towerTableRows(towers[0]);
  const K = towers.length;
  const out = new Float32Array(V * K * D);
  for (let r = 0; r < V; r++) {
    towers.forEach((t, k) => {
      out.set(t.embedding.subarray(r * D, (r + 1) * D), (r * K + k) * D);
    });
  }
  return out;
}

/** Splits a fused `[V × K·D]` table back into the K towers' `[V × D]` embeddings. */
export function splitFusedEmbedding(fused: Float32Array, V: number, K: number, D: number): Float32Array[] {
  return Array.from({ length: K }, (_, k) => {
    const e = new Float32Array(V * D);
    for (let r = 0; r < V; r++) e.set(fused.subarray((r * K + k) * D, (r * K + k + 1) * D), r * D);
    return e;
  });
}

/** The fused table after int8 quantization (one scale per fused row) and back, split per tower. */
export function dequantizedFusedEmbeddings(towers: readonly TowerWeights[]): Float32Array[] {
  const { dim: D } = towers[0];
  const V = towerTableRows(towers[0]);
  const K = towers.length;
  const q = quantizeRows(fusedEmbedding(towers), V, K * D);
  return splitFusedEmbedding(dequantizeRows(q, K * D), V, K, D);
}

/** K `[rows × cols]` row-major blocks stacked as one `[K × rows × cols]` tensor, each scaled by `scale`. */
function stacked(blocks: Float32Array[], scale = 1): Float32Array {
  const out = new Float32Array(blocks.reduce((n, b) => n + b.length, 0));
  let at = 0;
  for (const b of blocks) {
    for (let i = 0; i < b.length; i++) out[at + i] = b[i] * scale;
    at += b.length;
  }
  return out;
}

/**
 * Adds K fusable towers as one wide tower: one gather of the fused embedding rows, the hidden and output layers as
 * batched MatMuls over the towers, then the `[B, K, C]` logits (already divided by the temperature) averaged over the
 * towers. Computes exactly what K separate towers compute. Returns the name of the `[B, C]` mean logits.
 */
export function addFusedTowers(
  g: GraphBuilder,
  towers: TowerWeights[],
  weights: string,
  opts: { quantize: boolean; temperature: number },
): string {
  const { dim: D, hidden: H, labels: C } = towers[0];
  const V = towerTableRows(towers[0]);
  const K = towers.length;
  const table = fusedEmbedding(towers);
  const ids = tableIds(g, towers[0].rowMap, 'fused');
  let rows: string;
  let rowWeights = weights;
  if (opts.quantize) {
    const { q, scales } = quantizeRows(table, V, K * D);
    const rowsQ = g.op('Gather', [g.init('fused.embedding_int8', INT8, [V, K * D], q), ids], 'fused.rows_int8');
    rows = g.op('Cast', [rowsQ], 'fused.rows', [intAttr('to', FLOAT)]);
    const rowScales = g.op('Gather', [g.init('fused.embedding_scale', FLOAT, [V], scales), ids], 'fused.row_scales');
    rowWeights = g.op('Mul', [weights, rowScales], 'fused.scaled_weights');
  } else {
    rows = g.op('Gather', [g.init('fused.embedding', FLOAT, [V, K * D], table), ids], 'fused.rows');
  }
  // [B,1,L] × [B,L,K·D] → [B,1,K·D], viewed as [B,K,1,D]: each tower's layers are then one batched MatMul with a
  // [K, in, out] weight (broadcast over the batch), with no zero blocks stored.
  const w3 = g.op('Unsqueeze', [rowWeights, 'const.axis1'], 'fused.weights_3d');
  const bag = g.op('MatMul', [w3, rows], 'fused.bag');
  const shape4 = g.init('const.fused_bag_shape', INT64, [4], BigInt64Array.of(0n, BigInt(K), 1n, BigInt(D)));
  let h = g.op('Relu', [g.op('Reshape', [bag, shape4], 'fused.bag_4d')], 'fused.h0');
  let inDim = D;
  if (H > 0) {
    const w1 = g.init('fused.w1', FLOAT, [K, D, H], stacked(towers.map((t) => t.w1!)));
    const b1 = g.init('fused.b1', FLOAT, [K, 1, H], stacked(towers.map((t) => t.b1!)));
    h = g.op('Relu', [g.op('Add', [g.op('MatMul', [h, w1], 'fused.h0_w1'), b1], 'fused.z1')], 'fused.h1');
    inDim = H;
  }
  const invT = 1 / opts.temperature;
  const w2 = g.init(
    'fused.w2_over_t',
    FLOAT,
    [K, inDim, C],
    stacked(
      towers.map((t) => t.w2),
      invT,
    ),
  );
  const b2 = g.init(
    'fused.b2_over_t',
    FLOAT,
    [K, 1, C],
    stacked(
      towers.map((t) => t.b2),
      invT,
    ),
  );
  const out4 = g.op('Add', [g.op('MatMul', [h, w2], 'fused.h_w2'), b2], 'fused.logits_4d');
  const shape = g.init('const.fused_shape', INT64, [3], BigInt64Array.of(0n, BigInt(K), BigInt(C)));
  const perTower = g.op('Reshape', [out4, shape], 'fused.logits');
  return g.op('ReduceMean', [perTower], 'deep.logits', [intsAttr('axes', [1]), intAttr('keepdims', 0)]);
}
