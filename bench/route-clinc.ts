/**
 * `npx tsx bench/route-clinc.ts MODEL_DIR` (issue 5 target): CLINC150 routing with thresholds calibrated for a target
 * precision on the validation split, then measured on the test split. Writes docs/routing.md (generated) and
 * docs/images/clinc-precision-coverage.svg. Reproduce:
 *   npx tsx bench/export-dataset.ts clinc150 .tmp/clinc
 *   npx switchboard train intent --data .tmp/clinc/train.jsonl --valid .tmp/clinc/valid.jsonl --out .tmp/clinc-model \
 *     --dim 128 --hidden 256 --ensemble 2 --max-rows 50000
 *   npx switchboard calibrate --model .tmp/clinc-model --data .tmp/clinc/valid.jsonl --precision 0.97
 *   npx tsx bench/route-clinc.ts .tmp/clinc-model
 * It also calibrates the same model for the precision at an expected out-of-scope share of 18% (`calibrate
 * --oos-share 0.18`, in process) and measures those thresholds on test.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { calibrateThresholds, outOfScopeWeights } from '../src/eval/calibrate-thresholds.ts';
import { precisionCoverageCurve } from '../src/eval/calibration.ts';
import { coverageChart } from '../src/eval/svg-charts.ts';
import { IntentClassifier } from '../src/nlu/intent/intent-classifier.ts';
import { OUT_OF_SCOPE } from '../src/nlu/intent/intent-example.ts';
import { readIntentData } from '../src/train/read-intent-data.ts';
import { ROOT } from './lib/child-args.ts';

const modelDir = process.argv[2] ?? '.tmp/clinc-model';
const dataDir = process.argv[3] ?? '.tmp/clinc';
const clf = await IntentClassifier.load(modelDir);
const cal = clf.manifest.calibration;
if (!cal.target) throw new Error(`${modelDir}: run switchboard calibrate first`);

/** Answer decisions from the scores alone (top intent ≥ its threshold and not out_of_scope): the curve's view. */
async function split(file: string) {
  const data = readIntentData(join(dataDir, file), { dedupe: false });
  const probs = await clf.scores(data.examples.map((e) => e.text));
  const rows = probs.map((p, i) => {
    let best = 0;
    for (let k = 1; k < p.length; k++) if (p[k] > p[best]) best = k;
    return { label: clf.labels[best], score: p[best], gold: data.examples[i].intent as string };
  });
  return Object.assign(rows, { probs });
}
const test = await split('test.jsonl');
const valid = await split('valid.jsonl');
const labels = clf.labels;
await clf.release();

// The same calibration asked for the precision at the out-of-scope share the deployment expects (`calibrate
// --oos-share`): what a team does once its turn log shows how much off-topic traffic it gets.
const EXPECTED_SHARE = 0.18;
const validGold = valid.map((r) => r.gold);
const atShare = calibrateThresholds(
  validGold,
  valid.probs,
  labels,
  cal.target.precision,
  30,
  outOfScopeWeights(validGold, EXPECTED_SHARE),
);

