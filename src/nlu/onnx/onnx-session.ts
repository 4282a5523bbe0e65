/**
 * The one module that imports `onnxruntime-node`: loads a model, validates feeds against the session's inputs and runs
 * it; failures name shapes, never user text.
 */
import { createRequire } from 'node:module';
import * as ort from 'onnxruntime-node';
import { SwitchboardError } from '../../errors.ts';

/** Element types a feed may have, named as ONNX Runtime names them. */
export type FeedType = 'float32' | 'int64' | 'int32' | 'int8' | 'uint8' | 'float64';

/** Typed arrays accepted as feed data. */
export type FeedData = Float32Array | BigInt64Array | Int32Array | Int8Array | Uint8Array | Float64Array;

/** One input tensor: its data (row-major) and its shape. Callers never touch `onnxruntime-node` types. */
export interface Feed {
  data: FeedData;
  dims: readonly number[];
}

/** One output tensor as returned by {@link OnnxSession.run}. */
export interface FetchedTensor {
  type: string;
  data: ArrayLike<number | bigint>;
  dims: readonly number[];
}

/** Options of {@link OnnxSession.create}. */
export interface OnnxSessionOptions {
  /** Threads ONNX Runtime uses inside one operator. Default 1: a bot serves many small requests, not one big one. */
  intraOpNumThreads?: number;
  /**
   * `public`: run through onnxruntime-node's public `InferenceSession` even where its native session is usable
   * (default `auto`: the native session, which runs synchronously, when its layout is the known one).
   */
  api?: 'auto' | 'public';
}

function feedType(data: unknown): FeedType | undefined {
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof BigInt64Array) return 'int64';
  if (data instanceof Int32Array) return 'int32';
  if (data instanceof Int8Array) return 'int8';
  if (data instanceof Uint8Array) return 'uint8';
  if (data instanceof Float64Array) return 'float64';
  return undefined;
}

/** `ids int64[1,12], counts float32[1,12]`: what a failure message may say about the inputs (never their values). */
export function describeFeeds(feeds: Record<string, Feed>): string {
  return Object.entries(feeds)
    .map(([name, f]) => `${name} ${feedType(f?.data) ?? 'invalid'}[${Array.isArray(f?.dims) ? f.dims.join(',') : '?'}]`)
    .join(', ');
}

/** One input or output as onnxruntime-node's native session describes it. */
interface NativeValueMetadata {
  name: string;
  isTensor: boolean;
  /** ONNX element type number (1 float32, 7 int64, …). */
  type: number;
  /** Dimensions; −1 where symbolic. */
  shape: number[];
  symbolicDimensions: string[];
}

/** onnxruntime-node's native session (its `dist/binding.js`), as this module uses it. */
interface NativeSession {
  loadModel(buffer: ArrayBufferLike, byteOffset: number, byteLength: number, options: object): void;
  loadModel(path: string, options: object): void;
  readonly inputMetadata: NativeValueMetadata[];
  readonly outputMetadata: NativeValueMetadata[];
  run(feeds: Record<string, ort.Tensor>, fetches: Record<string, null>, options: object): Record<string, ort.Tensor>;
  dispose(): void;
}

interface NativeBinding {
  binding: { InferenceSession: new () => NativeSession };
  initOrt: () => void;
}

/** ONNX element type numbers → ONNX Runtime's type names (the tensor types this project feeds and fetches). */
const ELEMENT_TYPES: Record<number, string> = {
  1: 'float32',
  2: 'uint8',
  3: 'int8',
  6: 'int32',
  7: 'int64',
  9: 'bool',
  11: 'float64',
};

let nativeLoaded: NativeBinding | null | undefined;

/**
 * onnxruntime-node's native binding, when it has the shape this module knows (else undefined: the public API is used).
 * The public `InferenceSession.run` defers each run to the next event-loop turn (`setImmediate`) and re-wraps every
 * tensor; the native session runs the same graph synchronously. One message of `models/intent-massive`: 87 against
 * 109 µs median, alternating in one process (onnxruntime-node 1.30, shared 2-core machine; issue 13's latency target).
 */
function nativeBinding(): NativeBinding | undefined {
  if (nativeLoaded === undefined) {
    nativeLoaded = null;
    try {
      const loaded = createRequire(import.meta.url)('onnxruntime-node/dist/binding.js') as Partial<NativeBinding>;
      const proto = loaded.binding?.InferenceSession?.prototype as Partial<NativeSession> | undefined;
      if (
        typeof loaded.initOrt === 'function' &&
        typeof proto?.loadModel === 'function' &&
        typeof proto.run === 'function' &&
        typeof proto.dispose === 'function'
      )
        nativeLoaded = loaded as NativeBinding;
    } catch {
      // Another layout of onnxruntime-node: the public API serves.
    }
  }
  return nativeLoaded ?? undefined;
}

