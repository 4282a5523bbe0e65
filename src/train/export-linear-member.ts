/**
 * The ONNX nodes of the intent model's wide member: the linear SVM over sublinear TF-IDF features, the word and
 * character families each L2-normalised on its own. Expects the graph inputs `ids` and `counts` and the constants
 * `const.one`, `const.norm_eps`, `const.axis1` (added by `buildIntentOnnx`).
 */
import type { LinearWeights } from '../nlu/intent/intent-weights.ts';
import { FLOAT, type GraphBuilder, INT8, intAttr, intsAttr } from './onnx-graph-builder.ts';
import { quantizeRows } from './quantize-rows.ts';

/**
 * The linear member's `[B, C]` logits, scaled by `scale` and shifted by `shift` (both folded into the stored rows
 * and bias): sublinear TF-IDF (`1 + ln count`, 0 for padding through idf[0] = 0), the word and character families
 * each L2-normalised on its own (a `[V]` 0/1 word mask gathered per id), then one batched MatMul with the gathered
 * weight rows, as for an embedding.
 */
export function addLinear(
  g: GraphBuilder,
  lin: LinearWeights,
  idfRows: string,
  opts: { quantize: boolean; scale: number; shift?: Float32Array },
): string {
  const C = lin.labels;
  const tf = g.op(
    'Add',
    [g.op('Log', [g.op('Max', ['counts', 'const.one'], 'linear.counts_at_least_1')], 'linear.log_counts'), 'const.one'],
    'linear.tf',
  );
  const v = g.op('Mul', [tf, idfRows], 'linear.tfidf');
  const mask = g.op(
    'Gather',
    [g.init('linear.word_rows', FLOAT, [lin.rows], Float32Array.from(lin.wordRows)), 'ids'],
    'linear.is_word',
  );
  const wordPart = g.op('Mul', [v, mask], 'linear.word_tfidf');
  const charPart = g.op('Sub', [v, wordPart], 'linear.char_tfidf');
  const l2 = [intsAttr('axes', [1]), intAttr('keepdims', 1)];
  const norm = (x: string, name: string) =>
    g.op('Max', [g.op('ReduceL2', [x], `${name}_l2`, l2), 'const.norm_eps'], name);
  const wordNorm = norm(wordPart, 'linear.word_norm');
  const charNorm = norm(charPart, 'linear.char_norm');
  // denom = charNorm + mask · (wordNorm − charNorm): each id divided by its own family's norm.
  const denom = g.op(
    'Add',
    [charNorm, g.op('Mul', [mask, g.op('Sub', [wordNorm, charNorm], 'linear.norm_gap')], 'linear.mask_gap')],
    'linear.denom',
  );
  let x = g.op('Div', [v, denom], 'linear.x');
  let rows: string;
  if (opts.quantize) {
    const { q, scales } = quantizeRows(lin.weights, lin.rows, C);
    const rowsQ = g.op('Gather', [g.init('linear.weights_int8', INT8, [lin.rows, C], q), 'ids'], 'linear.rows_int8');
    rows = g.op('Cast', [rowsQ], 'linear.rows', [intAttr('to', FLOAT)]);
    const scaled = scales.map((s) => s * opts.scale);
    const rowScales = g.op(
      'Gather',
      [g.init('linear.row_scale', FLOAT, [lin.rows], scaled), 'ids'],
      'linear.row_scales',
    );
    x = g.op('Mul', [x, rowScales], 'linear.scaled_x');
  } else {
    const table = g.init(
      'linear.weights',
      FLOAT,
      [lin.rows, C],
      lin.weights.map((w) => w * opts.scale),
    );
    rows = g.op('Gather', [table, 'ids'], 'linear.rows');
  }
  const x3 = g.op('Unsqueeze', [x, 'const.axis1'], 'linear.x_3d');
  const s = g.op('Squeeze', [g.op('MatMul', [x3, rows], 'linear.s_3d'), 'const.axis1'], 'linear.s');
  const bias = g.init(
    'linear.bias',
    FLOAT,
    [C],
    lin.bias.map((b, c) => b * opts.scale + (opts.shift?.[c] ?? 0)),
  );
  return g.op('Add', [s, bias], 'linear.logits');
}
