/**
 * Small dependency-free SVG charts for the HTML reports: the reliability diagram, the precision–coverage curve and per-
 * label F1 bars, with HTML escaping.
 */
import type { CoveragePoint, ReliabilityBin } from './calibration.ts';
import type { LabelScores } from './intent-metrics.ts';

/**
 * Escapes text for HTML and SVG (element content and quoted attributes): `& < > " '`.
 * @example escapeHtml('<script>') // '&lt;script&gt;'
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c]);
}

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * A percentage with one decimal, e.g. `91.3%`.
 * @example percent(0.9134) // '91.3%'
 */
export function percent(x: number): string {
  return `${(x * 100).toFixed(1)}%`;
}

const INK = '#0f172a';
const MUTED = '#64748b';
const GRID = '#e2e8f0';
const ACCENT = '#2563eb';
const GAP = '#ef4444';
const FONT = 'font-family="inherit"';

interface Frame {
  w: number;
  h: number;
  left: number;
  top: number;
  right: number;
  bottom: number;
}

const sx = (f: Frame, v: number) => f.left + v * (f.w - f.left - f.right);
const sy = (f: Frame, v: number, lo = 0) => f.h - f.bottom - ((v - lo) / (1 - lo)) * (f.h - f.top - f.bottom);
const fixed = (v: number) => v.toFixed(1);

function svgOpen(f: Frame, label: string): string {
  return `<svg class="chart" viewBox="0 0 ${f.w} ${f.h}" width="${f.w}" height="${f.h}" role="img" aria-label="${escapeHtml(label)}" ${FONT}>`;
}

/** Grid lines and tick labels of a unit square plot (y from `yLo` to 1), with axis titles. */
function axes(f: Frame, xTitle: string, yTitle: string, yLo = 0): string {
  const parts: string[] = [];
  for (let k = 0; k <= 4; k++) {
    const v = k / 4;
    const x = sx(f, v);
    const yv = yLo + (1 - yLo) * v;
    const y = sy(f, yv, yLo);
    parts.push(`<line x1="${fixed(x)}" y1="${f.top}" x2="${fixed(x)}" y2="${f.h - f.bottom}" stroke="${GRID}"/>`);
    parts.push(`<line x1="${f.left}" y1="${fixed(y)}" x2="${f.w - f.right}" y2="${fixed(y)}" stroke="${GRID}"/>`);
    parts.push(
      `<text x="${fixed(x)}" y="${f.h - f.bottom + 16}" text-anchor="middle" font-size="11" fill="${MUTED}">${Math.round(v * 100)}%</text>`,
    );
    parts.push(
      `<text x="${f.left - 8}" y="${fixed(y + 4)}" text-anchor="end" font-size="11" fill="${MUTED}">${+(yv * 100).toFixed(1)}%</text>`,
    );
  }
  const midX = (f.left + f.w - f.right) / 2;
  const midY = (f.top + f.h - f.bottom) / 2;
  parts.push(
    `<text x="${midX}" y="${f.h - 6}" text-anchor="middle" font-size="12" fill="${INK}">${escapeHtml(xTitle)}</text>`,
  );
  parts.push(
    `<text transform="translate(14 ${midY}) rotate(-90)" text-anchor="middle" font-size="12" fill="${INK}">${escapeHtml(yTitle)}</text>`,
  );
  return parts.join('');
}

/**
 * Reliability diagram as inline SVG: per confidence bin a bar of accuracy, a red mark at the bin's mean confidence
 * (the distance between the two is the miscalibration), the diagonal of perfect calibration dashed, and the row
 * count above each bar.
 */
