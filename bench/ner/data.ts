/**
 * The NER benchmark's data (issue 4): CoNLL-2003 English from ../shared/data/conll2003 (`eng.train`, `eng.testa` =
 * validation, `eng.testb` = test), read by src/train/read-conll.ts (IOB1 → BIO), and the glue that turns a peer's
 * character spans on the joined sentence text back into BIO tags on the CoNLL tokens.
 */
import { join } from 'node:path';
import { readConll, type TaggedSentence } from '../../src/train/read-conll.ts';
import { DATA_ROOT } from '../datasets.ts';

/** The four CoNLL-2003 entity types, in the order the tables list them. */
export const NER_TYPES = ['PER', 'LOC', 'ORG', 'MISC'] as const;
export type NerType = (typeof NER_TYPES)[number];

/** The splits and their files. */
export const CONLL_FILES = { train: 'eng.train', valid: 'eng.testa', test: 'eng.testb' } as const;
export type ConllSplit = keyof typeof CONLL_FILES;

/** Where CoNLL-2003 English lives. */
export const CONLL_DIR = join(DATA_ROOT, 'conll2003');

/** One split, as BIO-tagged sentences. */
export function conllSplit(split: ConllSplit): TaggedSentence[] {
  return readConll(join(CONLL_DIR, CONLL_FILES[split])).sentences;
}

/** WNUT-17 (noisy user text, six types): train and dev only (its test split is kept for blind scoring). */
export const WNUT_FILES = { train: 'wnut17train.conll', dev: 'emerging.dev.conll' } as const;
export type WnutSplit = keyof typeof WNUT_FILES;
export const WNUT_DIR = join(DATA_ROOT, 'wnut17');
/** WNUT-17's types, in the order the tables list them. */
export const WNUT_TYPES = ['person', 'location', 'corporation', 'group', 'product', 'creative-work'] as const;

/** One WNUT-17 split, as BIO-tagged sentences. */
export function wnutSplit(split: WnutSplit): TaggedSentence[] {
  return readConll(join(WNUT_DIR, WNUT_FILES[split])).sentences;
}

/** The test sentences whose token count is in this range make up the "30-token message" latency set. */
export const TARGET_TOKENS = { min: 25, max: 35 } as const;

/** A sentence as one message: its tokens joined by single spaces, with each token's UTF-16 offsets. */
export interface JoinedTokens {
  text: string;
  starts: number[];
  ends: number[];
}

/** Joins tokens with single spaces, remembering where each token is. */
export function joinTokens(tokens: readonly string[]): JoinedTokens {
  const starts: number[] = [];
  const ends: number[] = [];
  let at = 0;
  for (const t of tokens) {
    starts.push(at);
    ends.push(at + t.length);
    at += t.length + 1;
  }
  return { text: tokens.join(' '), starts, ends };
}

/** An entity a system found, by character offsets into the message (end exclusive), with the system's own type. */
export interface CharSpan {
  type: string;
  start: number;
  end: number;
}

/** What {@link charSpansToBio} made of a system's spans. */
export interface MappedTags {
  tags: string[];
  /** Spans dropped because they covered a token an earlier (or longer) span already had. */
  overlapping: number;
  /** Spans that covered no token at all (empty, or only the spaces between tokens). */
  empty: number;
}

/**
 * BIO tags on the sentence's tokens from character spans whose types are already CoNLL types: a token belongs to a
 * span when their character ranges overlap. Spans are taken by start, the longer first at equal starts; a span that
 * would take a token an earlier span already holds is dropped (counted in `overlapping`).
 */
export function charSpansToBio(spans: readonly CharSpan[], joined: JoinedTokens): MappedTags {
  const n = joined.starts.length;
  const tags = new Array<string>(n).fill('O');
  let overlapping = 0;
  let empty = 0;
  const ordered = [...spans].sort((a, b) => a.start - b.start || b.end - a.end);
  for (const s of ordered) {
    let first = -1;
    let last = -1;
    for (let i = 0; i < n; i++) {
      if (joined.starts[i] < s.end && s.start < joined.ends[i]) {
        if (first < 0) first = i;
        last = i;
      }
    }
    if (first < 0) {
      empty++;
      continue;
    }
    let free = true;
    for (let i = first; i <= last; i++) if (tags[i] !== 'O') free = false;
    if (!free) {
      overlapping++;
      continue;
    }
    for (let i = first; i <= last; i++) tags[i] = `${i === first ? 'B' : 'I'}-${s.type}`;
  }
  return { tags, overlapping, empty };
}

/** Gold tags with every entity of a type outside `keep` turned into `O` (to score a peer on the types it has). */
export function keepTypes(tags: readonly string[], keep: readonly string[]): string[] {
  return tags.map((t) => (t === 'O' || keep.includes(t.slice(2)) ? t : 'O'));
}

/** A lower-cased copy of a sentence's tokens (how chat is often typed). */
export function lowerTokens(tokens: readonly string[]): string[] {
  return tokens.map((t) => t.toLowerCase());
}
