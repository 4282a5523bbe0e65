import { extname } from 'node:path';
import type { IntentExample } from '../nlu/intent/intent-example.ts';
import { checkIntentExamples, type SourcedExample } from './check-intent-examples.ts';
import { checkEveryRow, DataError, readDataText } from './data-error.ts';
import { parseDelimited } from './parse-delimited.ts';

export { splitTrainValid } from './split-train-valid.ts';

/** Formats of intent data files. */
export type IntentDataFormat = 'jsonl' | 'csv' | 'tsv';
/** `single`: one label per example (a string); `multi`: a list of labels per example (possibly empty). */
export type IntentDataMode = 'single' | 'multi';

/** Examples read from one or more intent data files, checked and de-duplicated. */
export interface IntentData {
  examples: IntentExample[];
  mode: IntentDataMode;
  /** Problems worth a look that did not stop reading, each prefixed with `file:line:`. */
  warnings: string[];
}

/** Options of the intent data readers. */
export interface ReadIntentOptions {
  /** Drop rows whose text and labels repeat an earlier row (default true; the duplicate is always warned about). */
  dedupe?: boolean;
  /** Warnings listed per kind before the rest are summarised in one line (default 20). */
  maxWarningsPerKind?: number;
}

/**
 * Picks the format of an intent data file from its extension (`.jsonl`/`.ndjson`/`.json` → jsonl, `.csv`, `.tsv`/`.tab`
 * → tsv); for another extension, from its first non-blank line (`{` → jsonl, a tab → tsv, else csv).
 */
export function intentDataFormat(path: string, text?: string): IntentDataFormat {
  const ext = extname(path).toLowerCase();
  if (ext === '.jsonl' || ext === '.ndjson' || ext === '.json') return 'jsonl';
  if (ext === '.csv') return 'csv';
  if (ext === '.tsv' || ext === '.tab') return 'tsv';
  const first =
    (text ?? '')
      .replace(/^\ufeff/, '')
      .trimStart()
      .split('\n', 1)[0] ?? '';
  if (first.startsWith('{')) return 'jsonl';
  return first.includes('\t') ? 'tsv' : 'csv';
}

/**
 * Reads one intent data file: JSONL lines `{"text": "...", "intent": "label" | ["a", "b"], "language"?: "es"}`, or a
 * CSV/TSV file whose header names a `text` and an `intent` column (and optionally `language`; other columns are
 * ignored). CSV/TSV use RFC 4180 quoting (quoted fields may hold delimiters, `""` and line breaks).
 *
 * Multi-label CSV/TSV: separate labels with `|` in the intent column (`card_lost|card_blocked`); an empty cell is an
 * empty label list. A file is multi-label when any intent cell contains `|` or the column is named `intents`
 * (plural; use it when no row happens to have two labels).
 *
 * Throws a {@link DataError} (code `E_DATA`, message `file:line: …`) for: an unreadable file, a missing column or field,
 * non-string text, an empty label, invalid JSON, single and multi labels mixed in one file, a file with no examples.
 * Warns (`file:line: …`) about duplicate rows (dropped), the same text with different labels, a label with a single
 * example and empty text.
 * @example const { examples, mode, warnings } = readIntentData('data/train.jsonl');
 */
export function readIntentData(path: string, options: ReadIntentOptions = {}): IntentData {
  return readIntentFiles([path], options);
}

/**
 * Reads several intent data files (e.g. old data + new) as one data set: duplicates and conflicts are found across
 * files. All files must have the same mode (single- or multi-label), else a {@link DataError} is thrown.
 * @example readIntentFiles(['data/v1.jsonl', 'data/new-intents.csv'])
 */
export function readIntentFiles(paths: readonly string[], options: ReadIntentOptions = {}): IntentData {
  if (paths.length === 0) throw new DataError('(no files)', undefined, 'no intent data files given');
  const parsed = paths.map((path) => {
    const text = readDataText(path);
    return parseRows(text, intentDataFormat(path, text), path);
  });
  const first = parsed[0];
  for (const p of parsed) {
    if (p.mode !== first.mode) {
      throw new DataError(p.source, undefined, `${p.mode}-label data, but ${first.source} is ${first.mode}-label`);
    }
  }
  return finish(
    parsed.flatMap((p) => p.rows),
    first.mode,
    parsed.flatMap((p) => p.warnings),
    options,
  );
}

