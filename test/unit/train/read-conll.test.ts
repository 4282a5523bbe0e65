import { describe, expect, it } from 'vitest';
import { bioSpans } from '../../../src/eval/ner-metrics.ts';
import { parseConll, toBio } from '../../../src/train/read-conll.ts';

describe('parseConll', () => {
  it('reads IOB1 (CoNLL-2003) into BIO sentences, token first and tag last', () => {
    const d = parseConll(
      '-DOCSTART- -X- O O\n\nEU NNP I-NP I-ORG\nrejects VBZ I-VP O\nGerman JJ I-NP I-MISC\n\nPeter NNP I-NP I-PER\nBlackburn NNP I-NP I-PER\n',
    );
    expect(d.scheme).toBe('iob1');
    expect(d.types).toEqual(['MISC', 'ORG', 'PER']);
    expect(d.sentences).toEqual([
      { tokens: ['EU', 'rejects', 'German'], tags: ['B-ORG', 'O', 'B-MISC'] },
      { tokens: ['Peter', 'Blackburn'], tags: ['B-PER', 'I-PER'] },
    ]);
  });

  it('keeps BIO as it is, with any entity types, tab- or space-separated', () => {
    const d = parseConll('my\tO\norder\tO\nORD-123456\tB-ORDER_ID\n\nship to\tO\n');
    expect(d.scheme).toBe('bio');
    expect(d.sentences[0].tags).toEqual(['O', 'O', 'B-ORDER_ID']);
  });

  it('names the line of malformed input', () => {
    expect(() => parseConll('a O\nlonely\n', 'f.conll')).toThrow(/f\.conll:2: expected 'token … tag'/);
    expect(() => parseConll('a O\nb X-PER\n', 'f.conll')).toThrow(/f\.conll:2: unknown tag 'X-PER'/);
    expect(() => parseConll('-DOCSTART- O\n\n-DOCSTART- O\na O\n', 'f.conll')).toThrow(/f\.conll:1: empty document/);
    expect(() => parseConll('a O\n\n-DOCSTART- O\n\n', 'f.conll')).toThrow(/f\.conll:3: empty document/);
    expect(() => parseConll('\n\n', 'f.conll')).toThrow(/no sentences/);
  });
});

describe('toBio and bioSpans', () => {
  it('starts an entity at an I- that does not continue one, and keeps B- boundaries between same-type entities', () => {
    expect(toBio(['I-PER', 'I-PER', 'B-PER', 'O', 'I-LOC', 'I-ORG']).tags).toEqual([
      'B-PER',
      'I-PER',
      'B-PER',
      'O',
      'B-LOC',
      'B-ORG',
    ]);
    expect(bioSpans(['B-PER', 'I-PER', 'B-PER', 'O', 'B-LOC', 'I-LOC'])).toEqual([
      { type: 'PER', start: 0, end: 2 },
      { type: 'PER', start: 2, end: 3 },
      { type: 'LOC', start: 4, end: 6 },
    ]);
  });
});
