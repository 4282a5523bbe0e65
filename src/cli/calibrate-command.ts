/**
 * `switchboard calibrate`: the answer threshold and per-intent thresholds that reach a target precision on labelled
 * data (optionally at an expected out-of-scope share), written into the model's manifest and card.
 */
import { basename } from 'node:path';
import { SwitchboardError } from '../errors.ts';
import { calibrateThresholds, outOfScopeWeights } from '../eval/calibrate-thresholds.ts';
import { IntentClassifier } from '../nlu/intent/intent-classifier.ts';
import { readManifest } from '../nlu/intent/intent-manifest.ts';
import { readIntentData } from '../train/read-intent-data.ts';
import { writeManifestAndCard } from '../train/save-intent-model.ts';
import { integerFlag, numberFlag, parseCommandArgs, required } from './cli-args.ts';

const round = (x: number) => Number(x.toFixed(6));

/**
 * `switchboard calibrate --model DIR --data FILE --precision P [--min-support N] [--oos-share S] [--json]`: chooses the answer
 * threshold and per-intent thresholds (intents with ≥ N predictions on the data, default 30) that reach precision P
 * on labelled data with the most coverage, writes them into the model's manifest (`calibration.threshold`,
 * `calibration.thresholds`, `calibration.target`; a bot.yaml policy may override them) and prints the precision and
 * coverage they gave. Use validation data, never the test set you will report. `--oos-share S` asks for precision P
 * when out-of-scope questions make up S of the traffic (the data's out-of-scope rows are weighted to that share; the
 * turn log's out-of-scope rate says what S a deployment sees).
 */
export async function calibrateCommand(args: string[]): Promise<number> {
  const cmd = 'calibrate';
  const { values } = parseCommandArgs(
    args,
    {
      model: { type: 'string' },
      data: { type: 'string' },
      precision: { type: 'string' },
      'min-support': { type: 'string' },
      'oos-share': { type: 'string' },
      json: { type: 'boolean' },
    },
    cmd,
  );
  const dir = required(values.model, 'model', cmd);
  const dataFile = required(values.data, 'data', cmd);
  const target = numberFlag(required(values.precision, 'precision', cmd), 'precision') as number;
  if (!(target > 0 && target <= 1)) required(undefined, 'precision in (0, 1]', cmd);
  const clf = await IntentClassifier.load(dir);
  if (clf.manifest.mode !== 'single') {
    await clf.release();
    required(undefined, 'model with single-label intents (multi-label models use their own label threshold)', cmd);
  }
  const data = readIntentData(dataFile, { dedupe: false });
  const gold = data.examples.map((e) => e.intent as string);
  const oosShare = numberFlag(values['oos-share'], 'oos-share');
  let weights: number[] | undefined;
  if (oosShare !== undefined) {
    if (!(oosShare > 0 && oosShare < 1)) required(undefined, 'oos-share in (0, 1)', cmd);
    try {
      weights = outOfScopeWeights(gold, oosShare);
    } catch (e) {
      await clf.release();
      throw new SwitchboardError('E_DATA', 'input', `${cmd} --oos-share: ${dataFile}: ${(e as Error).message}`);
    }
  }
  const probs = await clf.scores(data.examples.map((e) => e.text));
  await clf.release();
  const plan = calibrateThresholds(
    gold,
    probs,
    clf.labels,
    target,
    integerFlag(values['min-support'], 'min-support', { min: 1 }, 30),
    weights,
  );
  const manifest = await readManifest(dir);
  manifest.calibration = {
    ...manifest.calibration,
    threshold: plan.threshold,
    thresholds: plan.thresholds,
    target: {
      precision: target,
      coverage: round(plan.expected.coverage),
      expected_precision: round(plan.expected.precision),
      n: plan.expected.n,
      data: basename(dataFile),
      ...(oosShare !== undefined ? { oos_share: oosShare } : {}),
    },
  };
  await writeManifestAndCard(dir, manifest);
  const out = {
    precision_target: target,
    threshold: round(plan.threshold),
    per_intent_thresholds: Object.keys(plan.thresholds).length,
    n: plan.expected.n,
    ...(oosShare !== undefined ? { oos_share: oosShare } : {}),
    coverage: round(plan.expected.coverage),
    precision: round(plan.expected.precision),
    global_only: { coverage: round(plan.global_only.coverage), precision: round(plan.global_only.precision) },
  };
  if (values.json) process.stdout.write(`${JSON.stringify(out)}\n`);
  else {
    process.stdout.write(
      `threshold ${out.threshold} (+${out.per_intent_thresholds} per-intent) on ${out.n} rows: answers ` +
        `${(100 * out.coverage).toFixed(1)}% at precision ${(100 * out.precision).toFixed(1)}% ` +
        `(global threshold alone: ${(100 * out.global_only.coverage).toFixed(1)}% at ${(100 * out.global_only.precision).toFixed(1)}%); written to ${dir}/manifest.json\n`,
    );
  }
  return 0;
}
