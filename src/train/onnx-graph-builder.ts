/**
 * A small builder of ONNX graphs (nodes, initializers, attributes) over onnx-proto, used by the exporters.
 */
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;
type NodeProto = onnxProto.onnx.INodeProto;
type TensorProto = onnxProto.onnx.ITensorProto;
type AttributeProto = onnxProto.onnx.IAttributeProto;

/** ONNX element types used by the intent graphs. */
export const FLOAT = onnx.TensorProto.DataType.FLOAT;
export const INT8 = onnx.TensorProto.DataType.INT8;
export const INT32 = onnx.TensorProto.DataType.INT32;
export const INT64 = onnx.TensorProto.DataType.INT64;

/** Builds ONNX nodes and initializers with readable, unique names. */
export class GraphBuilder {
  readonly nodes: NodeProto[] = [];
  readonly initializers: TensorProto[] = [];

  /** Adds a node whose single output is named `output`; returns that name. */
  op(opType: string, inputs: string[], output: string, attrs: AttributeProto[] = []): string {
    this.nodes.push({ opType, input: inputs, output: [output], name: `${output}/${opType}`, attribute: attrs });
    return output;
  }

  /** Adds an initializer from a typed array (raw little-endian bytes); returns its name. */
  init(
    name: string,
    dataType: number,
    dims: number[],
    data: Float32Array | Int8Array | Int32Array | BigInt64Array,
  ): string {
    const rawData = new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice();
    this.initializers.push({ name, dataType, dims, rawData });
    return name;
  }
}

export const intAttr = (name: string, i: number): AttributeProto => ({
  name,
  type: onnx.AttributeProto.AttributeType.INT,
  i,
});
export const intsAttr = (name: string, ints: number[]): AttributeProto => ({
  name,
  type: onnx.AttributeProto.AttributeType.INTS,
  ints,
});
