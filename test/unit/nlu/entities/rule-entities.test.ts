import { DateTimeModel } from '@microsoft/recognizers-text-date-time';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { isSwitchboardError } from '../../../../src/errors.ts';
import {
  LANGUAGE_INDEPENDENT_TYPES,
  MAX_RULE_TEXT,
  RuleEntityRecognizer,
} from '../../../../src/nlu/entities/rule-entities.ts';
import type { EntityMention } from '../../../../src/nlu/understanding.ts';

// Friday 20 November 2026, 10:00 in the process's time zone: every relative date below resolves from it.
const now = () => new Date(2026, 10, 20, 10, 0, 0);
const rules = new RuleEntityRecognizer({ languages: ['en', 'es', 'fr', 'de'], now });

/** Mentions as [type, text, value], after checking every offset against the text. */
function find(text: string, language: string): [string, string, unknown][] {
  const found = rules.recognize(text, language);
  expectAligned(text, found);
  return found.map((m) => [m.type, m.text, m.value]);
}

function expectAligned(text: string, found: EntityMention[]): void {
  for (const m of found) {
    expect(text.slice(m.start, m.end)).toBe(m.text);
    expect(m.source).toBe('rule');
    expect(m.end).toBeGreaterThan(m.start);
  }
  for (let i = 1; i < found.length; i++) expect(found[i].start).toBeGreaterThanOrEqual(found[i - 1].end);
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('RuleEntityRecognizer in English', () => {
  it('"wake me up at seven tomorrow" is 07:00 tomorrow, marked ambiguous with the 19:00 reading', () => {
    const [[type, text, value]] = find('wake me up at seven tomorrow', 'en');
    expect([type, text]).toEqual(['datetime', 'seven tomorrow']);
    expect(value).toMatchObject({ value: '2026-11-21T07:00:00', ambiguous: true });
    expect((value as { alternatives: { value: string }[] }).alternatives.map((a) => a.value)).toEqual([
      '2026-11-21T07:00:00',
      '2026-11-21T19:00:00',
    ]);
    // With am/pm there is one reading and nothing to ask.
    expect(find('wake me up at 7 pm tomorrow', 'en')[0][2]).not.toHaveProperty('ambiguous');
  });

  it('resolves dates and times against `now`', () => {
    expect(find('Can I get a refund for what I ordered yesterday at 5pm?', 'en')).toEqual([
      ['datetime', 'yesterday at 5pm', { kind: 'datetime', timex: '2026-11-19T17', value: '2026-11-19T17:00:00' }],
    ]);
    expect(find('charged twice on november 26 2026', 'en')).toEqual([
      ['datetime', 'november 26 2026', { kind: 'date', timex: '2026-11-26', value: '2026-11-26' }],
    ]);
    expect(find('deliver it by next Friday or within 3 days', 'en')).toEqual([
      ['datetime', 'by next Friday', { kind: 'daterange', timex: '2026-11-27', end: '2026-11-27', mod: 'before' }],
      ['datetime', '3 days', { kind: 'duration', timex: 'P3D', seconds: 259_200 }],
    ]);
    expect(find('remind me every week', 'en')).toEqual([['datetime', 'every week', { kind: 'set', timex: 'P1W' }]]);
  });

  it('reads money, percentages, ordinals and numbers', () => {
    expect(
      find('It cost $49.99, then 120 euros; my 3rd complaint, I want 50% back, three hundred times', 'en'),
    ).toEqual([
      ['money', '$49.99', { amount: 49.99, unit: 'Dollar' }],
      ['money', '120 euros', { amount: 120, unit: 'Euro', iso: 'EUR' }],
      ['ordinal', '3rd', 3],
      ['percentage', '50%', 50],
      ['number', 'three hundred', 300],
    ]);
  });

  it('normalises email, phone, url and ip', () => {
    expect(
      find('mail Jane.Doe@Example.org, call +1 (425) 555-0123, see https://example.com/help?x=1. ip 010.1.0.1', 'en'),
    ).toEqual([
      ['email', 'Jane.Doe@Example.org', 'jane.doe@example.org'],
      ['phone', '+1 (425) 555-0123', '+14255550123'],
      ['url', 'https://example.com/help?x=1', 'https://example.com/help?x=1'],
      ['ip', '010.1.0.1', '10.1.0.1'],
    ]);
    expect(find('fe80::1 is down', 'en')).toEqual([['ip', 'fe80::1', 'fe80::1']]);
  });

  it("passes the library's phone confidence on as the score", () => {
    const [phone] = rules.recognize('my number is 555 0123', 'en');
    expect(phone).toMatchObject({ type: 'phone', value: '5550123' });
    expect(phone.score).toBeLessThan(1);
  });

  it('drops relative ordinals and "percent" without a number', () => {
    expect(rules.candidates('the next one and the last one', 'en').filter((m) => m.type === 'ordinal')).toEqual([]);
    expect(find('lights at percent', 'en')).toEqual([]);
  });

  it('never starts or ends a mention inside a word', () => {
    expect(find('show the most recent news', 'en')).toEqual([]);
  });
});

describe('RuleEntityRecognizer in other languages', () => {
  it('Spanish', () => {
    expect(find('¿Puedo cambiar mi reserva para el 26 de noviembre a las 17:00? Pagué 30 euros.', 'es')).toEqual([
      ['datetime', '26 de noviembre a las 17:00', expect.objectContaining({ value: '2026-11-26T17:00:00' })],
      ['money', '30 euros', { amount: 30, unit: 'Euro' }],
    ]);
    expect(find('mañana por la mañana', 'es')).toEqual([
      [
        'datetime',
        'mañana por la mañana',
        { kind: 'datetimerange', timex: '2026-11-21TMO', start: '2026-11-21T08:00:00', end: '2026-11-21T12:00:00' },
      ],
    ]);
    // "mi" (my), "vi" (I saw) are words, not the weekday abbreviations the library reads them as.
    expect(find('¿Dónde está mi pedido?', 'es')).toEqual([]);
    expect(find('donde esta mi pedido', 'es')).toEqual([]);
    expect(find('vi el pedido', 'es')).toEqual([]);
    expect(find('nos vemos el miércoles', 'es').map(([type, text]) => [type, text])).toEqual([
      ['datetime', 'miércoles'],
    ]);
    // Longer matches are dates: kept.
    expect(find('horario de lu a vi de 9 a 18', 'es').map(([type]) => type)).toContain('datetime');
    expect(find('abierto de lunes a vi', 'es').map(([type]) => type)).toContain('datetime');
  });

  it('French', () => {
    expect(find("J'annule ma commande du 3 mars, j'ai payé 45 euros, c'est la deuxième fois", 'fr')).toEqual([
      ['datetime', '3 mars', { kind: 'date', timex: 'XXXX-03-03', value: '2027-03-03' }],
      ['money', '45 euros', { amount: 45, unit: 'Euro' }],
      ['ordinal', 'deuxième', 2],
    ]);
    expect(find('demain matin à 9h', 'fr')).toEqual([
      ['datetime', 'demain matin à 9h', { kind: 'datetime', timex: '2026-11-21T09', value: '2026-11-21T09:00:00' }],
    ]);
  });

  it('German: the library has no German dates or numbers, the language-independent types still run', () => {
    expect(rules.typesFor('de')).toEqual([...LANGUAGE_INDEPENDENT_TYPES]);
    expect(find('Bestellung vom 26. November, 30 Euro, Mail an a.b@c.de oder +49 30 1234567', 'de')).toEqual([
      ['email', 'a.b@c.de', 'a.b@c.de'],
      ['phone', '+49 30 1234567', '+49301234567'],
    ]);
  });

  it('und and unconfigured languages get the language-independent types, in English', () => {
    for (const language of ['und', 'th', '', 'xx']) {
      expect(rules.typesFor(language)).toEqual([...LANGUAGE_INDEPENDENT_TYPES]);
      expect(rules.culturesFor(language)).toEqual({ email: 'en-us', url: 'en-us', ip: 'en-us', phone: 'en-us' });
    }
    expect(find('tomorrow at 5pm, write to help@example.com', 'und')).toEqual([
      ['email', 'help@example.com', 'help@example.com'],
    ]);
  });

  it('accepts BCP 47 tags for the turn language and the configuration', () => {
    expect(rules.typesFor('es-ES')).toContain('datetime');
    const tagged = new RuleEntityRecognizer({ languages: ['en-GB'], now, types: ['number'] });
    expect(tagged.languages).toEqual(['en']);
    expect(tagged.typesFor('en')).toEqual(['number']);
  });

  it('refuses unknown languages and types', () => {
    for (const options of [{ languages: ['klingon'] }, { languages: ['en'], types: ['weather' as 'number'] }]) {
      let error: unknown;
      try {
        new RuleEntityRecognizer(options);
      } catch (e) {
        error = e;
      }
      expect(isSwitchboardError(error)).toBe(true);
    }
  });
});

describe('RuleEntityRecognizer offsets', () => {
  it('are UTF-16 offsets into the original text, also after emoji and surrogate pairs', () => {
    for (const prefix of ['👍🏽 ', '👩‍👩‍👧‍👦🎉 ', '𝒳𝒴 ', 'İstanbul ', 'Ｉ ', '\u0301\u0301 ']) {
      const text = `${prefix}call me tomorrow at 5pm or mail a@b.co, it was $20`;
      const found = rules.recognize(text, 'en');
      expectAligned(text, found);
      expect(found.map((m) => m.text)).toEqual(['tomorrow at 5pm', 'a@b.co', '$20']);
    }
  });

  it('map full-width digits back to the original text', () => {
    const text = 'I paid ２０ dollars';
    expect(find(text, 'en')).toEqual([['money', '２０ dollars', { amount: 20, unit: 'Dollar' }]]);
  });
});

describe('RuleEntityRecognizer on bad input', () => {
  const odd = [
    '',
    '   ',
    '😀😀😀🎉',
    '"unbalanced (quote [bracket {',
    'nospacesatalljusttextthatgoesonandon1234567890andmore@@@...:::///',
    '\u0000\u0001\u0002\uFFFE\uFFFF\uD800 binary \uDC00',
    Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 37) % 256)).toString('latin1'),
    '1'.repeat(5000),
    'a@'.repeat(3000),
    '12:'.repeat(2000),
  ];

  it.each(odd.map((t) => [t.slice(0, 24), t]))('never throws: %j', (_, text) => {
    for (const language of ['en', 'es', 'fr', 'de', 'und']) {
      expect(() => expectAligned(text.slice(0, MAX_RULE_TEXT), rules.recognize(text, language))).not.toThrow();
    }
  });

  it('accepts non-strings', () => {
    expect(rules.recognize(undefined as unknown as string, 'en')).toEqual([]);
    expect(rules.recognize(42 as unknown as string, 'en')).toEqual([]);
    expect(rules.recognize('tomorrow', undefined as unknown as string)).toEqual([]);
  });

  it('reads only the first MAX_RULE_TEXT characters: 100 KB costs about what its first MAX_RULE_TEXT characters cost', () => {
    const line = 'my order from last week cost $25 and arrived broken, call me on 555 0123 tomorrow at 5pm please. ';
    const big = line.repeat(Math.ceil(100_000 / line.length));
    rules.recognize(line, 'en'); // compile the expressions first
    // Relative, not wall-clock, bounds: the machine may be busy; reading all 100 KB would cost ~40× the clipped text.
    const ms = (f: () => void) => {
      const t = performance.now();
      f();
      return performance.now() - t;
    };
    for (const language of ['en', 'de']) {
      const clipped = ms(() => rules.recognize(big.slice(0, MAX_RULE_TEXT), language));
      let found: EntityMention[] = [];
      const whole = ms(() => {
        found = rules.recognize(big, language);
      });
      expect(whole).toBeLessThan(5 * clipped + 250);
      expectAligned(big, found);
      expect(Math.max(...found.map((m) => m.end))).toBeLessThanOrEqual(MAX_RULE_TEXT);
    }
    const small = ms(() => {
      rules.recognize('x'.repeat(MAX_RULE_TEXT), 'en');
      rules.recognize('7'.repeat(MAX_RULE_TEXT), 'fr');
    });
    const large = ms(() => {
      rules.recognize('x'.repeat(100_000), 'en');
      rules.recognize('7'.repeat(100_000), 'fr');
    });
    expect(large).toBeLessThan(5 * small + 250);
  });

  it('survives a clock that fails', () => {
    const broken = new RuleEntityRecognizer({
      languages: ['en'],
      types: ['datetime'],
      now: () => {
        throw new Error('no clock');
      },
    });
    expect(broken.recognize('tomorrow', 'en')).toHaveLength(1);
  });
});

