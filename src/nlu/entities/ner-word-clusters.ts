/**
 * Word clusters for the NER features: each word of a lexicon (lower-cased) carries a path of cluster ids, one per
 * level of a hierarchical clustering of word vectors (coarse → fine, e.g. 16 → 256 → 2048 clusters). Built at
 * training time from a word-vector file (`src/train/build-ner-clusters.ts`) and stored next to the model as
 * `word-clusters.bin`, so the runtime never loads the vectors themselves.
 */

const MAGIC = 0x43574253; // "SBWC" little-endian
const VERSION = 1;

/** A lexicon of lower-cased words → cluster ids per level (flat ids: level `l` has `prod(branching[0..l])` clusters). */
export class NerWordClusters {
  private readonly index = new Map<string, number>();

  /**
   * @param words lower-cased words, unique
   * @param branching clusters per parent at each level (level 0: the top clusters)
   * @param ids `[words.length * branching.length]`: word `i`'s flat cluster id at level `l` is `ids[i * L + l]`
   */
  constructor(
    readonly words: readonly string[],
    readonly branching: readonly number[],
    readonly ids: Uint16Array,
  ) {
    if (branching.length === 0) throw new Error('NerWordClusters: at least one level');
    if (ids.length !== words.length * branching.length) throw new Error('NerWordClusters: ids do not match words');
    words.forEach((w, i) => {
      this.index.set(w, i);
    });
  }

  /** Levels of the hierarchy. */
  get levels(): number {
    return this.branching.length;
  }

  /**
   * The lexicon row of a token: looked up lower-cased, then without a leading `#` or `@` (hashtags, mentions);
   * -1 when the word has no vector.
   * @example clusters.rowOf('Paris') === clusters.rowOf('paris')
   */
  rowOf(token: string): number {
    const lower = token.toLowerCase();
    const row = this.index.get(lower);
    if (row !== undefined) return row;
    if (lower.length > 1 && (lower[0] === '#' || lower[0] === '@')) return this.index.get(lower.slice(1)) ?? -1;
    return -1;
  }

  /** Flat cluster id of lexicon row `row` at `level`. */
  idAt(row: number, level: number): number {
    return this.ids[row * this.branching.length + level];
  }

  /** Serialises: `SBWC`, version, levels, words, branching (uint32 LE each), ids (uint16 LE), then the words as UTF-8 joined by `\n`. */
  toBytes(): Uint8Array {
    const L = this.branching.length;
    const text = new TextEncoder().encode(this.words.join('\n'));
    const head = 16 + 4 * L;
    const out = new Uint8Array(head + 2 * this.ids.length + text.length);
    const view = new DataView(out.buffer);
    view.setUint32(0, MAGIC, true);
    view.setUint32(4, VERSION, true);
    view.setUint32(8, L, true);
    view.setUint32(12, this.words.length, true);
    this.branching.forEach((b, l) => {
      view.setUint32(16 + 4 * l, b, true);
    });
    for (let i = 0; i < this.ids.length; i++) view.setUint16(head + 2 * i, this.ids[i], true);
    out.set(text, head + 2 * this.ids.length);
    return out;
  }

  /** Reads {@link toBytes}' format; throws on anything else. */
  static fromBytes(bytes: Uint8Array): NerWordClusters {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (bytes.byteLength < 16 || view.getUint32(0, true) !== MAGIC) throw new Error('not a word-cluster file');
    if (view.getUint32(4, true) !== VERSION)
      throw new Error(`unsupported word-cluster version ${view.getUint32(4, true)}`);
    const L = view.getUint32(8, true);
    const n = view.getUint32(12, true);
    const head = 16 + 4 * L;
    if (L === 0 || L > 8 || bytes.byteLength < head + 2 * n * L) throw new Error('truncated word-cluster file');
    const branching = Array.from({ length: L }, (_, l) => view.getUint32(16 + 4 * l, true));
    const ids = new Uint16Array(n * L);
    for (let i = 0; i < ids.length; i++) ids[i] = view.getUint16(head + 2 * i, true);
    const text = new TextDecoder().decode(bytes.subarray(head + 2 * n * L));
    const words = n === 0 ? [] : text.split('\n');
    if (words.length !== n) throw new Error(`word-cluster file: ${words.length} words, header says ${n}`);
    return new NerWordClusters(words, branching, ids);
  }
}
