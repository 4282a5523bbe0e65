/**
 * Writes a trained NER model directory (`model.onnx`, `features.bin`, `manifest.json`, `MODEL_CARD.md`).
 */
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { NER_BUCKETS, nerFeaturesPerToken } from '../nlu/entities/ner-features.ts';
import {
  NER_CLUSTERS_FILE,
  NER_FEATURES_FILE,
  NER_MODEL_FILE,
  type NerManifest,
} from '../nlu/entities/ner-manifest.ts';

import { FeatureVocabulary } from '../nlu/features/feature-vocabulary.ts';
import { buildNerOnnx } from './export-ner-onnx.ts';
import { replaceModelDir } from './model-dir.ts';
import { NER_FEATURE_SEED, type TrainedNer } from './train-ner.ts';

const record = (bytes: Uint8Array) => ({
  sha256: createHash('sha256').update(bytes).digest('hex'),
  bytes: bytes.byteLength,
});
const pct = (x: unknown) => (typeof x === 'number' ? (100 * x).toFixed(2) : '—');

export interface SaveNerOptions {
  quantize: boolean;
  languages: string[];
  training: Record<string, unknown>;
  validation: Record<string, unknown>;
  /** Free text for the card: where the data came from and its terms. */
  dataDescription?: string;
  /** Where the word vectors behind the model's clusters came from (when it has clusters). */
  vectorsSource?: string;
}

/** Writes `model.onnx`, `features.bin`, `manifest.json` and `MODEL_CARD.md`; returns the manifest. */
export async function saveNerModel(dir: string, model: TrainedNer, o: SaveNerOptions): Promise<NerManifest> {
  const onnxBytes = buildNerOnnx(model, { quantize: o.quantize });
  const features = new FeatureVocabulary(model.buckets).toBytes();
  const clusters = model.clusters?.toBytes();
  const manifest: NerManifest = {
    kind: 'ner',
    format_version: 1,
    tags: model.tags,
    types: [...new Set(model.tags.filter((t) => t !== 'O').map((t) => t.slice(2)))],
    languages: o.languages,
    featurizer: {
      name: 'ner-token-v1',
      seed: NER_FEATURE_SEED,
      buckets: NER_BUCKETS,
      features_per_token: nerFeaturesPerToken(model.clusters),
      ...(model.clusters
        ? {
            word_clusters: {
              branching: [...model.clusters.branching],
              words: model.clusters.words.length,
              source: o.vectorsSource ?? 'word vectors',
            },
          }
        : {}),
      ...(model.dense ? { dense_offsets: 3 as const } : {}),
    },
    quantized: o.quantize,
    onnx: record(onnxBytes),
    features: record(features),
    ...(clusters ? { clusters: record(clusters) } : {}),
    training: { ...o.training, ...(o.dataDescription ? { data: o.dataDescription } : {}) },
    validation: o.validation,
  };
  // The directory is replaced as a unit: a failed save leaves the previous model as it was.
  await replaceModelDir(dir, async (staging) => {
    await writeFile(join(staging, NER_MODEL_FILE), onnxBytes);
    await writeFile(join(staging, NER_FEATURES_FILE), features);
    if (clusters) await writeFile(join(staging, NER_CLUSTERS_FILE), clusters);
    await writeNerManifestAndCard(staging, manifest);
  });
  return manifest;
}

