/**
 * `switchboard train intent`: reads the data, trains the default way (`train-intent-default.ts`: background corpus,
 * configuration search) and saves the model directory.
 */
import { existsSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { readBotConfig } from '../config/bot-config.ts';
import { BASELINE_FILE } from '../metrics/drift.ts';
import { oosNotMeasuredReason, WEAK_OOS_RECALL } from '../nlu/intent/intent-manifest.ts';
import { DEFAULT_BACKGROUND_DIR } from '../train/background/background-corpus.ts';
import { checkModelOut } from '../train/model-dir.ts';
import { readIntentData, readIntentFiles } from '../train/read-intent-data.ts';
import { saveIntentModel } from '../train/save-intent-model.ts';
import { trainIntentDefault } from '../train/train-intent-default.ts';
import type { TrainIntentOptions } from '../train/train-intent-types.ts';
import { integerFlag, MAX_SEED, numberFlag, parseCommandArgs, required, shellQuote, usageError } from './cli-args.ts';
import { ProgressBar } from './progress-bar.ts';

/** Largest int8 accuracy cost (validation, in points) for which `--quantize auto` stores int8 tables. */
const AUTO_QUANTIZE_MAX_COST = 0.3;

/** A warning that must not be missed: framed, on stderr. */
export function loudWarning(lines: string[]): string {
  const bar = '!'.repeat(78);
  return `${bar}\n${lines.map((l) => `! ${l}`).join('\n')}\n${bar}\n`;
}

/** Where `--config` puts the data and the model: beside the config (see {@link trainIntentCommand}). */
function configDefaults(file: string): { data: string; valid?: string; out?: string } {
  const config = readBotConfig(file);
  const dir = dirname(file);
  const valid = join(dir, 'data', 'validation.jsonl');
  const out = config.models.intent;
  return {
    data: join(dir, 'data', 'intents.jsonl'),
    ...(existsSync(valid) ? { valid } : {}),
    ...(out ? { out: relative(process.cwd(), out) || '.' } : {}),
  };
}

/**
 * `switchboard train intent --data FILE... [--valid FILE] --out DIR [--seed N] [--budget UNITS] [--no-background]
 * [--ensemble K] [--dim D] [--hidden H] [--epochs E] [--max-rows R] [--tower-rows R] [--linear-c C] [--quantize auto|on|off] [--describe TEXT]
 * [--json]`: trains, exports `model.onnx` + `manifest.json` + `MODEL_CARD.md`. Without shape flags the configuration
 * is searched on validation data (a held-out part of `--data` when there is no `--valid`); every flag given is fixed.
 *
 * `--config bot.yaml` (what `switchboard init` writes): the data defaults to `data/intents.jsonl` beside the config,
 * the validation data to `data/validation.jsonl` there (when it exists), and `--out` to the config's `models.intent`.
 */
export async function trainIntentCommand(args: string[]): Promise<number> {
  const cmd = 'train intent';
  const { values } = parseCommandArgs(
    args,
    {
      config: { type: 'string' },
      data: { type: 'string', multiple: true },
      valid: { type: 'string' },
      out: { type: 'string' },
      seed: { type: 'string' },
      budget: { type: 'string' },
      'no-background': { type: 'boolean' },
      background: { type: 'string' },
      ensemble: { type: 'string' },
      dim: { type: 'string' },
      hidden: { type: 'string' },
      epochs: { type: 'string' },
      'max-rows': { type: 'string' },
      'tower-rows': { type: 'string' },
      'linear-c': { type: 'string' },
      quantize: { type: 'string' },
      describe: { type: 'string' },
      json: { type: 'boolean' },
    },
    cmd,
  );
  const fromConfig = values.config ? configDefaults(values.config) : undefined;
  const dataFiles = values.data ?? (fromConfig ? [fromConfig.data] : []);
  if (dataFiles.length === 0) required(undefined, 'data FILE (or --config bot.yaml)', cmd);
  const out = required(values.out ?? fromConfig?.out, 'out DIR (or --config bot.yaml with models.intent)', cmd);
  if (values.valid === undefined && fromConfig?.valid) values.valid = fromConfig.valid;
  // Before training, not after minutes of it: the model directory must be writable, and not another model or the corpus.
  if (values['no-background'] && values.background !== undefined)
    usageError(cmd, '--no-background and --background do not go together');
  checkModelOut(out, 'intent', '--out', [values.background ?? DEFAULT_BACKGROUND_DIR]);
  if (fromConfig)
    process.stderr.write(
      `training on ${[...dataFiles, ...(values.valid ? [`validation ${values.valid}`] : [])].join(', ')} → ${out} (from ${values.config})\n`,
    );
  const quantize = values.quantize ?? 'auto';
  if (!['auto', 'on', 'off'].includes(quantize)) required(undefined, 'quantize auto|on|off', cmd);
  const log = (line: string) => process.stderr.write(`${line}\n`);

  const data = readIntentFiles(dataFiles);
  const valid = values.valid ? readIntentData(values.valid) : undefined;
  for (const w of [...data.warnings, ...(valid?.warnings ?? [])]) log(`warning: ${w}`);
  if (valid && valid.mode !== data.mode) {
    usageError(cmd, `--valid is ${valid.mode}-label but --data is ${data.mode}-label`);
  }
  const fixed: Partial<TrainIntentOptions> = {};
  const flag = (v: string | undefined, name: string, key: keyof TrainIntentOptions, min: number) => {
    const n = numberFlag(v, name);
    if (n === undefined) return;
    if (!Number.isInteger(n) || n < min) required(undefined, `${name} as an integer ≥ ${min}`, cmd);
    (fixed as Record<string, number>)[key] = n;
  };
  const seed = integerFlag(values.seed, 'seed', { min: 0, max: MAX_SEED });
  if (seed !== undefined) fixed.seed = seed;
  flag(values.ensemble, 'ensemble', 'ensemble', 0);
  flag(values.dim, 'dim', 'dim', 1);
  flag(values.hidden, 'hidden', 'hidden', 0);
  flag(values.epochs, 'epochs', 'maxEpochs', 1);
  flag(values['max-rows'], 'max-rows', 'maxRows', 100);
  flag(values['tower-rows'], 'tower-rows', 'towerRows', 100);
  const linearC = numberFlag(values['linear-c'], 'linear-c');
  if (linearC !== undefined) {
    if (!(linearC > 0)) required(undefined, 'linear-c as a number > 0', cmd);
    fixed.linearC = linearC;
  }
  const budget = numberFlag(values.budget, 'budget');
  if (budget !== undefined && !(budget > 0)) required(undefined, 'budget as work units > 0', cmd);
  const bar = new ProgressBar('training', process.stderr, process.stderr.isTTY === true && !values.json);
  const result = await trainIntentDefault(data.examples, valid?.examples, {
    fixed,
    budgetUnits: budget,
    background: values['no-background'] ? false : values.background,
    onProgress: (p) => bar.update(p.fraction, p.status),
    log: (line) => {
      bar.clear();
      if (!values.json) log(line);
    },
  });
  const { trained, search, background, oos } = result;
  bar.done(`${trained.trainSeconds.toFixed(1)} s`);
  if (!values.json) for (const w of trained.warnings) log(`warning: ${w}`);

  const costPoints = trained.quantization.cost * 100;
  const int8 = quantize === 'on' || (quantize === 'auto' && costPoints < AUTO_QUANTIZE_MAX_COST);
  const manifest = await saveIntentModel(out, trained, {
    quantize: int8,
    metrics: { quantization: { ...trained.quantization, chosen: int8 ? 'int8' : 'float32' } },
    dataDescription:
      values.describe ??
      `${data.examples.length} examples (${data.mode}-label) from ${dataFiles.join(', ')}` +
        (values.valid ? `; validation ${values.valid}` : '; validation carved from the training data'),
    search,
    background,
    oos,
  });
  if (existsSync(join(out, BASELINE_FILE)))
    log(
      `warning: ${join(out, BASELINE_FILE)} (the drift baseline) was measured on the previous model: run ` +
        `'switchboard baseline --model ${shellQuote(out)} --data <validation file>' again, or drift checks compare ` +
        'this model with the old one',
    );
  if (oos.source === 'none') {
    process.stderr.write(
      loudWarning([
        `OUT-OF-SCOPE PROTECTION NOT MEASURED: the data has no out_of_scope rows and ${oosNotMeasuredReason(manifest)}.`,
        'Messages about other topics may be answered with one of your intents.',
        `${manifest.training.background ? 'Add' : 'Train without --no-background, or add'} out_of_scope examples, so the answer threshold is chosen on messages your bot must not answer.`,
      ]),
    );
  } else if (oos.recall !== undefined && oos.recall < WEAK_OOS_RECALL) {
    process.stderr.write(
      loudWarning([
        `WEAK OUT-OF-SCOPE PROTECTION: the model refused only ${(100 * oos.recall).toFixed(1)}% of ${oos.heldOut} held-out messages about other topics.`,
        'Many off-topic questions will be answered with one of your intents (a small bot is most at risk).',
        'Add out_of_scope examples (messages your bot must not answer) and more examples per intent, then retrain.',
      ]),
    );
  }
  const summary = {
    out,
    labels: manifest.labels.length,
    mode: manifest.mode,
    examples: trained.trainExamples,
    chosen: search.chosen,
    validation: trained.validation,
    threshold: trained.threshold ?? null,
    oos_protection: manifest.calibration.oos_protection,
    quantized: int8,
    int8_cost_points: Number(costPoints.toFixed(3)),
    model_bytes: manifest.onnx.bytes + (manifest.features?.bytes ?? 0),
    train_seconds: Number(trained.trainSeconds.toFixed(2)),
  };
  if (values.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
  else {
    const v = trained.validation;
    const score =
      v.inScopeAccuracy !== undefined
        ? `in-scope accuracy ${(v.inScopeAccuracy * 100).toFixed(2)} top label` +
          (v.servedInScopeAccuracy !== undefined
            ? `, ${(v.servedInScopeAccuracy * 100).toFixed(2)} answered right with the threshold`
            : '') +
          ` (n=${v.inScopeRows})`
        : v.accuracy !== undefined
          ? `accuracy ${(v.accuracy * 100).toFixed(2)} (n=${v.n})`
          : `micro-F1 ${((v.microF1 ?? 0) * 100).toFixed(2)} (n=${v.n})`;
    const oosText =
      v.oosRecall !== undefined ? `, out-of-scope recall ${(v.oosRecall * 100).toFixed(1)}% (n=${v.oosRows})` : '';
    process.stdout.write(
      `saved ${out}: ${summary.labels} labels, ${search.chosen}, held-out ${score}${oosText}, ` +
        `threshold ${(trained.threshold ?? 0).toFixed(3)}, ${int8 ? 'int8' : 'float32'} tables (int8 cost ` +
        `${summary.int8_cost_points} points), ${(summary.model_bytes / 1e6).toFixed(2)} MB, ${summary.train_seconds} s\n`,
    );
  }
  return 0;
}
