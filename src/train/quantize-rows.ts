/**
 * Symmetric per-row int8 quantization of weight tables (embeddings, the linear member's rows): what the int8 ONNX
 * export stores, and its inverse, so the trainer can measure the accuracy cost in TypeScript.
 */

/** A table quantized row by row: `table[r, k] ≈ q[r, k] · scales[r]`. */
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
