/**
 * `switchboard eval intent`: scores labelled data with a saved model (through ONNX Runtime, as served), or
 * cross-validates the default training path on a data file (`--cv K`).
 */
import { basename } from 'node:path';
import {
  confidenceOutcomes,
  multiLabelMetrics,
  predictSingleLabel,
  singleLabelMetrics,
} from '../eval/intent-metrics.ts';
import { isIntentReportHead, renderIntentReport } from '../eval/intent-report.ts';
import { IntentClassifier } from '../nlu/intent/intent-classifier.ts';
import { type IntentExample, OUT_OF_SCOPE } from '../nlu/intent/intent-example.ts';
import { loadBackgroundCorpus } from '../train/background/background-corpus.ts';
import { reservedBackground } from '../train/background/background-selection.ts';
import { type CvReport, crossValidateIntent } from '../train/cross-validate-intent.ts';
import { readIntentData } from '../train/read-intent-data.ts';
import { recordEvaluation } from '../train/save-intent-model.ts';
import { BACKGROUND_MAX_SIMILARITY } from '../train/train-intent-default.ts';
import {
  boundedFlag,
  checkFlagFile,
  type FlagFileRules,
  integerFlag,
  MAX_SEED,
  numberFlag,
  parseCommandArgs,
  required,
  usageError,
  writeFlagFile,
} from './cli-args.ts';
import { ProgressBar } from './progress-bar.ts';

const round = (x: number) => Number(x.toFixed(6));

/**
 * `switchboard eval intent --model DIR --data FILE [--json] [--report FILE.html] [--record NAME]`: scores labelled data
 * with a saved model (through ONNX Runtime, as served) and prints `n, accuracy, macro_f1`, plus
 * `in_scope_accuracy, oos_recall, threshold` with out_of_scope rows, `micro_f1, exact_match` for multi-label data,
 * `per_language` when rows carry a language, and — when the data has no out_of_scope rows and the model was trained
 * with the background corpus — `background_oos_recall` on the corpus's evaluation reserve. `--record NAME` stores them
 * in the model's manifest and card. `--cv K` cross-validates instead (no `--model`).
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
      cv: { type: 'string' },
      seed: { type: 'string' },
      budget: { type: 'string' },
      'no-background': { type: 'boolean' },
    },
    cmd,
  );
  const dataFile = required(values.data, 'data', cmd);
  if (values.cv !== undefined) {
    if (values.model) usageError(cmd, '--model and --cv do not go together (cross-validation trains its own models)');
    const k = numberFlag(values.cv, 'cv');
    if (k === undefined || !Number.isInteger(k) || k < 2) required(undefined, 'cv as an integer ≥ 2', cmd);
    return crossValidateCommand(dataFile, k!, values);
  }
  const modelDir = required(values.model, 'model', cmd);
  const reportRules = reportFileRules(dataFile);
  if (values.report) checkFlagFile('--report', values.report, reportRules);
  const clf = await IntentClassifier.load(modelDir);
  // Evaluation keeps every row (no de-duplication), so n matches the published size of a test set.
  const data = readIntentData(dataFile, { dedupe: false });
  if (!values.json) for (const w of data.warnings) process.stderr.write(`warning: ${w}\n`);
  if (data.mode !== clf.manifest.mode) {
    usageError(cmd, `the model is ${clf.manifest.mode}-label but ${dataFile} is ${data.mode}-label`);
  }
  const labels = clf.labels;
  const unknown = unknownLabels(data.examples, labels);
  if (unknown) process.stderr.write(`warning: ${unknown}\n`);
  const texts = data.examples.map((e) => e.text);
  const bar = new ProgressBar('scoring', process.stderr, process.stderr.isTTY === true && !values.json);
  const probs: Float32Array[] = [];
  const CHUNK = 512;
  for (let s = 0; s < texts.length; s += CHUNK) {
    probs.push(...(await clf.scores(texts.slice(s, s + CHUNK))));
    bar.update((s + CHUNK) / texts.length, `${Math.min(texts.length, s + CHUNK)}/${texts.length}`);
  }
  bar.done();
  // Data without out_of_scope rows: out-of-scope recall on the background reserve, with the classifier already loaded.
  const bg =
    data.mode === 'single' && !data.examples.some((e) => e.intent === OUT_OF_SCOPE)
      ? await backgroundRecall(clf, data.examples)
      : undefined;
  await clf.release();

  const mode = data.mode;
  const gold = data.examples.map((e) => e.intent);
  const hasOos = mode === 'single' && gold.includes(OUT_OF_SCOPE);
  const threshold = mode === 'multi' ? (clf.threshold ?? 0.5) : hasOos ? (clf.threshold ?? 0) : 0;
  // Per-intent thresholds (`switchboard calibrate`) apply as the bot serves them.
  const perIntent = mode === 'single' ? (clf.manifest.calibration.thresholds ?? {}) : {};
  const metrics =
    mode === 'single'
      ? singleLabelMetrics(gold as string[], probs, labels, threshold, 50, perIntent)
      : multiLabelMetrics(gold as string[][], probs, labels, threshold);
  const out: Record<string, unknown> = {
    n: metrics.n,
    accuracy: round(metrics.accuracy),
    macro_f1: round(metrics.macro_f1),
  };
  if (hasOos && !('micro_f1' in metrics)) {
    Object.assign(out, {
      ...(metrics.in_scope_accuracy !== undefined ? { in_scope_accuracy: round(metrics.in_scope_accuracy) } : {}),
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
  const perLanguage = perLanguageScores(data.examples, probs, labels, mode, threshold, perIntent);
  if (perLanguage) out.per_language = perLanguage;
  if (!gold.includes(OUT_OF_SCOPE) && mode === 'single') {
    // `accuracy` is the top label's (as benchmarks count it); as served, a message below the threshold is not answered.
    const served = predictSingleLabel(probs, labels, clf.threshold ?? 0, perIntent);
    Object.assign(out, {
      threshold: round(clf.threshold ?? 0),
      answered: round(served.filter((p) => p !== OUT_OF_SCOPE).length / Math.max(1, served.length)),
      answered_correctly: round(served.filter((p, i) => p === gold[i]).length / Math.max(1, served.length)),
    });
    if (bg) Object.assign(out, bg);
    else
      process.stderr.write(
        'warning: out-of-scope recall not measured: the data has no out_of_scope rows and the model has no ' +
          'background lines in its languages (trained with --no-background, by an older version, or in a language ' +
          'the corpus lacks). Add out_of_scope rows to measure it.\n',
      );
  }

  if (values.report) {
    const { confidences, correct, answerable } = confidenceOutcomes(
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
      answerable,
      texts,
      title: `Intent model evaluation`,
      subtitle: `${modelDir} on ${basename(dataFile)}`,
      threshold: threshold > 0 ? threshold : undefined,
      ...(bg ? { backgroundOos: { recall: bg.background_oos_recall, rows: bg.background_rows } } : {}),
    });
    await writeFlagFile('--report', values.report, html, reportRules);
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
  perIntent: Readonly<Record<string, number>> = {},
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
        ? singleLabelMetrics(g as string[], p, labels, threshold, 50, perIntent).accuracy
        : multiLabelMetrics(g as string[][], p, labels, threshold).micro_f1,
    );
  }
  return result;
}

/**
 * Out-of-scope recall on the background corpus's evaluation reserve (lines no model trains on) in the languages the
 * model was trained for, minus lines too close to the evaluated examples; undefined when the model has no background
 * record in its languages (--no-background, an older version, or a language the corpus lacks).
 */
