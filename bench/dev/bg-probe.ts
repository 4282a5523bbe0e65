import { loadDataset } from '../../bench/lib/bench-data.ts';
import { DEFAULT_FEATURIZER } from '../../src/nlu/features/featurizer-config.ts';
import { loadBackgroundCorpus } from '../../src/train/background/background-corpus.ts';
import { maxSimilarities, selectBackground } from '../../src/train/background/background-selection.ts';

const t0 = performance.now();
const corpus = loadBackgroundCorpus();
console.log('load', ((performance.now() - t0) / 1000).toFixed(2), corpus.sentences.length);
for (const name of process.argv.slice(2)) {
  const ds = loadDataset(name, false, 1);
  const train = ds.train.map((e) => ({ ...e, language: undefined }));
  const t1 = performance.now();
  const sel = selectBackground(corpus.sentences, train, DEFAULT_FEATURIZER, {
    trainLines: 1000,
    heldLines: 500,
    maxSimilarity: 0.5,
    seed: 1,
  });
  console.log(
    name,
    sel.languages,
    sel.languageSource,
    sel.candidates,
    sel.dropped,
    sel.train.length,
    sel.held.length,
    ((performance.now() - t1) / 1000).toFixed(2) + 's',
  );
  if (process.env.SHOW) {
    const cand = corpus.sentences.filter((s) => sel.languages.includes(s.language));
    const sims = maxSimilarities(
      cand.map((s) => s.text),
      train,
      DEFAULT_FEATURIZER,
    );
    const idx = [...sims.keys()].sort((a, b) => sims[b] - sims[a]);
    for (const i of idx.slice(0, 40)) console.log(sims[i].toFixed(2), cand[i].text);
    for (const i of idx.slice(200, 220)) console.log(sims[i].toFixed(2), cand[i].text);
  }
}