/**
 * Parses the text of an intent data file (see {@link readIntentData} for formats, errors and warnings);
 * `sourceName` prefixes error and warning messages.
 * @example parseIntentData('{"text":"hi","intent":"greet"}\n', 'jsonl', 'inline.jsonl')
 */
export function parseIntentData(
  text: string,
  format: IntentDataFormat,
  sourceName: string,
  options: ReadIntentOptions = {},
): IntentData {
  const parsed = parseRows(text, format, sourceName);
  return finish(parsed.rows, parsed.mode, parsed.warnings, options);
}

interface ParsedFile {
  source: string;
  rows: SourcedExample[];
  mode: IntentDataMode;
  warnings: string[];
}

function finish(rows: SourcedExample[], mode: IntentDataMode, warnings: string[], options: ReadIntentOptions) {
  const checked = checkIntentExamples(rows, mode, options.dedupe ?? true, options.maxWarningsPerKind ?? 20);
  return { examples: checked.examples, mode, warnings: [...warnings, ...checked.warnings] };
}

function parseRows(text: string, format: IntentDataFormat, source: string): ParsedFile {
  const body = text.replace(/^\ufeff/, '');
  const parsed = format === 'jsonl' ? parseJsonl(body, source) : parseTable(body, format, source);
  if (parsed.rows.length === 0) throw new DataError(source, undefined, 'the file has no examples');
  return parsed;
}

function parseJsonl(text: string, source: string): ParsedFile {
  const rows: SourcedExample[] = [];
  const warnings: string[] = [];
  let mode: IntentDataMode | undefined;
  let modeLine = 0;
  const lines = text.split(/\r\n|\n|\r/).map((raw, i) => ({ raw, line: i + 1 }));
  checkEveryRow(source, lines, ({ raw, line }) => {
    if (raw.trim() === '') return;
    const obj = parseJsonObject(raw, source, line);
    if (!('text' in obj)) throw new DataError(source, line, 'missing field "text"');
    if (typeof obj.text !== 'string')
      throw new DataError(source, line, `"text" must be a string, not ${kind(obj.text)}`);
    if (!('intent' in obj)) throw new DataError(source, line, 'missing field "intent"');
    const intent = jsonIntent(obj.intent, source, line, warnings);
    const rowMode: IntentDataMode = Array.isArray(intent) ? 'multi' : 'single';
    if (mode === undefined) [mode, modeLine] = [rowMode, line];
    else if (rowMode !== mode) throw mixedModes(source, line, rowMode, modeLine);
    const example: IntentExample = { text: obj.text, intent, line };
    const language = jsonLanguage(obj.language, source, line);
    if (language !== undefined) example.language = language;
    rows.push({ example, source });
  });
  return { source, rows, mode: mode ?? 'single', warnings };
}

