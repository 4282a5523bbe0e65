/**
 * Feature weighting on the host: the intent graph's first nodes turn `counts` into L2-normalised TF-IDF weights, a
 * handful of element-wise nodes on `[batch, L]` each. ONNX Runtime's cost per node dominates one short message, so at
 * load time the classifier rewrites the graph: those nodes are cut, the tensors they produced become graph inputs,
 * and TypeScript computes them in one pass over the ids (the idf vectors, word mask and epsilon read from the graph's
 * own initializers). The file on disk is untouched and stays the complete model; a graph whose weighting is not
 * recognised node for node runs as it is.
 */
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;
type NodeProto = onnxProto.onnx.INodeProto;
type TensorProto = onnxProto.onnx.ITensorProto;

/** One weighting computed on the host, fed to the rewritten graph as the float `[batch, L]` input `name`. */
export type HostWeight =
  | {
      /** `w = counts · idf[id]`, divided by `max(‖w‖₂, eps)` (the towers' bag weights). */
      kind: 'tfidf';
      name: string;
      idf: Float32Array;
      eps: number;
      /** Per-row factors applied after normalising (an int8 table's row scales), if the graph has them. */
      scale?: Float32Array;
      /** Fed as `[batch, 1, L]` (the graph's own `Unsqueeze` before its MatMul is cut too). */
      unsqueezed?: boolean;
    }
  | {
      /**
       * `v = (1 + ln max(count, 1)) · idf[id]`, each family (word rows, character rows) divided by `max(its ‖v‖₂,
       * eps)` (the linear member's input).
       */
      kind: 'sublinear';
      name: string;
      idf: Float32Array;
      wordRows: Float32Array;
      eps: number;
      scale?: Float32Array;
      unsqueezed?: boolean;
    };

/** A graph with its weighting moved to the host. */
export interface HostWeightedGraph {
  /** The rewritten model: inputs `ids` and one float `[batch, L]` input per weighting. */
  bytes: Uint8Array;
  weights: HostWeight[];
}

/**
 * The rewritten graph, or undefined when the weighting nodes are not exactly those the exporter writes (an older or
 * foreign graph then runs unchanged). A decoded model passed in is rewritten in place.
 * @example const plan = hostWeightedGraph(bytes); // plan.weights[0].kind === 'tfidf'
 */
export function hostWeightedGraph(bytes: Uint8Array | onnxProto.onnx.ModelProto): HostWeightedGraph | undefined {
  const model = bytes instanceof Uint8Array ? decodeGraph(bytes) : bytes; // a decoded model is rewritten in place
  if (!model) return undefined;
  const graph = model.graph;
  if (!graph) return undefined;
  const inputs = (graph.input ?? []).map((i) => i.name);
  if (inputs.length !== 2 || !inputs.includes('ids') || !inputs.includes('counts')) return undefined;
  const g = new GraphIndex(graph.node ?? [], graph.initializer ?? []);
  const weights: HostWeight[] = [];
  for (const node of graph.node ?? []) {
    if (node.opType !== 'Div' || node.output?.length !== 1) continue;
    const w = g.matchTfidf(node) ?? g.matchSublinear(node);
    if (w) weights.push(g.unsqueezed(g.withRowScale(w)));
  }
  if (weights.length === 0) return undefined;
  const outputs = (graph.output ?? []).map((o) => o.name ?? '');
  const kept = g.liveNodes(outputs, new Set(['ids', ...weights.map((w) => w.name)]));
  if (!kept || kept.some((n) => n.input?.includes('counts'))) return undefined;
  const used = new Set(kept.flatMap((n) => n.input ?? []));
  const idsInput = graph.input?.find((i) => i.name === 'ids');
  const countsInput = graph.input?.find((i) => i.name === 'counts');
  if (!idsInput || !countsInput) return undefined;
  graph.node = kept;
  graph.initializer = (graph.initializer ?? []).filter((t) => used.has(t.name ?? ''));
  graph.input = [
    idsInput,
    ...weights.map((w) => ({
      ...countsInput,
      name: w.name,
      type: floatType(w.unsqueezed ? ['batch', 1, 'L'] : ['batch', 'L']),
    })),
  ];
  return { bytes: onnx.ModelProto.encode(model).finish(), weights };
}