/** Names and metadata of the public session's shape from the native session's raw metadata. */
function fromNative(meta: readonly NativeValueMetadata[]): ort.InferenceSession.ValueMetadata[] {
  return meta.map((m) =>
    m.isTensor
      ? ({
          name: m.name,
          isTensor: true,
          type: ELEMENT_TYPES[m.type],
          shape: m.shape.map((d, i) => (d === -1 ? m.symbolicDimensions[i] : d)),
        } as ort.InferenceSession.ValueMetadata)
      : ({ name: m.name, isTensor: false } as ort.InferenceSession.ValueMetadata),
  );
}

/** What a session needs of ONNX Runtime: the model's inputs and outputs, a run, a release. */
interface Runner {
  inputNames: readonly string[];
  outputNames: readonly string[];
  inputMetadata: readonly ort.InferenceSession.ValueMetadata[];
  run(feeds: Record<string, ort.Tensor>, outputs: readonly string[]): Promise<Record<string, ort.Tensor>>;
  release(): Promise<void>;
}

async function publicRunner(
  source: Uint8Array | string,
  options: ort.InferenceSession.SessionOptions,
): Promise<Runner> {
  const session =
    typeof source === 'string'
      ? await ort.InferenceSession.create(source, options)
      : await ort.InferenceSession.create(source, options);
  return {
    inputNames: session.inputNames,
    outputNames: session.outputNames,
    inputMetadata: session.inputMetadata,
    run: (feeds, outputs) => session.run(feeds, outputs as string[]),
    release: () => session.release(),
  };
}

/** A runner on the native session, or undefined when the model has an element type {@link ELEMENT_TYPES} lacks. */
function nativeRunner(
  native: NativeBinding,
  source: Uint8Array | string,
  options: ort.InferenceSession.SessionOptions,
): Runner | undefined {
  native.initOrt();
  const session = new native.binding.InferenceSession();
  try {
    if (typeof source === 'string') session.loadModel(source, options);
    else session.loadModel(source.buffer, source.byteOffset, source.byteLength, options);
  } catch (e) {
    session.dispose();
    throw e;
  }
  const raw = [...session.inputMetadata, ...session.outputMetadata];
  const odd = raw.find((m) => m.isTensor && ELEMENT_TYPES[m.type] === undefined);
  if (odd) {
    // An element type this module does not map: the public API decides (it knows every type, or says why not).
    session.dispose();
    return undefined;
  }
  const inputMetadata = fromNative(session.inputMetadata);
  const outputMetadata = fromNative(session.outputMetadata);
  let released = false;
  return {
    inputNames: inputMetadata.map((m) => m.name),
    outputNames: outputMetadata.map((m) => m.name),
    inputMetadata,
    run: async (feeds, outputs) => {
      if (released) throw new Error('the session was released');
      const fetches: Record<string, null> = {};
      for (const name of outputs) fetches[name] = null;
      return session.run(feeds, fetches, {});
    },
    release: async () => {
      if (released) return;
      released = true;
      session.dispose();
    },
  };
}

/**
 * The project's one door to `onnxruntime-node` (no other module imports it). Sessions run on the CPU, sequentially,
 * with one intra-op thread by default; every `run` checks the feeds against the model's declared inputs (names,
 * element types, ranks, fixed dimensions, data length) and fails with a {@link SwitchboardError} that reports input
 * names, types and shapes — never the data, which may be derived from user text.
 *
 * @example
 * const s = await OnnxSession.create(bytes);
 * const { probs } = await s.run({ ids: { data: ids, dims: [1, n] }, counts: { data: counts, dims: [1, n] } }, ['probs']);
 */
export class OnnxSession {
  /** Input names declared by the model. */
  readonly inputNames: readonly string[];
  /** Output names declared by the model. */
  readonly outputNames: readonly string[];
  private readonly inputs: Map<string, { type?: string; shape?: readonly (number | string)[] }>;

  private constructor(private readonly session: Runner) {
    this.inputNames = session.inputNames;
    this.outputNames = session.outputNames;
    this.inputs = new Map(
      session.inputMetadata.map((m) => [m.name, m.isTensor ? { type: m.type, shape: m.shape } : {}] as const),
    );
  }

