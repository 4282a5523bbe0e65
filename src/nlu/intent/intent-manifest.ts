/**
 * The intent model directory's file names and its manifest (labels, featurizer settings, threshold, out-of-scope
 * protection, training facts, checksums): the schema and a reader that names every problem.
 */

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import type { ErrorCode } from '../../error-codes.ts';
import { SwitchboardError } from '../../errors.ts';
import { zodIssues } from '../../util/zod-issues.ts';

/** File name of the manifest inside a model directory. */
export const MANIFEST_FILE = 'manifest.json';
/** File name of the ONNX graph inside a model directory. */
export const MODEL_FILE = 'model.onnx';
/** File name of the feature vocabulary (kept hash buckets, little-endian int32) inside a model directory. */
export const FEATURES_FILE = 'features.bin';
/** File name of the human-readable model card inside a model directory. */
export const MODEL_CARD_FILE = 'MODEL_CARD.md';
/** The manifest format this build writes and reads. */
export const MANIFEST_FORMAT_VERSION = 1;

const int = z.number().int();
const range = z
  .tuple([int.nonnegative(), int.nonnegative()])
  .refine(([lo, hi]) => lo <= hi, { message: 'range must be [min, max] with min <= max' });
const probability = z.number().min(0).max(1);
const sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex digits');

/** zod schema of a FeaturizerConfig as stored in a manifest. */
export const featurizerSchema = z.object({
  buckets: int.min(2),
  seed: int,
  wordNgrams: range,
  charNgrams: range,
  maxTokens: int.positive(),
  punctuation: z.enum(['questions', 'all']).optional(),
});

/** zod schema of `manifest.json` of an intent model (format version 1). */
export const intentManifestSchema = z
  .object({
    format_version: z.literal(MANIFEST_FORMAT_VERSION),
    kind: z.literal('intent'),
    mode: z.enum(['single', 'multi']),
    labels: z.array(z.string().min(1)).min(1),
    featurizer: featurizerSchema,
    calibration: z.object({
      temperature: z.number().positive(),
      threshold: probability.optional(),
      thresholds: z.record(z.string(), probability).optional(),
      /** Set by `switchboard calibrate`: the precision asked for and what the thresholds gave on that data. */
      target: z
        .object({
          precision: probability,
          coverage: probability,
          expected_precision: probability,
          n: int,
          data: z.string(),
          /** The out-of-scope share the precision was asked for (`calibrate --oos-share`); absent: the data's own. */
          oos_share: probability.optional(),
        })
        .optional(),
      /**
       * How the model rejects out-of-scope messages, measured at training: where the evidence came from (the data's
       * out_of_scope rows, the background corpus, both, or none — then the threshold only hands off what the model is
       * least sure of), how many held-out out-of-scope rows the rule was chosen on, and the share it rejected.
       */
      oos_protection: z
        .object({
          source: z.enum(['data', 'background', 'data+background', 'none']),
          held_out: int.nonnegative(),
          recall: probability.optional(),
          /** The share of correct held-out answers the rule was allowed to cost (single-label models). */
          max_in_scope_loss: probability.optional(),
        })
        .optional(),
    }),
    onnx: z.object({
      file: z.literal(MODEL_FILE),
      sha256,
      bytes: int.positive(),
      quantized: z.boolean(),
      opset: int.positive(),
    }),
    /**
     * The feature vocabulary: hashed buckets kept by training, bucket `k`-th in the file → embedding row `k + 1`.
     * Absent: bucket ids are embedding rows directly (the embedding has `featurizer.buckets` rows).
     */
    features: z
      .object({
        file: z.literal(FEATURES_FILE),
        sha256,
        bytes: int.nonnegative(),
        /** Embedding rows, padding row included (kept buckets + 1). */
        rows: int.positive(),
      })
      .optional(),
    training: z.object({
      data_sha256: z.string(),
      examples: int.nonnegative(),
      seed: int,
      options: z.record(z.string(), z.unknown()),
      seconds: z.number().nonnegative(),
      date: z.string().datetime({ offset: true }),
      /** Free text on the training data, for the model card. */
      data_description: z.string().optional(),
      /** Training warnings worth keeping with the model (e.g. labels with few examples). */
      warnings: z.array(z.string()).optional(),
      /** What the configuration search tried and chose (`train intent` without shape flags). */
      search: z.record(z.string(), z.unknown()).optional(),
      /** The background corpus lines used (languages, counts). */
      background: z.record(z.string(), z.unknown()).optional(),
      /** How the members were combined (stacking weights fitted on held-out rows). */
      combination: z.record(z.string(), z.number()).optional(),
    }),
    metrics: z.record(z.string(), z.unknown()),
    created_by: z.string(),
  })
  .superRefine((m, ctx) => {
    const seen = new Set<string>();
    for (const label of m.labels) {
      if (seen.has(label)) ctx.addIssue({ code: 'custom', path: ['labels'], message: `duplicate label '${label}'` });
      seen.add(label);
    }
    if (m.features && m.features.rows !== m.features.bytes / 4 + 1) {
      ctx.addIssue({ code: 'custom', path: ['features', 'rows'], message: 'must be bytes / 4 + 1' });
    }
    for (const label of Object.keys(m.calibration.thresholds ?? {})) {
      if (!seen.has(label)) {
        ctx.addIssue({ code: 'custom', path: ['calibration', 'thresholds', label], message: 'not one of the labels' });
      }
    }
  });