/**
 * Fills `out[row·len + i]` with the weight of id `i` of each bag (0 for padding), exactly as the cut nodes computed
 * it (float32 products, norms accumulated in float64).
 */
export function fillHostWeight(
  w: HostWeight,
  bags: readonly { ids: Int32Array; counts: Float32Array }[],
  len: number,
  out: Float32Array,
): void {
  for (let row = 0; row < bags.length; row++) {
    const { ids, counts } = bags[row];
    const base = row * len;
    const n = ids.length;
    if (w.kind === 'tfidf') {
      let sumSq = 0;
      for (let i = 0; i < n; i++) {
        const v = Math.fround(counts[i] * w.idf[ids[i]]);
        out[base + i] = v;
        sumSq += v * v;
      }
      const denom = Math.max(Math.fround(Math.sqrt(sumSq)), w.eps);
      for (let i = 0; i < n; i++) out[base + i] /= denom;
      if (w.scale) for (let i = 0; i < n; i++) out[base + i] *= w.scale[ids[i]];
    } else {
      let word = 0;
      let char = 0;
      for (let i = 0; i < n; i++) {
        const tf = Math.fround(Math.fround(Math.log(Math.max(counts[i], 1))) + 1);
        const v = Math.fround(tf * w.idf[ids[i]]);
        out[base + i] = v;
        if (w.wordRows[ids[i]] !== 0) word += v * v;
        else char += v * v;
      }
      const wordNorm = Math.max(Math.fround(Math.sqrt(word)), w.eps);
      const charNorm = Math.max(Math.fround(Math.sqrt(char)), w.eps);
      for (let i = 0; i < n; i++) out[base + i] /= w.wordRows[ids[i]] !== 0 ? wordNorm : charNorm;
      if (w.scale) for (let i = 0; i < n; i++) out[base + i] *= w.scale[ids[i]];
    }
    out.fill(0, base + n, base + len);
  }
}

/**
 * What is wrong with the row maps of an intent graph (a tower's `Gather(map, ids)` feeding the gathers of its
 * tables), or undefined when every map entry is a row of every table it indexes. ONNX Runtime would only fail on the
 * message that reaches a bad entry; the load checks them all.
 * @example rowMapProblem(decodeGraph(bytes)!) // 'fused.row_map[17] = 9000 is outside fused.embedding_int8 (4000 rows)'
 */
export function rowMapProblem(model: onnxProto.onnx.ModelProto): string | undefined {
  const graph = model.graph;
  if (!graph) return undefined;
  return new GraphIndex(graph.node ?? [], graph.initializer ?? []).rowMapProblem();
}

/** The decoded ONNX model, or undefined when the bytes are not one. */
export function decodeGraph(bytes: Uint8Array): onnxProto.onnx.ModelProto | undefined {
  try {
    return onnx.ModelProto.decode(bytes);
  } catch {
    return undefined;
  }
}

/**
 * The labels an intent graph records in its metadata (`switchboard.labels`, written by the exporter), or undefined
 * when it has none.
 * @example graphLabels(decodeGraph(bytes)!) // ['alarm_query', 'alarm_remove', …]
 */
export function graphLabels(model: onnxProto.onnx.ModelProto): string[] | undefined {
  try {
    const entry = model.metadataProps?.find((p) => p.key === 'switchboard.labels');
    const labels: unknown = entry?.value ? JSON.parse(entry.value) : undefined;
    return Array.isArray(labels) && labels.every((l) => typeof l === 'string') ? labels : undefined;
  } catch {
    return undefined;
  }
}

/** A float tensor type of these dims (numbers or symbolic names). */
function floatType(dims: (number | string)[]): onnxProto.onnx.ITypeProto {
  return {
    tensorType: {
      elemType: onnx.TensorProto.DataType.FLOAT,
      shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
    },
  };
}

