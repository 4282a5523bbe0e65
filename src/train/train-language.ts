/**
 * Learns a language profile from the bot's own labelled messages (intent training data carries a `language` per
 * example): naive Bayes counts of character n-grams, pruned and quantised, then two numbers chosen on validation data —
 * the temperature that calibrates the posterior, and the hint bonus: the smallest prior for a hinted language that
 * lifts held-out single words to the target accuracy when the hint is right, while a wrong hint costs validation
 * messages at most `maxWrongHintLoss`.
 */
import { createHash } from 'node:crypto';
import { minimizeOverTemperature } from '../eval/calibration.ts';
import { forEachGram, GRAM_SEED, type LanguageManifest, LanguageProfile } from '../nlu/language/language-profile.ts';
import { LANGUAGES, type Script } from '../nlu/language/languages.ts';
import { candidateLanguages, type TextEvidence, textEvidence } from '../nlu/language/text-evidence.ts';
import { DataError } from './data-error.ts';
import type { LanguageExample } from './read-language-data.ts';

export interface LanguageTrainOptions {
  /** Longest character n-gram (code points). */
  maxN: number;
  /** Additive (Lidstone) smoothing of the n-gram counts. */
  alpha: number;
  /** N-grams seen fewer times than this (over all languages) are dropped. */
  minCount: number;
  /** Accuracy on held-out single words with a correct hint that the hint bonus aims for. */
  hintTarget: number;
  /** Largest accuracy loss on validation messages a wrong hint may cause (fraction, 0.005 = half a point). */
  maxWrongHintLoss: number;
  /** Held-out words per language used to choose the hint bonus. */
  wordsPerLanguage: number;
}

export const DEFAULT_LANGUAGE_TRAIN_OPTIONS: LanguageTrainOptions = {
  maxN: 5,
  alpha: 0.1,
  minCount: 1,
  hintTarget: 0.97,
  maxWrongHintLoss: 0.005,
  wordsPerLanguage: 1000,
};

/** Validation numbers recorded in the manifest and the model card. */
export interface LanguageValidation {
  messages: number;
  accuracy: number;
  accuracy_float: number;
  held_out_words: number;
  words_accuracy: number;
  words_correct_hint: number;
  words_wrong_hint: number;
  messages_wrong_hint: number;
}

export interface TrainedLanguageProfile {
  manifest: LanguageManifest;
  keys: Uint32Array;
  quantized: Uint8Array;
  profile: LanguageProfile;
  validation: LanguageValidation;
}

const HINT_GRID = Array.from({ length: 81 }, (_, i) => i * 0.25); // 0 … 20 logits

