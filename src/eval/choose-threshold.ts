import { OUT_OF_SCOPE } from '../train/intent-example.ts';

/**
 * Picks the out-of-scope threshold on validation data: the top-probability threshold that maximises validation
 * accuracy over all rows, in-scope and out_of_scope alike (under the rule of `singleLabelMetrics`: a query whose top
 * probability is below the threshold is out_of_scope; a rejected in-scope query is wrong). Every row counts once, so
 * the threshold buys out-of-scope recall only where it does not cost more in-scope answers (as in the CLINC150
 * paper's threshold baselines); a product that values recall more picks its own threshold with `calibrate`. Every distinct top
 * probability is a candidate cut; among equally good cuts the lowest wins, and the value returned lies midway between
 * the two validation probabilities around the cut (same validation score, more margin on new data). Returns 0 (no
 * threshold) when the data has no out_of_scope rows or rejecting nothing is best.
 * @example const threshold = chooseOosThreshold(validGold, validProbs, labels); // e.g. 0.13
 */
export function chooseOosThreshold(
  validGold: readonly string[],
  validProbs: readonly Float32Array[],
  labels: readonly string[],
): number {
  if (!validGold.includes(OUT_OF_SCOPE)) return 0;
  const rows = validGold.map((gold, i) => {
    const row = validProbs[i];
    let top = 0;
    for (let j = 1; j < row.length; j++) if (row[j] > row[top]) top = j;
    const isOos = gold === OUT_OF_SCOPE;
    // In-scope: right when kept and the top label is gold. OOS: right when rejected, or when the top label is OOS.
    return { p: row[top], isOos, rightIfKept: labels[top] === gold };
  });
  rows.sort((a, b) => a.p - b.p);
  const nOos = rows.filter((r) => r.isOos).length;
  const nIn = rows.length - nOos;
  let inRight = rows.filter((r) => !r.isOos && r.rightIfKept).length;
  let oosRight = rows.filter((r) => r.isOos && r.rightIfKept).length;
  const score = () => (inRight + oosRight) / (nIn + nOos);
  let best = score();
  let bestThreshold = 0;
  // Raise the cut past each group of equal top probabilities: that group becomes rejected.
  for (let i = 0; i < rows.length; ) {
    const p = rows[i].p;
    for (; i < rows.length && rows[i].p === p; i++) {
      const r = rows[i];
      if (r.isOos && !r.rightIfKept) oosRight++;
      if (!r.isOos && r.rightIfKept) inRight--;
    }
    if (i === rows.length) break; // rejecting everything is never chosen
    const s = score();
    if (s > best + 1e-12) [best, bestThreshold] = [s, (p + rows[i].p) / 2];
  }
  return bestThreshold;
}

/**
 * Picks one global probability threshold for multi-label predictions on validation data: the one that maximises
 * micro-F1 over all (example, label) decisions (label predicted when its probability is at or above it). Every
 * distinct probability is a candidate cut; among equally good cuts the highest wins, and the value returned lies
 * midway between the two probabilities around the cut. Returns 0.5 when the data has no gold label at all.
 * @example const threshold = chooseMultiLabelThreshold(validGold, validProbs, labels); // e.g. 0.42
 */
export function chooseMultiLabelThreshold(
  validGold: readonly (readonly string[])[],
  validProbs: readonly Float32Array[],
  labels: readonly string[],
): number {
  let positives = 0; // gold (example, label) pairs; labels unknown to the model are misses at every threshold
  const decisions: { p: number; gold: boolean }[] = [];
  validGold.forEach((gold, i) => {
    const g = new Set(gold);
    positives += g.size;
    labels.forEach((l, j) => {
      decisions.push({ p: validProbs[i][j], gold: g.has(l) });
    });
  });
  if (positives === 0 || decisions.length === 0) return 0.5;
  decisions.sort((a, b) => b.p - a.p);
  let tp = 0;
  let fp = 0;
  let best = -1;
  let bestThreshold = 0.5;
  for (let i = 0; i < decisions.length; ) {
    const p = decisions[i].p;
    for (; i < decisions.length && decisions[i].p === p; i++) decisions[i].gold ? tp++ : fp++;
    const f1 = (2 * tp) / (tp + fp + positives);
    if (f1 > best + 1e-12) [best, bestThreshold] = [f1, i < decisions.length ? (p + decisions[i].p) / 2 : p / 2];
  }
  return bestThreshold;
}