/** Producers and initializers of a graph, and the node patterns the exporter writes. */
class GraphIndex {
  private readonly producer = new Map<string, NodeProto>();
  private readonly inits = new Map<string, TensorProto>();

  constructor(
    private readonly nodes: readonly NodeProto[],
    initializers: readonly TensorProto[],
  ) {
    for (const n of nodes) for (const o of n.output ?? []) this.producer.set(o, n);
    for (const t of initializers) if (t.name) this.inits.set(t.name, t);
  }

  /** `Div(Mul(counts, Gather(idf, ids)) = w, Max(ReduceL2(w, axes [1], keepdims 1), eps))`. */
  matchTfidf(div: NodeProto): HostWeight | undefined {
    const [wName, denomName] = div.input ?? [];
    const mul = this.op(wName, 'Mul');
    if (!mul || mul.input?.[0] !== 'counts') return undefined;
    const idf = this.gatheredVector(mul.input?.[1]);
    const eps = this.normOf(denomName, wName);
    if (!idf || eps === undefined) return undefined;
    return { kind: 'tfidf', name: div.output![0], idf, eps };
  }

  /**
   * `Div(v, Add(charNorm, Mul(mask, Sub(wordNorm, charNorm))))` with `v = Mul(Add(Log(Max(counts, 1)), 1),
   * Gather(idf, ids))`, `mask = Gather(wordRows, ids)`, `wordNorm = Max(ReduceL2(Mul(v, mask)), eps)` and `charNorm =
   * Max(ReduceL2(Sub(v, Mul(v, mask))), eps)`.
   */
  matchSublinear(div: NodeProto): HostWeight | undefined {
    const [vName, denomName] = div.input ?? [];
    const v = this.op(vName, 'Mul');
    const tf = this.op(v?.input?.[0], 'Add');
    const log = this.op(tf?.input?.[0], 'Log');
    const max = this.op(log?.input?.[0], 'Max');
    if (!v || !tf || !max || max.input?.[0] !== 'counts') return undefined;
    if (this.scalar(tf.input?.[1]) !== 1 || this.scalar(max.input?.[1]) !== 1) return undefined;
    const idf = this.gatheredVector(v.input?.[1]);
    const denom = this.op(denomName, 'Add');
    const maskGap = this.op(denom?.input?.[1], 'Mul');
    const gap = this.op(maskGap?.input?.[1], 'Sub');
    const wordRows = this.gatheredVector(maskGap?.input?.[0]);
    if (!idf || !denom || !gap || !wordRows || idf.length !== wordRows.length) return undefined;
    // The host picks each id's family from the mask and gives padding 0: a 0/1 mask and idf[0] = 0 (the padding
    // row) make that exactly what the graph computes, as the exporter writes them.
    if (idf[0] !== 0 || wordRows.some((m) => m !== 0 && m !== 1)) return undefined;
    const charNormName = denom.input?.[0];
    if (gap.input?.[0] === undefined || gap.input?.[1] !== charNormName) return undefined;
    const wordPart = this.op(this.op(this.op(gap.input[0], 'Max')?.input?.[0], 'ReduceL2')?.input?.[0], 'Mul');
    if (!wordPart || wordPart.input?.[0] !== vName || wordPart.input?.[1] !== maskGap?.input?.[0]) return undefined;
    const charPart = this.op(this.op(this.op(charNormName, 'Max')?.input?.[0], 'ReduceL2')?.input?.[0], 'Sub');
    if (!charPart || charPart.input?.[0] !== vName || charPart.input?.[1] !== wordPart.output?.[0]) return undefined;
    const epsWord = this.normOf(gap.input[0], wordPart.output![0]);
    const epsChar = this.normOf(charNormName, charPart.output![0]);
    if (epsWord === undefined || epsWord !== epsChar) return undefined;
    return { kind: 'sublinear', name: div.output![0], idf, wordRows, eps: epsWord };
  }

