/**
 * The intent classifier as served: loads and checks a model directory, featurizes texts and runs the ONNX graph in
 * batches; every intent's calibrated score, ranked.
 */
import { join } from 'node:path';
import { SwitchboardError } from '../../errors.ts';
import { featurize } from '../features/featurize.ts';
import type { FeatureBag } from '../features/featurizer-config.ts';
import { type Feed, OnnxSession, type OnnxSessionOptions } from '../onnx/onnx-session.ts';
import {
  decodeGraph,
  fillHostWeight,
  graphLabels,
  type HostWeight,
  hostWeightedGraph,
  rowMapProblem,
} from './host-weighting.ts';
import { type IntentManifest, MODEL_FILE, readManifest } from './intent-manifest.ts';
import {
  modelError as fail,
  readCheckedFile,
  readFeatureVocabulary,
  requireModelDir,
  rowMapper,
} from './intent-model-files.ts';

/** One label with its calibrated score. */
export interface IntentScore {
  intent: string;
  score: number;
}

/** Most texts in one ONNX run. */
export const MAX_BATCH = 64;
/** Most padded `[batch × L]` cells in one ONNX run, so a few huge messages cannot blow up the `[B, L, D]` gather. */
const MAX_BATCH_CELLS = 32_768;

const LITTLE_ENDIAN = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;

/** Feed buffers of one ONNX run: the ids, and `counts` (or each host weighting's values). */
interface Buffers {
  ids: BigInt64Array;
  values: Float32Array[];
}

/** Options of {@link IntentClassifier.load}. */
export interface IntentClassifierOptions extends OnnxSessionOptions {
  /**
   * Compute the graph's feature weighting in TypeScript and run the rest (default true; see host-weighting.ts). False
   * runs the graph exactly as stored.
   */
  hostWeighting?: boolean;
}

/**
 * The intent model at runtime: featurizes text in TypeScript (as the trainer did, from the manifest's featurizer
 * settings) and runs the ONNX graph. Every label gets its calibrated score, ranked from highest; the router decides
 * what to do with them. Never throws on odd text (empty, whitespace, emoji, control characters, 100 KB): the empty
 * feature bag gives the model's prior distribution.
 *
 * @example
 * const clf = await IntentClassifier.load('models/intent-massive');
 * const [ranked] = await clf.classify(['my card was blocked']); // [{ intent: 'card_blocked', score: 0.93 }, …]
 */
export class IntentClassifier {
  /** The labels, in the model's output order. */
  readonly labels: readonly string[];
  /** Top-score threshold below which the message is treated as out of scope (from calibration), if any. */
  readonly threshold: number | undefined;
  private scratch: Buffers;
  /** The float `[batch, L]` inputs besides `ids`: `counts`, or the host weightings' names. */
  private readonly valueNames: readonly string[];
  private scratchBusy = false;
  /** Scratch keys of {@link rank} (ranking is synchronous, so one array serves every call). */
  private readonly rankKeys: Float64Array;
  /** Power of two ≥ the label count: the label index is packed below it in a rank key. */
  private readonly rankRadix: number;

  private constructor(
    /** The validated manifest of the model directory. */
    readonly manifest: IntentManifest,
    private readonly session: OnnxSession,
    /** Hashed buckets → embedding rows (the feature vocabulary). */
    private readonly toRows: (bag: FeatureBag) => FeatureBag,
    /** The weightings computed on the host (none: the graph takes `counts`). */
    private readonly hostWeights: readonly HostWeight[],
  ) {
    this.valueNames = hostWeights.length > 0 ? hostWeights.map((w) => w.name) : ['counts'];
    this.scratch = this.buffers(256);
    this.labels = manifest.labels;
    this.rankKeys = new Float64Array(manifest.labels.length);
    this.rankRadix = 2 ** Math.ceil(Math.log2(manifest.labels.length + 1));
    this.threshold = manifest.calibration.threshold;
  }