function parseJsonObject(raw: string, source: string, line: number): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (e) {
    throw new DataError(source, line, `invalid JSON (${(e as Error).message})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new DataError(source, line, `expected a JSON object {"text": …, "intent": …}, not ${kind(value)}`);
  }
  return value as Record<string, unknown>;
}

function jsonIntent(value: unknown, source: string, line: number, warnings: string[]): string | string[] {
  if (typeof value === 'string') return checkLabel(value, source, line);
  if (!Array.isArray(value)) {
    throw new DataError(source, line, `"intent" must be a string or a list of strings, not ${kind(value)}`);
  }
  const labels = value.map((v) => {
    if (typeof v !== 'string') throw new DataError(source, line, `"intent" list holds ${kind(v)}, not a string`);
    return checkLabel(v, source, line);
  });
  return uniqueLabels(labels, source, line, warnings);
}

function jsonLanguage(value: unknown, source: string, line: number): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new DataError(source, line, `"language" must be a string, not ${kind(value)}`);
  return value.trim() === '' ? undefined : value.trim();
}

/** Below this share of rows with `|`, a multi-label file from an `intent` column is worth a warning. */
const PIPED_SHARE = 0.05;

function parseTable(text: string, format: 'csv' | 'tsv', source: string): ParsedFile {
  const records = parseDelimited(text, format === 'csv' ? ',' : '\t', source);
  if (records.length === 0) throw new DataError(source, undefined, 'the file has no examples');
  const [header, ...body] = records;
  const names = header.fields.map((f) => f.trim().toLowerCase());
  const found = `found: ${names.map((n) => JSON.stringify(n)).join(', ')}`;
  for (const name of ['text', 'intent', 'intents', 'language']) {
    const n = names.filter((x) => x === name).length;
    if (n > 1) throw new DataError(source, header.line, `the header has ${n} "${name}" columns (${found})`);
  }
  const textCol = names.indexOf('text');
  const pluralCol = names.indexOf('intents');
  const intentCol = names.includes('intent') ? names.indexOf('intent') : pluralCol;
  if (textCol < 0) throw new DataError(source, header.line, `the header has no "text" column (${found})`);
  if (intentCol < 0) throw new DataError(source, header.line, `the header has no "intent" column (${found})`);
  const langCol = names.indexOf('language');
  const piped = body.filter((r) => (r.fields[intentCol] ?? '').includes('|'));
  const multi = intentCol === pluralCol || piped.length > 0;
  const warnings: string[] = [];
  if (intentCol !== pluralCol && piped.length > 0 && piped.length < PIPED_SHARE * body.length)
    warnings.push(
      `${source}:${piped[0].line}: ${JSON.stringify(piped[0].fields[intentCol])} made the whole file multi-label ` +
        `('|' separates labels; ${piped.length} of ${body.length} rows have one). If '|' is part of a label name, ` +
        'rename the label; if the data is multi-label, name the column "intents" to say so',
    );
  const rows = checkEveryRow(source, body, ({ fields, line }): SourcedExample => {
    if (fields.length !== names.length) {
      const missing = fields.length < names.length ? `, missing "${names[fields.length]}"` : '';
      const hint =
        fields.length > names.length ? `; quote text that contains ${format === 'csv' ? 'commas' : 'tabs'}` : '';
      const problem = `the row has ${fields.length} fields but the header has ${names.length}${missing}${hint}`;
      throw new DataError(source, line, problem);
    }
    const cell = fields[intentCol];
    const intent = multi ? tableLabels(cell, source, line, warnings) : checkLabel(cell, source, line);
    const example: IntentExample = { text: fields[textCol], intent, line };
    const language = langCol >= 0 ? fields[langCol].trim() : '';
    if (language !== '') example.language = language;
    return { example, source };
  });
  return { source, rows, mode: multi ? 'multi' : 'single', warnings };
}

function tableLabels(cell: string, source: string, line: number, warnings: string[]): string[] {
  if (cell.trim() === '') return [];
  const labels = cell.split('|').map((l) => checkLabel(l, source, line));
  return uniqueLabels(labels, source, line, warnings);
}

/** Longest intent label: labels are names (in answers, reports, metrics), not text. */
export const MAX_LABEL_LENGTH = 200;
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const LABEL_CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

function checkLabel(label: string, source: string, line: number): string {
  const trimmed = label.trim();
  if (trimmed === '') throw new DataError(source, line, 'empty label (an intent label must be a non-empty string)');
  if (trimmed.length > MAX_LABEL_LENGTH)
    throw new DataError(
      source,
      line,
      `a label of ${trimmed.length} characters (at most ${MAX_LABEL_LENGTH}): is the text in the intent column?`,
    );
  if (LABEL_CONTROL.test(trimmed))
    throw new DataError(
      source,
      line,
      'a label with a line break or control character (labels are names, e.g. order_status)',
    );
  return trimmed;
}

function uniqueLabels(labels: string[], source: string, line: number, warnings: string[]): string[] {
  const unique = [...new Set(labels)];
  if (unique.length < labels.length) warnings.push(`${source}:${line}: a label is repeated in the list (kept once)`);
  return unique;
}

function mixedModes(source: string, line: number, rowMode: IntentDataMode, firstLine: number): DataError {
  const what = rowMode === 'multi' ? 'a list of labels' : 'a single label';
  const other = rowMode === 'multi' ? 'a single label' : 'a list';
  return new DataError(
    source,
    line,
    `${what}, but line ${firstLine} has ${other}: one file cannot mix single- and multi-label intents`,
  );
}

function kind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
