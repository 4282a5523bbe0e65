/**
 * Multi-label background experiment (issue 13, Multi3NLU++): how many background lines should train a multi-label
 * model as rows with no label? For each language and ratio (lines per own training example), trains the default
 * path (seed 13; `--linear`: the linear member alone, fast) and prints the validation micro-F1 the search compares on,
 * the out-of-scope recall on the 500 held-out background lines, and — for the record only — test micro-F1 at the
 * model's own threshold. Choose on validation only.
 * `npx tsx bench/dev/multilabel-background-experiment.ts [--linear] [--ratios 0.5,0.2,0] [--languages english,...]`
 */
import { parseArgs } from 'node:util';
import { multiLabelMetrics } from '../../src/eval/intent-metrics.ts';
import { featurize } from '../../src/nlu/features/featurize.ts';
import { forwardReference } from '../../src/nlu/intent/forward-reference.ts';
import { trainIntentDefault } from '../../src/train/train-intent-default.ts';
import { loadDataset } from '../lib/bench-data.ts';

const { values } = parseArgs({
  options: {
    linear: { type: 'boolean', default: false },
    ratios: { type: 'string', default: '0.5,0.2,0' },
    languages: { type: 'string', default: 'english,spanish,marathi,turkish,amharic' },
  },
});
for (const lang of values.languages.split(',')) {
  const ds = loadDataset(`multi3nlupp-${lang}`, false, 13);
  for (const ratio of values.ratios.split(',').map(Number)) {
    const t0 = performance.now();
    const r = await trainIntentDefault(ds.train, ds.valid, {
      fixed: { seed: 13, ...(values.linear ? { ensemble: 0 } : {}) },
      backgroundTrainRatio: ratio,
    });
    const m = r.trained;
    const probs = forwardReference(
      m.weights,
      ds.test.map((e) => m.vocabulary.map(featurize(e.text, m.featurizer))),
    );
    const test = multiLabelMetrics(
      ds.test.map((e) => e.intent as string[]),
      probs,
      m.weights.labels,
      m.threshold ?? 0.5,
    );
    console.log(
      JSON.stringify({
        lang,
        ratio,
        chosen: r.search.chosen,
        valid_micro_f1: m.validation.microF1,
        oos_recall: m.validation.oosRecall,
        test_micro_f1: test.micro_f1,
        threshold: m.threshold,
        seconds: (performance.now() - t0) / 1000,
      }),
    );
  }
}
