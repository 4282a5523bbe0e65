// Dev tool: small bots sampled from CLINC150 (k intents × n examples, several seeds), trained with and without the
// background corpus; scored on those intents' rows plus every out_of_scope row of the chosen split (valid by default:
// design decisions are made there, never on test).
// Usage: tsx bench/dev/small-bots.ts '{"oosShare":0.15}' '{"trainLines":1000,"heldLines":500,"maxSimilarity":0.5}' [valid|test]
import { featurize } from '../../src/nlu/features/featurize.ts';
import { DEFAULT_FEATURIZER } from '../../src/nlu/features/featurizer-config.ts';
import { forwardReference } from '../../src/nlu/intent/forward-reference.ts';
import type { IntentExample } from '../../src/nlu/intent/intent-example.ts';
import { loadBackgroundCorpus } from '../../src/train/background/background-corpus.ts';
import { selectBackground } from '../../src/train/background/background-selection.ts';
import { trainIntentModel } from '../../src/train/train-intent.ts';
import { Random } from '../../src/util/random.ts';
import { clinc150 } from '../datasets.ts';

const [json = '{}', bgJson = '{"trainLines":1000,"heldLines":500,"maxSimilarity":0.5}', split = 'valid'] =
  process.argv.slice(2);
const opts = JSON.parse(json);
const bgOpts = JSON.parse(bgJson);
const ds = clinc150(false);
const corpus = loadBackgroundCorpus().sentences;
// The out_of_scope rows of the chosen split come from the full CLINC150 (the no-oos variant drops them from valid).
const evalRows = split === 'test' ? ds.test : (clinc150(true).valid ?? []);
const intents = [...new Set(ds.train.map((e) => e.intent as string))].sort();

async function one(k: number, n: number, seed: number, withBackground: boolean) {
  const rng = new Random(seed * 101 + k * 7 + n);
  const chosen = new Set(rng.shuffle([...intents]).slice(0, k));
  const train: IntentExample[] = [];
  for (const intent of chosen) {
    train.push(...rng.shuffle(ds.train.filter((e) => e.intent === intent)).slice(0, n));
  }
  const background = withBackground
    ? selectBackground(corpus, train, DEFAULT_FEATURIZER, {
        seed,
        ...bgOpts,
        ...(bgOpts.trainRatio !== undefined ? { trainLines: Math.round(bgOpts.trainRatio * train.length) } : {}),
      })
    : undefined;
  const m = await trainIntentModel(train, undefined, { seed, ...opts }, background);
  const L = m.weights.labels;
  const rows = evalRows.filter((e) => chosen.has(e.intent as string) || e.intent === 'out_of_scope');
  let inN = 0;
  let inOk = 0;
  let oosN = 0;
  let oosOk = 0;
  for (const e of rows) {
    const [p] = forwardReference(m.weights, [m.vocabulary.map(featurize(e.text, m.featurizer))]);
    let b = 0;
    for (let c = 1; c < L.length; c++) if (p[c] > p[b]) b = c;
    const pred = p[b] >= (m.threshold ?? 0) ? L[b] : 'out_of_scope';
    if (e.intent === 'out_of_scope') {
      oosN++;
      if (pred === 'out_of_scope') oosOk++;
    } else {
      inN++;
      if (pred === e.intent) inOk++;
    }
  }
  return { inScope: inOk / inN, oos: oosOk / oosN, seconds: m.trainSeconds, threshold: m.threshold ?? 0 };
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
for (const [k, n] of [
  [5, 10],
  [20, 20],
]) {
  const withBg = [];
  const without = [];
  for (let seed = 1; seed <= 5; seed++) {
    withBg.push(await one(k, n, seed, true));
    without.push(await one(k, n, seed, false));
  }
  const pct = (x: number) => +(x * 100).toFixed(1);
  console.log(
    JSON.stringify({
      bot: `${k}x${n}`,
      split,
      opts,
      bgOpts,
      with: {
        inScope: pct(mean(withBg.map((r) => r.inScope))),
        oos: pct(mean(withBg.map((r) => r.oos))),
        s: +mean(withBg.map((r) => r.seconds)).toFixed(1),
        t: withBg.map((r) => +r.threshold.toFixed(2)),
      },
      without: { inScope: pct(mean(without.map((r) => r.inScope))), oos: pct(mean(without.map((r) => r.oos))) },
    }),
  );
}