async function backgroundRecall(
  clf: IntentClassifier,
  examples: IntentExample[],
): Promise<{ background_oos_recall: number; background_rows: number } | undefined> {
  const bg = clf.manifest.training.background as { languages?: string[] } | undefined;
  if (!bg?.languages?.length) return undefined;
  const lines = reservedBackground(
    loadBackgroundCorpus().sentences,
    bg.languages,
    examples,
    clf.manifest.featurizer,
    BACKGROUND_MAX_SIMILARITY,
  );
  if (lines.length === 0) return undefined;
  const probs = await clf.scores(lines.map((l) => l.text));
  const predicted = predictSingleLabel(probs, clf.labels, clf.threshold ?? 0);
  const caught = predicted.filter((l) => l === OUT_OF_SCOPE).length;
  return { background_oos_recall: round(caught / lines.length), background_rows: lines.length };
}

/**
 * The data's labels the model cannot answer (not among its labels; `out_of_scope` aside), with their rows: every such
 * row counts as an error, which is worth knowing before reading the accuracy.
 */
export function unknownLabels(examples: readonly IntentExample[], labels: readonly string[]): string | undefined {
  const known = new Set([...labels, OUT_OF_SCOPE]);
  const rows = new Map<string, number>();
  for (const e of examples)
    for (const l of Array.isArray(e.intent) ? e.intent : [e.intent])
      if (!known.has(l)) rows.set(l, (rows.get(l) ?? 0) + 1);
  if (rows.size === 0) return undefined;
  const list = [...rows].sort((a, b) => b[1] - a[1]);
  const shown = list.slice(0, 10).map(([l, n]) => `${JSON.stringify(l)} (${n} row${n === 1 ? '' : 's'})`);
  return `labels the model does not know, counted as errors: ${shown.join(', ')}${list.length > 10 ? ` and ${list.length - 10} more` : ''}`;
}

const pct = (x: number) => `${(x * 100).toFixed(2)}`;
const ms = (m: { mean: number; std: number }) => `${pct(m.mean)} ± ${pct(m.std)}`;

