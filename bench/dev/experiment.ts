// Dev tool: train on a benchmark dataset with given options and print validation/test scores (TS forward pass).
// Usage: tsx bench/dev/experiment.ts banking77 '{"dim":64,"hidden":512}'

import { featurize } from '../../src/nlu/features/featurize.ts';
import { forwardReference } from '../../src/nlu/intent/forward-reference.ts';
import { labelsOf, trainIntentModel } from '../../src/train/train-intent.ts';
import { banking77, clinc150, type DatasetSplits, massive, multi3nlupp } from '../datasets.ts';

const [name, json = '{}'] = process.argv.slice(2);
const ds: DatasetSplits =
  name === 'banking77'
    ? banking77()
    : name === 'clinc150'
      ? clinc150()
      : name.startsWith('massive')
        ? massive(name.includes(':') ? name.split(':')[1].split(',') : undefined)
        : multi3nlupp(name.split(':')[1] as 'english');
const opts = JSON.parse(json);
const m = await trainIntentModel(ds.train, ds.valid, {
  ...opts,
  featurizer: {
    ...(await import('../../src/nlu/features/featurizer-config.ts')).DEFAULT_FEATURIZER,
    ...(opts.featurizer ?? {}),
  },
  onProgress: (p) => {
    if (p.epochFraction === 1)
      console.error(
        `tower ${p.tower} epoch ${p.epoch} loss ${p.trainLoss.toFixed(4)} valid ${p.validScore.toFixed(4)}`,
      );
  },
});
const L = m.weights.labels;
const C = L.length;
let ok = 0;
const perLang = new Map<string, [number, number]>();
let tp = 0,
  fp = 0,
  fn = 0;
for (const ex of ds.test) {
  const bag = m.vocabulary.map(featurize(ex.text, m.featurizer));
  const [p] = forwardReference(m.weights, [bag]);
  if (m.weights.mode === 'single') {
    let b = 0;
    for (let c = 1; c < C; c++) if (p[c] > p[b]) b = c;
    const good = L[b] === ex.intent ? 1 : 0;
    ok += good;
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
const res = {
  dataset: name,
  rows: m.vocabulary.rows,
  opts,
  trainSeconds: +m.trainSeconds.toFixed(1),
  valid: m.validation,
  T: +m.weights.temperature.toFixed(3),
  test:
    m.weights.mode === 'single'
      ? +((ok / ds.test.length) * 100).toFixed(2)
      : +((200 * tp) / (2 * tp + fp + fn)).toFixed(2),
  perLang: Object.fromEntries([...perLang].map(([k, [a, n]]) => [k, +((a / n) * 100).toFixed(2)])),
};
console.log(JSON.stringify(res));
