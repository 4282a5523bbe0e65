import { describe, expect, it } from 'vitest';
import { isSwitchboardError } from '../../../../src/errors.ts';
import { MAX_PATTERN_TEXT, PatternEntityRecognizer } from '../../../../src/nlu/entities/pattern-entities.ts';

function patternError(patterns: ConstructorParameters<typeof PatternEntityRecognizer>[0]): unknown {
  try {
    new PatternEntityRecognizer(patterns);
  } catch (e) {
    return e;
  }
  return undefined;
}

describe('PatternEntityRecognizer', () => {
  const patterns = new PatternEntityRecognizer([
    { type: 'order_number', pattern: 'ORD-\\d{6}' },
    { type: 'ticket', pattern: '#(\\d{4,})' },
    { type: 'sku', pattern: 'sku[- ]?([a-z]{2}\\d{3})?x', flags: 'i' },
  ]);

  it('finds every match with offsets, source pattern and score 1', () => {
    const text = 'Order ORD-123456 and ORD-654321 (ticket #98765)';
    const found = patterns.recognize(text);
    expect(found).toEqual([
      { type: 'order_number', start: 6, end: 16, text: 'ORD-123456', score: 1, source: 'pattern', value: 'ORD-123456' },
      {
        type: 'order_number',
        start: 21,
        end: 31,
        text: 'ORD-654321',
        score: 1,
        source: 'pattern',
        value: 'ORD-654321',
      },
      { type: 'ticket', start: 40, end: 46, text: '#98765', score: 1, source: 'pattern', value: '98765' },
    ]);
  });

  it('uses the first capture group as value when it took part, else the match; honours flags', () => {
    expect(patterns.recognize('SKU-ab123x')[0]).toMatchObject({ type: 'sku', text: 'SKU-ab123x', value: 'ab123' });
    expect(patterns.recognize('skux')[0]).toMatchObject({ type: 'sku', text: 'skux', value: 'skux' });
  });

  it('keeps offsets in UTF-16 units after emoji', () => {
    const text = '👩‍💻🎉 ORD-000001';
    const [m] = patterns.recognize(text);
    expect(text.slice(m.start, m.end)).toBe('ORD-000001');
    expect(m.text).toBe('ORD-000001');
  });

  it('lists its types', () => {
    expect(patterns.types).toEqual(['order_number', 'ticket', 'sku']);
  });

  it.each([
    [{ type: 'bad', pattern: 'ORD-(\\d' }, 'bad'],
    [{ type: 'empty', pattern: 'x*' }, 'empty'],
    [{ type: 'optional', pattern: '(?:ORD)?' }, 'optional'],
    [{ type: 'flags', pattern: 'x', flags: 'q' }, 'flags'],
    [{ type: 'both', pattern: 'x', flags: 'uv' }, 'both'],
    [{ type: 'nothing', pattern: '' }, 'nothing'],
  ])('refuses %j with E_PATTERN naming the type', (pattern, type) => {
    const e = patternError([{ type: 'fine', pattern: 'ok' }, pattern]);
    expect(isSwitchboardError(e, 'E_PATTERN')).toBe(true);
    expect((e as Error & { kind: string }).kind).toBe('input');
    expect((e as Error).message).toContain(`'${type}'`);
  });

  it('refuses a pattern without a type', () => {
    expect(isSwitchboardError(patternError([{ type: ' ', pattern: 'x' }]), 'E_PATTERN')).toBe(true);
  });

  it('steps over zero-length matches of lookaround patterns instead of looping', () => {
    const lookaround = new PatternEntityRecognizer([{ type: 'edge', pattern: '(?<=a)(?=b)|c' }]);
    expect(lookaround.recognize('abc ab c').map((m) => m.text)).toEqual(['c', 'c']);
  });

  it('scans only the first MAX_PATTERN_TEXT characters and stays fast on odd input', () => {
    const long = `${'x'.repeat(MAX_PATTERN_TEXT)} ORD-123456`;
    expect(patterns.recognize(long)).toEqual([]);
    // Relative, not wall-clock: odd and huge inputs cost about what scanning MAX_PATTERN_TEXT characters costs (no
    // runaway backtracking); a busy machine slows both.
    const ms = (f: () => void) => {
      const t = performance.now();
      f();
      return performance.now() - t;
    };
    const plain = `${'ORD-1 x '.repeat(MAX_PATTERN_TEXT / 8)}`.slice(0, MAX_PATTERN_TEXT);
    patterns.recognize(plain); // warm up
    const reference = Math.min(
      ms(() => patterns.recognize(plain)),
      ms(() => patterns.recognize(plain)),
    );
    const once = () =>
      ms(() => {
        for (const text of [
          '',
          '\u0000\u0001\uFFFF',
          '"unbalanced (quote',
          '🙂'.repeat(50_000),
          'ORD-'.repeat(30_000),
        ]) {
          expect(() => patterns.recognize(text)).not.toThrow();
        }
      });
    // The least of three runs: a run the scheduler paused is not the code's cost.
    const odd = Math.min(once(), once(), once());
    expect(odd).toBeLessThan(20 * reference + 100);
    expect(patterns.recognize(undefined as unknown as string)).toEqual([]);
  });
});