/**
 * The manifest of an intent model directory: what the runtime needs besides the graph (labels, featurizer settings,
 * calibration), the integrity check of `model.onnx`, and how the model was made.
 */
export type IntentManifest = z.infer<typeof intentManifestSchema>;

const fail = (code: ErrorCode, msg: string): never => {
  throw new SwitchboardError(code, 'input', msg);
};

/**
 * Validates a parsed manifest. `source` (a path) only appears in error messages. Throws `E_MODEL_KIND` when the
 * manifest describes another kind of model, `E_MODEL_MANIFEST` listing every problem otherwise.
 *
 * @example parseManifest(JSON.parse(text), 'models/intent-massive/manifest.json')
 */
export function parseManifest(json: unknown, source: string): IntentManifest {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return fail('E_MODEL_MANIFEST', `${source}: the manifest must be a JSON object`);
  }
  const { kind, format_version: version } = json as Record<string, unknown>;
  if (kind !== undefined && kind !== 'intent') {
    fail('E_MODEL_KIND', `${source}: this is a '${String(kind)}' model, expected an 'intent' model`);
  }
  if (version !== undefined && version !== MANIFEST_FORMAT_VERSION) {
    fail(
      'E_MODEL_MANIFEST',
      `${source}: unsupported format_version ${JSON.stringify(version)} (this build reads ${MANIFEST_FORMAT_VERSION})`,
    );
  }
  const parsed = intentManifestSchema.safeParse(json);
  if (!parsed.success) {
    const issues = zodIssues(parsed.error).map((l) => `  ${l}`);
    fail('E_MODEL_MANIFEST', `${source}: invalid manifest:\n${issues.join('\n')}`);
  }
  return parsed.data!;
}

/**
 * Reads and validates `<dir>/manifest.json`. Throws a {@link SwitchboardError} of kind `input`: `E_MODEL_MISSING`
 * (no such file), `E_MODEL_MANIFEST` (unreadable, not JSON, or invalid; every zod issue is listed with its path) or
 * `E_MODEL_KIND` (not an intent model).
 *
 * @example const manifest = await readManifest('models/intent-massive');
 */
export async function readManifest(dir: string): Promise<IntentManifest> {
  const path = join(dir, MANIFEST_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return fail('E_MODEL_MISSING', `model manifest not found: ${path}`);
    return fail('E_MODEL_MANIFEST', `cannot read model manifest ${path}: ${(e as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return fail('E_MODEL_MANIFEST', `${path} is not valid JSON: ${(e as Error).message}`);
  }
  return parseManifest(json, path);
}

/** Out-of-scope recall (measured at training) below which `train` and `start` say the protection is weak. */
export const WEAK_OOS_RECALL = 0.7;

/**
 * Why a model's out-of-scope protection cannot be trusted, or undefined when it was measured and holds: no record (a
 * model from an older version), trained with neither out_of_scope rows nor background lines in its languages, or a
 * measured recall below {@link WEAK_OOS_RECALL}. `train` and `start` print it
 * loudly.
 * @example const problem = oosProtectionProblem(manifest); if (problem) warn(problem);
 */
export function oosProtectionProblem(m: IntentManifest): string | undefined {
  const p = m.calibration.oos_protection;
  if (m.mode === 'multi' && !p) return undefined;
  if (!p) {
    return 'the intent model has no record of out-of-scope protection (trained by an older version): messages about other topics may be answered; retrain it with `switchboard train intent`';
  }
  if (p.recall !== undefined && p.recall < WEAK_OOS_RECALL && p.held_out > 0) {
    const pct = (100 * p.recall).toFixed(1);
    return `the intent model's out-of-scope protection is weak: it refused only ${pct}% of ${p.held_out} held-out messages about other topics (below ${100 * WEAK_OOS_RECALL}%), so many off-topic questions will be answered with one of your intents; add out_of_scope examples (messages your bot must not answer) and more examples per intent, then retrain`;
  }
  if (p.source === 'none') {
    return `the intent model's out-of-scope protection was NOT measured (no out_of_scope rows, ${oosNotMeasuredReason(m)}): messages about other topics may be answered; ${m.training.background ? 'add out_of_scope examples to your data' : 'retrain without --no-background'}`;
  }
  return undefined;
}

/**
 * Why a model with no out_of_scope rows has no measured protection: the background corpus was switched off, or it has
 * no line in the bot's languages (then only lines in other languages trained the out-of-scope class).
 */
export function oosNotMeasuredReason(m: Pick<IntentManifest, 'training'>): string {
  const bg = m.training.background as { languages?: string[]; unmatched?: string[] } | undefined;
  if (!bg) return 'the background corpus switched off (--no-background)';
  if (bg.unmatched?.length)
    return `the background corpus has no lines in your bot's language (${bg.unmatched.join(', ')})`;
  const source = (m.training.background as { languageSource?: string }).languageSource;
  if (source === 'word overlap' || source === 'language id')
    return (
      'your bot\'s language could not be recognised from its words (add a language field, e.g. "language": "en", ' +
      'to your examples) or the background corpus has no lines in it'
    );
  return "the background corpus has no lines in your bot's language";
}
