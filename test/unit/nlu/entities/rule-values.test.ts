import { describe, expect, it } from 'vitest';
import {
  dateTimeValue,
  emailValue,
  ipValue,
  moneyValue,
  numericValue,
  phoneValue,
  urlValue,
} from '../../../../src/nlu/entities/rule-values.ts';

describe('dateTimeValue', () => {
  it('turns library date-times into ISO 8601 and takes the next (future) reading', () => {
    expect(
      dateTimeValue(
        'datetimeV2.date',
        {
          values: [
            { timex: 'XXXX-11-WXX-4-4', type: 'date', value: '2025-11-27' },
            { timex: 'XXXX-11-WXX-4-4', type: 'date', value: '2026-11-26' },
          ],
        },
        new Date(2026, 10, 20, 9, 0),
      ),
    ).toEqual({ kind: 'date', timex: 'XXXX-11-WXX-4-4', value: '2026-11-26' });
    expect(
      dateTimeValue('datetimeV2.datetime', { values: [{ timex: '2026-11-21T17', value: '2026-11-21 17:00:00' }] }),
    ).toEqual({ kind: 'datetime', timex: '2026-11-21T17', value: '2026-11-21T17:00:00' });
  });

  it('reads ranges, durations, sets and modifiers', () => {
    expect(
      dateTimeValue('datetimeV2.daterange', {
        values: [{ timex: '2025', type: 'daterange', start: '2025-01-01', end: '2026-01-01' }],
      }),
    ).toEqual({ kind: 'daterange', timex: '2025', start: '2025-01-01', end: '2026-01-01' });
    expect(dateTimeValue('datetimeV2.duration', { values: [{ timex: 'PT2H', value: '7200' }] })).toEqual({
      kind: 'duration',
      timex: 'PT2H',
      seconds: 7200,
    });
    expect(dateTimeValue('datetimeV2.set', { values: [{ timex: 'P1W', value: 'not resolved' }] })).toEqual({
      kind: 'set',
      timex: 'P1W',
    });
    expect(
      dateTimeValue('datetimeV2.daterange', { values: [{ timex: 'XXXX-WXX-1', Mod: 'before', end: '2026-11-23' }] }),
    ).toEqual({ kind: 'daterange', timex: 'XXXX-WXX-1', end: '2026-11-23', mod: 'before' });
  });

  const REF = new Date(2026, 11, 6, 10, 30); // Sunday 6 December 2026, 10:30 local time

  it('a time without am/pm is the next occurrence, marked ambiguous with both readings (never silently 19:00)', () => {
    // "wake me up at seven tomorrow": the library's two readings.
    const seven = {
      values: [
        { timex: '2026-12-07T07', type: 'datetime', value: '2026-12-07 07:00:00' },
        { timex: '2026-12-07T19', type: 'datetime', value: '2026-12-07 19:00:00' },
      ],
    };
    expect(dateTimeValue('datetimeV2.datetime', seven, REF)).toEqual({
      kind: 'datetime',
      timex: '2026-12-07T07',
      value: '2026-12-07T07:00:00',
      ambiguous: true,
      alternatives: [
        { timex: '2026-12-07T07', value: '2026-12-07T07:00:00' },
        { timex: '2026-12-07T19', value: '2026-12-07T19:00:00' },
      ],
    });
    // "call me at 10 today" at 10:30: 10:00 has passed, so 22:00 is the only reading left (not ambiguous).
    const ten = {
      values: [
        { timex: '2026-12-06T10', type: 'datetime', value: '2026-12-06 10:00:00' },
        { timex: '2026-12-06T22', type: 'datetime', value: '2026-12-06 22:00:00' },
      ],
    };
    expect(dateTimeValue('datetimeV2.datetime', ten, REF)).toEqual({
      kind: 'datetime',
      timex: '2026-12-06T22',
      value: '2026-12-06T22:00:00',
    });
  });

  it('a time of day alone counts from the reference: later today first, then the readings of tomorrow', () => {
    const five = {
      values: [
        { timex: 'T05', type: 'time', value: '05:00:00' },
        { timex: 'T17', type: 'time', value: '17:00:00' },
      ],
    };
    const v = dateTimeValue('datetimeV2.time', five, REF);
    expect(v?.value).toBe('17:00:00'); // 05:00 today has passed at 10:30
    expect(v?.ambiguous).toBe(true);
    expect(v?.alternatives?.map((a) => a.value)).toEqual(['17:00:00', '05:00:00']);
    expect(dateTimeValue('datetimeV2.time', five, new Date(2026, 11, 6, 4, 0))?.value).toBe('05:00:00');
  });

  it('past weekday readings are dropped; ranges without am/pm keep both', () => {
    const monday = {
      values: [
        { timex: 'XXXX-WXX-1T09', type: 'datetime', value: '2026-11-30 09:00:00' },
        { timex: 'XXXX-WXX-1T21', type: 'datetime', value: '2026-11-30 21:00:00' },
        { timex: 'XXXX-WXX-1T09', type: 'datetime', value: '2026-12-07 09:00:00' },
        { timex: 'XXXX-WXX-1T21', type: 'datetime', value: '2026-12-07 21:00:00' },
      ],
    };
    const m = dateTimeValue('datetimeV2.datetime', monday, REF);
    expect(m?.value).toBe('2026-12-07T09:00:00');
    expect(m?.alternatives?.map((a) => a.value)).toEqual(['2026-12-07T09:00:00', '2026-12-07T21:00:00']);
    const range = dateTimeValue(
      'datetimeV2.datetimerange',
      {
        values: [
          {
            timex: '(2026-12-07T03,2026-12-07T05,PT2H)',
            type: 'datetimerange',
            start: '2026-12-07 03:00:00',
            end: '2026-12-07 05:00:00',
          },
          {
            timex: '(2026-12-07T15,2026-12-07T17,PT2H)',
            type: 'datetimerange',
            start: '2026-12-07 15:00:00',
            end: '2026-12-07 17:00:00',
          },
        ],
      },
      REF,
    );
    expect(range).toMatchObject({ start: '2026-12-07T03:00:00', end: '2026-12-07T05:00:00', ambiguous: true });
    expect(range?.alternatives).toHaveLength(2);
  });

  it('drops what it cannot read', () => {
    expect(dateTimeValue('datetimeV2.date', {})).toBeUndefined();
    expect(dateTimeValue('datetimeV2.timezone', { values: [{ timex: 'X', type: 'timezone' }] })).toBeUndefined();
    expect(dateTimeValue('datetimeV2.date', { values: [{ type: 'date' }] })).toBeUndefined();
    expect(dateTimeValue('datetimeV2.date', { values: [{ timex: 'X', value: 'soon' }] })).toEqual({
      kind: 'date',
      timex: 'X',
    });
  });
});