/** Trains a profile on `train`, calibrates it and chooses the hint bonus on `valid`. */
export function trainLanguageProfile(
  train: readonly LanguageExample[],
  valid: readonly LanguageExample[],
  options: Partial<LanguageTrainOptions> = {},
): TrainedLanguageProfile {
  const o = { ...DEFAULT_LANGUAGE_TRAIN_OPTIONS, ...options };
  const languages = [...new Set(train.map((e) => e.language))].sort();
  if (languages.length < 2) throw new DataError('training data', undefined, 'needs messages in at least two languages');
  for (const e of valid) {
    if (!languages.includes(e.language)) {
      throw new DataError('validation data', undefined, `language '${e.language}' has no training messages`);
    }
  }
  const k = languages.length;

  // 1. Count n-grams per language.
  const rowOf = new Map<number, number>();
  let counts = new Float64Array(1 << 16);
  const totals = new Float64Array(k);
  const trainWords = languages.map(() => new Set<string>());
  for (const e of train) {
    const l = languages.indexOf(e.language);
    const { words } = textEvidence(e.text);
    for (const w of words) trainWords[l].add(w);
    forEachGram(words, o.maxN, GRAM_SEED, (h) => {
      let r = rowOf.get(h);
      if (r === undefined) {
        r = rowOf.size;
        rowOf.set(h, r);
        if ((r + 1) * k > counts.length) {
          const grown = new Float64Array(counts.length * 2);
          grown.set(counts);
          counts = grown;
        }
      }
      counts[r * k + l]++;
      totals[l]++;
    });
  }

  // 2. Keep frequent n-grams; smoothed log-probabilities; uint8 quantisation.
  const kept: [number, number][] = [];
  for (const [h, r] of rowOf) {
    let sum = 0;
    for (let l = 0; l < k; l++) sum += counts[r * k + l];
    if (sum >= o.minCount) kept.push([h, r]);
  }
  kept.sort((a, b) => a[0] - b[0]);
  const rows = kept.length;
  const vocabulary = rows + 1;
  // p(g | l) = (c[g,l] + α) / (N_l + αV). (Dirichlet smoothing towards the pooled distribution was tried and chosen
  // against: lower validation accuracy at every strength tried, 1e4–1e6.)
  const denom = Array.from(totals, (t) => Math.log(t + o.alpha * vocabulary));
  const logProbs = new Float64Array(rows * k);
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < rows; i++) {
    const r = kept[i][1];
    for (let l = 0; l < k; l++) {
      const v = Math.log(counts[r * k + l] + o.alpha) - denom[l];
      logProbs[i * k + l] = v;
      if (v < min) min = v;
      if (v > max) max = v;
    }
  }
  const step = rows > 0 && max > min ? (max - min) / 255 : 1;
  const keys = Uint32Array.from(kept, ([h]) => h);
  const quantized = new Uint8Array(rows * k);
  for (let i = 0; i < logProbs.length; i++) quantized[i] = Math.round((logProbs[i] - min) / step);
  const unseen = denom.map((d) => Math.log(o.alpha) - d);

  const manifest: LanguageManifest = {
    kind: 'language-profile',
    format_version: 1,
    languages,
    max_n: o.maxN,
    seed: GRAM_SEED,
    rows,
    quantization: { min: rows > 0 ? min : 0, step },
    unseen,
    temperature: 1,
    hint_bonus: 0,
    sha256: profileChecksum(keys, quantized),
    training: {
      messages: train.length,
      per_language: Object.fromEntries(languages.map((l) => [l, train.filter((e) => e.language === l).length])),
      n_grams_seen: rowOf.size,
      n_grams_kept: rows,
      max_n: o.maxN,
      alpha: o.alpha,
      min_count: o.minCount,
    },
  };
  let profile = LanguageProfile.fromParts(manifest, keys, quantized);

  // 3. Validation messages and held-out words (≥ 5 letters, never seen in training), scored over the languages
  //    sharing their script — the choice the detector faces at run time.
  const validItems = valid.map((e) => ({ evidence: textEvidence(e.text), language: e.language }));
  const messages = scoreSet(profile, validItems);
  const heldOut: ScoreItem[] = [];
  for (let l = 0; l < k; l++) {
    const seen = new Set<string>();
    for (const e of valid) {
      if (e.language !== languages[l] || seen.size >= o.wordsPerLanguage) continue;
      for (const w of textEvidence(e.text).words) {
        if ([...w].length >= 5 && !trainWords[l].has(w) && !seen.has(w) && seen.size < o.wordsPerLanguage) {
          seen.add(w);
          heldOut.push({ evidence: textEvidence(w), language: languages[l] });
        }
      }
    }
  }
  const words = scoreSet(profile, heldOut);
  const floatProfile = LanguageProfile.fromLogProbs(manifest, keys, Float32Array.from(logProbs));
  const floatAccuracy = accuracyOf(scoreSet(floatProfile, validItems), () => 0, 'none');

  const temperature = minimizeOverTemperature((t) => nll(messages, t));
  const scaled = (set: Scored[]) => set.map((s) => ({ ...s, logits: s.logits.map((x) => x / temperature) }));
  const m = scaled(messages);
  const w = scaled(words);
  const none = () => 0;
  const base = accuracyOf(m, none, 'none');
  // A wrong hint can only hurt messages whose script leaves a choice: the loss budget counts all validation messages.
  const byScript = chooseHintBonuses(m, w, Math.floor(o.maxWrongHintLoss * valid.length + 1e-9), o.hintTarget);
  // Scripts validation never saw use the bonus of the script with the most held-out words.
  const wordsPerScript = new Map<Script, number>();
  for (const x of w) wordsPerScript.set(x.script, (wordsPerScript.get(x.script) ?? 0) + 1);
  const commonest = [...wordsPerScript].sort((a, b) => b[1] - a[1])[0]?.[0];
  const fallback = commonest ? byScript[commonest] : 0;
  const bonusFor = (script: Script) => byScript[script] ?? fallback;
  const validation: LanguageValidation = {
    messages: m.length,
    accuracy: base,
    accuracy_float: floatAccuracy,
    held_out_words: heldOut.length,
    words_accuracy: accuracyOf(w, none, 'none'),
    words_correct_hint: accuracyOf(w, bonusFor, 'right'),
    words_wrong_hint: accuracyOf(w, bonusFor, 'wrong'),
    messages_wrong_hint: accuracyOf(m, bonusFor, 'wrong'),
  };
  manifest.temperature = temperature;
  manifest.hint_bonus = fallback;
  manifest.hint_bonus_by_script = byScript;
  manifest.validation = { ...validation };
  profile = LanguageProfile.fromParts(manifest, keys, quantized);
  return { manifest, keys, quantized, profile, validation };
}

/** sha256 of `profile.bin` as written: keys (uint32 little-endian), then the quantised rows. */
export function profileBytes(keys: Uint32Array, quantized: Uint8Array): Buffer {
  const buf = Buffer.alloc(keys.length * 4 + quantized.length);
  for (let i = 0; i < keys.length; i++) buf.writeUInt32LE(keys[i], i * 4);
  buf.set(quantized, keys.length * 4);
  return buf;
}

