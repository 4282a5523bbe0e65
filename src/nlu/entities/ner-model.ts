/**
 * The NER model at run time: tokenize (offsets kept) → hashed features → one ONNX Runtime call for the emission scores
 * → constrained Viterbi in TypeScript → entity spans with character offsets into the ORIGINAL message and a score
 * (the lowest marginal probability of the span's tags, from forward–backward).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FeatureVocabulary } from '../features/feature-vocabulary.ts';
import { modelError, readCheckedFile, requireModelDir } from '../intent/intent-model-files.ts';
import { OnnxSession } from '../onnx/onnx-session.ts';
import type { EntityMention } from '../understanding.ts';
import { bioConstraints, type CrfParams, marginals, viterbi } from './crf-decode.ts';
import { denseRows, NER_DENSE_OFFSETS, nerFeaturesPerToken, sentenceFeatures } from './ner-features.ts';
import {
  NER_CLUSTERS_FILE,
  NER_FEATURES_FILE,
  NER_MODEL_FILE,
  type NerManifest,
  NerManifestSchema,
} from './ner-manifest.ts';
import { tokenizeForNer } from './ner-tokenize.ts';
import { NerWordClusters } from './ner-word-clusters.ts';

/** A token that can be part of a name: at least one letter or digit. */
const NAME_LIKE = /[\p{L}\p{N}]/u;

/** Tags and per-token confidence for a token sequence. */
export interface TaggedTokens {
  tags: string[];
  /** Marginal probability of each token's chosen tag. */
  confidence: Float64Array;
}

export class NerModel {
  private constructor(
    readonly manifest: NerManifest,
    private readonly session: OnnxSession,
    private readonly vocabulary: FeatureVocabulary,
    private readonly crf: CrfParams,
    private readonly clusters?: NerWordClusters,
  ) {
    this.constraints = bioConstraints(crf.tags);
  }

  private readonly constraints: ReturnType<typeof bioConstraints>;