/** `eval intent --cv K --data FILE [--json] [--report FILE.html] [--seed N] [--budget UNITS] [--no-background]`. */
async function crossValidateCommand(
  dataFile: string,
  k: number,
  values: { json?: boolean; report?: string; seed?: string; budget?: string; 'no-background'?: boolean },
): Promise<number> {
  const data = readIntentData(dataFile);
  if (!values.json) for (const w of data.warnings) process.stderr.write(`warning: ${w}\n`);
  const bar = new ProgressBar('cross-validation', process.stderr, process.stderr.isTTY === true && !values.json);
  const seed = integerFlag(values.seed, 'seed', { min: 0, max: MAX_SEED }, 1)!;
  const budgetUnits = boundedFlag(values.budget, 'budget', (x) => x > 0, '> 0 (work units)');
  const reportRules = reportFileRules(dataFile);
  if (values.report) checkFlagFile('--report', values.report, reportRules); // before the folds train, not after
  const report = await crossValidateIntent(data.examples, k, {
    seed,
    fixed: { seed },
    budgetUnits,
    background: values['no-background'] ? false : undefined,
    onFold: (f, n) => bar.update(f / n, `fold ${f + 1}/${n}`),
    onProgress: undefined,
  });
  bar.done();
  for (const w of report.warnings) process.stderr.write(`warning: ${w}\n`);
  if (values.report) {
    const scored = data.examples.map((e, i) => ({ e, p: report.probs[i] })).filter((r) => r.p !== undefined);
    const { confidences, correct, answerable } = confidenceOutcomes(
      scored.map((r) => r.e.intent) as string[],
      scored.map((r) => r.p!),
      report.labels,
      report.mode,
    );
    const html = renderIntentReport({
      metrics: report.pooled,
      confidences,
      correct,
      answerable,
      texts: scored.map((r) => r.e.text),
      title: `Cross-validation, ${report.k} folds`,
      subtitle: `${basename(dataFile)}: out-of-fold predictions of models trained the default way`,
      crossValidation: {
        k: report.k,
        oosSource: report.oos_source,
        rows: [
          { name: report.mode === 'multi' ? 'exact match' : 'accuracy', ...report.accuracy },
          ...(report.micro_f1 ? [{ name: 'micro-F1', ...report.micro_f1 }] : []),
          { name: 'macro-F1', ...report.macro_f1 },
          ...(report.oos_recall ? [{ name: 'out-of-scope recall', ...report.oos_recall }] : []),
        ],
        folds: report.folds,
        perIntent: report.per_intent.map((p) => ({ intent: p.intent, ...p.f1, support: p.support })),
      },
    });
    await writeFlagFile('--report', values.report, html, reportRules);
    if (!values.json) process.stderr.write(`report written to ${values.report}\n`);
  }
  if (values.json) {
    const { pooled: _p, probs: _q, labels: _l, ...rest } = report;
    process.stdout.write(`${JSON.stringify({ ...rest, confusions: rest.confusions.slice(0, 20) })}\n`);
    return 0;
  }
  printCv(report);
  return 0;
}

function printCv(r: CvReport): void {
  const w = (line: string) => process.stdout.write(`${line}\n`);
  w(`${r.k}-fold cross-validation of ${r.n} examples (${r.mode}-label), models trained the default way`);
  w(`accuracy           ${ms(r.accuracy)}${r.mode === 'multi' ? ' (exact match)' : ''}`);
  if (r.micro_f1) w(`micro_f1           ${ms(r.micro_f1)}`);
  w(`macro_f1           ${ms(r.macro_f1)}`);
  if (r.oos_recall)
    w(
      `oos_recall         ${ms(r.oos_recall)} (${r.oos_source === 'data' ? 'out_of_scope rows' : 'background reserve lines'}` +
        `${r.oos_pooled ? `; all folds together ${(100 * r.oos_pooled.recall).toFixed(1)}% of ${r.oos_pooled.n}` : ''})`,
    );
  if (!r.oos_recall) w('oos_recall         not measured (no out_of_scope rows and no background corpus)');
  else if (r.oos_pooled && r.oos_pooled.n < 10 * r.k)
    w(
      `                   few out-of-scope rows per fold (${r.oos_pooled.n} in ${r.k} folds): each fold's recall moves ` +
        'in big steps; read the figure for all folds together, and add out_of_scope rows to measure it better',
    );
  w('');
  w('fold     n  accuracy  macro_f1  oos_recall  seconds  model');
  for (const f of r.folds) {
    w(
      `${String(f.fold).padStart(4)} ${String(f.n).padStart(5)}  ${pct(f.accuracy).padStart(8)}  ${pct(f.macro_f1).padStart(8)}  ` +
        `${(f.oos_recall === undefined ? '–' : pct(f.oos_recall)).padStart(10)}  ${f.seconds.toFixed(1).padStart(7)}  ${f.chosen}`,
    );
  }
  w('');
  w('weakest intents (F1 across folds):');
  for (const p of r.per_intent.slice(0, 10)) w(`  ${p.intent.padEnd(30)} ${ms(p.f1)}  (n=${p.support})`);
  if (r.confusions.length) {
    w('most frequent confusions (gold → predicted):');
    for (const c of r.confusions.slice(0, 10)) w(`  ${c.gold} → ${c.predicted}: ${c.count}`);
  }
}

/** `--report` never writes over the data it scores, and replaces an existing file only when it is an earlier report. */
function reportFileRules(dataFile: string): FlagFileRules {
  return { inputs: [dataFile], existing: { kind: 'intent report', recognise: isIntentReportHead } };
}
