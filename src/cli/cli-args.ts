/**
 * Strict parsing of a subcommand's flags (an unknown flag or a stray positional is an `E_USAGE` error naming it) and
 * small helpers for required and numeric flags.
 */
import { parseArgs } from 'node:util';
import { SwitchboardError } from '../errors.ts';

type OptionSpec = Record<string, { type: 'string' | 'boolean'; multiple?: boolean; short?: string }>;

/**
 * Parses a subcommand's arguments strictly: an unknown flag or a stray positional is an `E_USAGE` error naming it.
 * @example const { values } = parseCommandArgs(args, { data: { type: 'string', multiple: true } }, 'train intent');
 */
export function parseCommandArgs<T extends OptionSpec>(args: string[], options: T, command: string) {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: false });
  } catch (e) {
    throw new SwitchboardError('E_USAGE', 'input', `${command}: ${(e as Error).message} (see 'switchboard help')`);
  }
}

/** The value of a required string flag, or an `E_USAGE` error naming it. */
export function required(value: string | undefined, flag: string, command: string): string {
  if (!value) throw new SwitchboardError('E_USAGE', 'input', `${command}: --${flag} is required`);
  return value;
}

/** Throws an `E_USAGE` error: `<command>: <message>` (flags that do not go together, data that does not fit). */
export function usageError(command: string, message: string): never {
  throw new SwitchboardError('E_USAGE', 'input', `${command}: ${message}`);
}

/** A numeric flag (integer or float), or `fallback` when absent; an `E_USAGE` error when not a number. */
export function numberFlag(value: string | undefined, flag: string, fallback?: number): number | undefined {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n)) throw new SwitchboardError('E_USAGE', 'input', `--${flag} expects a number, got '${value}'`);
  return n;
}

/** A path as a shell word, for a command the user may copy: quoted when it holds anything but letters, digits, `/._-`. */
export function shellQuote(path: string): string {
  return /^[\w./-]+$/.test(path) ? path : `'${path.replace(/'/g, "'\\''")}'`;
}
