import { describe, expect, it } from 'vitest';
import { redactText } from '../../../src/metrics/redact.ts';
import type { EntityMention } from '../../../src/nlu/understanding.ts';

const m = (type: string, text: string, start: number, source: EntityMention['source'] = 'rule'): EntityMention => ({
  type,
  start,
  end: start + text.length,
  text,
  score: 1,
  source,
});

describe('redactText', () => {
  it('replaces sensitive entity spans with their type and keeps the rest', () => {
    const text = 'refund $25.50 to ann@example.com for order ORD-7781 tomorrow';
    const out = redactText(text, [
      m('money', '$25.50', 7),
      m('email', 'ann@example.com', 17),
      m('order', 'ORD-7781', 43, 'pattern'),
      m('datetime', 'tomorrow', 52),
    ]);
    expect(out).toBe('refund [money] to [email] for order [order] tomorrow');
  });

  it('catches e-mails, URLs and digit runs the recognizers did not deliver', () => {
    expect(redactText('call +44 20 7946 0958 or mail bob@x.org, see https://x.org/a?b=1', [])).toBe(
      'call +[number] or mail [email], see [url]',
    );
    expect(redactText('card 4111-1111-1111-1111 exp 12/27', [])).toBe('card [number] exp [number]');
    expect(redactText('I am 2 days late', [])).toBe('I am 2 days late');
  });

  it('ignores spans outside the text and overlapping spans', () => {
    expect(redactText('pay 10', [m('number', '10', 4), m('money', 'pay 10', 0), m('number', 'x', 50)])).toBe('[money]');
  });

  it('never eats a word: a lone spelled-out number ("un", "one") stays; digits and read-out sequences go', () => {
    // What the French rule recognizer reports for "Mets un réveil": a number span over the article.
    expect(redactText('Mets un réveil à 7 heures', [m('number', 'un', 5), m('number', '7', 17)])).toBe(
      'Mets un réveil à [number] heures',
    );
    expect(redactText('I need one ticket', [m('number', 'one', 7)])).toBe('I need one ticket');
    expect(redactText('the first stop', [m('ordinal', 'first', 4)])).toBe('the first stop');
    expect(redactText('call four five six seven', [m('number', 'four five six seven', 5)])).toBe('call [number]');
    expect(redactText('it costs five euros', [m('money', 'five euros', 9)])).toBe('it costs [money]');
  });
});
