import { describe, expect, it } from 'vitest';
import { confidenceOutcomes, multiLabelMetrics, singleLabelMetrics } from '../../../src/eval/intent-metrics.ts';
import { isIntentReportHead, renderIntentReport } from '../../../src/eval/intent-report.ts';
import { escapeHtml } from '../../../src/eval/svg-charts.ts';

const rows = (...r: number[][]) => r.map((x) => Float32Array.from(x));

describe('renderIntentReport', () => {
  const labels = ['card_lost', 'balance<b>'];
  const gold = ['card_lost', 'balance<b>', 'out_of_scope', 'card_lost'];
  const probs = rows([0.9, 0.1], [0.3, 0.7], [0.55, 0.45], [0.2, 0.8]);
  const texts = ['my card is gone', 'balance?', 'tell me a joke', '<script>alert("pwned")</script> & co'];
  const metrics = singleLabelMetrics(gold, probs, labels, 0.6);
  const html = renderIntentReport({
    title: 'Eval <of> model',
    subtitle: 'models/x on data/test.jsonl',
    metrics,
    texts,
    ...confidenceOutcomes(gold, probs, labels, 'single'),
    generatedAt: new Date('2025-01-02T03:04:05Z'),
  });

  it('counts a message rejected as out of scope as not answered on the precision–coverage curve', () => {
    const l = ['refund', 'out_of_scope'];
    const g = ['refund', 'out_of_scope'];
    const p = rows([0.8, 0.2], [0.1, 0.9]); // the second is rejected by the out_of_scope class, at 0.9
    const page = renderIntentReport({
      metrics: singleLabelMetrics(g, p, l, 0.5),
      texts: ['refund please', 'tell me a joke'],
      threshold: 0.5,
      ...confidenceOutcomes(g, p, l, 'single'),
    });
    expect(page).toContain('50.0% answered · 100.0% precise');
    expect(page).not.toContain('100.0% answered');
  });

  it('escapes customer text, labels and titles', () => {
    expect(html).not.toContain('<script');
    expect(html).toContain('&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt; &amp; co');
    expect(html).not.toContain('balance<b>');
    expect(html).toContain('balance&lt;b&gt;');
    expect(html).toContain('<title>Eval &lt;of&gt; model</title>');
  });

  it('is self-contained: inline CSS and SVG, nothing fetched', () => {
    expect(html.startsWith('<!doctype html>')).toBe(true);
    // `--report` knows its own earlier reports by their first kilobyte (and replaces only those).
    expect(isIntentReportHead(html.slice(0, 1024))).toBe(true);
    expect(html).toContain('<style>');
    expect(html).not.toMatch(/\b(src|href)=|https?:\/\/(?!www\.w3\.org)|@import/);
  });

  it('has the metric cards, both calibration charts, the confusion table and the F1 bars', () => {
    expect(html.match(/<svg /g)).toHaveLength(3);
    expect(html).toContain('aria-label="Reliability diagram"');
    expect(html).toContain('aria-label="Precision–coverage curve"');
    expect(html).toContain('aria-label="F1 per label"');
    expect(html).toContain('Model threshold 0.60');
    for (const card of ['Accuracy', 'Macro-F1', 'In-scope accuracy', 'OOS recall', 'Threshold', 'ECE']) {
      expect(html).toContain(`<div class="k">${card}</div>`);
    }
    expect(html).toContain('generated 2025-01-02 03:04 UTC');
    expect(html).toMatch(/<td class="label">card_lost<\/td><td class="label">balance&lt;b&gt;<\/td>/);
  });

  it('lists per-label F1 worst first', () => {
    const order = metrics.per_label.map((s) => s.label);
    const positions = order.map((l) => html.indexOf(`>${escapeHtml(l)}</text>`));
    expect(positions.every((p, i) => p > 0 && (i === 0 || p > positions[i - 1]))).toBe(true);
  });

  it('charts the labels the data has, not a label only ever predicted (the background out_of_scope class)', () => {
    const g = ['a', 'b', 'a'];
    const p = rows([0.1, 0.2, 0.7], [0.1, 0.8, 0.1], [0.9, 0.05, 0.05]);
    const m = singleLabelMetrics(g, p, ['a', 'b', 'out_of_scope']);
    expect(m.per_label.map((s) => s.label)).toContain('out_of_scope');
    const page = renderIntentReport({
      metrics: m,
      ...confidenceOutcomes(g, p, ['a', 'b', 'out_of_scope'], 'single'),
      backgroundOos: { recall: 0.8125, rows: 1234 },
    });
    expect(page).toContain('worst first · 2 labels');
    expect(page).toContain('<div class="k">Background OOS recall</div><div class="v">81.3%</div>');
    expect(page).toContain('1,234 everyday lines no model trained on');
    expect(page).not.toContain('>out_of_scope</text>');
  });

  it('renders multi-label metrics with micro-F1 and exact match', () => {
    const mGold = [['a'], ['a', 'b'], []];
    const mProbs = rows([0.9, 0.2], [0.8, 0.3], [0.1, 0.1]);
    const multi = multiLabelMetrics(mGold, mProbs, ['a', 'b']);
    const page = renderIntentReport({ metrics: multi, ...confidenceOutcomes(mGold, mProbs, ['a', 'b'], 'multi') });
    expect(page).toContain('<div class="k">Micro-F1</div>');
    expect(page).toContain('<div class="k">Exact match</div>');
    expect(page).not.toContain('Model threshold');
    expect(page.match(/<svg /g)).toHaveLength(3);
  });

  it('cross-validation: mean ± std, every fold and per-intent F1 across folds, escaped', () => {
    const cv = renderIntentReport({
      metrics,
      ...confidenceOutcomes(gold, probs, labels, 'single'),
      crossValidation: {
        k: 2,
        oosSource: 'background',
        rows: [
          { name: 'accuracy', mean: 0.8, std: 0.05 },
          { name: 'out-of-scope recall', mean: 0.7, std: 0.1 },
        ],
        folds: [
          { fold: 1, n: 10, accuracy: 0.75, macro_f1: 0.7, oos_recall: 0.6, chosen: 'linear' },
          { fold: 2, n: 10, accuracy: 0.85, macro_f1: 0.8, chosen: 'linear' },
        ],
        perIntent: [{ intent: '<i>refund</i>', mean: 0.5, std: 0.2, support: 8 }],
      },
    });
    expect(cv).toContain('2 folds');
    expect(cv).toMatch(/80\.0% ± 5\.0/);
    expect(cv).toMatch(/70\.0% ± 10\.0/);
    expect(cv).toContain('background reserve lines');
    expect(cv.match(/<tr><td>\d<\/td><td>10<\/td>/g)).toHaveLength(2);
    expect(cv).toContain('&lt;i&gt;refund&lt;/i&gt;');
    expect(cv).not.toContain('<i>refund</i>');
    expect(html).not.toContain('Cross-validation <span');
  });

  it('says so when there are no confusions', () => {
    const perfect = singleLabelMetrics(['a'], rows([1, 0]), ['a', 'b']);
    const page = renderIntentReport({ metrics: perfect, confidences: [1], correct: [true] });
    expect(page).toContain('No confusions');
  });
});
