import { describe, expect, it } from 'vitest';
import { splitText, truncatedMarker, truncateText } from '../../../src/util/text-parts.ts';

describe('splitText', () => {
  it('keeps a short text whole', () => {
    expect(splitText('hello', 10, 3)).toEqual(['hello']);
    expect(splitText('', 10, 3)).toEqual(['']);
  });

  it('cuts a long text into parts within the limit, at spaces near the end, losing nothing', () => {
    const words = Array.from({ length: 2000 }, (_, i) => `word${i}`).join(' ');
    const parts = splitText(words, 3000, 10);
    expect(parts.length).toBeGreaterThan(1);
    for (const p of parts) expect(p.length).toBeLessThanOrEqual(3000);
    expect(parts.join('')).toBe(words);
    expect(parts.slice(0, -1).every((p) => p.endsWith(' '))).toBe(true);
  });

  it('cuts a text with no spaces at the limit, never inside a surrogate pair', () => {
    const emoji = '😀'.repeat(2000); // 4,000 UTF-16 units
    const parts = splitText(emoji, 2999, 5);
    expect(parts.join('')).toBe(emoji);
    for (const p of parts) {
      expect(p.length).toBeLessThanOrEqual(2999);
      expect(p).toBe(p.normalize()); // whole code points: no lone surrogate
      expect(/[\ud800-\udbff]$/.test(p)).toBe(false);
    }
  });

  it('past the parts allowed, the last part says how much was left out, within the limit', () => {
    const text = 'x'.repeat(30_000);
    const parts = splitText(text, 3000, 4);
    expect(parts).toHaveLength(4);
    for (const p of parts) expect(p.length).toBeLessThanOrEqual(3000);
    const shown = parts.join('').replace(/… \(truncated, \d+ more characters\)$/, '').length;
    expect(parts[3]).toMatch(new RegExp(`${truncatedMarker(30_000 - shown).replace(/[()]/g, '\\$&')}$`));
  });

  it('truncateText: one part with the marker', () => {
    const t = truncateText('y'.repeat(100), 60);
    expect(t.length).toBeLessThanOrEqual(60);
    expect(t).toMatch(/^y+… \(truncated, \d+ more characters\)$/);
    expect(Number(/(\d+) more/.exec(t)?.[1]) + t.indexOf('…')).toBe(100);
  });
});
