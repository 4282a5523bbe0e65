/**
 * A learned language profile: multinomial naive Bayes over character 1–N-grams of padded words (` word `), with
 * per-language log-probabilities for every n-gram seen often enough in the bot's own training data, and a temperature
 * and hint strength chosen on validation data. Files: `profile.bin` (sorted n-gram hashes, then uint8-quantised
 * log-probabilities, row-major) and `manifest.json`. Pure JavaScript: scoring one chat message takes microseconds.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { SwitchboardError } from '../../errors.ts';
import { murmur3 } from '../features/murmur3.ts';

/** Seed of the n-gram hash (any fixed value; stored in the manifest). */
export const GRAM_SEED = 0x1a96;
/** Letters of a message that are scored; beyond this the verdict is long settled and scoring only costs time. */
export const MAX_SCORED_LETTERS = 400;

export const LanguageManifestSchema = z.object({
  kind: z.literal('language-profile'),
  format_version: z.literal(1),
  languages: z.array(z.string().min(2)).min(1),
  max_n: z.number().int().min(1).max(8),
  seed: z.number().int(),
  rows: z.number().int().min(0),
  /** log p = min + q · step for the stored byte q. */
  quantization: z.object({ min: z.number(), step: z.number().positive() }),
  /** Per-language log-probability of an n-gram the profile does not hold. */
  unseen: z.array(z.number()),
  /** Divides summed log-likelihoods before the softmax (fitted on validation NLL). */
  temperature: z.number().positive(),
  /** Logit added for the language a `previous` hint names; `locale` adds half, `default` a quarter. */
  hint_bonus: z.number().min(0),
  /** The same per dominant script of the message, where validation data chose one (else `hint_bonus`). */
  hint_bonus_by_script: z.record(z.number().min(0)).optional(),
  sha256: z.string().length(64),
  training: z.record(z.unknown()).optional(),
  validation: z.record(z.unknown()).optional(),
  /** Metrics recorded by `switchboard eval language --record NAME`. */
  evaluations: z.record(z.record(z.unknown())).optional(),
});
export type LanguageManifest = z.infer<typeof LanguageManifestSchema>;

/**
 * Calls `visit(hash)` for every character n-gram (n = 1…maxN, counted in code points) of ` word ` for each word, until
 * `maxLetters` letters have been read. Training and scoring share this, so they see the same grams.
 */
export function forEachGram(
  words: readonly string[],
  maxN: number,
  seed: number,
  visit: (hash: number) => void,
  maxLetters = Number.POSITIVE_INFINITY,
): void {
  const starts: number[] = [];
  let letters = 0;
  for (const word of words) {
    if (letters >= maxLetters) break;
    const padded = ` ${word} `;
    starts.length = 0;
    for (let i = 0; i < padded.length; ) {
      starts.push(i);
      i += (padded.codePointAt(i) ?? 0) > 0xffff ? 2 : 1;
    }
    starts.push(padded.length);
    const cps = starts.length - 1;
    letters += cps - 2;
    for (let n = 1; n <= maxN; n++) {
      for (let i = 0; i + n <= cps; i++) {
        if (n === 1 && (i === 0 || i === cps - 1)) continue; // a lone space says nothing
        visit(murmur3(padded, seed, starts[i], starts[i + n]));
      }
    }
  }
}