export function reliabilityChart(bins: readonly ReliabilityBin[]): string {
  const f: Frame = { w: 520, h: 340, left: 52, top: 26, right: 14, bottom: 44 };
  const parts = [svgOpen(f, 'Reliability diagram'), axes(f, 'Confidence', 'Accuracy')];
  for (const b of bins) {
    if (b.count === 0) continue;
    const x = sx(f, b.lo) + 1.5;
    const w = sx(f, b.hi) - sx(f, b.lo) - 3;
    const yAcc = sy(f, b.accuracy);
    const yConf = sy(f, b.confidence);
    const tip = `confidence ${percent(b.lo)}–${percent(b.hi)}: ${b.count} rows, accuracy ${percent(b.accuracy)}, mean confidence ${percent(b.confidence)}`;
    const bar = `x="${fixed(x)}" y="${fixed(yAcc)}" width="${fixed(w)}" height="${fixed(sy(f, 0) - yAcc)}"`;
    const mark = `x1="${fixed(x - 1)}" y1="${fixed(yConf)}" x2="${fixed(x + w + 1)}" y2="${fixed(yConf)}"`;
    const count = `x="${fixed(x + w / 2)}" y="${fixed(Math.min(yAcc, yConf) - 6)}"`;
    parts.push(
      `<g><title>${escapeHtml(tip)}</title><rect ${bar} fill="${ACCENT}" fill-opacity="0.85" rx="2"/>`,
      `<line ${mark} stroke="${GAP}" stroke-width="2.5"/>`,
      `<text ${count} text-anchor="middle" font-size="10" fill="${MUTED}">${b.count}</text></g>`,
    );
  }
  const diagonal = `x1="${sx(f, 0)}" y1="${sy(f, 0)}" x2="${sx(f, 1)}" y2="${sy(f, 1)}"`;
  parts.push(`<line ${diagonal} stroke="${INK}" stroke-width="1.2" stroke-dasharray="5 4"/>`);
  parts.push(
    legend(f.left + 8, 12, [
      [ACCENT, 'Accuracy'],
      [GAP, 'Mean confidence'],
      [INK, 'Perfect calibration'],
    ]),
  );
  parts.push('</svg>');
  return parts.join('');
}

function legend(x: number, y: number, items: [string, string][]): string {
  let at = x;
  return items
    .map(([color, text]) => {
      const s = `<rect x="${at}" y="${y - 8}" width="10" height="10" rx="2" fill="${color}"/><text x="${at + 14}" y="${y + 1}" font-size="11" fill="${MUTED}">${escapeHtml(text)}</text>`;
      at += 24 + text.length * 6;
      return s;
    })
    .join('');
}

/**
 * Precision–coverage curve as inline SVG (coverage on x, precision on y, the y axis from 0, 20, 60 or 80% so that
 * its ticks stay round), with the point of `marked.threshold` highlighted when given.
 */
