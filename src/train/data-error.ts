/**
 * The error of an unusable data file (`E_DATA`), naming `file:line`.
 */
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

  constructor(source: string, line: number | undefined, problem: string) {
    super(E_DATA, 'input', `${line === undefined ? source : `${source}:${line}`}: ${problem}`);
    this.name = 'DataError';
    this.source = source;
    this.line = line;
  }
}
