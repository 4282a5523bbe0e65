// Dev tool: the linear member's penalty C on the default path (trainIntentDefault). Trains with the opt-in C search
// (linearCGrid, default LINEAR_C_SEARCH_GRID; "grid" in the JSON overrides it) and, when it chose another C, with the
// default C = 1; prints the search's held-out scores and both models' scores on the dataset's
// VALIDATION split (never test). Default mode "carve": no --valid is given, so the search chooses on rows held out of
// train and the validation split is unseen by training and choice alike; mode "given" passes the validation split
// (as the benchmark does) and only reports what the search chose.
// Issue 13's runs (stdout lines, the earliest from a version with the grid 1, 0.25, 0.5, 2 and no "grid" field):
// bench/results/linear-c-validation.jsonl.
// Usage: tsx bench/dev/linear-c-experiment.ts multi3nlupp-english '{"ensemble":0,"grid":[1,0.5,2]}' [carve|given]
import { featurize } from '../../src/nlu/features/featurize.ts';
import { forwardReference } from '../../src/nlu/intent/forward-reference.ts';
import { LINEAR_C_SEARCH_GRID } from '../../src/train/intent-search.ts';
import { trainIntentDefault } from '../../src/train/train-intent-default.ts';
import type { TrainedIntentModel } from '../../src/train/train-intent-types.ts';
import { loadDataset } from '../lib/bench-data.ts';
import type { Ranked } from '../lib/metrics.ts';
import { evaluate } from '../lib/result.ts';

const [name, json = '{}', mode = 'carve'] = process.argv.slice(2);
const { grid = LINEAR_C_SEARCH_GRID, ...rest } = JSON.parse(json);
const fixed = { seed: 13, ...rest };
const ds = loadDataset(name, false, 13);
// Without a validation split (Banking77) only the search's own held-out scores are reported.
const valid = ds.valid ?? [];

function ranked(m: TrainedIntentModel): Ranked[] {
  const L = m.weights.labels;
  return valid.map((e) => {
    const [p] = forwardReference(m.weights, [m.vocabulary.map(featurize(e.text, m.featurizer))]);
    return L.map((l, c): [string, number] => [l, p[c]]).sort((a, b) => b[1] - a[1]);
  });
}

async function run(extra: object, linearCGrid?: readonly number[]) {
  const t0 = performance.now();
  const r = await trainIntentDefault(ds.train, mode === 'given' && ds.valid ? valid : undefined, {
    fixed: { ...fixed, ...extra },
    linearCGrid,
    log: (l) => console.error(l),
  });
  const seconds = (performance.now() - t0) / 1000;
  if (valid.length === 0) return { r, seconds, score: undefined };
  const metrics = evaluate({ ...ds, test: valid }, undefined, ranked(r.trained), r.trained.threshold ?? 0);
  const score = metrics.micro_f1 ?? metrics.in_scope_accuracy ?? metrics.accuracy;
  return { r, seconds, score, metrics };
}

const searched = await run({}, grid);
const lc = searched.r.search.linearC;
const out: Record<string, unknown> = {
  name,
  mode,
  fixed,
  grid,
  chosen: searched.r.search.chosen,
  linearC: lc && { chosen: lc.chosen, comparedOn: lc.comparedOn, seconds: +lc.seconds.toFixed(1), trials: lc.trials },
  seconds: +searched.seconds.toFixed(1),
};
if (mode !== 'given' && valid.length > 0) {
  out.validSearched = +(100 * (searched.score ?? Number.NaN)).toFixed(2);
  if (lc && lc.chosen !== 1) {
    const one = await run({ linearC: 1 });
    out.validC1 = +(100 * (one.score ?? Number.NaN)).toFixed(2);
    out.secondsC1 = +one.seconds.toFixed(1);
  } else out.validC1 = out.validSearched;
}
console.log(JSON.stringify(out));
