/**
 * Small bots (issue 13): k intents × n examples sampled from CLINC150 train (5×10 and 20×20, 5 seeds each), trained
 * the default way (`trainIntentDefault`, as `switchboard train intent --data F` does) with the background corpus and
 * with `--no-background`, saved and loaded through ONNX Runtime, scored on those intents' test rows plus all 1,000
 * test out_of_scope rows. In-scope accuracy counts a rejected in-scope message as wrong (CLINC150's rule). Writes
 * bench/results/small-bots.json; docs/benchmarks.md shows it (`npx tsx bench/lib/render-benchmarks.ts`).
 *
 * `npx tsx bench/small-bots.ts [--seeds 5] [--split test|valid] [--max-in-scope-loss L] [--shapes 3x10,…]` (the last two only with
 * `--split valid`: dev flags for choosing the product's defaults, which the test run always uses)
 */
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { predictSingleLabel } from '../src/eval/intent-metrics.ts';
import { IntentClassifier } from '../src/nlu/intent/intent-classifier.ts';
import type { IntentExample } from '../src/nlu/intent/intent-example.ts';
import { saveIntentModel } from '../src/train/save-intent-model.ts';
import { trainIntentDefault } from '../src/train/train-intent-default.ts';
import { Random } from '../src/util/random.ts';
import { clinc150 } from './datasets.ts';
import { ROOT } from './lib/child-args.ts';
import { runInfo } from './lib/results-file.ts';

const { values } = parseArgs({
  options: {
    seeds: { type: 'string', default: '5' },
    split: { type: 'string', default: 'test' },
    /** Dev: overrides the product's in-scope loss budget of the answer threshold (choose on --split valid). */
    'max-in-scope-loss': { type: 'string' },
    /** Dev: other bot shapes, e.g. `3x10,5x10` (validation only: the docs show the test split's 5×10 and 20×20). */
    shapes: { type: 'string' },
  },
});
const seeds = Number(values.seeds);
const lossOverride = values['max-in-scope-loss'];
if (lossOverride !== undefined && values.split !== 'valid') {
  process.stderr.write('--max-in-scope-loss chooses on validation: use it with --split valid\n');
  process.exit(2);
}
const ds = clinc150(false);
const full = clinc150(true);
const evalRows = values.split === 'valid' ? (full.valid ?? []) : full.test;
const intents = [...new Set(ds.train.map((e) => e.intent as string))].sort();
const DEFAULT_SHAPES: [number, number][] = [
  [5, 10],
  [20, 20],
];
if (values.shapes !== undefined && values.split !== 'valid') {
  process.stderr.write('--shapes is a dev flag: use it with --split valid\n');
  process.exit(2);
}
const SHAPES: [number, number][] = values.shapes
  ? values.shapes.split(',').map((x) => {
      const [k, n] = x.split('x').map(Number);
      if (!(Number.isInteger(k) && Number.isInteger(n) && k >= 2 && n >= 2)) {
        process.stderr.write(`--shapes: '${x}' is not KxN (intents x examples, both ≥ 2), e.g. 3x10\n`);
        process.exit(2);
      }
      return [k, n] as [number, number];
    })
  : DEFAULT_SHAPES;

/** One bot's scores. */
interface BotScores {
  in_scope: number;
  /** In-scope accuracy with no threshold and no out-of-scope class: the plain top label. */
  in_scope_top1: number;
  oos_recall: number;
  seconds: number;
  chosen: string;
}

