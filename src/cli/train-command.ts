import { readIntentData, readIntentFiles } from '../train/read-intent-data.ts';
import { saveIntentModel } from '../train/save-intent-model.ts';
import { DEFAULT_TRAIN_OPTIONS, trainIntentModel } from '../train/train-intent.ts';
import type { TrainIntentOptions } from '../train/train-intent-types.ts';
import { numberFlag, parseCommandArgs, required } from './cli-args.ts';
import { ProgressBar } from './progress-bar.ts';

/** Largest int8 accuracy cost (validation, in points) for which `--quantize auto` stores int8 embeddings. */
const AUTO_QUANTIZE_MAX_COST = 0.3;

/**
 * `switchboard train intent --data FILE... [--valid FILE] --out DIR [--seed N] [--ensemble K] [--dim D] [--hidden H]
 * [--epochs E] [--max-rows R] [--quantize auto|on|off] [--json]`: trains, exports `model.onnx` + `manifest.json` + `MODEL_CARD.md`.
 */
export async function trainIntentCommand(args: string[]): Promise<number> {
  const cmd = 'train intent';
  const { values } = parseCommandArgs(
    args,
    {
      data: { type: 'string', multiple: true },
      valid: { type: 'string' },
      out: { type: 'string' },
      seed: { type: 'string' },
      ensemble: { type: 'string' },
      dim: { type: 'string' },
      hidden: { type: 'string' },
      epochs: { type: 'string' },
      'max-rows': { type: 'string' },
      quantize: { type: 'string' },
      describe: { type: 'string' },
      json: { type: 'boolean' },
    },
    cmd,
  );
  const dataFiles = values.data ?? [];
  if (dataFiles.length === 0) required(undefined, 'data', cmd);
  const out = required(values.out, 'out', cmd);
  const quantize = values.quantize ?? 'auto';
  if (!['auto', 'on', 'off'].includes(quantize)) required(undefined, 'quantize auto|on|off', cmd);
  const log = (line: string) => process.stderr.write(`${line}\n`);

  const data = readIntentFiles(dataFiles);
  const valid = values.valid ? readIntentData(values.valid) : undefined;
  for (const w of [...data.warnings, ...(valid?.warnings ?? [])]) log(`warning: ${w}`);
  if (valid && valid.mode !== data.mode) {
    required(undefined, `valid with ${data.mode}-label data like --data (it is ${valid.mode}-label)`, cmd);
  }
  const options: Partial<TrainIntentOptions> = {
    seed: numberFlag(values.seed, 'seed', DEFAULT_TRAIN_OPTIONS.seed),
    ensemble: numberFlag(values.ensemble, 'ensemble', DEFAULT_TRAIN_OPTIONS.ensemble),
    dim: numberFlag(values.dim, 'dim', DEFAULT_TRAIN_OPTIONS.dim),
    hidden: numberFlag(values.hidden, 'hidden', DEFAULT_TRAIN_OPTIONS.hidden),
    maxEpochs: numberFlag(values.epochs, 'epochs', DEFAULT_TRAIN_OPTIONS.maxEpochs),
    maxRows: numberFlag(values['max-rows'], 'max-rows', DEFAULT_TRAIN_OPTIONS.maxRows),
  };
  const bar = new ProgressBar('training', process.stderr, process.stderr.isTTY === true && !values.json);
  options.onProgress = (p) => {
    const done = (p.tower + (p.epoch - 1 + p.epochFraction) / p.maxEpochs) / p.towers;
    const score = p.validScore >= 0 ? ` valid ${(p.validScore * 100).toFixed(1)}` : '';
    bar.update(done, `model ${p.tower + 1}/${p.towers} epoch ${p.epoch} loss ${p.trainLoss.toFixed(3)}${score}`);
  };
  const trained = await trainIntentModel(data.examples, valid?.examples, options);
  bar.done(`${trained.trainSeconds.toFixed(1)} s`);
  for (const w of trained.warnings) log(`warning: ${w}`);

  const costPoints = trained.quantization.cost * 100;
  const int8 = quantize === 'on' || (quantize === 'auto' && costPoints < AUTO_QUANTIZE_MAX_COST);
  const manifest = await saveIntentModel(out, trained, {
    quantize: int8,
    metrics: { quantization: { ...trained.quantization, chosen: int8 ? 'int8' : 'float32' } },
    dataDescription:
      values.describe ??
      `${data.examples.length} examples (${data.mode}-label) from ${dataFiles.join(', ')}` +
        (values.valid ? `; validation ${values.valid}` : '; validation carved from the training data'),
  });
  const summary = {
    out,
    labels: manifest.labels.length,
    mode: manifest.mode,
    examples: trained.trainExamples,
    validation: trained.validation,
    threshold: trained.threshold ?? null,
    temperature: trained.weights.temperature,
    quantized: int8,
    int8_cost_points: Number(costPoints.toFixed(3)),
    model_bytes: manifest.onnx.bytes + (manifest.features?.bytes ?? 0),
    train_seconds: Number(trained.trainSeconds.toFixed(2)),
  };
  if (values.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
  else {
    const v = trained.validation;
    const score =
      v.accuracy !== undefined
        ? `accuracy ${(v.accuracy * 100).toFixed(2)}`
        : `micro-F1 ${((v.microF1 ?? 0) * 100).toFixed(2)}`;
    process.stdout.write(
      `saved ${out}: ${summary.labels} labels, validation ${score} (n=${v.n}), ` +
        `${int8 ? 'int8' : 'float32'} embeddings (int8 cost ${summary.int8_cost_points} points), ` +
        `${(summary.model_bytes / 1e6).toFixed(2)} MB, ${summary.train_seconds} s\n`,
    );
  }
  return 0;
}
