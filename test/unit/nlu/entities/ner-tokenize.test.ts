import { describe, expect, it } from 'vitest';
import { MAX_NER_TOKENS, tokenizeForNer } from '../../../../src/nlu/entities/ner-tokenize.ts';

const check = (text: string) => {
  const t = tokenizeForNer(text);
  t.tokens.forEach((tok, i) => {
    expect(text.slice(t.starts[i], t.ends[i])).toBe(tok);
  });
  return t.tokens;
};

describe('tokenizeForNer', () => {
  it('tokenizes like CoNLL-2003 and keeps offsets into the original text', () => {
    expect(check("I don't know if AT&T's U.S. office (N.Y.) opened on 1996-08-22.")).toEqual([
      'I',
      'do',
      "n't",
      'know',
      'if',
      'AT&T',
      "'s",
      'U.S.',
      'office',
      '(',
      'N.Y.',
      ')',
      'opened',
      'on',
      '1996-08-22',
      '.',
    ]);
    expect(check('O’Neill’s e-mail')).toEqual(['O’Neill', '’s', 'e-mail']);
  });

  it('handles emoji, other scripts, unbalanced quotes and text with no spaces', () => {
    expect(check('😀 Zoë said "hi to Müller')).toEqual(['😀', 'Zoë', 'said', '"', 'hi', 'to', 'Müller']);
    expect(check('ยกเลิกการจอง').length).toBe(1);
    expect(check('a,b;c').length).toBe(5);
    expect(check('')).toEqual([]);
  });

  it('caps huge input', () => {
    const t = tokenizeForNer('word '.repeat(100_000));
    expect(t.tokens.length).toBe(MAX_NER_TOKENS);
  });
});
