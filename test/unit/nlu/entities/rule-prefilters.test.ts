import { describe, expect, it } from 'vitest';
import {
  currencySpans,
  DATETIME_STOP_WORDS,
  dateTimePrefilter,
  dateTimeTerms,
  emailPrefilter,
  ipPrefilter,
  phonePrefilter,
  relativeOrdinals,
  textFacts,
  urlPrefilter,
  windowsAround,
} from '../../../../src/nlu/entities/rule-prefilters.ts';
import { foldText, regexWords, TermGate } from '../../../../src/nlu/entities/term-gate.ts';

describe('TermGate', () => {
  it('folds case and accents', () => {
    expect(foldText('Mañana, AOÛT, Ünïcode')).toBe('manana, aout, unicode');
  });

  it('reads the literal words of a regular expression', () => {
    expect(regexWords('\\b(?<weekday>(?:sun|mon|tues?)(day)?)\\b')).toEqual(['sun', 'mon', 'tues', 'tue', 'day']);
    expect(regexWords('pr[oó]xim[oa]\\s+d[ií]as?\\p{L}[a-z]')).toEqual(['proximo', 'dias', 'dia']);
  });

  it('matches 2-letter stems as words, 3–4 letters as word starts, 5+ anywhere', () => {
    const gate = new TermGate();
    for (const stem of ['pm', 'tue', 'night']) gate.addStem(stem);
    expect(gate.matchWord('pm')).toBe('pm');
    expect(gate.matchWord('pmx')).toBeUndefined();
    expect(gate.matchWord('tuesday')).toBe('tue');
    expect(gate.matchWord('statue')).toBeUndefined();
    expect(gate.matchWord('tonight')).toBe('night');
    const whole = new TermGate({ wholeWords: true });
    whole.addStem('cup');
    expect(whole.matchWord('cup')).toBe('cup');
    expect(whole.matchWord('cups')).toBeUndefined();
  });

  it('skips stop words and single letters, matches characters of unspaced scripts anywhere', () => {
    const gate = new TermGate();
    gate.addTerm('(the|at)\\s+(noon|a)|明天', new Set(['the', 'at']));
    expect(gate.stems()).toEqual(['noon', '天', '明']);
    const facts = textFacts('我们明年见');
    expect(gate.test(facts.folded, facts.words)).toBe(true);
  });
});

describe('sequence prefilters', () => {
  const pass = (f: (x: ReturnType<typeof textFacts>) => boolean, text: string) => f(textFacts(text));

  it('email needs @', () => {
    expect(pass(emailPrefilter, 'a@b.co')).toBe(true);
    expect(pass(emailPrefilter, 'no mail here')).toBe(false);
  });

  it('url needs a dot before a letter or digit, or a scheme', () => {
    expect(pass(urlPrefilter, 'see example.com')).toBe(true);
    expect(pass(urlPrefilter, 'http://x')).toBe(true);
    expect(pass(urlPrefilter, 'the end. ')).toBe(false);
  });

  it('ip needs digit-dot-digit or hex colons', () => {
    expect(pass(ipPrefilter, '10.0.0.1')).toBe(true);
    expect(pass(ipPrefilter, 'fe80::1')).toBe(true);
    expect(pass(ipPrefilter, 'nothing: here')).toBe(false);
  });

  it('phone needs 5 digits', () => {
    expect(pass(phonePrefilter, '555 01')).toBe(true);
    expect(pass(phonePrefilter, 'room 1234')).toBe(false);
  });
});

describe('date-time prefilter', () => {
  const en = dateTimePrefilter(dateTimeTerms('en-us', 'en'), 'en');
  const es = dateTimePrefilter(dateTimeTerms('es-es', 'es'), 'es');

  it('passes date-time words of the language, whatever their case or accents', () => {
    for (const text of ['see you TOMORROW', 'on Tuesdays', 'tonight', 'in two weeks', 'at noon', 'xmas']) {
      expect(en(textFacts(text))).toBe(true);
    }
    for (const text of ['Mañana', 'el próximo lunes', 'por la noche', 'en agosto'])
      expect(es(textFacts(text))).toBe(true);
  });

  it('passes digits that look like dates or times, or stand next to a context word', () => {
    for (const text of ['17:00', '12/05', '2026-11-26', 'in 1999', '5pm', 'the 3rd', 'at 5', 'on 12', '5 am', '½']) {
      expect(en(textFacts(text))).toBe(true);
    }
  });

  it('skips messages of function words and bare numbers', () => {
    for (const text of ['my card is blocked, please help', 'order 12345 never arrived', 'I want 3 of them', '']) {
      expect(en(textFacts(text))).toBe(false);
    }
    expect(es(textFacts('la tarjeta está bloqueada'))).toBe(false);
  });

  it('has folded stop words and no prefilter for a culture without resources', () => {
    for (const list of Object.values(DATETIME_STOP_WORDS)) for (const w of list) expect(w).toBe(foldText(w));
    expect(dateTimeTerms('de-de', 'de')).toBeUndefined();
    expect(dateTimePrefilter(undefined, 'de')(textFacts('hallo'))).toBe(true);
  });
});

describe('currency windows and relative ordinals', () => {
  it('finds currency names and signs and builds windows around them', () => {
    const names = new TermGate({ wholeWords: true });
    names.addStem('dollars');
    names.addChar('$');
    names.addChar('元');
    const text = `I paid $20 ${'and then waited '.repeat(10)}for 30 dollars 和20元`;
    const spans = currencySpans(text, { names, letters: new Set() });
    expect(spans.map((s) => text.slice(s.start, s.end))).toEqual(['$', 'dollars', '元']);
    const windows = windowsAround(text, spans, 10, 100);
    expect(windows).toHaveLength(2);
    for (const w of windows) expect(w.end - w.start).toBeLessThanOrEqual(100);
    expect(text.slice(windows[0].start, windows[0].end)).toContain('$20');
  });

  it('lists relative ordinals from the library resources', () => {
    expect(relativeOrdinals('English').has('next one')).toBe(true);
    expect(relativeOrdinals('French').has('avant-dernier')).toBe(true);
    expect(relativeOrdinals('Klingon').size).toBe(0);
  });
});
