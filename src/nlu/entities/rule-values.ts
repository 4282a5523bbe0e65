/**
 * The resolved `value` of a rule entity, built from a `@microsoft/recognizers-text` model result. Every function here
 * returns undefined for a resolution it cannot read (the mention is then dropped): a result without a usable value is
 * noise, not an entity.
 */

/** What a datetime mention resolves to (recognizers-text datetimeV2). */
export type DateTimeKind =
  | 'date'
  | 'time'
  | 'datetime'
  | 'daterange'
  | 'timerange'
  | 'datetimerange'
  | 'duration'
  | 'set';

/**
 * The value of a `datetime` mention. Times are wall-clock times in the process's time zone, like the reference time.
 * When the library offers several readings (a weekday name or a holiday: the past and the next one; "at 5": 5 am and
 * 5 pm), `value`/`start`/`end` come from the last, which is the future one; `timex` keeps the unresolved form.
 */
export interface DateTimeValue {
  kind: DateTimeKind;
  /** TIMEX3 expression: `2026-11-26T17`, `XXXX-WXX-1`, `PT2H`, `P1W`… */
  timex: string;
  /** ISO 8601 date (`2026-11-26`), time (`17:00:00`) or local date-time (`2026-11-26T17:00:00`); points only. */
  value?: string;
  /** Range bounds, ISO 8601 as `value`; one may be missing ("before Monday"). */
  start?: string;
  end?: string;
  /** Length of a duration, in seconds. */
  seconds?: number;
  /** The library's modifier of an open or approximate range: `before`, `after`, `since`, `until`, `approx`… */
  mod?: string;
}

/** The value of a `money` mention: `amount` in `unit` (the library's English unit name, e.g. `Dollar`, `Euro`). */
export interface MoneyValue {
  amount: number;
  unit: string;
  /** ISO 4217 code, when the library knows the unit's ("Dollar" alone does not say which dollar). */
  iso?: string;
}

const KINDS: ReadonlySet<string> = new Set<DateTimeKind>([
  'date',
  'time',
  'datetime',
  'daterange',
  'timerange',
  'datetimerange',
  'duration',
  'set',
]);

/** `2026-11-21 17:00:00` → `2026-11-21T17:00:00`; dates and times pass through; anything else is dropped. */
function isoPoint(s: unknown): string | undefined {
  if (typeof s !== 'string') return undefined;
  const t = s.trim();
  if (/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}(:\d{2})?$/.test(t)) return t.replace(' ', 'T');
  if (/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2})?)?$/.test(t) || /^\d{2}:\d{2}(:\d{2})?$/.test(t)) return t;
  return undefined;
}

/** A datetimeV2 resolution (`{ values: [{ timex, type, value | start/end, Mod? }] }`) as a {@link DateTimeValue}. */
export function dateTimeValue(typeName: string, resolution: unknown): DateTimeValue | undefined {
  const values = (resolution as { values?: unknown })?.values;
  if (!Array.isArray(values) || values.length === 0) return undefined;
  const last = values[values.length - 1] as Record<string, unknown>;
  const fromName = typeName.startsWith('datetimeV2.') ? typeName.slice('datetimeV2.'.length) : typeName;
  const kind = KINDS.has(fromName) ? fromName : typeof last?.type === 'string' ? last.type : '';
  if (!KINDS.has(kind) || typeof last?.timex !== 'string') return undefined;
  const out: DateTimeValue = { kind: kind as DateTimeKind, timex: last.timex };
  if (kind === 'duration') {
    const seconds = Number(last.value);
    if (Number.isFinite(seconds)) out.seconds = seconds;
  } else if (kind.endsWith('range')) {
    const start = isoPoint(last.start);
    const end = isoPoint(last.end);
    if (start) out.start = start;
    if (end) out.end = end;
  } else if (kind !== 'set') {
    const value = isoPoint(last.value);
    if (value) out.value = value;
  }
  const mod = last.Mod ?? last.mod;
  if (typeof mod === 'string' && mod) out.mod = mod;
  return out;
}

/** A number, ordinal or percentage resolution (`{ value: '25.5' | '15%' }`) as a JS number. */
export function numericValue(resolution: unknown): number | undefined {
  const raw = (resolution as { value?: unknown })?.value;
  if (typeof raw !== 'string' && typeof raw !== 'number') return undefined;
  const digits = String(raw).replace(/%$/, '').trim();
  if (!digits) return undefined; // "percent" alone resolves to "%"
  const n = Number(digits);
  return Number.isFinite(n) ? n : undefined;
}

/** A currency resolution (`{ value: '25.5', unit: 'Dollar', isoCurrency?: 'USD' }`) as a {@link MoneyValue}. */
export function moneyValue(resolution: unknown): MoneyValue | undefined {
  const r = resolution as { value?: unknown; unit?: unknown; isoCurrency?: unknown } | undefined;
  const amount = numericValue(r);
  if (amount === undefined || typeof r?.unit !== 'string' || !r.unit) return undefined;
  const out: MoneyValue = { amount, unit: r.unit };
  if (typeof r.isoCurrency === 'string' && /^[A-Z]{3}$/.test(r.isoCurrency)) out.iso = r.isoCurrency;
  return out;
}

/** An email address, lower-cased (mailbox names are case-insensitive in practice). */
export function emailValue(text: string): string {
  return text.trim().toLowerCase();
}

/** A phone number as `+` (when written) and its digits: `+1 (425) 555-0123` → `+14255550123`. */
export function phoneValue(text: string): string | undefined {
  const digits = text.replace(/\D/g, '');
  if (digits.length === 0) return undefined;
  return /^\s*(\(\s*)?\+/.test(text) ? `+${digits}` : digits;
}

/** An IP address: IPv4 without leading zeros (`010.001.0.1` → `10.1.0.1`), IPv6 lower-cased. */
export function ipValue(text: string): string {
  const t = text.trim();
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(t))
    return t
      .split('.')
      .map((p) => String(Number(p)))
      .join('.');
  return t.toLowerCase();
}

/** A URL, trimmed of sentence punctuation the library may leave on its end. */
export function urlValue(text: string): string {
  return text.trim().replace(/[.,;:!?]+$/, '');
}
