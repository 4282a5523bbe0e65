/**
 * The intent model's MODEL_CARD.md: what it was trained on, how it was chosen, its measured quality and out-of-scope
 * protection, and its limits.
 */
import { type IntentManifest, oosNotMeasuredReason } from '../nlu/intent/intent-manifest.ts';

/** What a model card says beyond the manifest. */
export interface ModelCardInput {
  manifest: IntentManifest;
  /** Free text on the training data: sources, languages, splits, sizes. */
  dataDescription: string;
  /** Training warnings to carry over (e.g. labels with few examples). */
  warnings?: string[];
}

const fmt = (v: unknown): string => {
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : v.toFixed(4);
  if (typeof v === 'string') return v;
  return JSON.stringify(v);
};

const escapeCell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** Flattens nested metric objects to `a.b.c` rows; arrays and other values are shown as JSON. */
function metricRows(metrics: Record<string, unknown>, prefix = ''): [string, string][] {
  const rows: [string, string][] = [];
  for (const [key, value] of Object.entries(metrics)) {
    if (value === undefined) continue;
    const name = prefix ? `${prefix}.${key}` : key;
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      rows.push(...metricRows(value as Record<string, unknown>, name));
    } else rows.push([name, fmt(value)]);
  }
  return rows;
}

/** The members in words. */
function membersText(opts: Record<string, unknown>): string {
  const towers = Number(opts.ensemble ?? 1);
  const deep =
    towers > 0
      ? `${towers} TF-IDF-weighted embedding-bag tower(s) (dim ${fmt(opts.dim)}` +
        `${Number(opts.hidden) > 0 ? `, hidden ${fmt(opts.hidden)} ReLU` : ''}` +
        `${opts.towerRows !== undefined ? `; tables of the ${fmt(opts.towerRows)} most frequent feature rows` : ''})`
      : '';
  const linear =
    opts.linear === false ? '' : 'a linear SVM over sublinear TF-IDF (word and character families each L2-normalised)';
  return [linear, deep].filter(Boolean).join(' stacked with ') || '(no members)';
}

/** The configuration search: what was tried, what won. */
function searchSection(search: Record<string, unknown> | undefined): string[] {
  if (!search) return [];
  const trials = (search.trials ?? []) as {
    candidate: { name: string };
    rows: number;
    towerRows?: number;
    score?: number;
    bytes: number;
    units?: number;
    seconds: number;
    skipped?: string;
  }[];
  return [
    '## How the configuration was chosen',
    '',
    `\`train intent\` searched ${trials.length} configuration(s) within a budget of ${budgetText(search)}, ` +
      `compared on ${fmt(search.comparedOn)} held-out rows; chose **${search.chosen}**. ` +
      `Set from the data's size: \`${JSON.stringify(search.dataDefaults)}\`; fixed by flags: \`${JSON.stringify(search.fixed ?? {})}\`.`,
    '',
    '| configuration | feature rows | held-out score | size (est.) | work units (est.) | seconds |',
    '| --- | --- | --- | --- | --- | --- |',
    ...trials.map(
      (t) =>
        `| ${escapeCell(t.candidate.name)} | ${t.rows}${t.towerRows !== undefined ? ` (towers ${t.towerRows})` : ''} | ${t.score === undefined ? escapeCell(`skipped: ${t.skipped}`) : (t.score * 100).toFixed(2)} | ` +
        `${(t.bytes / 1e6).toFixed(1)} MB | ${t.units === undefined ? '–' : t.units.toFixed(0)} | ${t.seconds.toFixed(1)} |`,
    ),
    '',
    ...linearCLines(search.linearC as LinearCRecord | undefined),
  ];
}

/** The search's budget: work units (models since the budget counts work), or seconds (older models). */
function budgetText(search: Record<string, unknown>): string {
  if (typeof search.budgetUnits === 'number') {
    const units = (x: number) => String(Math.round(x * 10) / 10);
    const spent = typeof search.spentUnits === 'number' ? `, ${units(search.spentUnits)} spent` : '';
    return `${units(search.budgetUnits)} work units (1 unit ≈ 1 s of training on a quiet 2-core machine${spent})`;
  }
  return `${fmt(search.budgetSeconds)} s`;
}

/** The linear member's penalty C as recorded by the search (absent in models trained before it was searched). */
interface LinearCRecord {
  chosen: number;
  fixed: boolean;
  trials: { c: number; score?: number; seconds: number; skipped?: string }[];
  comparedOn: number;
  seconds: number;
}

