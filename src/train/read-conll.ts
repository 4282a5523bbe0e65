import { DataError, readDataText } from './data-error.ts';

/** One tagged sentence: tokens and their BIO tags (`O`, `B-TYPE`, `I-TYPE`). */
export interface TaggedSentence {
  tokens: string[];
  tags: string[];
}

/** A CoNLL file read into BIO-tagged sentences. */
export interface ConllData {
  sentences: TaggedSentence[];
  /** Entity types found, sorted (e.g. LOC MISC ORG PER). */
  types: string[];
  /** `iob1` when some entity starts with `I-` (CoNLL-2003's own scheme), else `bio`. Both are read as BIO. */
  scheme: 'bio' | 'iob1';
}

const TAG = /^(?:O|[BI]-[^\s]+)$/;

/**
 * Reads a CoNLL file: one token per line, columns separated by spaces or tabs, the token first and the tag last (any
 * columns between are ignored); blank lines end sentences; `-DOCSTART-` lines start documents. Tags are IOB1 (as in
 * CoNLL-2003) or BIO, any entity types; both are converted to BIO (an `I-X` that does not continue an `X` entity
 * begins one). Throws a {@link DataError} naming the line for: a line with one column, an unknown tag (anything but
 * `O`, `B-X`, `I-X`), a document with no tokens, a file with no sentences.
 */
export function readConll(path: string): ConllData {
  return parseConll(readDataText(path), path);
}

/** {@link readConll} on text already in memory; `source` names it in errors. */
export function parseConll(text: string, source = 'conll'): ConllData {
  const sentences: TaggedSentence[] = [];
  const types = new Set<string>();
  let iob1 = false;
  let tokens: string[] = [];
  let tags: string[] = [];
  let docStart = -1; // line of the current -DOCSTART-, until the document has a token
  const flush = () => {
    if (tokens.length > 0) {
      const bio = toBio(tags);
      if (bio.iob1) iob1 = true;
      sentences.push({ tokens, tags: bio.tags });
    }
    tokens = [];
    tags = [];
  };
  const lines = text.replace(/^\ufeff/, '').split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '') {
      flush();
      continue;
    }
    const cols = line.split(/\s+/);
    if (cols[0] === '-DOCSTART-') {
      flush();
      if (docStart >= 0)
        throw new DataError(source, docStart, 'empty document (-DOCSTART- with no tokens before the next)');
      docStart = i + 1;
      continue;
    }
    if (cols.length < 2) throw new DataError(source, i + 1, `expected 'token … tag', got one column`);
    const tag = cols[cols.length - 1];
    if (!TAG.test(tag)) throw new DataError(source, i + 1, `unknown tag '${tag}' (expected O, B-TYPE or I-TYPE)`);
    if (tag !== 'O') types.add(tag.slice(2));
    tokens.push(cols[0]);
    tags.push(tag);
    docStart = -1;
  }
  flush();
  if (docStart >= 0) throw new DataError(source, docStart, 'empty document (-DOCSTART- with no tokens after it)');
  if (sentences.length === 0) throw new DataError(source, undefined, 'no sentences');
  return { sentences, types: [...types].sort(), scheme: iob1 ? 'iob1' : 'bio' };
}

/** IOB1 or BIO tags → BIO; `iob1` tells whether an entity started with `I-`. */
export function toBio(tags: readonly string[]): { tags: string[]; iob1: boolean } {
  let iob1 = false;
  const out = tags.map((tag, i) => {
    if (!tag.startsWith('I-')) return tag;
    const prev = i > 0 ? tags[i - 1] : 'O';
    if (prev === 'O' || prev.slice(2) !== tag.slice(2)) {
      iob1 = true;
      return `B-${tag.slice(2)}`;
    }
    return tag;
  });
  return { tags: out, iob1 };
}
