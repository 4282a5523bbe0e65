/**
 * The NER tagger as an ONNX graph: hashed token features → emission scores (int8 tables when allowed); Viterbi decoding
 * over the transitions runs in TypeScript.
 */
import onnxProto from 'onnx-proto';
import { NER_DENSE_OFFSETS } from '../nlu/entities/ner-features.ts';
import { INTENT_ONNX_IR_VERSION, INTENT_ONNX_OPSET, tensorType } from './export-onnx.ts';
import { FLOAT, GraphBuilder, INT8, INT64, intAttr } from './onnx-graph-builder.ts';
import { quantizeRows } from './quantize-rows.ts';
import type { TrainedNer } from './train-ner.ts';

const { onnx } = onnxProto;

/**
 * The ONNX graph of an NER model: input `ids` int64 `[tokens, F]` (each token's feature rows; 0 = unknown, a zero
 * row) → gathered emission rows summed per token → output `emissions` float `[tokens, K]`; outputs `transitions`
 * `[K, K]`, `start` `[K]` and `end` `[K]` carry the CRF's other parameters, so the one file holds every weight. With
 * `quantize`, the emission table is int8 with one float scale per row.
 */
export function buildNerOnnx(model: TrainedNer, opts: { quantize: boolean }): Uint8Array {
  const k = model.tags.length;
  const rows = model.buckets.length + 1;
  const g = new GraphBuilder();
  g.init('const.axis1', INT64, [1], BigInt64Array.of(1n));
  if (opts.quantize) {
    const { q, scales } = quantizeRows(model.weights, rows, k);
    g.init('emission_q', INT8, [rows, k], q);
    g.init('emission_scale', FLOAT, [rows, 1], scales);
    g.op('Gather', ['emission_q', 'ids'], 'rows_q', [intAttr('axis', 0)]);
    g.op('Cast', ['rows_q'], 'rows_f', [intAttr('to', FLOAT)]);
    g.op('Gather', ['emission_scale', 'ids'], 'row_scales', [intAttr('axis', 0)]);
    g.op('Mul', ['rows_f', 'row_scales'], 'rows');
  } else {
    g.init('emission', FLOAT, [rows, k], model.weights);
    g.op('Gather', ['emission', 'ids'], 'rows', [intAttr('axis', 0)]);
  }
  g.op('ReduceSum', ['rows', 'const.axis1'], model.dense ? 'sparse_emissions' : 'emissions', [intAttr('keepdims', 0)]);
  if (model.dense) addDenseTable(g, model.dense, k, opts.quantize);
  g.init('crf.transitions', FLOAT, [k, k], Float32Array.from(model.crf.transitions));
  g.init('crf.start', FLOAT, [k], Float32Array.from(model.crf.start));
  g.init('crf.end', FLOAT, [k], Float32Array.from(model.crf.end));
  g.op('Identity', ['crf.transitions'], 'transitions');
  g.op('Identity', ['crf.start'], 'start');
  g.op('Identity', ['crf.end'], 'end');
  const proto = onnx.ModelProto.create({
    irVersion: INTENT_ONNX_IR_VERSION,
    opsetImport: [{ domain: '', version: INTENT_ONNX_OPSET }],
    producerName: 'switchboard',
    docString: `switchboard NER model: linear-chain CRF emissions, ${k} BIO tags`,
    metadataProps: [
      { key: 'switchboard.kind', value: 'ner' },
      { key: 'switchboard.tags', value: JSON.stringify(model.tags) },
      { key: 'switchboard.quantized', value: String(opts.quantize) },
    ],
    graph: {
      name: 'ner_crf_emissions',
      node: g.nodes,
      initializer: g.initializers,
      input: [
        tensorType('ids', INT64, ['tokens', 'F']),
        ...(model.dense ? [tensorType('word_rows', INT64, ['tokens', NER_DENSE_OFFSETS])] : []),
      ],
      output: [
        tensorType('emissions', FLOAT, ['tokens', k]),
        tensorType('transitions', FLOAT, [k, k]),
        tensorType('start', FLOAT, [k]),
        tensorType('end', FLOAT, [k]),
      ],
    },
  });
  return onnx.ModelProto.encode(proto).finish();
}

/**
 * The baked dense word-vector scores: input `word_rows` int64 `[tokens, 3]` (see `denseRows`) → gathered rows of the
 * `[3 * (words + 1), K]` table summed per token and added to the sparse emissions. int8 with one scale for the whole
 * table when quantized (the rows are projections of unit vectors: one range fits them all).
 */
function addDenseTable(g: GraphBuilder, table: Float32Array, k: number, quantize: boolean): void {
  const rows = table.length / k;
  if (quantize) {
    let max = 0;
    for (const v of table) max = Math.max(max, Math.abs(v));
    const scale = max > 0 ? max / 127 : 1;
    g.init(
      'dense_q',
      INT8,
      [rows, k],
      Int8Array.from(table, (v) => Math.round(v / scale)),
    );
    g.init('dense_scale', FLOAT, [1], Float32Array.of(scale));
    g.op('Gather', ['dense_q', 'word_rows'], 'dense_rows_q', [intAttr('axis', 0)]);
    g.op('Cast', ['dense_rows_q'], 'dense_rows_c', [intAttr('to', FLOAT)]);
    g.op('Mul', ['dense_rows_c', 'dense_scale'], 'dense_rows');
  } else {
    g.init('dense', FLOAT, [rows, k], table);
    g.op('Gather', ['dense', 'word_rows'], 'dense_rows', [intAttr('axis', 0)]);
  }
  g.op('ReduceSum', ['dense_rows', 'const.axis1'], 'dense_emissions', [intAttr('keepdims', 0)]);
  g.op('Add', ['sparse_emissions', 'dense_emissions'], 'emissions');
}
