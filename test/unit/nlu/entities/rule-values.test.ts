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
  it('turns library date-times into ISO 8601 and takes the last (future) reading', () => {
    expect(
      dateTimeValue('datetimeV2.date', {
        values: [
          { timex: 'XXXX-11-WXX-4-4', type: 'date', value: '2025-11-27' },
          { timex: 'XXXX-11-WXX-4-4', type: 'date', value: '2026-11-26' },
        ],
      }),
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
