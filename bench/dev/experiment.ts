// Dev tool: train on a benchmark dataset with given options and print validation/test scores (TS forward pass).
// Usage: tsx bench/dev/experiment.ts banking77 '{"dim":64,"hidden":512}' ['{"trainLines":1000,"heldLines":500,"maxSimilarity":0.5}']
// Dataset `clinc150-nooos`: CLINC150 with every out_of_scope row removed from train and validation; the full validation
// split (with its out_of_scope rows) is reported as `design` — what design choices are made on, never test.
import { featurize } from '../../src/nlu/features/featurize.ts';
import { forwardReference } from '../../src/nlu/intent/forward-reference.ts';
import type { IntentExample } from '../../src/nlu/intent/intent-example.ts';
import { loadBackgroundCorpus } from '../../src/train/background/background-corpus.ts';
import { selectBackground } from '../../src/train/background/background-selection.ts';
import { trainIntentAuto } from '../../src/train/intent-search.ts';
import { labelsOf, trainIntentModel } from '../../src/train/train-intent.ts';
import { loadDataset } from '../lib/bench-data.ts';

const [name, json = '{}', bgJson] = process.argv.slice(2);
const noOos = name === 'clinc150-nooos';
const ds = loadDataset(noOos ? 'clinc150-no-oos-train' : name, false, 1);
const isOos = (e: IntentExample) => e.intent === 'out_of_scope';
const train = noOos ? ds.train.filter((e) => !isOos(e)) : ds.train;
const valid = noOos ? ds.valid?.filter((e) => !isOos(e)) : ds.valid;
const opts = JSON.parse(json);
const { DEFAULT_FEATURIZER } = await import('../../src/nlu/features/featurizer-config.ts');
const featurizer = { ...DEFAULT_FEATURIZER, ...(opts.featurizer ?? {}) };
let background: { train: { text: string; language: string }[]; held: { text: string; language: string }[] } | undefined;
let bgInfo: Record<string, unknown> = {};
if (bgJson) {
  const b = JSON.parse(bgJson);
  const sel = selectBackground(loadBackgroundCorpus().sentences, train, featurizer, { seed: 1, ...b });
  background = sel;
  bgInfo = {
    languages: sel.languages,
    candidates: sel.candidates,
    dropped: sel.dropped,
    train: sel.train.length,
    held: sel.held.length,
  };
}
const onProgress = (p: { fraction: number; status: string }) => {
  if (p.status.includes('valid') && process.env.VERBOSE) console.error(`${(p.fraction * 100).toFixed(0)}% ${p.status}`);
};
const { auto, budget, ...fixed } = opts;
const m = auto
  ? (
      await trainIntentAuto(train, valid, {
        fixed: { ...fixed, featurizer },
        budgetUnits: budget,
        background,
        onProgress,
        log: (l) => console.error(l),
      })
    ).trained
  : await trainIntentModel(train, valid, { ...opts, featurizer, onProgress }, background);
const L = m.weights.labels;
const C = L.length;
/** Scores a split: accuracy / in-scope + OOS recall at the model's threshold (single), micro-F1 (multi). */
function evaluate(rows: IntentExample[]) {
  let ok = 0;
  let inN = 0;
  let inOk = 0;
  let oosN = 0;
  let oosOk = 0;
  let tp = 0;
  let fp = 0;
  let fn = 0;
  const perLang = new Map<string, [number, number]>();
  for (const ex of rows) {
    const [p] = forwardReference(m.weights, [m.vocabulary.map(featurize(ex.text, m.featurizer))]);
    if (m.weights.mode === 'single') {
      let b = 0;
      for (let c = 1; c < C; c++) if (p[c] > p[b]) b = c;
      const pred = p[b] >= (m.threshold ?? 0) ? L[b] : 'out_of_scope';
      const good = L[b] === ex.intent ? 1 : 0;
      ok += good;
      if (isOos(ex)) {
        oosN++;
        if (pred === 'out_of_scope') oosOk++;
      } else {
        inN++;
        if (pred === ex.intent) inOk++;
      }
      const k = ex.language ?? '?';
      const s = perLang.get(k) ?? [0, 0];
      s[0] += good;
      s[1]++;
      perLang.set(k, s);
    } else {
      const gold = new Set(labelsOf(ex));
      for (let c = 0; c < C; c++) {
        const pr = p[c] >= (m.threshold ?? 0.5);
        if (pr && gold.has(L[c])) tp++;
        else if (pr) fp++;
        else if (gold.has(L[c])) fn++;
      }
    }
  }
  const pct = (x: number) => +(x * 100).toFixed(2);
  if (m.weights.mode === 'multi') return { microF1: pct((2 * tp) / (2 * tp + fp + fn)) };
  return {
    accuracy: pct(ok / rows.length),
    ...(oosN ? { inScope: pct(inOk / inN), oosRecall: pct(oosOk / oosN) } : {}),
    ...(perLang.size > 1 ? { perLang: Object.fromEntries([...perLang].map(([k, [a, n]]) => [k, pct(a / n)])) } : {}),
  };
}
console.log(
  JSON.stringify({
    dataset: name,
    opts,
    background: bgInfo,
    rows: m.vocabulary.rows,
    trainSeconds: +m.trainSeconds.toFixed(1),
    valid: m.validation,
    combination: m.combination,
    options: { dim: m.options.dim, hidden: m.options.hidden, ensemble: m.options.ensemble, linear: m.options.linear },
    threshold: m.threshold,
    int8cost: m.quantization.cost,
    ...(noOos ? { design: evaluate(ds.valid ?? []) } : {}),
    test: evaluate(ds.test),
  }),
);
