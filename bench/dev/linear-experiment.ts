// Dev tool: the linear SVM member on a benchmark dataset (valid/test), with joint or per-family normalisation.
// Usage: tsx bench/dev/linear-experiment.ts multi3nlupp-english '{"c":[0.3,1,3],"norm":"family","sublinear":true}'
import { FeatureVocabulary } from '../../src/nlu/features/feature-vocabulary.ts';
import { featurize } from '../../src/nlu/features/featurize.ts';
import type { SparseRow } from '../../src/nlu/features/featurizer-config.ts';
import { DEFAULT_FEATURIZER, type FeatureBag } from '../../src/nlu/features/featurizer-config.ts';
import { linearScores, trainLinearSvm } from '../../src/train/linear-svm.ts';
import { computeIdf } from '../../src/train/train-intent.ts';
import { labelsOf, loadDataset, tuningSplit } from '../lib/bench-data.ts';

const [name, json = '{}'] = process.argv.slice(2);
const o = { c: [1], norm: 'joint', sublinear: true, maxRows: 200_000, ...JSON.parse(json) };
// No validation split (Banking77): a seeded, stratified 10% of train (the peers' tuning split), never test.
const loaded = loadDataset(name, false, 1);
const tuning = tuningSplit(loaded, 13);
const ds = { ...loaded, train: tuning.fit, valid: tuning.valid };
// "buckets": a smaller hash space (every feature kept, colliding) instead of pruning rows by document frequency.
const cfg = {
  ...DEFAULT_FEATURIZER,
  ...(o.buckets ? { buckets: o.buckets } : {}),
  ...(o.punct ? { punctuation: o.punct } : {}),
};
const wordCfg = { ...cfg, charNgrams: [0, 0] as [number, number] };
const t0 = performance.now();
const rawTrain = ds.train.map((e) => featurize(e.text, cfg));
const vocab = FeatureVocabulary.fromDocumentFrequency(rawTrain, 1, o.maxRows);
const isWord = new Uint8Array(vocab.rows);
for (const e of ds.train) for (const r of vocab.map(featurize(e.text, wordCfg)).ids) isWord[r] = 1;
const bagsTrain = rawTrain.map((b) => vocab.map(b));
const idf = computeIdf(bagsTrain, vocab.rows);
function rowOf(bag: FeatureBag): SparseRow {
  const n = bag.ids.length;
  const v = new Float32Array(n);
  let sw = 0;
  let sc = 0;
  for (let i = 0; i < n; i++) {
    const tf = o.sublinear ? 1 + Math.log(bag.counts[i]) : bag.counts[i];
    v[i] = tf * idf[bag.ids[i]];
    if (o.norm === 'family' && isWord[bag.ids[i]]) sw += v[i] * v[i];
    else sc += v[i] * v[i];
  }
  const nw = Math.max(Math.sqrt(sw), 1e-6);
  const nc = Math.max(Math.sqrt(sc), 1e-6);
  for (let i = 0; i < n; i++) v[i] /= o.norm === 'family' && isWord[bag.ids[i]] ? nw : nc;
  return { ids: bag.ids, values: v };
}
const labels = [...new Set(ds.train.flatMap(labelsOf))].sort();
const index = new Map(labels.map((l, i) => [l, i]));
const C = labels.length;
const target = (e: (typeof ds.train)[0]) => {
  if (ds.mode === 'single') return index.get(e.intent as string) ?? -1;
  const y = new Float32Array(C);
  for (const l of labelsOf(e)) if (index.has(l)) y[index.get(l)!] = 1;
  return y;
};
const xTrain = bagsTrain.map(rowOf);
const yTrain = ds.train.map(target);
const prep = (performance.now() - t0) / 1000;
const score = (rows: typeof ds.test, model: ReturnType<typeof trainLinearSvm>, thr?: number) => {
  const out = new Float32Array(C);
  const S = rows.map((e) => Float32Array.from(linearScores(model, rowOf(vocab.map(featurize(e.text, cfg))), out)));
  if (ds.mode === 'single') {
    let ok = 0;
    rows.forEach((e, i) => {
      let b = 0;
      for (let c = 1; c < C; c++) if (S[i][c] > S[i][b]) b = c;
      if (labels[b] === e.intent) ok++;
    });
    return { acc: ok / rows.length, thr: 0 };
  }
  const f1 = (t: number) => {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    rows.forEach((e, i) => {
      const g = new Set(labelsOf(e));
      for (let c = 0; c < C; c++) {
        const p = S[i][c] >= t;
        if (p && g.has(labels[c])) tp++;
        else if (p) fp++;
        else if (g.has(labels[c])) fn++;
      }
    });
    return (2 * tp) / (2 * tp + fp + fn);
  };
  if (thr !== undefined) return { acc: f1(thr), thr };
  let best = { acc: -1, thr: 0 };
  for (let t = -1; t <= 0.5; t += 0.05) {
    const a = f1(t);
    if (a > best.acc) best = { acc: a, thr: t };
  }
  return best;
};
for (const c of o.c) {
  const t1 = performance.now();
  const model = trainLinearSvm(xTrain, yTrain, vocab.rows, C, {
    c,
    tolerance: o.tol ?? 0.1,
    maxPasses: o.passes ?? 100,
    seed: 1,
  });
  const secs = (performance.now() - t1) / 1000;
  const v = ds.valid ? score(ds.valid, model) : { acc: Number.NaN, thr: 0 };
  const t = score(ds.test, model, ds.mode === 'multi' ? v.thr : undefined);
  console.log(
    JSON.stringify({
      name,
      ...o,
      c,
      rows: vocab.rows,
      prep: +prep.toFixed(1),
      train: +secs.toFixed(1),
      valid: +(v.acc * 100).toFixed(2),
      test: +(t.acc * 100).toFixed(2),
    }),
  );
}