  /**
   * Loads `<dir>/manifest.json`, `<dir>/model.onnx` and `<dir>/features.bin` (when listed), checks their sha256, and
   * runs the graph once on probe inputs to check its labels and embedding rows against the manifest. Errors (`SwitchboardError`, kind `input`):
   * `E_MODEL_MISSING` (directory or file absent, named), `E_MODEL_MANIFEST`, `E_MODEL_KIND`, `E_MODEL_CHECKSUM`
   * (expected vs actual digest), `E_MODEL_CORRUPT` (ONNX Runtime rejects the graph, or it disagrees with the manifest).
   */
  static async load(dir: string, opts: IntentClassifierOptions = {}): Promise<IntentClassifier> {
    await requireModelDir(dir);
    const manifest = await readManifest(dir);
    const bytes = await readCheckedFile(dir, MODEL_FILE, manifest.onnx);
    const toRows = rowMapper(await readFeatureVocabulary(dir, manifest), manifest.featurizer.buckets);
    // The manifest is not checksummed: its labels must be the ones the graph was exported with.
    const graph = decodeGraph(bytes);
    const recorded = graph && graphLabels(graph);
    if (recorded && JSON.stringify(recorded) !== JSON.stringify(manifest.labels))
      fail(
        'E_MODEL_CORRUPT',
        `${join(dir, MODEL_FILE)} was exported with other labels than ${join(dir, 'manifest.json')} lists ` +
          `(${recorded.length} vs ${manifest.labels.length}${recorded.length === manifest.labels.length ? ', in another order or with other names' : ''})`,
      );
    const mapProblem = graph && rowMapProblem(graph);
    if (mapProblem) fail('E_MODEL_CORRUPT', `${join(dir, MODEL_FILE)}: ${mapProblem}`);
    const { hostWeighting = true, ...sessionOptions } = opts;
    const host = hostWeighting && graph ? hostWeightedGraph(graph) : undefined;
    const path = join(dir, MODEL_FILE);
    const open = async (graphBytes: Uint8Array, weights: readonly HostWeight[]): Promise<IntentClassifier> => {
      let session: OnnxSession;
      try {
        session = await OnnxSession.create(graphBytes, sessionOptions);
      } catch (e) {
        return fail('E_MODEL_CORRUPT', `${path} is not a loadable ONNX model: ${(e as Error).message}`, e);
      }
      const clf = new IntentClassifier(manifest, session, toRows, weights);
      await clf.probe(path).catch(async (e) => {
        await session.release();
        throw e;
      });
      return clf;
    };
    // The rewritten graph is an optimisation: should it fail to load or to pass the probe, the stored graph decides.
    if (host) {
      const fast = await open(host.bytes, host.weights).catch(() => undefined);
      if (fast) return fast;
    }
    return open(bytes, []);
  }

  /** Checks inputs/outputs, label count, the highest bucket id and the empty bag; also warms ONNX Runtime up. */
  private async probe(path: string): Promise<void> {
    const s = this.session;
    const inputs = ['ids', ...this.valueNames];
    if (!inputs.every((n) => s.inputNames.includes(n)) || !s.outputNames.includes('probs')) {
      fail(
        'E_MODEL_CORRUPT',
        `${path}: expected inputs ${inputs.join(', ')} and output probs; found ${s.inputNames} → ${s.outputNames}`,
      );
    }
    const top = (this.manifest.features?.rows ?? this.manifest.featurizer.buckets) - 1;
    const probes: FeatureBag[] = [
      { ids: Int32Array.of(top), counts: Float32Array.of(1) },
      { ids: new Int32Array(0), counts: new Float32Array(0) },
    ];
    let probs: Float32Array;
    try {
      probs = await this.runBatch(probes, this.buffers(2));
    } catch (e) {
      return fail(
        'E_MODEL_CORRUPT',
        `${path} fails on a probe input (embedding row ${top}, the last one): ${(e as Error).message}`,
        e,
      );
    }
    if (probs.length !== 2 * this.labels.length) {
      fail(
        'E_MODEL_CORRUPT',
        `${path} outputs ${probs.length / 2} scores per text, manifest lists ${this.labels.length}`,
      );
    }
  }

  /**
   * Scores many texts: every label with its calibrated score, ranked descending (ties keep label order). Texts are
   * grouped by feature count and run in batches of at most 64, each padded to its longest bag.
   */
  async classify(texts: readonly string[]): Promise<IntentScore[][]> {
    return (await this.scores(texts)).map((probs) => this.rank(probs));
  }

  /**
   * Calibrated scores of many texts, each in label order ({@link labels}), batched like {@link classify}: what
   * evaluation needs, without ranking.
   * @example const [probs] = await clf.scores(['hi']); probs[clf.labels.indexOf('greeting')]
   */
  async scores(texts: readonly string[]): Promise<Float32Array[]> {
    const bags = texts.map((t) => this.featurize(t));
    const order = bags.map((_, i) => i).sort((a, b) => bags[a].ids.length - bags[b].ids.length);
    const out: Float32Array[] = new Array(texts.length);
    for (let start = 0; start < order.length; ) {
      let end = start + 1;
      while (
        end < order.length &&
        end - start < MAX_BATCH &&
        (end - start + 1) * Math.max(1, bags[order[end]].ids.length) <= MAX_BATCH_CELLS
      ) {
        end++;
      }
      const chunk = order.slice(start, end);
      const probs = await this.runBatch(chunk.map((i) => bags[i]));
      const c = this.labels.length;
      chunk.forEach((textIndex, row) => {
        out[textIndex] = probs.slice(row * c, (row + 1) * c);
      });
      start = end;
    }
    return out;
  }

