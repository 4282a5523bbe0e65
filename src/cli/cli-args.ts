/**
 * Strict parsing of a subcommand's flags (an unknown flag or a stray positional is an `E_USAGE` error naming it) and
 * small helpers for required and numeric flags.
 */
import { accessSync, closeSync, constants, existsSync, openSync, readSync, statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
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
      const [name, inline] = arg.startsWith('--') ? [arg.slice(2).split('=')[0], arg.includes('=')] : ['', false];
      const spec = options[name];
      flag = spec?.multiple && spec.type === 'string' ? `--${name}` : undefined;
      values = inline ? 1 : 0; // `--data=a b`: a is the first value
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

/** Largest seed: seeds are 32-bit (a larger one would wrap around and repeat a smaller one's model). */
export const MAX_SEED = 2 ** 32 - 1;

/**
 * An integer flag within `[min, max]`, or `fallback` when absent; an `E_USAGE` error naming the flag and the range.
 * @example integerFlag(values.seed, 'seed', { min: 0, max: MAX_SEED }) // --seed 1.5 → "--seed expects an integer from 0 to 4294967295, got '1.5'"
 */
export function integerFlag(
  value: string | undefined,
  flag: string,
  range: { min: number; max?: number },
  fallback?: number,
): number | undefined {
  if (value === undefined) return fallback;
  const n = Number(value);
  const max = range.max ?? Number.MAX_SAFE_INTEGER;
  if (value.trim() === '' || !Number.isInteger(n) || n < range.min || n > max) {
    const within = range.max === undefined ? `≥ ${range.min}` : `from ${range.min} to ${max}`;
    throw new SwitchboardError('E_USAGE', 'input', `--${flag} expects an integer ${within}, got '${value}'`);
  }
  return n;
}

/**
 * A number flag within `(low, high]`-style bounds given as a test and its wording, or `fallback` when absent.
 * @example boundedFlag(values.threshold, 'threshold', (x) => x >= 0 && x <= 1, 'from 0 to 1', 0.5)
 */
export function boundedFlag(
  value: string | undefined,
  flag: string,
  ok: (x: number) => boolean,
  wording: string,
  fallback?: number,
): number | undefined {
  const n = numberFlag(value, flag, fallback);
  if (n !== undefined && !ok(n))
    throw new SwitchboardError('E_USAGE', 'input', `--${flag} expects a number ${wording}, got '${value}'`);
  return n;
}

/** What an output file may replace. */
export interface FlagFileRules {
  /** Files the same command reads: never written over. */
  inputs?: readonly (string | undefined)[];
  /**
   * An existing regular file at the path: `never` (refused), `any` (replaced; the default), or replaced only when
   * `recognise` knows its first bytes as an earlier output of the same kind (e.g. an HTML report). Devices, pipes and
   * an empty file are always written to.
   */
  existing?: 'never' | 'any' | { kind: string; recognise: (head: string) => boolean };
  /** The flag that allows replacing an existing file, named in the refusal (e.g. `--force`). */
  forceFlag?: string;
}

/** The same file: by resolved path, and by device + inode when both exist (a link or another spelling). */
function sameFile(a: string, b: string): boolean {
  if (resolve(a) === resolve(b)) return true;
  if (!existsSync(a) || !existsSync(b)) return false;
  const [x, y] = [statSync(a), statSync(b)];
  return x.dev === y.dev && x.ino === y.ino;
}

/**
 * Checks, before long work, that the file a flag names can be written later: not a directory, in a folder that exists
 * and is writable, not a file the command reads, and (by `rules.existing`) not a file of another kind it would
 * destroy. Throws the `E_USAGE` error {@link writeFlagFile} would.
 */
export function checkFlagFile(flag: string, path: string, rules: FlagFileRules = {}): void {
  const fail = (why: string): never => {
    throw new SwitchboardError('E_USAGE', 'input', `${flag} ${path}: ${why}`);
  };
  for (const input of rules.inputs ?? [])
    if (input && sameFile(path, input)) fail('is also read by this command; write it elsewhere');
  const exists = existsSync(path);
  const info = exists ? statSync(path) : undefined;
  if (info?.isDirectory()) fail('is a directory');
  // Only a regular file with content can be lost: /dev/stdout, a pipe or a fresh mktemp file are written to.
  if (info?.isFile() && info.size > 0) {
    const rule = rules.existing;
    if (rule === 'never') fail(existsWhy(rules));
    if (typeof rule === 'object' && !rule.recognise(readHead(path)))
      fail(`exists and is not an earlier ${rule.kind}; choose another file`);
  }
  const folder = dirname(resolve(path));
  if (!existsSync(folder)) fail('is in a folder that does not exist');
  try {
    accessSync(exists ? path : folder, constants.W_OK);
  } catch {
    fail('cannot be written (permission denied)');
  }
}

/** Why an existing file is refused under `existing: 'never'`, naming the flag that would allow it. */
const existsWhy = (rules: FlagFileRules) =>
  `exists${rules.forceFlag ? `; choose a new file (or ${rules.forceFlag} to replace it)` : ''}`;

/** The first kilobyte of a regular file as text ('' when it cannot be read). */
function readHead(path: string): string {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const buf = Buffer.alloc(1024);
    return buf.subarray(0, readSync(fd, buf, 0, buf.length, 0)).toString('utf8');
  } catch {
    return '';
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * Writes a file a flag names, after {@link checkFlagFile} with the same rules; a failure (a directory, a missing or
 * read-only folder) is an `E_USAGE` error naming the flag and the path.
 * @example await writeFlagFile('--out', 'new.jsonl', text, { existing: 'never', forceFlag: '--force' })
 */
export async function writeFlagFile(
  flag: string,
  path: string,
  data: string,
  rules: FlagFileRules = {},
): Promise<void> {
  checkFlagFile(flag, path, rules);
  try {
    // `never` and no file yet: the check and the create are one step (a file that appeared since, or a dangling link,
    // is not written). An empty file, a device or a pipe passed the check and is written to.
    await writeFile(path, data, { flag: rules.existing === 'never' && !existsSync(path) ? 'wx' : 'w' });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === 'EEXIST'
        ? existsWhy(rules)
        : code === 'EISDIR'
          ? 'is a directory'
          : code === 'ENOENT'
            ? 'is in a folder that does not exist'
            : code === 'EACCES' || code === 'EPERM' || code === 'EROFS'
              ? 'cannot be written (permission denied)'
              : `cannot be written (${(e as Error).message})`;
    throw new SwitchboardError('E_USAGE', 'input', `${flag} ${path}: ${why}`, { cause: e });
  }
}

/** A path as a shell word, for a command the user may copy: quoted when it holds anything but letters, digits, `/._-`. */
export function shellQuote(path: string): string {
  return /^[\w./-]+$/.test(path) ? path : `'${path.replace(/'/g, "'\\''")}'`;
}
