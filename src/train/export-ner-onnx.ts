/**
 * The NER tagger as an ONNX graph: hashed token features → emission scores (int8 tables when allowed); Viterbi decoding
 * over the transitions runs in TypeScript.
 */
import onnxProto from 'onnx-proto';
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
  g.op('ReduceSum', ['rows', 'const.axis1'], 'emissions', [intAttr('keepdims', 0)]);
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
      input: [tensorType('ids', INT64, ['tokens', 'F'])],
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