async function score(
  train: IntentExample[],
  chosen: Set<string>,
  background: boolean,
  seed: number,
): Promise<BotScores> {
  const { trained, search } = await trainIntentDefault(train, undefined, {
    fixed: {
      seed,
      ...(lossOverride !== undefined ? { maxInScopeLoss: Number(lossOverride) } : {}),
    },
    ...(background ? {} : { background: false as const }),
  });
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-small-bot-'));
  try {
    await saveIntentModel(dir, trained, {
      quantize: trained.quantization.cost * 100 < 0.3,
      dataDescription: 'small bot',
    });
    const clf = await IntentClassifier.load(dir);
    const rows = evalRows.filter((e) => chosen.has(e.intent as string) || e.intent === 'out_of_scope');
    const probs = await clf.scores(rows.map((e) => e.text));
    const predicted = predictSingleLabel(probs, clf.labels, clf.threshold ?? 0);
    const inIdx = rows.flatMap((e, i) => (e.intent === 'out_of_scope' ? [] : [i]));
    const oosIdx = rows.flatMap((e, i) => (e.intent === 'out_of_scope' ? [i] : []));
    const inScopeLabels = clf.labels.map((l, j) => ({ l, j })).filter(({ l }) => l !== 'out_of_scope');
    const top1 = (i: number) => inScopeLabels.reduce((a, b) => (probs[i][b.j] > probs[i][a.j] ? b : a)).l;
    await clf.release();
    return {
      in_scope: inIdx.filter((i) => predicted[i] === rows[i].intent).length / inIdx.length,
      in_scope_top1: inIdx.filter((i) => top1(i) === rows[i].intent).length / inIdx.length,
      oos_recall: oosIdx.filter((i) => predicted[i] === 'out_of_scope').length / oosIdx.length,
      seconds: trained.trainSeconds,
      chosen: search.chosen,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const bots = [];
for (const [k, n] of SHAPES) {
  const withBg: BotScores[] = [];
  const without: BotScores[] = [];
  for (let seed = 1; seed <= seeds; seed++) {
    const rng = new Random(seed * 101 + k * 7 + n);
    const chosen = new Set(rng.shuffle([...intents]).slice(0, k));
    const train: IntentExample[] = [];
    for (const intent of chosen) train.push(...rng.shuffle(ds.train.filter((e) => e.intent === intent)).slice(0, n));
    withBg.push(await score(train, chosen, true, seed));
    without.push(await score(train, chosen, false, seed));
    process.stdout.write(
      `${k}×${n} seed ${seed}: background in-scope ${(withBg.at(-1)!.in_scope * 100).toFixed(1)} / oos ` +
        `${(withBg.at(-1)!.oos_recall * 100).toFixed(1)}; without: in-scope ${(without.at(-1)!.in_scope * 100).toFixed(1)} ` +
        `(top-1 ${(without.at(-1)!.in_scope_top1 * 100).toFixed(1)}) / oos ${(without.at(-1)!.oos_recall * 100).toFixed(1)}\n`,
    );
  }
  const summary = (xs: BotScores[]) => ({
    in_scope: mean(xs.map((x) => x.in_scope)),
    in_scope_top1: mean(xs.map((x) => x.in_scope_top1)),
    oos_recall: mean(xs.map((x) => x.oos_recall)),
    train_seconds: mean(xs.map((x) => x.seconds)),
    per_seed: xs,
  });
  bots.push({
    bot: `${k}x${n}`,
    intents: k,
    examples_per_intent: n,
    with_background: summary(withBg),
    without_background: summary(without),
  });
}
const result = {
  benchmark: 'small-bots',
  split: values.split,
  seeds,
  run: runInfo(
    `npx tsx bench/small-bots.ts --seeds ${seeds} --split ${values.split}` +
      (lossOverride !== undefined ? ` --max-in-scope-loss ${lossOverride}` : '') +
      (values.shapes !== undefined ? ` --shapes ${values.shapes}` : ''),
  ),
  date: new Date().toISOString(),
  bots,
};
mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
const file = values.split === 'test' ? 'small-bots.json' : `small-bots-${values.split}.json`;
writeFileSync(join(ROOT, 'bench', 'results', file), `${JSON.stringify(result, null, 2)}\n`);
if (values.split === 'valid') {
  // Each validation run adds one line (the choices of the product's defaults are made on these, never on test).
  const line = {
    command: result.run.command,
    git: result.run.git,
    date: result.date,
    max_in_scope_loss: lossOverride === undefined ? 'default' : Number(lossOverride),
    bots: bots.map((b) => ({
      bot: b.bot,
      background: { in_scope: b.with_background.in_scope, oos_recall: b.with_background.oos_recall },
      without: {
        in_scope: b.without_background.in_scope,
        in_scope_top1: b.without_background.in_scope_top1,
        oos_recall: b.without_background.oos_recall,
      },
    })),
  };
  appendFileSync(join(ROOT, 'bench', 'results', 'small-bots-validation.jsonl'), `${JSON.stringify(line)}\n`);
  process.stdout.write('added a line to bench/results/small-bots-validation.jsonl\n');
}
process.stdout.write(`wrote bench/results/${file}\n`);
