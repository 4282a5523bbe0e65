/**
 * A language profile's `manifest.json`: its schema (format 2, sparse) and the coded-error readers of a profile
 * directory's files.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { SwitchboardError } from '../../errors.ts';

/** The schema of `manifest.json` (format 2: the sparse profile of `LanguageProfile.load`). */
export const LanguageManifestSchema = z.object({
  kind: z.literal('language-profile'),
  format_version: z.literal(2),
  /** Every language the profile can score (at most 255): ISO 639-1, or `language-Script` for a second written form. */
  languages: z.array(z.string().min(2)).min(1).max(255),
  /** The languages a bot gets when it configures none (a broad profile covers far more than a bot speaks). */
  default_languages: z.array(z.string().min(2)).optional(),
  max_n: z.number().int().min(1).max(8),
  seed: z.number().int(),
  /** Distinct n-grams stored. */
  rows: z.number().int().min(0),
  /** (n-gram, language) log-probabilities stored. */
  entries: z.number().int().min(0),
  /** log p = min + q · step for the stored byte q. */
  quantization: z.object({ min: z.number(), step: z.number().positive() }),
  /** Per-language log-probability of an n-gram the profile does not hold for that language. */
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

/** Reads a file of a profile directory; a missing or unreadable one is a coded `input` error naming the directory. */
export function readProfileFile(dir: string, file: string): Buffer {
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
