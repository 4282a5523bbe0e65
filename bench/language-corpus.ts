/**
 * The broad language-ID training corpus (`../shared/data/langid-train`, 138 languages) split for switchboard's
 * shipped profile: every chat-like line (Tatoeba, UD) goes to train / valid / test by a hash of its text (80 / 10 /
 * 10), so the three never share a line; FLORES-200, TICO-19 and NTREX lines are training material only (their weight
 * is chosen on validation). The test split of the Tatoeba lines is the `chat` set of the 13-language benchmark
 * configuration; nothing learned ever sees it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { murmur3 } from '../src/nlu/features/murmur3.ts';
import { DATA_ROOT } from './datasets.ts';

/** A block's source as `provenance.tsv` names it. */
export type CorpusSource = 'tatoeba' | 'ud' | 'tico19' | 'ntrex128' | 'flores200';
/** Sources of short, everyday sentences: the only ones split into train / valid / test. */
export const CHAT_LIKE_SOURCES: readonly CorpusSource[] = ['tatoeba', 'ud'];

/** One line of the corpus with its language, source and split. */
export interface CorpusLine {
  text: string;
  language: string;
  source: CorpusSource;
  split: 'train' | 'valid' | 'test';
}

const CORPUS_DIR = join(DATA_ROOT, 'langid-train');
const SPLIT_SEED = 0x5eed16;

/** train / valid / test of a chat-like line, from a hash of its language and text (80 / 10 / 10). */
export function corpusSplit(language: string, text: string): CorpusLine['split'] {
  const bucket = murmur3(`${language}\t${text}`, SPLIT_SEED) % 10;
  return bucket === 0 ? 'test' : bucket === 1 ? 'valid' : 'train';
}

let cached: CorpusLine[] | undefined;

/** Every line of `train.tsv` with its source (from `provenance.tsv`) and split; read once per process. */
export function corpusLines(): CorpusLine[] {
  if (cached) return cached;
  const lines = readFileSync(join(CORPUS_DIR, 'train.tsv'), 'utf8').split('\n');
  const blocks = readFileSync(join(CORPUS_DIR, 'provenance.tsv'), 'utf8')
    .split('\n')
    .slice(1)
    .filter((l) => l.trim() !== '')
    .map((l) => l.split('\t'));
  const out: CorpusLine[] = [];
  for (const [code, source, first, last] of blocks) {
    for (let i = Number(first); i <= Number(last); i++) {
      const line = lines[i - 1];
      const cut = line.lastIndexOf('\t');
      const text = line.slice(0, cut);
      const language = line.slice(cut + 1);
      if (language !== code) throw new Error(`langid-train line ${i}: ${language}, provenance says ${code}`);
      const src = source as CorpusSource;
      out.push({
        text,
        language,
        source: src,
        split: CHAT_LIKE_SOURCES.includes(src) ? corpusSplit(code, text) : 'train',
      });
    }
  }
  cached = out;
  return out;
}
