/**
 * The HTML report of an intent evaluation: headline metrics, the reliability diagram, the precision–coverage curve with
 * the model's threshold, top confusions with an example each, and per-label F1 (worst first).
 */
import {
  expectedCalibrationError,
  precisionCoverageCurve,
  reliabilityBins,
  thresholdForPrecision,
} from './calibration.ts';
import type { MultiLabelMetrics, SingleLabelMetrics } from './intent-metrics.ts';
import { coverageChart, escapeHtml, labelF1Chart, percent, reliabilityChart } from './svg-charts.ts';

/** What {@link renderIntentReport} shows. */
export interface IntentReportInput {
  /** Page title (default "Intent model evaluation"). */
  title?: string;
  /** One line under the title, e.g. the model and data paths. */
  subtitle?: string;
  /** Shown in the header (default: now). */
  generatedAt?: Date;
  metrics: SingleLabelMetrics | MultiLabelMetrics;
  /** The evaluated texts, by row: confusions show one as an example. */
  texts?: readonly string[];
  /** Per-row confidence and correctness (see `confidenceOutcomes`), for the calibration plots. */
  confidences: ArrayLike<number>;
  correct: ArrayLike<boolean>;
  /**
   * Single-label: rows whose top label is not out_of_scope. The precision–coverage curve counts only these as
   * answerable (a message rejected as out of scope is not an answer), as `calibrate` and `eval route` do.
   */
  answerable?: ArrayLike<boolean>;
  /** Confidence threshold marked on the precision–coverage curve (default: the single-label metrics' threshold). */
  threshold?: number;
  /** Reliability bins (default 15). */
  bins?: number;
  /** Out-of-scope recall on background lines no model trained on (data without out_of_scope rows), and their count. */
  backgroundOos?: { recall: number; rows: number };
  /** Cross-validation: per-fold scores, their mean ± std and per-intent F1 across folds (shown above the pooled view). */
  crossValidation?: CrossValidationSummary;
}

/** What `eval intent --cv` adds to the page: the fold-level view (the cards below are pooled out-of-fold). */
export interface CrossValidationSummary {
  k: number;
  oosSource: 'data' | 'background' | 'none';
  rows: { name: string; mean: number; std: number }[];
  folds: { fold: number; n: number; accuracy: number; macro_f1: number; oos_recall?: number; chosen: string }[];
  perIntent: { intent: string; mean: number; std: number; support: number }[];
}

const MAX_CONFUSIONS = 20;
const MAX_EXAMPLE_CHARS = 140;
const PRECISION_TARGETS = [0.9, 0.95, 0.99];
const BANDS: [number, number, string][] = [
  [0, 0.5, 'below 50%'],
  [0.5, 0.9, '50–90%'],
  [0.9, Number.POSITIVE_INFINITY, '90% and above'],
];

/** The report's generator mark (a `<meta name="generator">`), by which `--report` knows it may replace a file. */
export const REPORT_GENERATOR = 'switchboard intent report';

/**
 * Whether the first bytes of a file are an intent report's: this generator's mark, or (reports written before the
 * mark) the doctype with one of the report titles.
 */
export function isIntentReportHead(head: string): boolean {
  if (head.includes(`<meta name="generator" content="${REPORT_GENERATOR}">`)) return true;
  return (
    /^\s*<!doctype html>/i.test(head) &&
    /<title>(?:Intent model evaluation|Cross-validation, \d+ folds)<\/title>/.test(head)
  );
}

/**
 * Renders an evaluation as one self-contained HTML page (inline CSS and SVG, no scripts, nothing fetched): headline
 * metric cards, a reliability diagram, a precision–coverage curve with the model threshold, the top confusions with an
 * example text each, and per-label F1 bars, worst first. All text, customer text included, is HTML-escaped.
 * @example writeFileSync('report.html', renderIntentReport({ metrics, texts, ...confidenceOutcomes(gold, probs, labels, 'single') }));
 */
