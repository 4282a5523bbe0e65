/**
 * What a language profile's calibration measures on validation data: each item scored over the candidate languages
 * the detector would weigh for it, the temperature's NLL, accuracy with a right or wrong hint, and the per-script hint
 * bonuses chosen together under a budget of validation messages a wrong hint may flip.
 */
import type { LanguageProfile } from '../nlu/language/language-profile.ts';
import { LANGUAGES, type Script } from '../nlu/language/languages.ts';
import { candidateLanguages, type TextEvidence, textEvidence } from '../nlu/language/text-evidence.ts';

/** Hint bonuses tried: 0 … 20 logits. */
export const HINT_GRID = Array.from({ length: 81 }, (_, i) => i * 0.25);

/** A validation item scored over its candidate languages; `gold` indexes `logits`; `script` is its dominant script. */
export interface Scored {
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
export function chooseHintBonuses(
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
export interface ScoreItem {
  evidence: TextEvidence;
  language: string;
}

/**
 * Each item scored over the candidate languages the detector would weigh for it; items decided by their script (one
 * candidate) or whose gold language is not a candidate are left out.
 */
export function scoreSet(
  profile: LanguageProfile,
  items: readonly ScoreItem[],
  configured: readonly string[] = [...profile.covered],
): Scored[] {
  const out: Scored[] = [];
  for (const { evidence, language } of items) {
    if (!evidence.script) continue;
    const script = evidence.script;
    const names = candidateLanguages(evidence, configured, (l) => LANGUAGES[l]?.scripts ?? []);
    const cands = names.map((l) => profile.indexFor(l, script));
    const gold = names.indexOf(language);
    if (cands.length < 2 || gold < 0 || cands.some((c) => c < 0)) continue;
    const { scores } = profile.logLikelihoods(evidence.words);
    out.push({ logits: cands.map((c) => scores[c]), gold, script: evidence.script });
  }
  return out;
}

export function nll(set: readonly Scored[], t: number): number {
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
export function accuracyOf(
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

/**
 * Held-out single words of validation messages (≥ 5 letters, never seen in the training messages of their language;
 * at most `perLanguage` per language): what a hint bonus is chosen on. `grams` is index-aligned with the profile's keys.
 */
export function heldOutWords(
  profile: LanguageProfile,
  valid: readonly { text: string; language: string }[],
  grams: readonly { words: Set<string> }[],
  perLanguage: number,
): ScoreItem[] {
  const out: ScoreItem[] = [];
  const seenPer = new Map<string, Set<string>>();
  for (const e of valid) {
    const evidence = textEvidence(e.text);
    const l = profile.indexFor(e.language, evidence.script);
    const seen = seenPer.get(e.language) ?? new Set<string>();
    seenPer.set(e.language, seen);
    for (const w of evidence.words) {
      if (seen.size >= perLanguage) break;
      if ([...w].length >= 5 && !(l >= 0 && grams[l].words.has(w)) && !seen.has(w)) {
        seen.add(w);
        out.push({ evidence: textEvidence(w), language: e.language });
      }
    }
  }
  return out;
}

/**
 * The temperature minimising the summed validation NLL plus a Gaussian prior on log T centred on `base` (σ = 0.5),
 * searched on a grid within [base / range, base · range]: with a few messages it stays near the base's; separable
 * validation data cannot drive it toward zero.
 */
export function temperatureTowardBase(set: readonly Scored[], base: number, range: number): number {
  const lo = Math.log(base / range);
  const hi = Math.log(base * range);
  const steps = 400;
  let best = base;
  let bestF = Number.POSITIVE_INFINITY;
  for (let k = 0; k <= steps; k++) {
    const u = lo + ((hi - lo) * k) / steps;
    const t = Math.exp(u);
    const f = nll(set, t) * set.length + (u - Math.log(base)) ** 2 / (2 * 0.5 ** 2);
    if (f < bestF - 1e-12) [best, bestF] = [t, f];
  }
  return best;
}
