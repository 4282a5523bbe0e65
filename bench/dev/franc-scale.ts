/**
 * `npx tsx bench/dev/franc-scale.ts`: chooses FRANC_SCALE and FRANC_HINT_BONUS (src/nlu/language/language-detector.ts)
 * for the detector's franc path (no profile) on the validation splits (MASSIVE dev + Multi3NLU++ folds 15–16), by the
 * trainer's criteria: the scale minimises NLL; the bonus is the largest on a 0.05 grid whose wrong hint costs
 * validation messages ≤ 0.5 points (held-out single words cannot be built without training words here).
 */
import { francAll } from 'franc';
import { minimizeOverTemperature } from '../../src/eval/calibration.ts';
import { LANGUAGES } from '../../src/nlu/language/languages.ts';
import { candidateLanguages, textEvidence } from '../../src/nlu/language/text-evidence.ts';
import { BENCH_LANGUAGES, chatSplits } from '../language-data.ts';

const { valid } = chatSplits();
const scored: { scores: number[]; gold: number }[] = [];
for (const e of valid) {
  const ev = textEvidence(e.text);
  if (!ev.script) continue;
  const cands = candidateLanguages(ev, BENCH_LANGUAGES, (l) => LANGUAGES[l].scripts);
  const gold = cands.indexOf(e.language);
  if (cands.length < 2 || gold < 0) continue;
  const iso3 = cands.map((c) => LANGUAGES[c].iso3);
  const s = new Array(cands.length).fill(0);
  for (const [code, v] of francAll(ev.words.join(' '), { only: iso3, minLength: 1 })) {
    const i = iso3.indexOf(code);
    if (i >= 0) s[i] = v;
  }
  scored.push({ scores: s, gold });
}
const nll = (t: number) => {
  let total = 0;
  for (const { scores, gold } of scored) {
    const z = scores.map((x) => x / t);
    const m = Math.max(...z);
    total += m + Math.log(z.reduce((a, x) => a + Math.exp(x - m), 0)) - z[gold];
  }
  return total / scored.length;
};
const t = minimizeOverTemperature(nll);
const scale = 1 / t;
const acc = (bonus: number, wrong: boolean) =>
  scored.filter(({ scores, gold }, i) => {
    const h = wrong ? (gold + 1 + (i % (scores.length - 1))) % scores.length : -1;
    const z = scores.map((x, c) => x * scale + (c === h ? bonus : 0));
    return z.indexOf(Math.max(...z)) === gold;
  }).length / valid.length;
const base = acc(0, false);
let bonus = 0;
for (let b = 0.05; b <= 20; b += 0.05) {
  if (base - acc(b, true) > 0.005) break;
  bonus = b;
}
console.log({ contested: scored.length, of: valid.length, scale: Number(scale.toFixed(2)), bonus, accuracy: base });