export function renderIntentReport(input: IntentReportInput): string {
  const { metrics } = input;
  const bins = reliabilityBins(input.confidences, input.correct, input.bins ?? 15);
  const ece = expectedCalibrationError(input.confidences, input.correct, input.bins ?? 15);
  const answerable = input.answerable;
  const curve = answerable
    ? precisionCoverageCurve(
        Array.from(input.confidences, (c, i) => (answerable[i] ? c : -1)),
        input.correct,
      ).filter((p) => p.threshold >= 0)
    : precisionCoverageCurve(input.confidences, input.correct);
  const threshold = input.threshold ?? ('micro_f1' in metrics ? undefined : metrics.threshold);
  const marked =
    threshold !== undefined && threshold > 0 ? { threshold, label: `Model threshold ${fmt(threshold)}` } : undefined;
  const title = input.title ?? 'Intent model evaluation';
  const when = (input.generatedAt ?? new Date()).toISOString().slice(0, 16).replace('T', ' ');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="generator" content="${REPORT_GENERATOR}"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title><style>${CSS}</style></head>
<body><main>
<header><h1>${escapeHtml(title)}</h1>
<p class="sub">${input.subtitle ? `${escapeHtml(input.subtitle)} · ` : ''}${metrics.n} examples · generated ${when} UTC</p></header>
${input.crossValidation ? cvSection(input.crossValidation) : ''}<section class="cards">${cards(metrics, ece, input.backgroundOos)}</section>
<section class="grid">
<figure class="panel"><h2>Reliability</h2><p class="note">Accuracy per confidence bin; bars on the dashed diagonal are well calibrated. Expected calibration error ${percent(ece)}.</p>${reliabilityChart(bins)}${bandsTable(input.confidences, input.correct)}</figure>
<figure class="panel"><h2>Precision vs coverage</h2><p class="note">Answer only when the confidence is above a threshold: fewer answers, more of them right.</p>${coverageChart(curve, marked)}${targetsTable(curve)}</figure>
</section>
<section class="panel"><h2>Top confusions</h2>${confusionTable(metrics, input.texts)}</section>
<section class="panel"><h2>F1 per label <span class="count">worst first · ${dataLabels(metrics).length} labels</span></h2>
<p class="note">Red below 50%, amber below 80%. Hover a bar for precision, recall and support.</p>${labelF1Chart(dataLabels(metrics))}</section>
</main></body></html>
`;
}

/** The labels the data has (support > 0): a label only ever predicted (the background out_of_scope class) is none. */
function dataLabels(metrics: IntentReportInput['metrics']): IntentReportInput['metrics']['per_label'] {
  const present = metrics.per_label.filter((s) => s.support > 0);
  return present.length > 0 ? present : metrics.per_label;
}

function cvSection(cv: CrossValidationSummary): string {
  const pm = (m: number, sd: number) => `${percent(m)} ± ${(100 * sd).toFixed(1)}`;
  const oos =
    cv.oosSource === 'none'
      ? 'not measured (no out_of_scope rows and no background corpus)'
      : cv.oosSource === 'data'
        ? 'on the data’s out_of_scope rows'
        : 'on background reserve lines no model trained on';
  const summary = cv.rows.map((r) => `<tr><td>${escapeHtml(r.name)}</td><td>${pm(r.mean, r.std)}</td></tr>`).join('');
  const folds = cv.folds
    .map(
      (f) =>
        `<tr><td>${f.fold}</td><td>${f.n}</td><td>${percent(f.accuracy)}</td><td>${percent(f.macro_f1)}</td>` +
        `<td>${f.oos_recall === undefined ? '–' : percent(f.oos_recall)}</td><td>${escapeHtml(f.chosen)}</td></tr>`,
    )
    .join('');
  const intents = cv.perIntent
    .map((p) => `<tr><td>${escapeHtml(p.intent)}</td><td>${pm(p.mean, p.std)}</td><td>${p.support}</td></tr>`)
    .join('');
  return `<section class="panel"><h2>Cross-validation <span class="count">${cv.k} folds · mean ± std over folds</span></h2>
<p class="note">Each fold's model is trained the default way on the other folds and scored on its own, with its own threshold. Out-of-scope recall ${oos}. The cards and charts below pool every fold's out-of-fold predictions.</p>
<table><thead><tr><th>metric</th><th>mean ± std</th></tr></thead><tbody>${summary}</tbody></table>
<table><thead><tr><th>fold</th><th>n</th><th>accuracy</th><th>macro-F1</th><th>OOS recall</th><th>model</th></tr></thead><tbody>${folds}</tbody></table>
<h2>F1 per intent across folds <span class="count">worst first</span></h2>
<table><thead><tr><th>intent</th><th>F1 mean ± std</th><th>n</th></tr></thead><tbody>${intents}</tbody></table></section>
`;
}

function fmt(x: number): string {
  return x.toFixed(x < 0.1 ? 3 : 2);
}

function cards(
  m: SingleLabelMetrics | MultiLabelMetrics,
  ece: number,
  background?: IntentReportInput['backgroundOos'],
): string {
  const list: [string, string, string?][] = [['Examples', m.n.toLocaleString('en-US')]];
  if ('micro_f1' in m) {
    list.push(['Micro-F1', percent(m.micro_f1), 'over all (example, label) decisions']);
    list.push(['Macro-F1', percent(m.macro_f1), 'mean over labels']);
    list.push(['Exact match', percent(m.exact_match), 'whole label set right']);
    list.push(['Threshold', fmt(m.threshold), 'label predicted at or above']);
  } else {
    const note = m.threshold !== undefined ? 'with the threshold' : 'top intent is gold';
    list.push(['Accuracy', percent(m.accuracy), note]);
    list.push(['Macro-F1', percent(m.macro_f1), 'mean over labels']);
    if (m.in_scope_accuracy !== undefined)
      list.push(['In-scope accuracy', percent(m.in_scope_accuracy), 'rejections count as wrong']);
    if (m.oos_recall !== undefined) list.push(['OOS recall', percent(m.oos_recall), 'out_of_scope caught']);
    if (m.threshold !== undefined) list.push(['Threshold', fmt(m.threshold), 'below it: out_of_scope']);
  }
  if (background)
    list.push([
      'Background OOS recall',
      percent(background.recall),
      `${background.rows.toLocaleString('en-US')} everyday lines no model trained on`,
    ]);
  list.push(['ECE', percent(ece), 'expected calibration error']);
  return list
    .map(
      ([k, v, note]) =>
        `<div class="card"><div class="k">${escapeHtml(k)}</div><div class="v">${escapeHtml(v)}</div>${note ? `<div class="n">${escapeHtml(note)}</div>` : ''}</div>`,
    )
    .join('');
}

function bandsTable(confidences: ArrayLike<number>, correct: ArrayLike<boolean>): string {
  const n = confidences.length;
  const rows = BANDS.map(([lo, hi, name]) => {
    let count = 0;
    let right = 0;
    let conf = 0;
    for (let i = 0; i < n; i++) {
      if (confidences[i] < lo || confidences[i] >= hi) continue;
      count++;
      conf += confidences[i];
      if (correct[i]) right++;
    }
    const cells = count
      ? `<td>${percent(count / n)}</td><td>${percent(right / count)}</td><td>${percent(conf / count)}</td>`
      : '<td>0%</td><td class="muted">–</td><td class="muted">–</td>';
    return `<tr><td>${name}</td>${cells}</tr>`;
  }).join('');
  const head = '<tr><th>Confidence</th><th>Rows</th><th>Accuracy</th><th>Mean confidence</th></tr>';
  return `<table class="small"><thead>${head}</thead><tbody>${rows}</tbody></table>`;
}

function targetsTable(curve: ReturnType<typeof precisionCoverageCurve>): string {
  const rows = PRECISION_TARGETS.map((target) => {
    const p = thresholdForPrecision(curve, target);
    const cells = p
      ? `<td>${fmt(p.threshold)}</td><td>${percent(p.coverage)}</td>`
      : '<td colspan="2" class="muted">not reached</td>';
    return `<tr><td>${Math.round(target * 100)}%</td>${cells}</tr>`;
  }).join('');
  return `<table class="small"><thead><tr><th>Target precision</th><th>Threshold</th><th>Coverage</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function confusionTable(m: SingleLabelMetrics | MultiLabelMetrics, texts: readonly string[] | undefined): string {
  const top = m.confusions.slice(0, MAX_CONFUSIONS);
  if (top.length === 0) return '<p class="note">No confusions: every prediction was right.</p>';
  const max = top[0].count;
  const rows = top
    .map((c) => {
      const raw = texts?.[c.rows[0]];
      const text =
        raw === undefined ? '' : raw.length > MAX_EXAMPLE_CHARS ? `${raw.slice(0, MAX_EXAMPLE_CHARS - 1)}…` : raw;
      const bar = `<span class="bar" style="width:${Math.max(4, Math.round((c.count / max) * 60))}px"></span>`;
      return `<tr><td class="label">${escapeHtml(c.gold)}</td><td class="label">${escapeHtml(c.predicted)}</td><td class="num">${bar}${c.count}</td><td class="text">${text ? `“${escapeHtml(text)}”` : ''}</td></tr>`;
    })
    .join('');
  return `<table><thead><tr><th>Gold</th><th>Predicted</th><th class="num">Count</th><th>Example</th></tr></thead><tbody>${rows}</tbody></table>`;
}

const CSS = `
:root{--ink:#0f172a;--muted:#64748b;--line:#e2e8f0;--bg:#f5f7fa;--accent:#2563eb}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--ink);font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;-webkit-font-smoothing:antialiased}
main{max-width:1120px;margin:0 auto;padding:32px 28px 56px}
header h1{font-size:26px;font-weight:650;margin:0 0 4px;letter-spacing:-.01em}
.sub{color:var(--muted);margin:0 0 24px}
h2{font-size:16px;font-weight:620;margin:0 0 4px}
h2 .count{font-size:13px;font-weight:400;color:var(--muted);margin-left:8px}
.note{color:var(--muted);font-size:13px;margin:0 0 14px}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(128px,1fr));gap:12px;margin-bottom:20px}
.card{background:#fff;border:1px solid var(--line);border-radius:10px;padding:14px 16px}
.card .k{font-size:12px;text-transform:uppercase;letter-spacing:.05em;color:var(--muted)}
.card .v{font-size:26px;font-weight:650;font-variant-numeric:tabular-nums;margin-top:2px}
.card .n{font-size:12px;color:var(--muted)}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(460px,1fr));gap:20px;margin-bottom:20px}
.panel{background:#fff;border:1px solid var(--line);border-radius:10px;padding:20px 22px;margin:0 0 20px}
.grid .panel{margin:0}
svg.chart{display:block;max-width:100%;height:auto}
table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums}
th{text-align:left;font-size:12px;text-transform:uppercase;letter-spacing:.04em;color:var(--muted);font-weight:600;border-bottom:1px solid var(--line);padding:8px 10px}
td{border-bottom:1px solid var(--line);padding:7px 10px;vertical-align:top}
tbody tr:nth-child(even){background:#fafbfc}
td.label{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12.5px;white-space:nowrap}
td.num,th.num{text-align:right;white-space:nowrap}
td.text{color:#334155;word-break:break-word}
.bar{display:inline-block;height:8px;border-radius:4px;background:var(--accent);opacity:.35;margin-right:8px;vertical-align:middle}
table.small{margin-top:12px;font-size:13px}
table.small td,table.small th{padding:5px 10px}
.muted{color:var(--muted)}
`;
