/**
 * The NER model directory's file names and its manifest's schema (labels, feature settings, transitions, checksums).
 */
import { z } from 'zod';

export const NER_MODEL_FILE = 'model.onnx';
export const NER_FEATURES_FILE = 'features.bin';
/** Word clusters (lexicon → cluster ids), present when the model was trained with word vectors. */
export const NER_CLUSTERS_FILE = 'word-clusters.bin';

const fileRecord = z.object({ sha256: z.string().length(64), bytes: z.number().int().min(0) });

/** `manifest.json` of an NER model directory. */
export const NerManifestSchema = z.object({
  kind: z.literal('ner'),
  format_version: z.literal(1),
  /** BIO tags in the order of the emission columns; `O` first. */
  tags: z.array(z.string()).min(2),
  types: z.array(z.string()).min(1),
  /** Languages the model was trained for (the NER runs only for these). */
  languages: z.array(z.string()).min(1),
  featurizer: z.object({
    name: z.literal('ner-token-v1'),
    seed: z.number().int(),
    buckets: z.number().int().positive(),
    features_per_token: z.number().int().positive(),
    /** Word-cluster features (`NER_CLUSTERS_FILE`): levels' branching, lexicon size, where the vectors came from. */
    word_clusters: z
      .object({ branching: z.array(z.number().int().positive()).min(1), words: z.number().int(), source: z.string() })
      .optional(),
    /** Dense word-vector scores baked per lexicon word for the token and its neighbours (ONNX input `word_rows`). */
    dense_offsets: z.literal(3).optional(),
  }),
  quantized: z.boolean(),
  onnx: fileRecord,
  features: fileRecord,
  clusters: fileRecord.optional(),
  training: z.record(z.unknown()).optional(),
  validation: z.record(z.unknown()).optional(),
  evaluations: z.record(z.record(z.unknown())).optional(),
});
export type NerManifest = z.infer<typeof NerManifestSchema>;
