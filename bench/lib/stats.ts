/**
 * Small numeric helpers of the benchmark harness: percentiles, timing loops, seeded shuffles.
 */

/** Percentile `p` (0–100) of `values` by linear interpolation between closest ranks (numpy's default). */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo);
}

/** Milliseconds elapsed since `start` (a `process.hrtime.bigint()` value). */
export function msSince(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** Runs `fn` and returns its result with the wall-clock seconds it took. */
export async function timed<T>(fn: () => Promise<T> | T): Promise<{ value: T; seconds: number }> {
  const start = process.hrtime.bigint();
  const value = await fn();
  return { value, seconds: msSince(start) / 1000 };
}

/** What `timeOneByOne` measured. */
export interface SequentialTiming<R> {
  /** The result for each item of the first pass, in order. */
  results: R[];
  /** Milliseconds of every timed call (the first pass, then repeats until `minCalls`). */
  latencies: number[];
  /** Calls beyond the first pass (the items cycled again to reach `minCalls`). */
  repeats: number;
}

/**
 * Calls `fn` on each item, one at a time, timing each call; if there are fewer than `minCalls` items, goes on cycling
 * through them until `minCalls` calls are timed (only the first pass's results are returned).
 */
export async function timeOneByOne<T, R>(
  items: readonly T[],
  fn: (item: T) => Promise<R> | R,
  minCalls = 1000,
): Promise<SequentialTiming<R>> {
  const results: R[] = [];
  const latencies: number[] = [];
  for (const item of items) {
    const start = process.hrtime.bigint();
    results.push(await fn(item));
    latencies.push(msSince(start));
  }
  let repeats = 0;
  for (let i = 0; items.length > 0 && latencies.length < minCalls; i++, repeats++) {
    const start = process.hrtime.bigint();
    await fn(items[i % items.length]);
    latencies.push(msSince(start));
  }
  return { results, latencies, repeats };
}

/** A deterministic PRNG (mulberry32) for seeded shuffles and subsamples. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A seeded Fisher–Yates shuffle (returns a new array). */
export function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  const rand = mulberry32(seed);
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** Peak resident set size of this process, in MiB. */
export function selfPeakRssMb(): number {
  return process.resourceUsage().maxRSS / 1024;
}
