/**
 * RFC 4180 CSV/TSV parsing with line numbers, for the intent data readers.
 */
import { DataError } from './data-error.ts';

/** One record of a CSV/TSV file: its fields and the 1-based line it starts on. */
export interface DelimitedRecord {
  fields: string[];
  /** Line the record starts on (a quoted field may span several lines). */
  line: number;
}

/**
 * Parses CSV or TSV text with RFC 4180 quoting: a field that starts with `"` is quoted, may contain the delimiter and
 * line breaks, and writes a literal quote as `""`. Unquoted fields are taken verbatim (a `"` inside one is a plain
 * character). Line endings may be LF, CRLF or CR; inside quoted fields they become `\n`. Blank lines are skipped.
 * Throws a {@link DataError} (`E_DATA`) naming the line for an unterminated quoted field or text after a closing quote.
 * @example parseDelimited('text,intent\n"hi, there",greet\n', ',', 'a.csv')
 * // [{fields: ['text','intent'], line: 1}, {fields: ['hi, there','greet'], line: 2}]
 */
export function parseDelimited(text: string, delimiter: ',' | '\t', sourceName: string): DelimitedRecord[] {
  const src = text.includes('\r') ? text.replace(/\r\n?/g, '\n') : text;
  const records: DelimitedRecord[] = [];
  let fields: string[] = [];
  let quoted = false;
  let line = 1;
  let recordLine = 1;
  let i = 0;
  while (i <= src.length) {
    let value: string;
    if (src[i] === '"') {
      quoted = true;
      const start = line;
      const parts: string[] = [];
      let from = i + 1;
      for (;;) {
        const q = src.indexOf('"', from);
        if (q < 0) throw new DataError(sourceName, start, 'quoted field is never closed (missing a closing ")');
        parts.push(src.slice(from, q));
        if (src[q + 1] !== '"') {
          i = q + 1;
          break;
        }
        parts.push('"');
        from = q + 2;
      }
      value = parts.join('');
      line += countNewlines(value);
      const next = src[i];
      if (next !== undefined && next !== delimiter && next !== '\n') {
        const hint = 'a quoted field must end at the delimiter; write a quote inside a quoted field as ""';
        // A field that ran over line breaks most often began with a quote that was never closed on its own line.
        const opened = line > start ? `; the quoted field opened on line ${start}: is a closing " missing there?` : '';
        throw new DataError(
          sourceName,
          line,
          `unexpected ${JSON.stringify(next)} after a closing quote (${hint}${opened})`,
        );
      }
    } else {
      let end = i;
      while (end < src.length && src[end] !== delimiter && src[end] !== '\n') end++;
      value = src.slice(i, end);
      i = end;
    }
    fields.push(value);
    if (src[i] === delimiter) {
      i++;
      continue;
    }
    // End of the record: a line break or the end of the text.
    const blank = fields.length === 1 && !quoted && value.trim() === '';
    if (!blank) records.push({ fields, line: recordLine });
    fields = [];
    quoted = false;
    i++;
    line++;
    recordLine = line;
  }
  return records;
}

function countNewlines(s: string): number {
  let n = 0;
  for (let k = s.indexOf('\n'); k >= 0; k = s.indexOf('\n', k + 1)) n++;
  return n;
}