describe('RuleEntityRecognizer prefilters', () => {
  it('does not call the date-time model on a message without digits or date-time words', () => {
    const parse = vi.spyOn(DateTimeModel.prototype, 'parse');
    rules.recognize('my card is blocked, please help me with this', 'en');
    rules.recognize('order 12345 never arrived', 'en');
    rules.recognize('la tarjeta está bloqueada, ayúdame por favor', 'es');
    expect(parse).not.toHaveBeenCalled();
    rules.recognize('my card was blocked yesterday', 'en');
    rules.recognize('at 5', 'en');
    expect(parse).toHaveBeenCalledTimes(2);
  });

  it('plans only the models whose prefilter passes', () => {
    expect(rules.plannedTypes('hello there', 'en')).toEqual([]);
    expect(rules.plannedTypes('see you tomorrow', 'en')).toEqual(['datetime']);
    expect(rules.plannedTypes('twenty dollars', 'en')).toEqual(['money', 'percentage', 'datetime', 'number']);
    expect(rules.plannedTypes('write to a@b.co', 'en')).toEqual(['email', 'url']);
  });

  it('finds the same entities with and without prefilters', () => {
    const unfiltered = new RuleEntityRecognizer({ languages: ['en', 'es', 'fr'], now, prefilter: false });
    expect(unfiltered.plannedTypes('hello there', 'en')).toHaveLength(9);
    const messages: [string, string][] = [
      ['Can I get a refund for what I ordered yesterday at 5pm? It cost $49.99.', 'en'],
      ['order 12345 never arrived, ticket 2 of 3, at 5 please', 'en'],
      ['the first of may at noon', 'en'],
      ['para el 26 de noviembre a las 17:00, pagué 30 euros', 'es'],
      ["j'ai payé 20 euros le premier mars", 'fr'],
    ];
    for (const [text, language] of messages) {
      expect(rules.candidates(text, language)).toEqual(unfiltered.candidates(text, language));
    }
  });
});