/** Reads a file of a profile directory; a missing or unreadable one is a coded `input` error naming the directory. */
function readProfileFile(dir: string, file: string): Buffer {
  try {
    return readFileSync(join(dir, file));
  } catch (e) {
    const code =
      (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'E_LANGUAGE_PROFILE_MISSING' : 'E_LANGUAGE_PROFILE_CORRUPT';
    throw new SwitchboardError(code, 'input', `language profile ${dir}: ${(e as Error).message}`, { cause: e });
  }
}

/** The validated `manifest.json` of a profile directory, without reading the profile itself. */
export function readLanguageManifest(dir: string): LanguageManifest {
  let raw: unknown;
  try {
    raw = JSON.parse(readProfileFile(dir, 'manifest.json').toString('utf8'));
  } catch (e) {
    if (e instanceof SwitchboardError) throw e;
    throw new SwitchboardError(
      'E_LANGUAGE_PROFILE_CORRUPT',
      'input',
      `language profile ${dir}: ${(e as Error).message}`,
      {
        cause: e,
      },
    );
  }
  const parsed = LanguageManifestSchema.safeParse(raw);
  if (!parsed.success) {
    throw new SwitchboardError(
      'E_LANGUAGE_PROFILE_CORRUPT',
      'input',
      `language profile ${dir}: manifest.json is not a language profile (${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message})`,
    );
  }
  return parsed.data;
}

/** A loaded profile: scores texts for its languages. */
export class LanguageProfile {
  readonly manifest: LanguageManifest;
  readonly languages: readonly string[];
  private readonly index: Map<number, number>;
  private readonly logProbs: Float32Array;

  private constructor(manifest: LanguageManifest, keys: Uint32Array, logProbs: Float32Array) {
    this.manifest = manifest;
    this.languages = manifest.languages;
    this.logProbs = logProbs;
    this.index = new Map();
    for (let r = 0; r < keys.length; r++) this.index.set(keys[r], r);
  }

  /** Builds a profile from its parts (the trainer uses this before anything is written). */
  static fromParts(manifest: LanguageManifest, keys: Uint32Array, quantized: Uint8Array): LanguageProfile {
    const k = manifest.languages.length;
    if (keys.length !== manifest.rows || quantized.length !== manifest.rows * k || manifest.unseen.length !== k) {
      throw new SwitchboardError(
        'E_LANGUAGE_PROFILE_CORRUPT',
        'input',
        'language profile: sizes do not match the manifest',
      );
    }
    const { min, step } = manifest.quantization;
    const logProbs = new Float32Array(quantized.length);
    for (let i = 0; i < quantized.length; i++) logProbs[i] = min + quantized[i] * step;
    return new LanguageProfile(manifest, keys, logProbs);
  }

  /** A profile over unquantised log-probabilities (the trainer measures what uint8 costs with it). */
  static fromLogProbs(manifest: LanguageManifest, keys: Uint32Array, logProbs: Float32Array): LanguageProfile {
    return new LanguageProfile(manifest, keys, logProbs);
  }

  /** Loads `manifest.json` + `profile.bin` from a directory; missing, corrupt or tampered files are coded errors. */
  static load(dir: string): LanguageProfile {
    const manifest = readLanguageManifest(dir);
    const bin = readProfileFile(dir, 'profile.bin');
    if (createHash('sha256').update(bin).digest('hex') !== manifest.sha256) {
      throw new SwitchboardError(
        'E_LANGUAGE_PROFILE_CORRUPT',
        'input',
        `language profile ${dir}: profile.bin checksum mismatch`,
      );
    }
    const rows = manifest.rows;
    if (bin.length !== rows * 4 + rows * manifest.languages.length) {
      throw new SwitchboardError(
        'E_LANGUAGE_PROFILE_CORRUPT',
        'input',
        `language profile ${dir}: profile.bin has the wrong size`,
      );
    }
    const keys = new Uint32Array(rows);
    for (let r = 0; r < rows; r++) keys[r] = bin.readUInt32LE(r * 4);
    const quantized = new Uint8Array(bin.buffer, bin.byteOffset + rows * 4, rows * manifest.languages.length);
    return LanguageProfile.fromParts(manifest, keys, quantized);
  }

  /** True when the profile can score every one of `languages`. */
  covers(languages: readonly string[]): boolean {
    return languages.every((l) => this.languages.includes(l));
  }

  /**
   * Summed log-likelihood of the words under each profile language (index-aligned with `languages`), and the number
   * of n-grams read. Not divided by the temperature.
   */
  logLikelihoods(words: readonly string[]): { scores: Float64Array; grams: number } {
    const k = this.languages.length;
    const scores = new Float64Array(k);
    const unseen = this.manifest.unseen;
    const lp = this.logProbs;
    let grams = 0;
    forEachGram(
      words,
      this.manifest.max_n,
      this.manifest.seed,
      (hash) => {
        grams++;
        const row = this.index.get(hash);
        if (row === undefined) for (let l = 0; l < k; l++) scores[l] += unseen[l];
        else for (let l = 0, o = row * k; l < k; l++) scores[l] += lp[o + l];
      },
      MAX_SCORED_LETTERS,
    );
    return { scores, grams };
  }
}