  /** Loads a model directory; missing files, bad checksums and foreign manifests are coded `input` errors. */
  static async load(dir: string): Promise<NerModel> {
    await requireModelDir(dir);
    let raw: unknown;
    try {
      raw = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8'));
    } catch (e) {
      return modelError('E_MODEL_CORRUPT', `cannot read ${join(dir, 'manifest.json')}: ${(e as Error).message}`, e);
    }
    const parsed = NerManifestSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return modelError('E_MODEL_KIND', `${dir} is not an NER model (${issue?.path.join('.')}: ${issue?.message})`);
    }
    const manifest = parsed.data;
    const onnxBytes = await readCheckedFile(dir, NER_MODEL_FILE, manifest.onnx);
    const featureBytes = await readCheckedFile(dir, NER_FEATURES_FILE, manifest.features);
    let vocabulary: FeatureVocabulary;
    try {
      vocabulary = FeatureVocabulary.fromBytes(featureBytes);
    } catch (e) {
      return modelError('E_MODEL_CORRUPT', `${join(dir, NER_FEATURES_FILE)}: ${(e as Error).message}`, e);
    }
    let clusters: NerWordClusters | undefined;
    if (manifest.featurizer.word_clusters || manifest.clusters) {
      if (!manifest.clusters) return modelError('E_MODEL_CORRUPT', `${dir}: word clusters without a file record`);
      const bytes = await readCheckedFile(dir, NER_CLUSTERS_FILE, manifest.clusters);
      try {
        clusters = NerWordClusters.fromBytes(bytes);
      } catch (e) {
        return modelError('E_MODEL_CORRUPT', `${join(dir, NER_CLUSTERS_FILE)}: ${(e as Error).message}`, e);
      }
    }
    if (manifest.featurizer.dense_offsets && !clusters) {
      return modelError('E_MODEL_CORRUPT', `${dir}: dense word features need the word-cluster lexicon`);
    }
    if (nerFeaturesPerToken(clusters) !== manifest.featurizer.features_per_token) {
      return modelError('E_MODEL_CORRUPT', `${dir}: features_per_token does not match the featurizer`);
    }
    const session = await OnnxSession.create(onnxBytes);
    const k = manifest.tags.length;
    // The CRF parameters live in the graph too: read them once.
    const probe = await session.run({
      ids: {
        data: new BigInt64Array(manifest.featurizer.features_per_token),
        dims: [1, manifest.featurizer.features_per_token],
      },
      ...(manifest.featurizer.dense_offsets
        ? { word_rows: { data: new BigInt64Array(NER_DENSE_OFFSETS), dims: [1, NER_DENSE_OFFSETS] } }
        : {}),
    });
    const crf: CrfParams = {
      tags: manifest.tags,
      transitions: probe.transitions.data as Float32Array,
      start: probe.start.data as Float32Array,
      end: probe.end.data as Float32Array,
    };
    if (crf.transitions.length !== k * k || crf.start.length !== k || probe.emissions.dims[1] !== k) {
      await session.release();
      return modelError('E_MODEL_CORRUPT', `${dir}: the graph's shapes do not match the manifest's ${k} tags`);
    }
    return new NerModel(manifest, session, vocabulary, crf, clusters);
  }

  /** Tags a token sequence (already tokenized, e.g. CoNLL tokens). */
  async tagTokens(tokens: readonly string[]): Promise<TaggedTokens> {
    const n = tokens.length;
    if (n === 0) return { tags: [], confidence: new Float64Array(0) };
    const f = this.manifest.featurizer;
    const buckets = sentenceFeatures(tokens, f.seed, this.clusters);
    const ids = new BigInt64Array(buckets.length);
    for (let i = 0; i < buckets.length; i++) ids[i] = BigInt(this.vocabulary.rowOf(buckets[i]));
    const inputs: Parameters<OnnxSession['run']>[0] = { ids: { data: ids, dims: [n, f.features_per_token] } };
    if (f.dense_offsets && this.clusters) {
      const clusters = this.clusters;
      const rows = denseRows(
        tokens.map((t) => clusters.rowOf(t)),
        clusters.words.length,
      );
      inputs.word_rows = { data: BigInt64Array.from(rows, (r) => BigInt(r)), dims: [n, NER_DENSE_OFFSETS] };
    }
    const out = await this.session.run(inputs, ['emissions']);
    const em = out.emissions.data as Float32Array;
    const path = viterbi(em, n, this.crf, this.constraints);
    const k = this.crf.tags.length;
    const probs = marginals(em, n, this.crf, this.constraints);
    return {
      tags: Array.from(path, (y) => this.crf.tags[y]),
      confidence: Float64Array.from(path, (y, t) => probs[t * k + y]),
    };
  }

  /** Entities of a message, with UTF-16 offsets into `text`. Never throws on odd text (empty, huge, binary). */
  async recognize(text: string): Promise<EntityMention[]> {
    const { tokens, starts, ends } = tokenizeForNer(text);
    if (tokens.length === 0) return [];
    const { tags, confidence } = await this.tagTokens(tokens);
    const out: EntityMention[] = [];
    let open: { type: string; first: number; last: number; score: number } | undefined;
    const close = () => {
      if (!open) return;
      // A name begins and ends with a token holding a letter or a digit: symbols and control characters at its edges
      // ("### Paris ###", NULs before "John") are trimmed, and a span of nothing else ("###", 5,000 NULs) is dropped.
      let { first, last } = open;
      while (first <= last && !NAME_LIKE.test(tokens[first])) first++;
      while (last >= first && !NAME_LIKE.test(tokens[last])) last--;
      if (first <= last) {
        const start = starts[first];
        const end = ends[last];
        out.push({ type: open.type, start, end, text: text.slice(start, end), score: open.score, source: 'ner' });
      }
      open = undefined;
    };
    tags.forEach((tag, t) => {
      if (tag.startsWith('B-')) {
        close();
        open = { type: tag.slice(2), first: t, last: t, score: confidence[t] };
      } else if (tag.startsWith('I-') && open) {
        open.last = t;
        open.score = Math.min(open.score, confidence[t]);
      } else close();
    });
    close();
    return out;
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
