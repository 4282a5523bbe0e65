/**
 * The error of an unusable data file (`E_DATA`), naming `file:line`, and the one reader of data files' text.
 */
import { readFileSync } from 'node:fs';
import { SwitchboardError } from '../errors.ts';

/** Stable code of every error raised for a malformed or unusable data file. */
export const E_DATA = 'E_DATA';

/**
 * A data file could not be used (kind `input`, code `E_DATA`): the message names the file and the 1-based line
 * (`file:line: what is wrong`), so a person can open the file and fix it.
 * @example
 * try { readIntentData('train.csv'); } catch (e) { if (isSwitchboardError(e, 'E_DATA')) console.error(e.message); }
 */
export class DataError extends SwitchboardError {
  /** The file (or source name) the problem is in. */
  readonly source: string;
  /** 1-based line of the problem, when it has one. */
  readonly line?: number;

  /** What is wrong, without the `file:line: ` in front. */
  readonly problem: string;

  constructor(source: string, line: number | undefined, problem: string) {
    super(E_DATA, 'input', `${line === undefined ? source : `${source}:${line}`}: ${problem}`);
    this.name = 'DataError';
    this.source = source;
    this.line = line;
    this.problem = problem;
  }
}

/** Most row problems one error lists (the rest are counted). */
export const MAX_LISTED_ROW_PROBLEMS = 20;

/**
 * Checks every row of a file, so that one run names every bad row instead of one per run: `check(row)` runs for each
 * row; the {@link DataError}s it throws are collected and thrown at the end as one, naming the first row's problem
 * first and listing the others (at most {@link MAX_LISTED_ROW_PROBLEMS}) under it. Other errors pass through.
 * @example const rows = checkEveryRow('train.jsonl', lines, (l) => parseLine(l));
 */
export function checkEveryRow<T, R>(source: string, rows: readonly T[], check: (row: T) => R | undefined): R[] {
  const out: R[] = [];
  const problems: DataError[] = [];
  for (const row of rows) {
    try {
      const r = check(row);
      if (r !== undefined) out.push(r);
    } catch (e) {
      if (!(e instanceof DataError)) throw e;
      problems.push(e);
    }
  }
  if (problems.length === 1) throw problems[0];
  if (problems.length > 1) {
    const listed = problems.slice(0, MAX_LISTED_ROW_PROBLEMS).map((e) => `\n  ${e.message}`);
    const more = problems.length > listed.length ? `\n  … and ${problems.length - listed.length} more` : '';
    const head = `${problems[0].problem}\n${problems.length} rows of ${source} have problems:`;
    throw new DataError(source, problems[0].line, `${head}${listed.join('')}${more}`);
  }
  return out;
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The text of a data file, which must be UTF-8. Throws a {@link DataError}: the file cannot be read (its code), or a
 * line is not UTF-8 (a Latin-1 or UTF-16 export would otherwise train on U+FFFD characters without a word).
 * @example const text = readDataText('data/intents.csv');
 */
export function readDataText(path: string): string {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new DataError(path, undefined, `cannot read the file (${(e as NodeJS.ErrnoException).code ?? e})`);
  }
  try {
    return UTF8.decode(bytes);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ERR_ENCODING_INVALID_ENCODED_DATA') {
      throw new DataError(path, undefined, `cannot read the file (${(e as NodeJS.ErrnoException).code ?? e})`);
    }
    throw new DataError(
      path,
      firstInvalidLine(bytes),
      'not UTF-8 text: save the file as UTF-8 (a spreadsheet or editor export in another encoding garbles accented letters)',
    );
  }
}

/** The 1-based line of the first byte sequence that is not UTF-8 (lines split at LF, which UTF-8 never hides). */
function firstInvalidLine(bytes: Buffer): number | undefined {
  let line = 1;
  for (let start = 0; start <= bytes.length; line++) {
    let end = bytes.indexOf(0x0a, start);
    if (end < 0) end = bytes.length;
    try {
      UTF8.decode(bytes.subarray(start, end));
    } catch {
      return line;
    }
    start = end + 1;
  }
  return undefined;
}
