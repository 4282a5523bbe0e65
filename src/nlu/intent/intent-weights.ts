/**
 * The learned parameters of one embedding-bag intent tower, in plain typed arrays (row-major).
 *
 * Forward pass (see `forward-reference.ts`):
 * `w_i = count_i * idf[id_i]`, `e = Σ w_i * embedding[id_i] / max(‖w‖₂, 1e-6)`, `h0 = relu(e)`,
 * `h1 = relu(h0 · w1 + b1)` (when `hidden > 0`, else `h1 = h0`), `logits = h1 · w2 + b2`.
 */
export interface TowerWeights {
  /** Embedding dimension D. */
  dim: number;
  /** Hidden units H; 0 means no hidden layer. */
  hidden: number;
  /** Number of labels C. */
  labels: number;
  /** Number of hash buckets V (rows of the embedding). */
  buckets: number;
  /** [V × D]. Row 0 is padding and stays zero. */
  embedding: Float32Array;
  /** [V] inverse-document-frequency weight per bucket (0 for padding). */
  idf: Float32Array;
  /** [D × H] (absent when hidden = 0). */
  w1?: Float32Array;
  /** [H]. */
  b1?: Float32Array;
  /** [(H or D) × C]. */
  w2: Float32Array;
  /** [C]. */
  b2: Float32Array;
}

/** Whether the labels are mutually exclusive (softmax) or independent (sigmoid). */
export type LabelMode = 'single' | 'multi';

/** A trained model: one or more towers (an ensemble averages their probabilities) plus calibration. */
export interface IntentModelWeights {
  mode: LabelMode;
  labels: string[];
  towers: TowerWeights[];
  /** Temperature T: probabilities are softmax(logits / T) or sigmoid(logits / T). */
  temperature: number;
}
