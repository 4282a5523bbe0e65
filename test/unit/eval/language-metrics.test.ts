import { describe, expect, it } from 'vitest';
import { languageMetrics, lengthBucket } from '../../../src/eval/language-metrics.ts';

describe('languageMetrics', () => {
  it('counts accuracy overall, per language and per length bucket; und is wrong', () => {
    const texts = ['hola', 'hello there my friend', 'bonjour à tous, comment allez-vous ce matin ?', 'ok'];
    const m = languageMetrics(texts, ['es', 'en', 'fr', 'en'], ['es', 'en', 'es', 'und']);
    expect(m.n).toBe(4);
    expect(m.accuracy).toBe(0.5);
    expect(m.per_language).toEqual({
      en: { n: 2, accuracy: 0.5 },
      es: { n: 1, accuracy: 1 },
      fr: { n: 1, accuracy: 0 },
    });
    expect(m.by_length).toEqual({
      '≤10': { n: 2, accuracy: 0.5 },
      '21–40': { n: 1, accuracy: 1 },
      '>40': { n: 1, accuracy: 0 },
    });
  });

  it('buckets by code points, not UTF-16 units', () => {
    expect(lengthBucket('😀'.repeat(10))).toBe('≤10');
    expect(lengthBucket('a'.repeat(11))).toBe('11–20');
    expect(lengthBucket('a'.repeat(40))).toBe('21–40');
    expect(lengthBucket('a'.repeat(41))).toBe('>40');
  });
});