export function coverageChart(curve: readonly CoveragePoint[], marked?: { threshold: number; label: string }): string {
  const f: Frame = { w: 520, h: 340, left: 52, top: 26, right: 18, bottom: 44 };
  const lowest = curve.reduce((m, p) => Math.min(m, p.precision), 1);
  const yLo = [0.8, 0.6, 0.2].find((lo) => lo <= lowest - 0.02) ?? 0;
  const parts = [
    svgOpen(f, 'Precision–coverage curve'),
    axes(f, 'Coverage (share of queries answered)', 'Precision', yLo),
  ];
  const step = Math.max(1, Math.ceil(curve.length / 400));
  const pts = curve.filter((_, i) => i % step === 0 || i === curve.length - 1);
  if (pts.length > 0) {
    const line = pts
      .map((p, i) => `${i ? 'L' : 'M'}${fixed(sx(f, p.coverage))} ${fixed(sy(f, p.precision, yLo))}`)
      .join('');
    const base = sy(f, yLo, yLo);
    const first = pts[0];
    const last = pts[pts.length - 1];
    const area = `${line}L${fixed(sx(f, last.coverage))} ${base}L${fixed(sx(f, first.coverage))} ${base}Z`;
    parts.push(`<path d="${area}" fill="${ACCENT}" fill-opacity="0.08"/>`);
    parts.push(`<path d="${line}" fill="none" stroke="${ACCENT}" stroke-width="2" stroke-linejoin="round"/>`);
  }
  const point = marked ? curve.find((p) => p.threshold >= marked.threshold) : undefined;
  if (marked && point) {
    const x = sx(f, point.coverage);
    const y = sy(f, point.precision, yLo);
    const right = x > f.w * 0.62;
    parts.push(
      `<line x1="${fixed(x)}" y1="${f.top}" x2="${fixed(x)}" y2="${f.h - f.bottom}" stroke="${GAP}" stroke-dasharray="4 3"/>`,
    );
    parts.push(`<circle cx="${fixed(x)}" cy="${fixed(y)}" r="5" fill="#fff" stroke="${GAP}" stroke-width="2.5"/>`);
    const tx = right ? x - 10 : x + 10;
    const anchor = right ? 'end' : 'start';
    const ty = Math.min(f.h - f.bottom - 24, y + 22);
    parts.push(
      `<text x="${fixed(tx)}" y="${fixed(ty)}" text-anchor="${anchor}" font-size="11.5" font-weight="600" fill="${INK}">${escapeHtml(marked.label)}</text>`,
    );
    const detail = `${percent(point.coverage)} answered · ${percent(point.precision)} precise`;
    parts.push(
      `<text x="${fixed(tx)}" y="${fixed(ty + 15)}" text-anchor="${anchor}" font-size="11" fill="${MUTED}">${detail}</text>`,
    );
  }
  parts.push('</svg>');
  return parts.join('');
}

/** Horizontal bars of per-label F1 in the given order, with precision/recall/support in a hover tooltip. */
export function labelF1Chart(scores: readonly LabelScores[]): string {
  const row = 20;
  const f: Frame = { w: 1000, h: 30 + scores.length * row, left: 250, top: 24, right: 120, bottom: 6 };
  const parts = [svgOpen(f, 'F1 per label')];
  const plotW = f.w - f.left - f.right;
  for (let k = 0; k <= 4; k++) {
    const x = f.left + (plotW * k) / 4;
    parts.push(`<line x1="${x}" y1="${f.top - 4}" x2="${x}" y2="${f.h - f.bottom}" stroke="${GRID}"/>`);
    parts.push(
      `<text x="${x}" y="${f.top - 10}" text-anchor="middle" font-size="11" fill="${MUTED}">${k * 25}%</text>`,
    );
  }
  parts.push(`<text x="${f.w - 8}" y="${f.top - 10}" text-anchor="end" font-size="11" fill="${MUTED}">support</text>`);
  scores.forEach((s, i) => {
    const y = f.top + i * row;
    const color = s.f1 < 0.5 ? GAP : s.f1 < 0.8 ? '#f59e0b' : ACCENT;
    const name = s.label.length > 36 ? `${s.label.slice(0, 35)}…` : s.label;
    const tip = `${s.label}: F1 ${percent(s.f1)}, precision ${percent(s.precision)}, recall ${percent(s.recall)}, support ${s.support}, predicted ${s.predicted}`;
    parts.push(`<g><title>${escapeHtml(tip)}</title>`);
    parts.push(
      `<text x="${f.left - 10}" y="${y + 14}" text-anchor="end" font-size="12" fill="${INK}">${escapeHtml(name)}</text>`,
    );
    parts.push(
      `<rect x="${f.left}" y="${y + 3}" width="${fixed(Math.max(1, plotW * s.f1))}" height="${row - 6}" rx="3" fill="${color}"/>`,
    );
    parts.push(
      `<text x="${fixed(f.left + plotW * s.f1 + 6)}" y="${y + 14}" font-size="11" fill="${INK}">${percent(s.f1)}</text>`,
    );
    parts.push(
      `<text x="${f.w - 8}" y="${y + 14}" text-anchor="end" font-size="11" fill="${MUTED}">${s.support}</text></g>`,
    );
  });
  parts.push('</svg>');
  return parts.join('');
}
