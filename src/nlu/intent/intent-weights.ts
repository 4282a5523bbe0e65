/**
 * The learned parameters of an intent model in plain typed arrays (row-major): deep members (embedding-bag towers) and
 * the wide member (a linear model over TF-IDF features), combined in logit space. The reference forward pass is
 * `forward-reference.ts`; the ONNX export computes the same.
 */

/**
 * One embedding-bag tower (a deep member).
 *
 * `w_i = count_i * idf[id_i]`, `e = Σ w_i * embedding[row(id_i)] / max(‖w‖₂, 1e-6)` (row: `rowMap[id]`, or the
 * id), `h0 = relu(e)`,
 * `h1 = relu(h0 · w1 + b1)` (when `hidden > 0`, else `h1 = h0`), `z = h1 · w2 + b2`.
 */
export interface TowerWeights {
  /** Embedding dimension D. */
  dim: number;
  /** Hidden units H; 0 means no hidden layer. */
  hidden: number;
  /** Number of labels C. */
  labels: number;
  /** Number of feature rows V the tower reads (the model's rows; the rows of the embedding unless `rowMap` is set). */
  buckets: number;
  /**
   * [E × D] with E = V, or E = the table rows of `rowMap`. Row 0 is padding and stays zero.
   */
  embedding: Float32Array;
  /**
   * [V] the embedding row of each feature row, 0 for a feature the tower does not read (its idf is then 0 too).
   * Absent: the identity. The linear member can then keep more feature rows than the towers, whose tables cost
   * K·D bytes a row against its C (see {@link towerTableRows}).
   */
  rowMap?: Int32Array;
  /** [V] inverse-document-frequency weight per row (0 for padding, and for rows `rowMap` sends to 0). */
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

/**
 * The wide member: a one-vs-rest linear model (trained as a linear SVM) over sublinear TF-IDF features, each family
 * (word n-grams, character n-grams) L2-normalised on its own, as scikit-learn's `FeatureUnion` of two
 * `TfidfVectorizer`s does: `x_i = (1 + ln count_i) · idf[id_i] / max(‖x_family(i)‖₂, 1e-6)`,
 * `s = Σ x_i · weights[id_i] + bias`.
 */
export interface LinearWeights {
  /** Number of feature rows V (the towers' rows). */
  rows: number;
  /** Number of labels C. */
  labels: number;
  /** [V × C]: one row of label weights per feature row. Row 0 (padding) is zero. */
  weights: Float32Array;
  /** [C]. */
  bias: Float32Array;
  /** [V] idf per row (0 for padding). */
  idf: Float32Array;
  /** [V] 1 where the row is a word feature (word n-gram), 0 for a character n-gram. */
  wordRows: Uint8Array;
}

/** Whether the labels are mutually exclusive (softmax) or independent (sigmoid). */
export type LabelMode = 'single' | 'multi';

/**
 * A trained model. Its logits are `mean_k(z_k) / temperature + linearScale · s + bias` over the towers `z_k` and the
 * linear member `s` (either may be absent); probabilities are the softmax (single-label) or sigmoid (multi-label) of
 * the logits. The scalars and the bias are fitted on held-out data (a stacked, calibrated combination; the bias holds
 * the multi-label offset and the out-of-scope label's shift).
 */
export interface IntentModelWeights {
  mode: LabelMode;
  labels: string[];
  /** Deep members (may be empty when the linear member alone validated best). */
  towers: TowerWeights[];
  /** Temperature T of the towers' mean logits. */
  temperature: number;
  /** The wide member, if any. */
  linear?: LinearWeights;
  /** Weight of the linear member's scores in the logits (0 when there is none). */
  linearScale?: number;
  /** [C] added to the logits (absent: zeros). */
  bias?: Float32Array;
}

/** Rows E of a tower's embedding table: V, or fewer when a row map sends the rare feature rows to none. */
export function towerTableRows(t: TowerWeights): number {
  return t.embedding.length / t.dim;
}

/** Feature rows of a model (the towers' and the linear member's tables). */
export function modelRows(w: IntentModelWeights): number {
  return w.towers[0]?.buckets ?? w.linear?.rows ?? 0;
}
