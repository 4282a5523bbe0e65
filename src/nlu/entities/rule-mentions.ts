/** From a library result to an entity mention: placed in the original text, checked, with its resolved value. */
import type { EntityMention } from '../understanding.ts';
import { MAX_RULE_TEXT, type ModelResultLike, type RuleEntityType, type RuleModel } from './rule-types.ts';
import { dateTimeValue, emailValue, ipValue, moneyValue, numericValue, phoneValue, urlValue } from './rule-values.ts';

/** The first {@link MAX_RULE_TEXT} characters, cut on a space in the last half if there is one, never mid-pair. */
export function clip(text: string): string {
  if (text.length <= MAX_RULE_TEXT) return text;
  let cut = MAX_RULE_TEXT;
  const space = text.lastIndexOf(' ', MAX_RULE_TEXT);
  if (space > MAX_RULE_TEXT / 2) cut = space;
  else if (/[\uD800-\uDBFF]/.test(text[cut - 1])) cut--;
  return text.slice(0, cut);
}

/**
 * Where a result's text is in the original: at the library's offset when it matches there (case-insensitively), else
 * the nearest occurrence; undefined when it is nowhere (the mention is dropped rather than misplaced).
 */
function locate(r: ModelResultLike, original: string, query: string, offset: number): number | undefined {
  const needle = typeof r.text === 'string' ? recode(r.text.toLowerCase()) : '';
  if (!needle) return undefined;
  const at = Number.isInteger(r.start) ? r.start + offset : -1;
  const haystack = recode(query.toLowerCase());
  if (haystack.length !== original.length) return undefined;
  if (at >= 0 && haystack.startsWith(needle, at)) return at;
  let best: number | undefined;
  for (let i = haystack.indexOf(needle); i >= 0; i = haystack.indexOf(needle, i + 1)) {
    if (best === undefined || Math.abs(i - at) < Math.abs(best - at)) best = i;
  }
  return best;
}

/** The library's own one-for-one recoding of full-width characters (QueryProcessor.preProcess). */
const FULL_WIDTH: Readonly<Record<string, string>> = {
  '：': ':',
  '－': '-',
  '，': ',',
  '／': '/',
  Ｇ: 'G',
  Ｍ: 'M',
  Ｔ: 'T',
  Ｋ: 'K',
  ｋ: 'k',
  '．': '.',
  '（': '(',
  '）': ')',
  '％': '%',
  '、': ',',
};

function recode(s: string): string {
  return s.replace(/[０-９：－，／ＧＭＴＫｋ．（）％、]/g, (c) => {
    const code = c.charCodeAt(0);
    return code >= 0xff10 && code <= 0xff19
      ? String.fromCharCode(code - 0xff10 + 48)
      : (FULL_WIDTH[c] ?? c).toLowerCase();
  });
}

/**
 * A library result as a mention of `type`, or undefined when it cannot be placed or has no usable value; `reference`
 * is the time relative dates count from (it picks the next occurrence of an ambiguous time).
 */
export function toMention(
  m: RuleModel,
  r: ModelResultLike,
  original: string,
  query: string,
  offset: number,
  reference?: Date,
): EntityMention | undefined {
  const type = m.type;
  const start = locate(r, original, query, offset);
  if (start === undefined) return undefined;
  let end = start + r.text.length;
  if (type === 'url') while (end > start && /[.,;:!?'")\]]/.test(original[end - 1])) end--;
  if (end <= start || insideWord(original, start, end)) return undefined;
  const text = original.slice(start, end);
  if (m.drop?.(text)) return undefined;
  const value = resolvedValue(type, r, text, reference);
  if (value === undefined) return undefined;
  return { type, start, end, text, score: type === 'phone' ? phoneScore(r.resolution) : 1, source: 'rule', value };
}

const SPACED_LETTER =
  /^(?![\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\p{Script=Thai}])\p{L}$/u;

/** True when a span starts or ends inside a word ("cent" in "recent"): letters on both sides of an edge. */
function insideWord(text: string, start: number, end: number): boolean {
  const letter = (i: number) => i >= 0 && i < text.length && SPACED_LETTER.test(text[i]);
  return (letter(start - 1) && letter(start)) || (letter(end - 1) && letter(end));
}

/** The library's confidence in a phone number (0.3 for "12345678", 1 for "+1 (425) 555-0123"); 1 when absent. */
function phoneScore(resolution: unknown): number {
  const score = Number((resolution as { score?: unknown } | undefined)?.score);
  return Number.isFinite(score) && score > 0 && score <= 1 ? score : 1;
}

function resolvedValue(type: RuleEntityType, r: ModelResultLike, text: string, reference?: Date): unknown {
  switch (type) {
    case 'datetime':
      return dateTimeValue(r.typeName ?? '', r.resolution, reference);
    case 'money':
      return moneyValue(r.resolution);
    case 'ordinal': {
      const n = numericValue(r.resolution);
      return n !== undefined && n >= 1 ? n : undefined; // "next", "last": relative ordinals resolve to 0
    }
    case 'percentage': {
      const n = numericValue(r.resolution);
      return n === 0 && !/\p{Nd}/u.test(text) ? undefined : n; // "percent" alone resolves to 0%
    }
    case 'number':
      return numericValue(r.resolution);
    case 'email':
      return emailValue(text);
    case 'phone':
      return phoneValue(text);
    case 'ip':
      return ipValue(text);
    case 'url':
      return urlValue(text);
  }
}