  /**
   * The weighting extended by the row scales of an int8 table when its only consumer is `Mul(weights, Gather(scale,
   * ids))`: the host then feeds that product instead.
   */
  withRowScale(w: HostWeight): HostWeight {
    const consumers = this.nodes.filter((n) => n.input?.includes(w.name));
    const mul = consumers.length === 1 ? consumers[0] : undefined;
    if (mul?.opType !== 'Mul' || mul.input?.length !== 2 || mul.input[0] !== w.name || mul.output?.length !== 1)
      return w;
    const scale = this.gatheredVector(mul.input[1]);
    if (!scale || scale.length !== w.idf.length) return w;
    return { ...w, name: mul.output[0], scale };
  }

  /** See {@link rowMapProblem}. */
  rowMapProblem(): string | undefined {
    // A map's rows reach the tables only through direct Gathers: anything in between (a Cast, an Add…) could move
    // them outside what is checked here.
    for (const mapGather of this.nodes) {
      if (mapGather.opType !== 'Gather' || mapGather.input?.[1] !== 'ids') continue;
      const mapName = mapGather.input?.[0] ?? '';
      if (this.inits.get(mapName)?.dataType !== onnx.TensorProto.DataType.INT32) continue;
      const out = mapGather.output?.[0] ?? '';
      const strange = this.nodes.find(
        (n) => n.input?.includes(out) && !(n.opType === 'Gather' && n.input[1] === out && n.input[0] !== out),
      );
      if (strange) return `${mapName} feeds ${strange.opType} ${strange.name ?? ''}, not only table gathers`;
    }
    for (const gather of this.nodes) {
      if (gather.opType !== 'Gather') continue;
      const inner = this.axis0Gather(gather.input?.[1]);
      if (inner?.input?.[1] !== 'ids') continue;
      const mapName = inner.input?.[0] ?? '';
      const map = this.int32s(mapName);
      const table = this.inits.get(gather.input?.[0] ?? '');
      if (!map) return `${mapName} is not a 1-D int32 row map`;
      const rows = Number(table?.dims?.[0] ?? -1);
      if (!table || rows < 1) return `${gather.input?.[0]} is not a table initializer`;
      const bad = map.findIndex((r) => r < 0 || r >= rows);
      if (bad >= 0) return `${mapName}[${bad}] = ${map[bad]} is outside ${gather.input?.[0]} (${rows} rows)`;
    }
    return undefined;
  }

  /** The weighting fed already unsqueezed when its only consumer is `Unsqueeze(weights, axes = [1])`. */
  unsqueezed(w: HostWeight): HostWeight {
    const consumers = this.nodes.filter((n) => n.input?.includes(w.name));
    const node = consumers.length === 1 ? consumers[0] : undefined;
    if (node?.opType !== 'Unsqueeze' || node.input?.[0] !== w.name || node.output?.length !== 1) return w;
    const axes = this.ints(node.input?.[1]);
    if (!axes || axes.length !== 1 || axes[0] !== 1) return w;
    return { ...w, name: node.output[0], unsqueezed: true };
  }

  /**
   * The nodes still needed to compute `outputs` when `given` are inputs, in their original (topological) order; or
   * undefined if some needed tensor has no producer.
   */
  liveNodes(outputs: readonly string[], given: ReadonlySet<string>): NodeProto[] | undefined {
    const live = new Set<NodeProto>();
    const stack = [...outputs];
    while (stack.length > 0) {
      const name = stack.pop()!;
      if (given.has(name) || this.inits.has(name) || name === '') continue;
      const node = this.producer.get(name);
      if (!node) return undefined;
      if (live.has(node)) continue;
      live.add(node);
      stack.push(...(node.input ?? []));
    }
    return this.nodes.filter((n) => live.has(n));
  }

