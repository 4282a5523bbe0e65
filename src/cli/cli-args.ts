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
    return parseArgs({ args: spreadMultiple(args, options), options, strict: true, allowPositionals: false });
  } catch (e) {
    throw new SwitchboardError('E_USAGE', 'input', `${command}: ${(e as Error).message} (see 'switchboard help')`);
  }
}

/**
 * `--data a b` as `--data a --data b` for a flag that takes several values (these commands take no positionals, so
 * words after such a flag, up to the next flag, are its values).
 * @example spreadMultiple(['--data', 'a', 'b', '--out', 'm'], { data: { type: 'string', multiple: true } })
 * // ['--data', 'a', '--data', 'b', '--out', 'm']
 */
export function spreadMultiple(args: readonly string[], options: OptionSpec): string[] {
  const out: string[] = [];
  let flag: string | undefined; // the multi-value flag whose values these words are
  let values = 0;
  for (const arg of args) {
    if (arg.startsWith('-') && arg !== '-') {
      const spec = arg.startsWith('--') ? options[arg.slice(2)] : undefined;
      flag = spec?.multiple && spec.type === 'string' ? arg : undefined;
      values = 0;
    } else if (flag && values++ > 0) out.push(flag);
    out.push(arg);
  }
  return out;
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
