import { describe, expect, it } from 'vitest';
import { LANGUAGES } from '../../../../src/nlu/language/languages.ts';
import {
  candidateLanguages,
  MAX_LANGUAGE_CHARS,
  scriptOf,
  textEvidence,
} from '../../../../src/nlu/language/text-evidence.ts';

const scriptsOf = (l: string) => LANGUAGES[l].scripts;

describe('textEvidence', () => {
  it('keeps letter runs, lower-cased, and drops URLs, mentions, e-mails, code and emoji codes', () => {
    const e = textEvidence(
      'See https://shop.example.com/x?id=1 and <@U123ABC> ask bob@example.com `npm ci` :thumbsup: ¿Dónde ESTÁ?',
    );
    expect(e.words).toEqual(['see', 'and', 'ask', 'dónde', 'está']);
    expect(e.script).toBe('Latin');
  });

  it('drops fenced code blocks, even unterminated ones', () => {
    expect(textEvidence('hola ```const x = foo(bar)``` amigo').words).toEqual(['hola', 'amigo']);
    expect(textEvidence('hola ```const x = foo(bar)').words).toEqual(['hola']);
  });

  it('counts letters per script and picks the dominant one', () => {
    expect(textEvidence('ยกเลิกการจอง').script).toBe('Thai');
    expect(textEvidence('የባንክ ካርዴ ጠፍቷል').script).toBe('Ethiopic');
    expect(textEvidence('안녕하세요').script).toBe('Hangul');
    expect(textEvidence('Καλημέρα').script).toBe('Greek');
    expect(textEvidence('कृपया मेरा कार्ड बंद करें').script).toBe('Devanagari');
  });

  it('reads Han with kana as Japanese and Han alone as Chinese', () => {
    expect(textEvidence('カードを紛失しました').script).toBe('Kana');
    expect(textEvidence('私の口座').script).toBe('Kana'); // kana (の) present
    expect(textEvidence('我的银行卡丢了').script).toBe('Han');
  });

  it('reports no letters for digits, emoji, punctuation and stray combining marks; blank for whitespace or markup', () => {
    expect(textEvidence('12345 !!! 👍👍').letters).toBe(0);
    expect(textEvidence('\u0301\u0301 \u093e').letters).toBe(0);
    expect(textEvidence('cafe\u0301').words).toEqual(['café']);
    expect(textEvidence('12345').blank).toBe(false);
    expect(textEvidence('   \n\t ').blank).toBe(true);
    expect(textEvidence('https://example.com').blank).toBe(true);
  });

  it('never throws on odd input and caps what it reads', () => {
    expect(() => textEvidence('\u0000\ud800\uffff\u202e')).not.toThrow();
    const huge = 'hello '.repeat(200_000);
    // Relative, not wall-clock: 1.2 MB costs about what its first MAX_LANGUAGE_CHARS cost (all of it: ~600×).
    const ms = (f: () => void) => {
      const t0 = performance.now();
      f();
      return performance.now() - t0;
    };
    const head = huge.slice(0, MAX_LANGUAGE_CHARS);
    textEvidence(head); // warm up
    const clipped = Math.min(
      ms(() => textEvidence(head)),
      ms(() => textEvidence(head)),
    );
    let e = textEvidence('');
    const once = () =>
      ms(() => {
        e = textEvidence(huge);
      });
    // The least of three runs: a run the scheduler paused is not the code's cost.
    const whole = Math.min(once(), once(), once());
    expect(whole).toBeLessThan(20 * clipped + 50);
    expect(e.words.length).toBeLessThanOrEqual(MAX_LANGUAGE_CHARS / 6 + 1);
  });

  it('maps code points to scripts', () => {
    expect(scriptOf('a'.codePointAt(0) ?? 0)).toBe('Latin');
    expect(scriptOf('ж'.codePointAt(0) ?? 0)).toBe('Cyrillic');
    expect(scriptOf('ש'.codePointAt(0) ?? 0)).toBe('Hebrew');
    expect(scriptOf('5'.codePointAt(0) ?? 0)).toBeUndefined();
  });
});

describe('candidateLanguages', () => {
  const configured = ['en', 'es', 'hi', 'mr', 'th'];
  it('keeps the languages of the dominant script', () => {
    expect(candidateLanguages(textEvidence('hola amigo'), configured, scriptsOf)).toEqual(['en', 'es']);
    expect(candidateLanguages(textEvidence('ยกเลิกการจอง'), configured, scriptsOf)).toEqual(['th']);
  });

  it('reads Latin words in a message with a real share of another script as loanwords (code-mixed chat)', () => {
    const mixed = textEvidence('मेरी jogging playlist में से music open करो');
    expect(mixed.script).toBe('Latin');
    expect(candidateLanguages(mixed, configured, scriptsOf)).toEqual(['hi', 'mr']);
    expect(candidateLanguages(textEvidence('เปิด super mario'), configured, scriptsOf)).toEqual(['th']);
  });

  it('ignores a stray letter of another script', () => {
    const e = textEvidence('please cancel my booking for tomorrow at the hotel ก');
    expect(candidateLanguages(e, configured, scriptsOf)).toEqual(['en', 'es']);
  });
});
