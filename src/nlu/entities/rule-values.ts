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
 * When the library offers several readings (a weekday name: the past and the next one; "at seven": 7:00 and 19:00),
 * the past ones are dropped and `value`/`start`/`end` come from the next occurrence after the reference time; when
 * more than one reading is left ("wake me up at seven tomorrow": 07:00 and 19:00), `ambiguous` is true and
 * `alternatives` lists them all, soonest first — a bot should ask, not guess. `timex` keeps the chosen unresolved form.
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
  /** True when the text allows several future readings (a time without am/pm); see `alternatives`. */
  ambiguous?: true;
  /** Every future reading, soonest first, when `ambiguous`; the first is the one in `value`/`start`/`end`. */
  alternatives?: DateTimeReading[];
}

/** One reading of an ambiguous datetime mention. */
export interface DateTimeReading {
  timex: string;
  value?: string;
  start?: string;
  end?: string;
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

/** One library reading (`{ timex, type, value | start/end }`) as a {@link DateTimeReading}; undefined when unreadable. */
function reading(kind: string, v: Record<string, unknown>): DateTimeReading | undefined {
  if (typeof v?.timex !== 'string') return undefined;
  const out: DateTimeReading = { timex: v.timex };
  if (kind.endsWith('range')) {
    const start = isoPoint(v.start);
    const end = isoPoint(v.end);
    if (start) out.start = start;
    if (end) out.end = end;
  } else if (kind !== 'duration' && kind !== 'set') {
    const value = isoPoint(v.value);
    if (value) out.value = value;
  }
  return out;
}

/** Local wall-clock ISO form of a date (`2026-12-06T10:30:00`), comparable as a string with the readings. */
function localIso(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/**
 * Where a reading falls relative to the reference (`now`, local ISO): a sortable key, and whether it is in the past.
 * A time of day alone ("at 5") is the next occurrence: later today, else tomorrow.
 */
function when(r: DateTimeReading, now: string): { key: string; past: boolean } | undefined {
  const point = r.value ?? r.start ?? r.end;
  if (!point) return undefined;
  if (/^\d{2}:/.test(point)) {
    const today = now.slice(11);
    const later = point >= today;
    return { key: `${later ? 0 : 1}${point}`, past: false };
  }
  const full = point.length === 10 ? `${point}T23:59:59` : point; // a date is not past until it ends
  return { key: point, past: full < now };
}

/**
 * A datetimeV2 resolution (`{ values: [{ timex, type, value | start/end, Mod? }] }`) as a {@link DateTimeValue}; with
 * several readings, the next occurrence after `reference` (default: now), marked ambiguous when more than one is left.
 */
export function dateTimeValue(typeName: string, resolution: unknown, reference?: Date): DateTimeValue | undefined {
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
  } else if (kind !== 'set') {
    const now = localIso(reference instanceof Date && Number.isFinite(reference.getTime()) ? reference : new Date());
    const readings = values
      .map((v) => reading(kind, v as Record<string, unknown>))
      .filter((r): r is DateTimeReading => r !== undefined)
      .map((r) => ({ r, at: when(r, now) }))
      .filter((x) => x.at !== undefined) as { r: DateTimeReading; at: { key: string; past: boolean } }[];
    // Distinct readings (the library repeats a timex for the past and the next weekday), future ones if any.
    const future = readings.filter((x) => !x.at.past);
    const pool = (future.length > 0 ? future : readings.slice(-1)).sort((a, b) => a.at.key.localeCompare(b.at.key));
    const distinct = pool.filter((x, i) => pool.findIndex((y) => JSON.stringify(y.r) === JSON.stringify(x.r)) === i);
    const chosen = distinct[0]?.r ?? reading(kind, last);
    if (chosen) {
      out.timex = chosen.timex;
      if (chosen.value) out.value = chosen.value;
      if (chosen.start) out.start = chosen.start;
      if (chosen.end) out.end = chosen.end;
    }
    if (distinct.length > 1) {
      out.ambiguous = true;
      out.alternatives = distinct.map((x) => x.r);
    }
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