describe('scalar values', () => {
  it('numbers, percentages and money', () => {
    expect(numericValue({ value: '25.5' })).toBe(25.5);
    expect(numericValue({ value: '15%' })).toBe(15);
    expect(numericValue({ value: '%' })).toBeUndefined();
    expect(numericValue({ value: 'NaN' })).toBeUndefined();
    expect(moneyValue({ value: '20', unit: 'Euro', isoCurrency: 'EUR' })).toEqual({
      amount: 20,
      unit: 'Euro',
      iso: 'EUR',
    });
    expect(moneyValue({ value: '1.5', unit: 'Dollar' })).toEqual({ amount: 1.5, unit: 'Dollar' });
    expect(moneyValue({ value: null, unit: 'Dollar' })).toBeUndefined();
  });

  it('normalised strings', () => {
    expect(emailValue(' A.B@Example.COM ')).toBe('a.b@example.com');
    expect(phoneValue('+1 (425) 555-0123')).toBe('+14255550123');
    expect(phoneValue('(425) 555-0123')).toBe('4255550123');
    expect(phoneValue('--')).toBeUndefined();
    expect(ipValue('192.168.000.010')).toBe('192.168.0.10');
    expect(ipValue('FE80::1')).toBe('fe80::1');
    expect(urlValue('www.example.com.')).toBe('www.example.com');
  });
});
