/**
 * The background corpus that ships with switchboard (`models/background/`): everyday sentences in many languages that
 * belong to no bot. Training draws out-of-scope examples from it (`background-selection.ts`); the runtime never reads
 * it. Files: `sentences.tsv.gz` (gzip of `text<TAB>iso639-1` lines) and `manifest.json` (its sha256, line count,
 * languages, source); `MODEL_CARD.md` gives the attribution.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { z } from 'zod';
import { SwitchboardError } from '../../errors.ts';
import { zodIssues } from '../../util/zod-issues.ts';

/** Where the shipped corpus lives. */
export const DEFAULT_BACKGROUND_DIR = join(import.meta.dirname, '..', '..', '..', 'models', 'background');
/** File names inside a background directory. */
export const BACKGROUND_FILE = 'sentences.tsv.gz';
export const BACKGROUND_MANIFEST = 'manifest.json';

/** zod schema of a background corpus manifest. */
export const backgroundManifestSchema = z.object({
  kind: z.literal('background'),
  format_version: z.literal(1),
  file: z.literal(BACKGROUND_FILE),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  lines: z.number().int().positive(),
  languages: z.record(z.string(), z.number().int().positive()),
  source: z.string(),
  license: z.string(),
});
export type BackgroundManifest = z.infer<typeof backgroundManifestSchema>;

/** One background sentence. */
export interface BackgroundSentence {
  text: string;
  language: string;
}

/** A loaded corpus. */
export interface BackgroundCorpus {
  manifest: BackgroundManifest;
  sentences: BackgroundSentence[];
}

const fail = (msg: string, cause?: unknown): never => {
  throw new SwitchboardError('E_BACKGROUND', 'input', msg, { cause });
};

/**
 * Reads and checks a background corpus. Errors (`E_BACKGROUND`, kind input) name the file and what is wrong: missing
 * directory or file, invalid manifest, checksum mismatch, not gzip, a malformed line, a line count that differs from
 * the manifest's.
 * @example const { sentences } = loadBackgroundCorpus(); // 81k sentences, 83 languages
 */
export function loadBackgroundCorpus(dir = DEFAULT_BACKGROUND_DIR): BackgroundCorpus {
  const manifestPath = join(dir, BACKGROUND_MANIFEST);
  let manifest: BackgroundManifest;
  try {
    const parsed = backgroundManifestSchema.safeParse(JSON.parse(readFileSync(manifestPath, 'utf8')));
    if (!parsed.success) throw new Error(zodIssues(parsed.error).join('; '));
    manifest = parsed.data;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return fail(
      code === 'ENOENT'
        ? `background corpus not found: ${manifestPath} (pass --no-background to train without out-of-scope protection)`
        : `background corpus manifest ${manifestPath} is invalid: ${(e as Error).message}`,
      e,
    );
  }
  const path = join(dir, manifest.file);
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    return fail(`background corpus file missing: ${path}`, e);
  }
  const digest = createHash('sha256').update(bytes).digest('hex');
  if (digest !== manifest.sha256) {
    fail(`background corpus ${path} is corrupt: sha256 ${digest}, manifest says ${manifest.sha256}`);
  }
  let text: string;
  try {
    text = gunzipSync(bytes).toString('utf8');
  } catch (e) {
    return fail(`background corpus ${path} is not gzip: ${(e as Error).message}`, e);
  }
  const sentences: BackgroundSentence[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line === '') continue;
    const tab = line.indexOf('\t');
    if (tab <= 0 || tab === line.length - 1) fail(`${path}:${i + 1}: expected text<TAB>language`);
    sentences.push({ text: line.slice(0, tab), language: line.slice(tab + 1) });
  }
  if (sentences.length !== manifest.lines) {
    fail(`background corpus ${path} has ${sentences.length} lines, manifest says ${manifest.lines}`);
  }
  return { manifest, sentences };
}
