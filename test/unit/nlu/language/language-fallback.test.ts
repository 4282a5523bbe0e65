import { describe, expect, it } from 'vitest';
import {
  chooseFallback,
  francFallback,
  type LanguageFallback,
  tinyldFallback,
} from '../../../../src/nlu/language/language-fallback.ts';

describe('language fallbacks', () => {
  const tinyld = tinyldFallback();

  it('know which languages they can weigh', () => {
    expect(tinyld.supports('da')).toBe(true);
    expect(tinyld.supports('mr')).toBe(false); // tinyld has no Marathi
    expect(francFallback.supports('mr')).toBe(true);
    expect(francFallback.supports('cy')).toBe(false); // franc has no Welsh model
  });

  it('give logits over the candidates, best for the right language', () => {
    for (const f of [tinyld, francFallback]) {
      const logits = f.logits('hvor er mit kort blevet af', ['da', 'nl', 'de']);
      expect(logits).toBeDefined();
      expect(Array.from(logits as Float64Array).indexOf(Math.max(...(logits as Float64Array)))).toBe(0);
    }
  });

  it('have no opinion on text they cannot place', () => {
    expect(francFallback.logits('zzz', ['en', 'de'])).toBeUndefined();
  });

  it('are chosen in order: the first that knows every candidate, else the one that knows the most', () => {
    const only = (name: string, langs: string[]): LanguageFallback => ({
      name,
      supports: (l) => langs.includes(l),
      logits: () => undefined,
    });
    const a = only('a', ['en', 'de']);
    const b = only('b', ['en', 'de', 'mr']);
    expect(chooseFallback([a, b], ['en', 'de']).name).toBe('a');
    expect(chooseFallback([a, b], ['en', 'mr']).name).toBe('b');
    expect(chooseFallback([a, only('c', ['xx'])], ['en', 'cy']).name).toBe('a');
  });
});
