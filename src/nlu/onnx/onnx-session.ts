/**
 * The one module that imports `onnxruntime-node`: loads a model, validates feeds against the session's inputs and runs
 * it; failures name shapes, never user text.
 */
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

  private constructor(private readonly session: ort.InferenceSession) {
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
      const session =
        typeof source === 'string'
          ? await ort.InferenceSession.create(source, options)
          : await ort.InferenceSession.create(source, options);
      return new OnnxSession(session);
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
    try {
      const out = await this.session.run(tensors, (outputs ?? this.outputNames) as string[]);
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
