/**
 * The kept hashed features of an intent model (`features.bin`): maps a hash bucket to its row in the model's tables, so
 * that pruned features cost no memory.
 */
import type { FeatureBag } from './featurizer-config.ts';

/**
 * The hashed features a model kept: a sorted list of bucket ids. Bucket `vocab[k]` maps to embedding row `k + 1`
 * (row 0 is padding); buckets not in the list are dropped (a feature never seen often enough in training carries no
 * learned weight). Like a tokenizer's vocabulary it is part of the featurizer, stored next to the model as
 * `features.bin` (little-endian int32).
 *
 * @example
 * const vocab = new FeatureVocabulary(Int32Array.from([7, 42]));
 * vocab.map({ ids: Int32Array.from([7, 9, 42]), counts: Float32Array.from([1, 1, 2]) }); // rows [1, 2], counts [1, 2]
 */
export class FeatureVocabulary {
  /** Sorted bucket ids; bucket `buckets[k]` is row `k + 1`. */
  readonly buckets: Int32Array;

  constructor(sortedBuckets: Int32Array) {
    for (let i = 1; i < sortedBuckets.length; i++) {
      if (sortedBuckets[i] <= sortedBuckets[i - 1])
        throw new Error('FeatureVocabulary: bucket ids must be strictly ascending');
    }
    this.buckets = sortedBuckets;
  }

  /** Rows of the embedding table including the padding row. */
  get rows(): number {
    return this.buckets.length + 1;
  }

  /** Row of a bucket, or 0 when the bucket is not kept (binary search). */
  rowOf(bucket: number): number {
    const b = this.buckets;
    let lo = 0;
    let hi = b.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const v = b[mid];
      if (v === bucket) return mid + 1;
      if (v < bucket) lo = mid + 1;
      else hi = mid - 1;
    }
    return 0;
  }

  /** Maps a bag of bucket ids to a bag of rows, dropping unknown buckets. Ids stay ascending (the map is monotone). */
  map(bag: FeatureBag): FeatureBag {
    const rows = new Int32Array(bag.ids.length);
    const counts = new Float32Array(bag.ids.length);
    let n = 0;
    for (let i = 0; i < bag.ids.length; i++) {
      const r = this.rowOf(bag.ids[i]);
      if (r === 0) continue;
      rows[n] = r;
      counts[n++] = bag.counts[i];
    }
    return { ids: rows.subarray(0, n), counts: counts.subarray(0, n) };
  }

  /** Serialises to little-endian int32 bytes (`features.bin`). */
  toBytes(): Uint8Array {
    const out = new Uint8Array(this.buckets.length * 4);
    const view = new DataView(out.buffer);
    for (let i = 0; i < this.buckets.length; i++) view.setInt32(i * 4, this.buckets[i], true);
    return out;
  }

  /** Reads `features.bin` bytes; throws on a truncated file or unsorted ids. */
  static fromBytes(bytes: Uint8Array): FeatureVocabulary {
    if (bytes.length % 4 !== 0) throw new Error(`features.bin: length ${bytes.length} is not a multiple of 4`);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const ids = new Int32Array(bytes.length / 4);
    for (let i = 0; i < ids.length; i++) ids[i] = view.getInt32(i * 4, true);
    return new FeatureVocabulary(ids);
  }

  /**
   * Keeps the buckets that occur in at least `minCount` training texts, at most `maxRows` of them (most frequent first;
   * ties by bucket id, so the choice is deterministic).
   */
  static fromDocumentFrequency(bags: FeatureBag[], minCount: number, maxRows: number): FeatureVocabulary {
    const df = new Map<number, number>();
    for (const bag of bags) for (const id of bag.ids) df.set(id, (df.get(id) ?? 0) + 1);
    let kept = [...df].filter(([, c]) => c >= minCount);
    if (kept.length > maxRows) kept = kept.sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, maxRows);
    return new FeatureVocabulary(Int32Array.from(kept.map(([id]) => id)).sort());
  }
}