const conf = test.map((r) => (r.label === OUT_OF_SCOPE ? -1 : r.score));
const correct = test.map((r) => r.label !== OUT_OF_SCOPE && r.label === r.gold);
const curve = precisionCoverageCurve(conf, correct).filter((p) => p.threshold >= 0);
const calibrated = (l: string) => cal.thresholds?.[l] ?? cal.threshold ?? 0;
function outcome(rows: typeof test, thresholdOf: (label: string) => number = calibrated) {
  const answered = rows.filter((r) => r.label !== OUT_OF_SCOPE && r.score >= thresholdOf(r.label));
  const right = answered.filter((r) => r.label === r.gold).length;
  const inScope = rows.filter((r) => r.gold !== OUT_OF_SCOPE);
  const oos = rows.filter((r) => r.gold === OUT_OF_SCOPE);
  const inAnswered = answered.filter((r) => r.gold !== OUT_OF_SCOPE);
  const oosAnswered = answered.length - inAnswered.length;
  return {
    n: rows.length,
    oos_share: oos.length / rows.length,
    coverage: answered.length / rows.length,
    precision: answered.length ? right / answered.length : 1,
    in_scope_precision: inAnswered.length ? right / inAnswered.length : 1,
    in_scope_answered: inAnswered.length / inScope.length,
    oos_answered: oos.length ? oosAnswered / oos.length : 0,
    right,
    in_answered: inAnswered.length,
  };
}
const t = outcome(test);
const v = outcome(valid);
const tShare = outcome(test, (l) => atShare.thresholds[l] ?? atShare.threshold);
// The same test answers at validation's out-of-scope share: in-scope answers as measured, out-of-scope rows scaled.
const oosAtValidShare = (v.oos_share / (1 - v.oos_share)) * (t.n * (1 - t.oos_share)) * t.oos_answered;
const precisionAtValidShare = t.right / (t.in_answered + oosAtValidShare);
const route = JSON.parse(
  execFileSync(
    process.execPath,
    [
      join(ROOT, 'bin', 'switchboard.js'),
      'eval',
      'route',
      '--model',
      modelDir,
      '--data',
      join(dataDir, 'test.jsonl'),
      '--json',
    ],
    {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    },
  ),
);
writeFileSync(
  join(ROOT, 'docs', 'images', 'clinc-precision-coverage.svg'),
  coverageChart(curve, {
    threshold: cal.threshold ?? 0,
    label: `calibrated threshold ${(cal.threshold ?? 0).toFixed(3)}`,
  }),
);
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const md = `# Routing on CLINC150: thresholds from a target precision

Generated by \`npx tsx bench/route-clinc.ts ${modelDir}\` on ${new Date().toISOString().slice(0, 10)} (commands in the script's header).
A switchboard model trained on CLINC150 train (with its out-of-scope rows), thresholds from \`switchboard calibrate
--precision ${cal.target.precision}\` on the **validation** split (${cal.target.n} rows, ${pct(v.oos_share)} out of scope), then
measured once on the **test** split (${t.n} rows, ${pct(t.oos_share)} out of scope). An answer is right when its intent
is the gold one; an out-of-scope question answered with any intent is wrong.

| split | out-of-scope share | answered | precision of answers | in-scope precision | out-of-scope answered by mistake |
|---|---|---|---|---|---|
| validation (calibration) | ${pct(v.oos_share)} | ${pct(v.coverage)} | ${pct(v.precision)} | ${pct(v.in_scope_precision)} | ${pct(v.oos_answered)} |
| test | ${pct(t.oos_share)} | ${pct(t.coverage)} | ${pct(t.precision)} | ${pct(t.in_scope_precision)} | ${pct(t.oos_answered)} |

Threshold ${(cal.threshold ?? 0).toFixed(4)}${Object.keys(cal.thresholds ?? {}).length ? ` plus ${Object.keys(cal.thresholds ?? {}).length} per-intent thresholds` : ' (no intent has the 30 validation predictions a threshold of its own needs)'}.
Targets (issue 5): precision ≥ 95% on test — **${t.precision >= 0.95 ? 'met' : 'missed'}** (${pct(t.precision)}); ≥ 75% of all questions answered —
**${t.coverage >= 0.75 ? 'met' : 'missed'}** (${pct(t.coverage)}).

**What the out-of-scope shift does to the promise.** The team asked for ${pct(cal.target.precision)} and validation
delivered it, but validation has ${pct(v.oos_share)} out-of-scope questions and test ${pct(t.oos_share)}. The in-scope
answers keep their precision (${pct(t.in_scope_precision)} on test); what changes is how many out-of-scope questions
arrive: the model answers ${pct(t.oos_answered)} of them, and at test's share they are ${Math.round(t.n * t.oos_share * t.oos_answered)} wrong answers
among ${Math.round(t.coverage * t.n)}. At validation's share the same test answers would have had precision ${pct(precisionAtValidShare)}.
A deployment that sees more off-topic traffic than its calibration data had gets less precision than it was
promised: calibrate on data with the out-of-scope share you expect, or ask for more precision than you need.

\`switchboard calibrate --oos-share S\` does the first: it weights the validation split's out-of-scope rows so that
they make up S of it (the share a deployment's turn log shows). Asked for ${pct(cal.target.precision)} at
${pct(EXPECTED_SHARE)} out of scope, validation gives threshold ${atShare.threshold.toFixed(4)} (expected: ${pct(atShare.expected.coverage)}
answered at ${pct(atShare.expected.precision)}), and on test: **${pct(tShare.coverage)} answered at ${pct(tShare.precision)} precision**
(in-scope ${pct(tShare.in_scope_precision)}, out-of-scope answered by mistake ${pct(tShare.oos_answered)}): precision comes close to
what was asked and clears the 95% target, coverage falls under the 75% one. With this model no threshold meets both
targets: that needs a model that tells out-of-scope questions apart better.

Through the whole bot (\`switchboard eval route\`, which also detects the language, routes requests for a person and
asks to clarify close intents — a clarify counts as not answered): answered ${pct(route.answered)} at precision
${pct(route.precision)}, clarified ${pct(route.clarified)}, handed off ${pct(route.handed_off)}; automation (answered
correctly / all) ${pct(route.automation)}. Decisions: ${Object.entries(route.reasons as Record<string, number>)
  .map(([k, n]) => `${k} ${n}`)
  .join(', ')}.

Precision–coverage on the test split (every threshold; the calibrated one marked):

![precision–coverage on CLINC150 test](images/clinc-precision-coverage.svg)

The latency of one turn through the demo bot: [turn-latency.md](turn-latency.md).
`;
writeFileSync(join(ROOT, 'docs', 'routing.md'), md);
console.log(md);