function linearCLines(r: LinearCRecord | undefined): string[] {
  if (!r) return [];
  if (r.fixed) return [`Linear SVM penalty C = ${String(r.chosen)}, fixed by \`--linear-c\`.`, ''];
  if (r.trials.length === 0) return [`Linear SVM penalty C = ${String(r.chosen)} (the default; not searched).`, ''];
  return [
    `Linear SVM penalty C = **${String(r.chosen)}**, chosen by the linear member alone on ${fmt(r.comparedOn)} held-out ` +
      `rows (C = 1 is kept unless another scores better by more than one row; ${r.seconds.toFixed(1)} s):`,
    '',
    '| C | held-out score | seconds |',
    '| --- | --- | --- |',
    ...r.trials.map(
      (t) =>
        `| ${String(t.c)} | ${t.score === undefined ? escapeCell(`skipped: ${t.skipped}`) : (t.score * 100).toFixed(2)} | ${t.seconds.toFixed(1)} |`,
    ),
    '',
  ];
}

/** Out-of-scope protection, and the background corpus's attribution when it was used. */
function oosSection(m: IntentManifest): string[] {
  const p = m.calibration.oos_protection;
  const bg = m.training.background as
    | { languages?: string[]; trainLines?: number; heldLines?: number; dropped?: number }
    | undefined;
  const lines = ['## Out-of-scope protection', ''];
  if (!p) lines.push('Not recorded (a model from an older version).');
  else if (p.source === 'none') {
    lines.push(
      `**Not measured.** The data has no \`out_of_scope\` rows and ${oosNotMeasuredReason(m)}: the answer ` +
        'threshold only hands off what the model is least sure of; messages about other topics may be answered.',
    );
  } else {
    lines.push(
      `Evidence: ${p.source === 'data' ? "the data's out_of_scope rows" : p.source === 'background' ? 'the background corpus' : "the data's out_of_scope rows and the background corpus"}; ` +
        `the rejection rule was chosen on ${p.held_out} held-out out-of-scope rows and rejects ` +
        `${p.recall === undefined ? '?' : (p.recall * 100).toFixed(1)}% of them` +
        (p.max_in_scope_loss === undefined
          ? '.'
          : `, among the rules that cost at most ${+(p.max_in_scope_loss * 100).toFixed(2)}% of the correct held-out answers.`),
    );
  }
  if (bg) {
    lines.push(
      '',
      `Background corpus: ${bg.trainLines ?? 0} lines trained the out-of-scope class and ${bg.heldLines ?? 0} were held ` +
        `out (languages: ${(bg.languages ?? []).join(', ') || 'none'}; ${bg.dropped ?? 0} dropped as too close to the ` +
        'training examples). Sentences from Tatoeba (https://tatoeba.org), by Tatoeba contributors, CC BY 2.0 FR.',
    );
  }
  lines.push('');
  return lines;
}

function sizeText(bytes: number): string {
  return bytes >= 1 << 20 ? `${(bytes / (1 << 20)).toFixed(2)} MiB` : `${(bytes / 1024).toFixed(1)} KiB`;
}

function labelsText(labels: string[]): string {
  const shown = labels.slice(0, 40).map((l) => `\`${l}\``);
  return labels.length > 40 ? `${shown.join(', ')} … and ${labels.length - 40} more` : shown.join(', ');
}

/**
 * Renders `MODEL_CARD.md` for an intent model: data, training protocol, metrics table, size, date, intended use and
 * limits. Everything is derived from the manifest (plus the data description), so the card never disagrees with it.
 *
 * @example await writeFile(join(dir, 'MODEL_CARD.md'), renderModelCard({ manifest, dataDescription: 'MASSIVE en-US' }));
 */
