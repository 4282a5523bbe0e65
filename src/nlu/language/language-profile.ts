/**
 * A learned language profile: multinomial naive Bayes over character 1–N-grams of padded words (` word `), stored
 * sparsely — for each n-gram only the languages that kept it, each with a uint8-quantised log-probability; any other
 * (n-gram, language) pair scores the language's `unseen` log-probability. A temperature and hint strengths chosen on
 * validation data come with it. Files: `profile.bin` and `manifest.json` (layout in {@link LanguageProfile.load}).
 * Pure JavaScript: scoring one chat message takes microseconds, whatever the number of languages.
 */
import { createHash } from 'node:crypto';
import { SwitchboardError } from '../../errors.ts';
import { murmur3 } from '../features/murmur3.ts';
import { type LanguageManifest, readLanguageManifest, readProfileFile } from './language-manifest.ts';
import { keyLanguage, profileKey, type Script } from './languages.ts';

export { type LanguageManifest, LanguageManifestSchema, readLanguageManifest } from './language-manifest.ts';

/** Seed of the n-gram hash (any fixed value; stored in the manifest). */
export const GRAM_SEED = 0x1a96;
/** Letters of a message that are scored; beyond this the verdict is long settled and scoring only costs time. */
export const MAX_SCORED_LETTERS = 400;

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

/**
 * A loaded profile: scores texts for its languages. Lookups go through an open-addressing table built at load time
 * (n-gram hashes are already uniform), so a message costs one probe per n-gram plus one add per stored language.
 */
export class LanguageProfile {
  readonly manifest: LanguageManifest;
  /** The profile's keys: ISO 639-1 codes, and `language-Script` for a language's second written form (`sr-Latin`). */
  readonly languages: readonly string[];
  /** The ISO 639-1 languages it covers (keys without their script). */
  readonly covered: ReadonlySet<string>;
  /** The languages a bot gets when it configures none: `default_languages`, else every language of the profile. */
  readonly defaultLanguages: readonly string[];
  private readonly keys: Uint32Array;
  private readonly table: Int32Array;
  private readonly mask: number;
  /** Entries of row r: offsets[r] … offsets[r + 1] − 1. */
  private readonly offsets: Uint32Array;
  private readonly entryLanguage: Uint8Array;
  /** Stored log-probability minus the language's `unseen` value: what finding the n-gram adds. */
  private readonly entryGain: Float32Array;

  private constructor(manifest: LanguageManifest, parts: LanguageProfileParts, logProbs?: Float32Array) {
    const k = manifest.languages.length;
    const { keys, counts, languages, quantized } = parts;
    if (
      keys.length !== manifest.rows ||
      counts.length !== manifest.rows ||
      languages.length !== manifest.entries ||
      quantized.length !== manifest.entries ||
      manifest.unseen.length !== k
    ) {
      throw new SwitchboardError(
        'E_LANGUAGE_PROFILE_CORRUPT',
        'input',
        'language profile: sizes do not match the manifest',
      );
    }
    this.manifest = manifest;
    this.languages = manifest.languages;
    this.covered = new Set(manifest.languages.map(keyLanguage));
    this.defaultLanguages = manifest.default_languages ?? [...this.covered];
    this.keys = keys;
    this.offsets = new Uint32Array(keys.length + 1);
    for (let r = 0; r < keys.length; r++) this.offsets[r + 1] = this.offsets[r] + counts[r];
    if (this.offsets[keys.length] !== manifest.entries) {
      throw new SwitchboardError('E_LANGUAGE_PROFILE_CORRUPT', 'input', 'language profile: entry counts do not add up');
    }
    this.entryLanguage = languages;
    this.entryGain = new Float32Array(languages.length);
    const { min, step } = manifest.quantization;
    for (let i = 0; i < languages.length; i++) {
      const l = languages[i];
      if (l >= k)
        throw new SwitchboardError('E_LANGUAGE_PROFILE_CORRUPT', 'input', 'language profile: bad language index');
      this.entryGain[i] = (logProbs ? logProbs[i] : min + quantized[i] * step) - manifest.unseen[l];
    }
    let size = 1;
    while (size < keys.length * 2) size <<= 1;
    this.mask = size - 1;
    this.table = new Int32Array(size).fill(-1);
    for (let r = 0; r < keys.length; r++) {
      let slot = keys[r] & this.mask;
      while (this.table[slot] !== -1) slot = (slot + 1) & this.mask;
      this.table[slot] = r;
    }
  }

  /** Builds a profile from its parts (the trainer uses this before anything is written). */
  static fromParts(manifest: LanguageManifest, parts: LanguageProfileParts): LanguageProfile {
    return new LanguageProfile(manifest, parts);
  }

  /** A profile over unquantised log-probabilities (the trainer measures what uint8 costs with it). */
  static fromLogProbs(
    manifest: LanguageManifest,
    parts: LanguageProfileParts,
    logProbs: Float32Array,
  ): LanguageProfile {
    return new LanguageProfile(manifest, parts, logProbs);
  }

