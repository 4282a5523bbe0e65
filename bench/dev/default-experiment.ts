// Dev tool: the default training path (trainIntentDefault) on a benchmark dataset with some defaults overridden;
// prints validation ("design": CLINC150's out_of_scope validation rows, never used by the no-oos variant) and test.
// Usage: tsx bench/dev/default-experiment.ts clinc150-no-oos-train '{"maxInScopeLoss":0.02}'
import { featurize } from '../../src/nlu/features/featurize.ts';
import { forwardReference } from '../../src/nlu/intent/forward-reference.ts';
import type { IntentExample } from '../../src/nlu/intent/intent-example.ts';
import { trainIntentDefault } from '../../src/train/train-intent-default.ts';
import { clinc150 } from '../datasets.ts';
import { loadDataset } from '../lib/bench-data.ts';

const [name, json = '{}'] = process.argv.slice(2);
const fixed = JSON.parse(json);
const ds = loadDataset(name, false, 13);
const { trained: m, search } = await trainIntentDefault(ds.train, ds.valid, {
  fixed: { seed: 13, ...fixed },
  log: (l) => console.error(l),
});
const L = m.weights.labels;
function evaluate(rows: IntentExample[]) {
  let inN = 0;
  let inOk = 0;
  let oosN = 0;
  let oosOk = 0;
  for (const ex of rows) {
    const [p] = forwardReference(m.weights, [m.vocabulary.map(featurize(ex.text, m.featurizer))]);
    let b = 0;
    for (let c = 1; c < L.length; c++) if (p[c] > p[b]) b = c;
    const pred = p[b] >= (m.threshold ?? 0) ? L[b] : 'out_of_scope';
    if (ex.intent === 'out_of_scope') {
      oosN++;
      if (pred === 'out_of_scope') oosOk++;
    } else {
      inN++;
      if (pred === ex.intent) inOk++;
    }
  }
  return { inScope: +((100 * inOk) / inN).toFixed(2), oos: oosN ? +((100 * oosOk) / oosN).toFixed(2) : null };
}
const design = name.startsWith('clinc150') ? evaluate(clinc150(true).valid ?? []) : undefined;
console.log(
  JSON.stringify({
    name,
    fixed,
    chosen: search.chosen,
    seconds: +m.trainSeconds.toFixed(1),
    valid: m.validation,
    threshold: m.threshold,
    combination: m.combination,
    design,
    test: evaluate(ds.test),
  }),
);
