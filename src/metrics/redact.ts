/**
 * Redaction of customer text for the turn log: the spans of sensitive entity types the NLU found (e-mail, phone, URL,
 * IP, numbers written with digits or read out as a sequence, amounts, the bot's own patterns such as order numbers) become
 * `[type]` — a lone number word ("un", "one") is a word and stays — and a safety net catches what
 * the recognizers may have missed or not yet delivered (e-mail addresses, URLs, any run of 3 or more digits).
 */
import type { EntityMention } from '../nlu/understanding.ts';

/** Entity types whose text never reaches the turn log (plus every pattern entity). */
export const REDACTED_TYPES = new Set(['email', 'phone', 'url', 'ip', 'number', 'money', 'percentage', 'ordinal']);

const SAFETY_NET: [RegExp, string][] = [
  [/[\p{L}\p{N}._%+-]+@[\p{L}\p{N}.-]+\.\p{L}{2,}/gu, '[email]'],
  [/\bhttps?:\/\/\S+|\bwww\.\S+/giu, '[url]'],
  [/\p{Nd}(?:[\p{Nd}\s.,/-]*\p{Nd}){2,}/gu, '[number]'],
];

/** Types whose spelled-out words alone ("un", "one", "first") are ordinary words, not figures to hide. */
const WORDY_TYPES = new Set(['number', 'ordinal']);

/**
 * True when a number or ordinal span is worth hiding: it has a digit, or it is a run of three or more number words (a
 * phone or card number read out). "Mets un réveil" keeps its "un"; "four five six seven" goes.
 */
function figure(span: string): boolean {
  return (
    /\p{Nd}/u.test(span) ||
    span
      .trim()
      .split(/[\s,.-]+/u)
      .filter(Boolean).length >= 3
  );
}

/** The text with sensitive spans replaced. `entities` offsets are UTF-16 offsets into `text`. */
export function redactText(text: string, entities: readonly EntityMention[]): string {
  // Longest spans first; a span overlapping one already chosen is dropped.
  const chosen: EntityMention[] = [];
  for (const e of entities
    .filter((e) => e.source === 'pattern' || REDACTED_TYPES.has(e.type))
    .filter((e) => e.source === 'pattern' || !WORDY_TYPES.has(e.type) || figure(text.slice(e.start, e.end)))
    .filter((e) => e.start >= 0 && e.end <= text.length && e.start < e.end)
    .sort((a, b) => b.end - b.start - (a.end - a.start))) {
    if (!chosen.some((c) => e.start < c.end && c.start < e.end)) chosen.push(e);
  }
  let out = text;
  for (const e of chosen.sort((a, b) => b.start - a.start))
    out = `${out.slice(0, e.start)}[${e.type}]${out.slice(e.end)}`;
  for (const [re, mask] of SAFETY_NET) out = out.replace(re, mask);
  return out;
}