  /**
   * Loads `manifest.json` + `profile.bin` from a directory; missing, corrupt or tampered files are coded errors.
   * `profile.bin`: `rows` n-gram hashes (uint32 little-endian, ascending), then per row the number of languages that
   * kept it (uint8), then per entry its language index (uint8), then per entry its quantised log-probability (uint8:
   * log p = min + q · step).
   */
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
    const { rows, entries } = manifest;
    if (bin.length !== rows * 5 + entries * 2) {
      throw new SwitchboardError(
        'E_LANGUAGE_PROFILE_CORRUPT',
        'input',
        `language profile ${dir}: profile.bin has the wrong size`,
      );
    }
    const keys = new Uint32Array(rows);
    for (let r = 0; r < rows; r++) keys[r] = bin.readUInt32LE(r * 4);
    const at = (offset: number, length: number) => new Uint8Array(bin.buffer, bin.byteOffset + offset, length);
    return LanguageProfile.fromParts(manifest, {
      keys,
      counts: at(rows * 4, rows),
      languages: at(rows * 5, entries),
      quantized: at(rows * 5 + entries, entries),
    });
  }

  /** True when the profile can score every one of `languages` (ISO 639-1). */
  covers(languages: readonly string[]): boolean {
    return languages.every((l) => this.covered.has(l));
  }

  /**
   * The index (into `languages` and the scores) that scores `language` written in `script`: its form in that script
   * if the profile learnt one, else its main form; −1 when the profile lacks the language.
   */
  indexFor(language: string, script: Script | undefined): number {
    const variant = this.languages.indexOf(profileKey(language, script));
    if (variant >= 0) return variant;
    const main = this.languages.indexOf(language);
    return main >= 0 ? main : this.languages.findIndex((k) => keyLanguage(k) === language);
  }

  /**
   * Every language's stored n-grams (hash ascending) and log-probabilities, index-aligned with `languages`: what a
   * trainer needs to extend this profile with a bot's own messages.
   */
  languageGrams(): { hashes: Uint32Array; logProbs: Float64Array; unseen: number }[] {
    const k = this.languages.length;
    const sizes = new Uint32Array(k);
    for (const l of this.entryLanguage) sizes[l]++;
    const out = Array.from(sizes, (n, l) => ({
      hashes: new Uint32Array(n),
      logProbs: new Float64Array(n),
      unseen: this.manifest.unseen[l],
    }));
    const fill = new Uint32Array(k);
    for (let r = 0; r < this.keys.length; r++) {
      for (let i = this.offsets[r]; i < this.offsets[r + 1]; i++) {
        const l = this.entryLanguage[i];
        out[l].hashes[fill[l]] = this.keys[r];
        out[l].logProbs[fill[l]++] = this.entryGain[i] + out[l].unseen;
      }
    }
    return out;
  }

  /**
   * The same profile over only the keys of `languages` (ISO 639-1; each with its written forms): rows none of them
   * stored are dropped. A detector scores through this view, so a message costs the same whether the profile holds
   * 9 languages or 140.
   */
  restrictTo(languages: readonly string[]): LanguageProfile {
    const wanted = new Set(languages);
    const keep = this.languages.map((key, i) => (wanted.has(keyLanguage(key)) ? i : -1)).filter((i) => i >= 0);
    const newIndex = new Int32Array(this.languages.length).fill(-1);
    keep.forEach((old, i) => {
      newIndex[old] = i;
    });
    const keys: number[] = [];
    const counts: number[] = [];
    const entryLanguages: number[] = [];
    const logProbs: number[] = [];
    const unseen = this.manifest.unseen;
    for (let r = 0; r < this.keys.length; r++) {
      let n = 0;
      for (let i = this.offsets[r]; i < this.offsets[r + 1]; i++) {
        const l = newIndex[this.entryLanguage[i]];
        if (l < 0) continue;
        entryLanguages.push(l);
        logProbs.push(this.entryGain[i] + unseen[this.entryLanguage[i]]);
        n++;
      }
      if (n > 0) {
        keys.push(this.keys[r]);
        counts.push(n);
      }
    }
    const manifest: LanguageManifest = {
      ...this.manifest,
      languages: keep.map((i) => this.languages[i]),
      unseen: keep.map((i) => unseen[i]),
      rows: keys.length,
      entries: entryLanguages.length,
    };
    const parts: LanguageProfileParts = {
      keys: Uint32Array.from(keys),
      counts: Uint8Array.from(counts),
      languages: Uint8Array.from(entryLanguages),
      quantized: new Uint8Array(entryLanguages.length),
    };
    return new LanguageProfile(manifest, parts, Float32Array.from(logProbs));
  }

  /** The row of an n-gram hash, or −1. */
  private rowOf(hash: number): number {
    let slot = hash & this.mask;
    for (;;) {
      const r = this.table[slot];
      if (r === -1 || this.keys[r] === hash) return r;
      slot = (slot + 1) & this.mask;
    }
  }

  /**
   * Summed log-likelihood of the words under each profile language (index-aligned with `languages`), and the number
   * of n-grams read. Not divided by the temperature.
   */
  logLikelihoods(words: readonly string[]): { scores: Float64Array; grams: number } {
    const k = this.languages.length;
    const scores = new Float64Array(k);
    const { offsets, entryLanguage, entryGain } = this;
    let grams = 0;
    forEachGram(
      words,
      this.manifest.max_n,
      this.manifest.seed,
      (hash) => {
        grams++;
        const r = this.rowOf(hash >>> 0);
        if (r < 0) return;
        for (let i = offsets[r], end = offsets[r + 1]; i < end; i++) scores[entryLanguage[i]] += entryGain[i];
      },
      MAX_SCORED_LETTERS,
    );
    const unseen = this.manifest.unseen;
    for (let l = 0; l < k; l++) scores[l] += grams * unseen[l];
    return { scores, grams };
  }
}

/** The arrays of a profile, as stored in `profile.bin` (see {@link LanguageProfile.load}). */
export interface LanguageProfileParts {
  /** N-gram hashes, ascending. */
  keys: Uint32Array;
  /** Languages stored per row. */
  counts: Uint8Array;
  /** Language index of each entry (rows in order, languages ascending within a row). */
  languages: Uint8Array;
  /** Quantised log-probability of each entry. */
  quantized: Uint8Array;
}
