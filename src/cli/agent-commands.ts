/**
 * `switchboard agent hash-password`: reads a password (typed without echo at a terminal, else the first line of stdin)
 * and prints its scrypt hash for bot.yaml (`agents[].password_hash`) or `SWITCHBOARD_AGENT_PASSWORD_HASHES`. The
 * password itself is never printed or stored.
 *
 * @example echo 'correct horse battery' | switchboard agent hash-password   # scrypt$16384$8$1$…$…
 */
import { SwitchboardError } from '../errors.ts';
import { hashPassword } from '../util/password-hash.ts';
import { parseCommandArgs } from './cli-args.ts';

/** Shortest password accepted. */
const MIN_PASSWORD = 8;

/** Reads one line from stdin; at a terminal, with a prompt and without echoing what is typed. */
function readPassword(): Promise<string> {
  const stdin = process.stdin;
  if (!stdin.isTTY) {
    return new Promise((resolve, reject) => {
      let data = '';
      stdin.setEncoding('utf8');
      stdin.on('data', (d: string) => {
        data += d;
      });
      stdin.on('end', () => resolve(data.split(/\r?\n/)[0] ?? ''));
      stdin.on('error', reject);
    });
  }
  process.stderr.write('Password (not shown): ');
  return new Promise((resolve) => {
    let typed = '';
    stdin.setRawMode(true);
    stdin.setEncoding('utf8');
    const done = (value: string) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      process.stderr.write('\n');
      resolve(value);
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') return done(typed);
        if (ch === '\u0003') return done(''); // Ctrl-C
        if (ch === '\u007f' || ch === '\b') typed = typed.slice(0, -1);
        else typed += ch;
      }
    };
    stdin.on('data', onData);
    stdin.resume();
  });
}

/** `switchboard agent hash-password`: prints the hash of the password read from stdin. */
export async function hashPasswordCommand(args: string[]): Promise<number> {
  parseCommandArgs(args, {}, 'agent hash-password');
  const password = await readPassword();
  if (password.length < MIN_PASSWORD)
    throw new SwitchboardError(
      'E_ARGS',
      'input',
      `agent hash-password: the password must have at least ${MIN_PASSWORD} characters (type it, or pipe it on stdin)`,
    );
  process.stdout.write(`${await hashPassword(password)}\n`);
  return 0;
}
