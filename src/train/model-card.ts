import type { IntentManifest } from '../nlu/intent/intent-manifest.ts';

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
      `${f.charNgrams[1]}-grams, ${f.buckets} buckets, hash seed ${f.seed}, at most ${f.maxTokens} tokens`,
    m.features
      ? `- Feature vocabulary: ${m.features.rows - 1} of the ${f.buckets - 1} hash buckets kept (\`${m.features.file}\`)`
      : '- Feature vocabulary: none (every hash bucket has an embedding row)',
    `- Model: TF-IDF-weighted embedding bag (dim ${fmt(opts.dim)}) → ` +
      `${Number(opts.hidden) > 0 ? `hidden ${fmt(opts.hidden)} (ReLU) → ` : ''}logits; ensemble of ${fmt(opts.ensemble ?? 1)}`,
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
    '## Metrics',
    '',
    ...(metrics.length
      ? ['| metric | value |', '| --- | --- |', ...metrics.map(([k, v]) => `| ${escapeCell(k)} | ${escapeCell(v)} |`)]
      : ['(none recorded)']),
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