  /**
   * Loads a model from its bytes or a file path. Throws `E_ONNX_LOAD` (kind `input`) when ONNX Runtime rejects it.
   * @example const s = await OnnxSession.create('models/intent-massive/model.onnx');
   */
  static async create(source: Uint8Array | string, opts: OnnxSessionOptions = {}): Promise<OnnxSession> {
    const options: ort.InferenceSession.SessionOptions = {
      executionProviders: ['cpu'],
      intraOpNumThreads: opts.intraOpNumThreads ?? 1,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      // 'extended' fuses what these small graphs need; 'all' adds layout transformations that made one message
      // 15–25% slower here (median of 3,000 runs of models/intent-massive, same process).
      graphOptimizationLevel: 'extended',
      logSeverityLevel: 4,
    };
    try {
      // The native session when onnxruntime-node has the layout this module knows (synchronous runs), else the
      // public API.
      const native = opts.api === 'public' ? undefined : nativeBinding();
      const runner = (native && nativeRunner(native, source, options)) || (await publicRunner(source, options));
      return new OnnxSession(runner);
    } catch (e) {
      const what = typeof source === 'string' ? source : `${source.byteLength} bytes`;
      throw new SwitchboardError(
        'E_ONNX_LOAD',
        'input',
        `ONNX Runtime cannot load the model (${what}): ${message(e)}`,
        {
          cause: e,
        },
      );
    }
  }

  /**
   * Runs the model. `outputs` limits the computed outputs (default: all). Throws `E_ONNX_FEED` when the feeds do not
   * fit the model's inputs and `E_ONNX_RUN` when ONNX Runtime fails; both are kind `internal` and name shapes only.
   */
  async run(feeds: Record<string, Feed>, outputs?: readonly string[]): Promise<Record<string, FetchedTensor>> {
    const tensors: Record<string, ort.Tensor> = {};
    for (const name of this.inputNames) {
      const f = feeds[name];
      if (!f) this.feedError(feeds, `missing input '${name}'`);
      this.checkFeed(name, f, feeds);
      tensors[name] = new ort.Tensor(feedType(f.data)!, f.data, f.dims);
    }
    for (const name of Object.keys(feeds)) {
      if (!this.inputs.has(name)) this.feedError(feeds, `unknown input '${name}'`);
    }
    const unknown = outputs?.find((o) => !this.outputNames.includes(o));
    if (outputs && (unknown !== undefined || outputs.length === 0)) {
      throw new SwitchboardError(
        'E_ONNX_RUN',
        'internal',
        unknown !== undefined
          ? `unknown output '${unknown}' (model outputs: ${this.outputNames.join(', ')})`
          : 'no output requested',
      );
    }
    try {
      const out = await this.session.run(tensors, outputs ?? this.outputNames);
      const result: Record<string, FetchedTensor> = {};
      for (const [name, t] of Object.entries(out))
        result[name] = { type: t.type, data: t.data as FeedData, dims: t.dims };
      return result;
    } catch (e) {
      throw new SwitchboardError(
        'E_ONNX_RUN',
        'internal',
        `ONNX Runtime run failed (inputs: ${describeFeeds(feeds)}): ${message(e)}`,
        { cause: e },
      );
    }
  }

  /** Frees the native session. The instance must not be used afterwards. */
  async release(): Promise<void> {
    await this.session.release();
  }

  private checkFeed(name: string, f: Feed, feeds: Record<string, Feed>): void {
    const meta = this.inputs.get(name)!;
    const type = feedType(f.data);
    if (type === undefined || (meta.type && type !== meta.type)) {
      this.feedError(feeds, `input '${name}' must be ${meta.type ?? 'a typed array'}`);
    }
    if (!Array.isArray(f.dims)) this.feedError(feeds, `input '${name}' has no dims`);
    const size = f.dims.reduce((a, b) => a * b, 1);
    if (!f.dims.every((d) => Number.isInteger(d) && d >= 0) || size !== f.data.length) {
      this.feedError(feeds, `input '${name}' has ${f.data.length} values for shape [${f.dims.join(',')}]`);
    }
    const shape = meta.shape;
    if (shape && shape.length !== f.dims.length) {
      this.feedError(feeds, `input '${name}' must have rank ${shape.length}`);
    }
    shape?.forEach((d, i) => {
      if (typeof d === 'number' && d !== f.dims[i]) this.feedError(feeds, `input '${name}' dim ${i} must be ${d}`);
    });
  }

  private feedError(feeds: Record<string, Feed>, why: string): never {
    throw new SwitchboardError(
      'E_ONNX_FEED',
      'internal',
      `bad ONNX feed: ${why} (model inputs: ${this.inputNames.join(', ')}; given: ${describeFeeds(feeds)})`,
    );
  }
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