  /** The eps of `Max(ReduceL2(of, axes [1], keepdims 1), eps)` producing `name`. */
  private normOf(name: string | undefined, of: string): number | undefined {
    const max = this.op(name, 'Max');
    const l2 = this.op(max?.input?.[0], 'ReduceL2');
    if (!max || !l2 || l2.input?.length !== 1 || l2.input[0] !== of) return undefined;
    const attr = new Map((l2.attribute ?? []).map((a) => [a.name, a]));
    const axes = (attr.get('axes')?.ints ?? []).map(Number);
    if (axes.length !== 1 || axes[0] !== 1 || Number(attr.get('keepdims')?.i ?? 1) !== 1) return undefined;
    return this.scalar(max.input?.[1]);
  }

  private op(name: string | undefined, opType: string): NodeProto | undefined {
    const node = name === undefined ? undefined : this.producer.get(name);
    return node?.opType === opType && node.output?.length === 1 ? node : undefined;
  }

  /**
   * The float vector `[V]` of `Gather(vector, ids)` producing `name` — or of `Gather(vector, Gather(map, ids))`, a
   * tower's row map (int32 `[V]`) in between: then `vector[map[id]]` for every id.
   */
  private gatheredVector(name: string | undefined): Float32Array | undefined {
    const gather = this.axis0Gather(name);
    if (!gather) return undefined;
    const t = this.floats(gather.input?.[0]);
    if (t?.dims.length !== 1) return undefined;
    if (gather.input?.[1] === 'ids') return t.data;
    const inner = this.axis0Gather(gather.input?.[1]);
    const map = inner?.input?.[1] === 'ids' ? this.int32s(inner.input?.[0]) : undefined;
    if (!map || map.some((r) => r < 0 || r >= t.data.length)) return undefined;
    return Float32Array.from(map, (r) => t.data[r]);
  }

  private axis0Gather(name: string | undefined): NodeProto | undefined {
    const gather = this.op(name, 'Gather');
    return gather && Number(gather.attribute?.find((a) => a.name === 'axis')?.i ?? 0) === 0 ? gather : undefined;
  }

  /** A 1-D int32 initializer's values. */
  private int32s(name: string | undefined): Int32Array | undefined {
    const t = name === undefined ? undefined : this.inits.get(name);
    if (!t || t.dataType !== onnx.TensorProto.DataType.INT32 || (t.dims ?? []).length !== 1) return undefined;
    const size = Number(t.dims![0]);
    if (t.rawData && t.rawData.length > 0) {
      if (t.rawData.length !== size * 4) return undefined;
      const data = new Int32Array(size);
      new Uint8Array(data.buffer).set(t.rawData);
      return data;
    }
    return t.int32Data && t.int32Data.length === size ? Int32Array.from(t.int32Data) : undefined;
  }

  /** An int64 initializer's values. */
  private ints(name: string | undefined): number[] | undefined {
    const t = name === undefined ? undefined : this.inits.get(name);
    if (!t || t.dataType !== onnx.TensorProto.DataType.INT64) return undefined;
    if (t.rawData && t.rawData.length > 0) {
      if (t.rawData.length % 8 !== 0) return undefined;
      const copy = new Uint8Array(t.rawData);
      return [...new BigInt64Array(copy.buffer)].map(Number);
    }
    return (t.int64Data ?? []).map(Number);
  }

  private scalar(name: string | undefined): number | undefined {
    const t = this.floats(name);
    return t && t.data.length === 1 ? t.data[0] : undefined;
  }

  private floats(name: string | undefined): { data: Float32Array; dims: number[] } | undefined {
    const t = name === undefined ? undefined : this.inits.get(name);
    if (!t || t.dataType !== onnx.TensorProto.DataType.FLOAT) return undefined;
    const dims = (t.dims ?? []).map(Number);
    const size = dims.reduce((a, b) => a * b, 1);
    let data: Float32Array;
    if (t.rawData && t.rawData.length > 0) {
      if (t.rawData.length !== size * 4) return undefined;
      data = new Float32Array(size);
      new Uint8Array(data.buffer).set(t.rawData);
    } else if (t.floatData && t.floatData.length === size) data = Float32Array.from(t.floatData);
    else return undefined;
    return { data, dims };
  }
}
