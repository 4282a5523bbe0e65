/** Accuracy of language detection overall, per language and per message length (in code points). */

/** Length buckets of the benchmark (code points of the raw message). */
export const LENGTH_BUCKETS = ['≤10', '11–20', '21–40', '>40'] as const;
export type LengthBucket = (typeof LENGTH_BUCKETS)[number];

/** The length bucket of a message, counted in code points. */
export function lengthBucket(text: string): LengthBucket {
  let n = 0;
  for (const _ of text) n++;
  return n <= 10 ? '≤10' : n <= 20 ? '11–20' : n <= 40 ? '21–40' : '>40';
}

export interface AccuracyCount {
  n: number;
  accuracy: number;
}

/** The `--json` shape of `eval language` (`n, accuracy, per_language`, a shape scripts rely on) plus `by_length`. */
export interface LanguageMetrics extends AccuracyCount {
  per_language: Record<string, AccuracyCount>;
  by_length: Partial<Record<LengthBucket, AccuracyCount>>;
}

/**
 * Scores predicted languages against gold ones. A prediction of `und` counts as wrong.
 * @example languageMetrics(['hola'], ['es'], ['es']).accuracy // 1
 */
export function languageMetrics(
  texts: readonly string[],
  gold: readonly string[],
  predicted: readonly string[],
): LanguageMetrics {
  const tally = () => ({ n: 0, ok: 0 });
  const all = tally();
  const perLanguage = new Map<string, { n: number; ok: number }>();
  const byLength = new Map<LengthBucket, { n: number; ok: number }>();
  for (let i = 0; i < gold.length; i++) {
    const ok = predicted[i] === gold[i] ? 1 : 0;
    const lang = perLanguage.get(gold[i]) ?? tally();
    const bucket = lengthBucket(texts[i]);
    const len = byLength.get(bucket) ?? tally();
    for (const t of [all, lang, len]) {
      t.n++;
      t.ok += ok;
    }
    perLanguage.set(gold[i], lang);
    byLength.set(bucket, len);
  }
  const acc = (t: { n: number; ok: number }): AccuracyCount => ({ n: t.n, accuracy: t.n ? t.ok / t.n : 0 });
  return {
    ...acc(all),
    per_language: Object.fromEntries(
      [...perLanguage].sort(([a], [b]) => a.localeCompare(b)).map(([k, t]) => [k, acc(t)]),
    ),
    by_length: Object.fromEntries(
      LENGTH_BUCKETS.filter((b) => byLength.has(b)).map((b) => [b, acc(byLength.get(b) ?? tally())]),
    ),
  };
}