export function renderModelCard({ manifest: m, dataDescription, warnings = [] }: ModelCardInput): string {
  const opts = m.training.options;
  const f = m.featurizer;
  const metrics = metricRows(m.metrics);
  const lines = [
    `# Intent model card`,
    '',
    `Created ${m.training.date} by ${m.created_by}. ${m.labels.length} labels, ${m.mode}-label ` +
      `(${m.mode === 'single' ? 'softmax: the scores sum to 1' : 'sigmoid: each label scored independently'}).`,
    '',
    '## Data',
    '',
    dataDescription.trim() || '(not described)',
    '',
    `- Training examples: ${m.training.examples}`,
    `- Data sha256: \`${m.training.data_sha256}\``,
    `- Labels: ${labelsText(m.labels)}`,
    '',
    '## Training protocol',
    '',
    `- Features: hashed word ${f.wordNgrams[0]}–${f.wordNgrams[1]}-grams and character ${f.charNgrams[0]}–` +
      `${f.charNgrams[1]}-grams, ${f.buckets} buckets, hash seed ${f.seed}, at most ${f.maxTokens} tokens` +
      (f.punctuation === 'all'
        ? ', punctuation marks as tokens'
        : f.punctuation === 'questions'
          ? ', question and exclamation marks as tokens'
          : ''),
    m.features
      ? `- Feature vocabulary: ${m.features.rows - 1} of the ${f.buckets - 1} hash buckets kept (\`${m.features.file}\`)`
      : '- Feature vocabulary: none (every hash bucket has an embedding row)',
    `- Model: ${membersText(opts)}`,
    ...(m.training.combination
      ? [
          `- Stacking (fitted on held-out rows): logits = ${fmt(m.training.combination.deep ?? 0)} × towers' mean ` +
            `+ ${fmt(m.training.combination.linear ?? 0)} × linear scores` +
            (m.training.combination.offset ? ` + ${fmt(m.training.combination.offset)}` : '') +
            (m.training.combination.oosShift
              ? `; out_of_scope logit shifted by ${fmt(m.training.combination.oosShift)}`
              : ''),
        ]
      : []),
    `- Seed ${m.training.seed}; ${m.training.seconds.toFixed(1)} s of training`,
    `- Calibration: temperature ${m.calibration.temperature.toFixed(4)}` +
      (m.calibration.threshold !== undefined ? `, out-of-scope threshold ${m.calibration.threshold}` : '') +
      (m.calibration.thresholds ? `, ${Object.keys(m.calibration.thresholds).length} per-label thresholds` : ''),
    ...(m.calibration.target
      ? [
          `- Thresholds from \`switchboard calibrate\` for precision ${m.calibration.target.precision} on ` +
            `${m.calibration.target.data} (${m.calibration.target.n} rows): answers ` +
            `${(100 * m.calibration.target.coverage).toFixed(1)}% at precision ` +
            `${(100 * m.calibration.target.expected_precision).toFixed(1)}% there`,
        ]
      : []),
    '',
    '<details><summary>All options</summary>',
    '',
    '```json',
    JSON.stringify(opts, null, 2),
    '```',
    '',
    '</details>',
    '',
    ...searchSection(m.training.search),
    ...oosSection(m),
    '## Metrics',
    '',
    ...(metrics.length
      ? ['| metric | value |', '| --- | --- |', ...metrics.map(([k, v]) => `| ${escapeCell(k)} | ${escapeCell(v)} |`)]
      : ['(none recorded)']),
    ...(metrics.some(([k]) => k.startsWith('validation.'))
      ? [
          '',
          '`validation.*` were measured at training on held-out rows (your examples held out, and held-out background ' +
            'lines counted as out of scope). `accuracy` and `inScopeAccuracy` are the top label’s, with no threshold ' +
            '(what the configuration search compares); `servedAccuracy` and `servedInScopeAccuracy` apply the answer ' +
            'threshold and the out-of-scope class, as the bot answers and as `switchboard eval intent` counts (a ' +
            'rejected in-scope message is wrong); `oosRecall` is the share of held-out out-of-scope rows rejected.',
        ]
      : []),
    '',
    '## Size',
    '',
    `\`${m.onnx.file}\`: ${sizeText(m.onnx.bytes)} (${m.onnx.bytes} bytes), ONNX opset ${m.onnx.opset}, ` +
      `${m.onnx.quantized ? 'int8 embeddings with per-row scales' : 'float32 weights'}; sha256 \`${m.onnx.sha256}\`.`,
    ...(m.features
      ? ['', `\`${m.features.file}\`: ${sizeText(m.features.bytes)}; sha256 \`${m.features.sha256}\`.`]
      : []),
    '',
    '## Intended use and limits',
    '',
    '- Classifies short customer-support messages into the labels above so the router can answer, clarify or hand off.',
    '- Scores are calibrated on a validation split; they are not guarantees. Route on thresholds measured on your data.',
    '- Knows only these labels and the languages of its training data; other topics and languages get unreliable scores.',
    '- Bag of n-grams: word order beyond bigrams, negation and long multi-sentence messages are weak spots.',
    '- Do not use it for decisions about people (eligibility, credit, employment) or as the only safety filter.',
    ...(warnings.length ? ['', '## Training warnings', '', ...warnings.map((w) => `- ${w}`)] : []),
    '',
  ];
  return lines.join('\n');
}
