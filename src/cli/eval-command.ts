import { writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { confidenceOutcomes, multiLabelMetrics, singleLabelMetrics } from '../eval/intent-metrics.ts';
import { renderIntentReport } from '../eval/intent-report.ts';
import { IntentClassifier } from '../nlu/intent/intent-classifier.ts';
import { OUT_OF_SCOPE } from '../nlu/intent/intent-example.ts';
import { readIntentData } from '../train/read-intent-data.ts';
import { recordEvaluation } from '../train/save-intent-model.ts';
import { parseCommandArgs, required } from './cli-args.ts';
import { ProgressBar } from './progress-bar.ts';

const round = (x: number) => Number(x.toFixed(6));

/**
 * `switchboard eval intent --model DIR --data FILE [--json] [--report FILE.html]`: scores labelled data with a saved
 * model (through ONNX Runtime, as served) and prints the metrics of DESIGN.md (`n, accuracy, macro_f1`, plus
 * `in_scope_accuracy, oos_recall, threshold` with out_of_scope rows, `micro_f1, exact_match` for multi-label data, and
 * `per_language` when rows carry a language). `--record NAME` stores them in the model's manifest and card.
 */
export async function evalIntentCommand(args: string[]): Promise<number> {
  const cmd = 'eval intent';
  const { values } = parseCommandArgs(
    args,
    {
      model: { type: 'string' },
      data: { type: 'string' },
      json: { type: 'boolean' },
      report: { type: 'string' },
      record: { type: 'string' },
    },
    cmd,
  );
  const modelDir = required(values.model, 'model', cmd);
  const dataFile = required(values.data, 'data', cmd);
  const clf = await IntentClassifier.load(modelDir);
  // Evaluation keeps every row (no de-duplication), so n matches the published size of a test set.
  const data = readIntentData(dataFile, { dedupe: false });
  if (!values.json) for (const w of data.warnings) process.stderr.write(`warning: ${w}\n`);
  if (data.mode !== clf.manifest.mode) {
    required(undefined, `data with ${clf.manifest.mode}-label rows (the file is ${data.mode}-label)`, cmd);
  }
  const labels = clf.labels;
  const texts = data.examples.map((e) => e.text);
  const bar = new ProgressBar('scoring', process.stderr, process.stderr.isTTY === true && !values.json);
  const probs: Float32Array[] = [];
  const CHUNK = 512;
  for (let s = 0; s < texts.length; s += CHUNK) {
    probs.push(...(await clf.scores(texts.slice(s, s + CHUNK))));
    bar.update((s + CHUNK) / texts.length, `${Math.min(texts.length, s + CHUNK)}/${texts.length}`);
  }
  bar.done();
  await clf.release();

  const mode = data.mode;
  const gold = data.examples.map((e) => e.intent);
  const hasOos = mode === 'single' && gold.includes(OUT_OF_SCOPE);
  const threshold = mode === 'multi' ? (clf.threshold ?? 0.5) : hasOos ? (clf.threshold ?? 0) : 0;
  const metrics =
    mode === 'single'
      ? singleLabelMetrics(gold as string[], probs, labels, threshold)
      : multiLabelMetrics(gold as string[][], probs, labels, threshold);
  const out: Record<string, unknown> = {
    n: metrics.n,
    accuracy: round(metrics.accuracy),
    macro_f1: round(metrics.macro_f1),
  };
  if ('in_scope_accuracy' in metrics && hasOos) {
    Object.assign(out, {
      in_scope_accuracy: round(metrics.in_scope_accuracy ?? 0),
      oos_recall: round(metrics.oos_recall ?? 0),
      threshold: round(threshold),
    });
  }
  if ('micro_f1' in metrics)
    Object.assign(out, {
      micro_f1: round(metrics.micro_f1),
      exact_match: round(metrics.exact_match),
      threshold: round(threshold),
    });
  const perLanguage = perLanguageScores(data.examples, probs, labels, mode, threshold);
  if (perLanguage) out.per_language = perLanguage;

  if (values.report) {
    const { confidences, correct } = confidenceOutcomes(
      gold as string[],
      probs,
      labels,
      mode,
      mode === 'multi' ? threshold : 0.5,
    );
    const html = renderIntentReport({
      metrics,
      confidences,
      correct,
      texts,
      title: `Intent model evaluation`,
      subtitle: `${modelDir} on ${basename(dataFile)}`,
      threshold: threshold > 0 ? threshold : undefined,
    });
    await writeFile(values.report, html);
    if (!values.json) process.stderr.write(`report written to ${values.report}\n`);
  }
  if (values.record) {
    await recordEvaluation(modelDir, values.record, { data: basename(dataFile), ...out });
    if (!values.json)
      process.stderr.write(`recorded as metrics.${values.record} in ${modelDir}/manifest.json and the model card\n`);
  }
  if (values.json) process.stdout.write(`${JSON.stringify(out)}\n`);
  else
    for (const [k, v] of Object.entries(out))
      process.stdout.write(`${k.padEnd(18)} ${typeof v === 'object' ? JSON.stringify(v) : v}\n`);
  return 0;
}

/** Accuracy (single) or micro-F1 (multi) per `language` field, when at least one row has one. */
function perLanguageScores(
  examples: { intent: string | string[]; language?: string }[],
  probs: Float32Array[],
  labels: readonly string[],
  mode: 'single' | 'multi',
  threshold: number,
): Record<string, number> | undefined {
  const groups = new Map<string, number[]>();
  examples.forEach((e, i) => {
    if (!e.language) return;
    const list = groups.get(e.language) ?? [];
    list.push(i);
    groups.set(e.language, list);
  });
  if (groups.size === 0) return undefined;
  const result: Record<string, number> = {};
  for (const [language, rows] of [...groups].sort()) {
    const g = rows.map((i) => examples[i].intent);
    const p = rows.map((i) => probs[i]);
    result[language] = round(
      mode === 'single'
        ? singleLabelMetrics(g as string[], p, labels, threshold).accuracy
        : multiLabelMetrics(g as string[][], p, labels, threshold).micro_f1,
    );
  }
  return result;
}
