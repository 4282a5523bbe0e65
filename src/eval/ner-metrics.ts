/**
 * Entity-level NER metrics as conlleval computes them: exact span and type, precision, recall and F1 overall and per
 * type; BIO tags to spans.
 */
export interface PrecisionRecall {
  precision: number;
  recall: number;
  f1: number;
  /** Gold entities. */
  support: number;
}

/** Entity-level scores as conlleval computes them: an entity counts only with the exact span and type. */
export interface NerMetrics extends PrecisionRecall {
  /** Sentences scored. */
  n: number;
  per_type: Record<string, PrecisionRecall>;
}

function score(correct: number, predicted: number, gold: number): PrecisionRecall {
  const precision = predicted ? correct / predicted : 0;
  const recall = gold ? correct / gold : 0;
  return {
    precision,
    recall,
    f1: precision + recall ? (2 * precision * recall) / (precision + recall) : 0,
    support: gold,
  };
}

/**
 * Precision, recall and F1 over entities (exact span and type), overall and per type, from gold and predicted BIO
 * tag sequences (one per sentence).
 * @example nerMetrics([['B-PER', 'I-PER', 'O']], [['B-PER', 'I-PER', 'O']]).f1 // 1
 */
export function nerMetrics(
  gold: readonly (readonly string[])[],
  predicted: readonly (readonly string[])[],
): NerMetrics {
  const counts = new Map<string, { correct: number; predicted: number; gold: number }>();
  const tally = (type: string) => {
    let c = counts.get(type);
    if (!c) counts.set(type, (c = { correct: 0, predicted: 0, gold: 0 }));
    return c;
  };
  for (let s = 0; s < gold.length; s++) {
    const g = bioSpans(gold[s]);
    const p = bioSpans(predicted[s] ?? []);
    const key = (x: { type: string; start: number; end: number }) => `${x.type}:${x.start}:${x.end}`;
    const goldKeys = new Set(g.map(key));
    for (const x of g) tally(x.type).gold++;
    for (const x of p) {
      const c = tally(x.type);
      c.predicted++;
      if (goldKeys.has(key(x))) c.correct++;
    }
  }
  let correct = 0;
  let predictedAll = 0;
  let goldAll = 0;
  const perType: Record<string, PrecisionRecall> = {};
  for (const [type, c] of [...counts].sort(([a], [b]) => a.localeCompare(b))) {
    correct += c.correct;
    predictedAll += c.predicted;
    goldAll += c.gold;
    perType[type] = score(c.correct, c.predicted, c.gold);
  }
  return { n: gold.length, ...score(correct, predictedAll, goldAll), per_type: perType };
}

/** Entity spans `[start, end)` (token indexes) with their type, from BIO tags. */
export function bioSpans(tags: readonly string[]): { type: string; start: number; end: number }[] {
  const spans: { type: string; start: number; end: number }[] = [];
  let cur: { type: string; start: number; end: number } | undefined;
  tags.forEach((tag, i) => {
    const type = tag.slice(2);
    if (tag.startsWith('B-') || (tag.startsWith('I-') && (!cur || cur.type !== type))) {
      if (cur) spans.push(cur);
      cur = { type, start: i, end: i + 1 };
    } else if (tag.startsWith('I-') && cur) cur.end = i + 1;
    else if (cur) {
      spans.push(cur);
      cur = undefined;
    }
  });
  if (cur) spans.push(cur);
  return spans;
}