/** (Re)writes the manifest and the card generated from it. */
export async function writeNerManifestAndCard(dir: string, manifest: NerManifest): Promise<void> {
  await writeFile(join(dir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  await writeFile(join(dir, 'MODEL_CARD.md'), renderNerCard(manifest));
}

function clusterLine(m: NerManifest): string {
  const c = m.featurizer.word_clusters;
  if (!c) return 'no pretrained vectors';
  const sizes = c.branching.map((_, l) => c.branching.slice(0, l + 1).reduce((a, b) => a * b, 1));
  return (
    `plus word-cluster features: ${c.words} lower-cased words clustered from ${c.source} into ${sizes.join(' / ')} ` +
    'clusters by hierarchical k-means, stored in word-clusters.bin' +
    (m.featurizer.dense_offsets
      ? ', and a learned projection of each word vector to tag scores (for the token and its ±1 neighbours) baked into ' +
        'model.onnx per lexicon word'
      : '') +
    '; the vectors themselves are not shipped'
  );
}

/** The model card: what the model is for, its data and terms, how it was trained, every measured number. */
export function renderNerCard(m: NerManifest): string {
  const t = (m.training ?? {}) as Record<string, unknown>;
  const v = (m.validation ?? {}) as Record<string, unknown>;
  const lines = [
    `# NER model: ${m.types.join(' ')} (${m.languages.join(', ')})`,
    '',
    `Linear-chain CRF over hashed token features, trained from scratch by \`switchboard train ner\` (${clusterLine(m)}). Languages: **${m.languages.join(', ')} only** — switchboard runs it only on turns detected as ` +
      `${m.languages.join('/')}; structured values (dates, amounts, e-mails, phone numbers…) come from the rule ` +
      'recognizers in every configured language.',
    '',
    '## Training data',
    '',
    typeof t.data === 'string' ? t.data : 'Not described.',
    '',
    `Sentences ${t.sentences ?? '?'}, tokens ${t.tokens ?? '?'}; ${t.kept_features ?? '?'} feature buckets kept ` +
      `(seen ≥ ${t.min_count ?? '?'} times); ${t.epochs ?? '?'} epochs (best ${t.best_epoch ?? '?'}), ` +
      `${t.seconds ?? '?'} s; a ${pct(t.lowercase_rate)}% share of sentences shown lower-cased each epoch.` +
      (typeof t.word_clusters_seconds === 'number'
        ? ` Reading and clustering the word vectors: ${t.word_clusters_seconds} s more.`
        : '') +
      (typeof t.peak_rss_mb === 'number' ? ` Peak RSS of the training process ${t.peak_rss_mb} MB.` : ''),
    `Stored ${m.quantized ? 'int8 (one scale per feature row)' : 'float32'}: model.onnx ${(m.onnx.bytes / 1e6).toFixed(1)} MB, ` +
      `features.bin ${(m.features.bytes / 1e6).toFixed(1)} MB` +
      (m.clusters ? `, word-clusters.bin ${(m.clusters.bytes / 1e6).toFixed(1)} MB.` : '.'),
    '',
    '## Validation (entity-level, exact span and type, as conlleval)',
    '',
    ...(typeof v.note === 'string'
      ? [`${v.note}.`]
      : [
          '| measure | F1 |',
          '|---|---|',
          `| validation | ${pct(v.f1)} |`,
          `| validation, lower-cased | ${pct(v.lowercase_f1)} |`,
          ...(typeof v.float_f1 === 'number'
            ? [`| validation, float32 weights (before int8) | ${pct(v.float_f1)} |`]
            : []),
        ]),
    '',
  ];
  const evaluations = m.evaluations ?? {};
  if (Object.keys(evaluations).length > 0) {
    lines.push('## Recorded evaluations (`switchboard eval ner --record NAME`)', '');
    lines.push(`| name | n | precision | recall | F1 | ${m.types.join(' | ')} |`);
    lines.push(`|---|---|---|---|---|${m.types.map(() => '---|').join('')}`);
    for (const [name, e] of Object.entries(evaluations)) {
      const per = (e.per_type ?? {}) as Record<string, { f1: number }>;
      lines.push(
        `| ${name} | ${e.n} | ${pct(e.precision)} | ${pct(e.recall)} | ${pct(e.f1)} | ${m.types.map((x) => pct(per[x]?.f1)).join(' | ')} |`,
      );
    }
    lines.push('');
  }
  return `${lines.join('\n')}\n`;
}