function profileChecksum(keys: Uint32Array, quantized: Uint8Array): string {
  return createHash('sha256').update(profileBytes(keys, quantized)).digest('hex');
}

/** A validation item scored over its candidate languages; `gold` indexes `logits`; `script` is its dominant script. */
interface Scored {
  logits: number[];
  gold: number;
  script: Script;
}

/**
 * One hint bonus per script (from the grid), chosen together: the most held-out words right with a correct hint,
 * while wrong hints flip at most `budget` validation messages in total (each message belongs to one script, so the
 * losses add up: a small knapsack over integer loss counts). Scripts stop growing their bonus once their words reach
 * `target`; ties go to the smaller bonus.
 */
function chooseHintBonuses(
  messages: Scored[],
  words: Scored[],
  budget: number,
  target: number,
): Record<string, number> {
  const scripts = [...new Set([...messages, ...words].map((s) => s.script))].sort();
  const options = scripts.map((script) => {
    const m = messages.filter((s) => s.script === script);
    const w = words.filter((s) => s.script === script);
    const right0 = Math.round(accuracyOf(m, () => 0, 'none') * m.length);
    const out: { bonus: number; loss: number; gain: number }[] = [];
    for (const bonus of HINT_GRID) {
      const loss = right0 - Math.round(accuracyOf(m, () => bonus, 'wrong') * m.length);
      const acc = accuracyOf(w, () => bonus, 'right');
      out.push({ bonus, loss, gain: Math.round(acc * w.length) });
      if (loss > budget || (w.length > 0 && acc >= target)) break;
    }
    return out;
  });
  // best[b] = [gain, bonuses] using at most b flipped messages over the scripts seen so far.
  let best: { gain: number; picks: number[] }[] = Array.from({ length: budget + 1 }, () => ({ gain: 0, picks: [] }));
  for (const opts of options) {
    const next = Array.from({ length: budget + 1 }, () => ({ gain: -1, picks: [] as number[] }));
    for (let b = 0; b <= budget; b++) {
      for (const o of opts) {
        if (o.loss > b) continue;
        const prev = best[b - o.loss];
        if (prev.gain < 0) continue;
        if (prev.gain + o.gain > next[b].gain) next[b] = { gain: prev.gain + o.gain, picks: [...prev.picks, o.bonus] };
      }
    }
    best = next;
  }
  const picks = best[budget].picks;
  return Object.fromEntries(scripts.map((s, i) => [s, picks[i] ?? 0]));
}

/** A validation message or word with its evidence (`textEvidence`) and gold language. */
interface ScoreItem {
  evidence: TextEvidence;
  language: string;
}

/**
 * Each item scored over the candidate languages the detector would weigh for it; items decided by their script (one
 * candidate) or whose gold language is not a candidate are left out.
 */
function scoreSet(profile: LanguageProfile, items: readonly ScoreItem[]): Scored[] {
  const languages = profile.languages;
  const out: Scored[] = [];
  for (const { evidence, language } of items) {
    if (!evidence.script) continue;
    const cands = candidateLanguages(evidence, languages, (l) => LANGUAGES[l]?.scripts ?? []).map((l) =>
      languages.indexOf(l),
    );
    const gold = cands.indexOf(languages.indexOf(language));
    if (cands.length < 2 || gold < 0) continue;
    const { scores } = profile.logLikelihoods(evidence.words);
    out.push({ logits: cands.map((c) => scores[c]), gold, script: evidence.script });
  }
  return out;
}

function nll(set: readonly Scored[], t: number): number {
  let total = 0;
  for (const { logits, gold } of set) {
    let max = Number.NEGATIVE_INFINITY;
    for (const x of logits) if (x / t > max) max = x / t;
    let sum = 0;
    for (const x of logits) sum += Math.exp(x / t - max);
    total += max + Math.log(sum) - logits[gold] / t;
  }
  return total / Math.max(1, set.length);
}

/** Accuracy with the script's bonus added to the gold (`right`) or a cyclically chosen other candidate (`wrong`). */
function accuracyOf(
  set: readonly Scored[],
  bonusFor: (script: Script) => number,
  hint: 'none' | 'right' | 'wrong',
): number {
  let ok = 0;
  set.forEach(({ logits, gold, script }, i) => {
    const bonus = bonusFor(script);
    const h = hint === 'right' ? gold : hint === 'wrong' ? (gold + 1 + (i % (logits.length - 1))) % logits.length : -1;
    let best = -1;
    let bestV = Number.NEGATIVE_INFINITY;
    for (let c = 0; c < logits.length; c++) {
      const v = logits[c] + (c === h ? bonus : 0);
      if (v > bestV) [best, bestV] = [c, v];
    }
    ok += best === gold ? 1 : 0;
  });
  return set.length ? ok / set.length : 0;
}