  /**
   * The fast path for one message: synchronous featurization into reused buffers, one ONNX run, ranked scores.
   * @example const ranked = await clf.classifyOne('where is my refund?');
   */
  async classifyOne(text: string): Promise<IntentScore[]> {
    return this.rank(await this.scoreOne(text));
  }

  /**
   * Calibrated scores of one message in label order ({@link labels}), without ranking: the cheapest call.
   * @example const probs = await clf.scoreOne('hi'); const p = probs[clf.labels.indexOf('greeting')];
   */
  async scoreOne(text: string): Promise<Float32Array> {
    const bag = this.featurize(text);
    if (this.scratchBusy) return this.runBatch([bag]); // a concurrent call holds the shared buffers
    this.scratchBusy = true;
    try {
      if (this.scratch.ids.length < bag.ids.length)
        this.scratch = this.buffers(2 ** Math.ceil(Math.log2(bag.ids.length)));
      return await this.runBatch([bag], this.scratch);
    } finally {
      this.scratchBusy = false;
    }
  }

  /** Frees the ONNX Runtime session. */
  async release(): Promise<void> {
    await this.session.release();
  }

  /** Hashed features of a text, mapped to embedding rows through the vocabulary when the model has one. */
  private featurize(text: string): FeatureBag {
    return this.toRows(featurize(typeof text === 'string' ? text : String(text ?? ''), this.manifest.featurizer));
  }

  /** Runs bags padded to the longest (at least 1 column; padding is bucket 0 with count 0); probs `[n × C]`. */
  private async runBatch(bags: FeatureBag[], buffers?: Buffers): Promise<Float32Array> {
    let len = 1;
    for (const bag of bags) len = Math.max(len, bag.ids.length);
    const cells = bags.length * len;
    const buf =
      buffers && buffers.ids.length >= cells
        ? { ids: buffers.ids.subarray(0, cells), values: buffers.values.map((v) => v.subarray(0, cells)) }
        : this.buffers(cells);
    // On little-endian hosts an int64 id is (id, 0) as two int32 words: writing those avoids one BigInt per id.
    const words = LITTLE_ENDIAN ? new Int32Array(buf.ids.buffer, buf.ids.byteOffset, cells * 2) : undefined;
    for (let row = 0; row < bags.length; row++) {
      const bag = bags[row];
      const base = row * len;
      const n = bag.ids.length;
      if (words) {
        for (let i = 0; i < n; i++) {
          words[2 * (base + i)] = bag.ids[i];
          words[2 * (base + i) + 1] = 0;
        }
      } else for (let i = 0; i < n; i++) buf.ids[base + i] = BigInt(bag.ids[i]);
      if (n < len) buf.ids.fill(0n, base + n, base + len);
    }
    const dims = [bags.length, len];
    const dims3 = [bags.length, 1, len];
    const feeds: Record<string, Feed> = { ids: { data: buf.ids, dims } };
    this.valueNames.forEach((name, k) => {
      const values = buf.values[k];
      const host = this.hostWeights[k];
      if (host) fillHostWeight(host, bags, len, values);
      else
        for (let row = 0; row < bags.length; row++) {
          values.set(bags[row].counts, row * len);
          values.fill(0, row * len + bags[row].ids.length, (row + 1) * len);
        }
      feeds[name] = { data: values, dims: host?.unsqueezed ? dims3 : dims };
    });
    const out = await this.session.run(feeds, ['probs']);
    const probs = out.probs.data as Float32Array;
    if (!probs.every(Number.isFinite)) {
      throw new SwitchboardError('E_MODEL_OUTPUT', 'internal', `intent model produced non-finite scores for [${dims}]`);
    }
    return probs;
  }

  /** Fresh feed buffers of `cells` cells. */
  private buffers(cells: number): Buffers {
    return {
      ids: new BigInt64Array(cells),
      values: Array.from({ length: Math.max(1, this.hostWeights.length) }, () => new Float32Array(cells)),
    };
  }

  /**
   * Labels ranked by score, ties in label order. Sorts numeric keys `bits(score) · m + (m − 1 − k)` natively (the IEEE
   * bit pattern of a non-negative float orders like the float): several times faster than sorting objects.
   */
  private rank(probs: Float32Array): IntentScore[] {
    const c = this.labels.length;
    const m = this.rankRadix;
    const keys = this.rankKeys;
    const bits = new Uint32Array(probs.buffer, probs.byteOffset, c);
    for (let k = 0; k < c; k++) keys[k] = (bits[k] > 0x7fffffff ? 0 : bits[k]) * m + (m - 1 - k); // −0 (never < 0)
    keys.sort();
    const ranked: IntentScore[] = new Array(c);
    for (let i = 0; i < c; i++) {
      const k = m - 1 - (keys[c - 1 - i] % m);
      ranked[i] = { intent: this.labels[k], score: probs[k] };
    }
    return ranked;
  }
}
