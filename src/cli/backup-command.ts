/**
 * `switchboard backup --out FILE [--store FILE]`: a consistent copy of the SQLite store, safe while the server runs.
 * A PostgreSQL deployment is backed up with PostgreSQL's own tools (the error says how).
 */
import { join } from 'node:path';
import { readEnvConfig } from '../config/env-config.ts';
import { SwitchboardError } from '../errors.ts';
import { backupSqlite } from '../store/sqlite-backup.ts';
import { parseCommandArgs, required } from './cli-args.ts';

export async function backupCommand(args: string[]): Promise<number> {
  const { values } = parseCommandArgs(args, { out: { type: 'string' }, store: { type: 'string' } }, 'backup');
  const out = required(values.out, 'out', 'backup');
  if (readEnvConfig().databaseUrl && !values.store)
    throw new SwitchboardError(
      'E_USAGE',
      'input',
      'backup: the state is in PostgreSQL (DATABASE_URL is set): back it up with pg_dump, e.g. pg_dump --format=custom --file=switchboard.dump "$DATABASE_URL" (docs/deploy.md)',
    );
  const store = values.store ?? join('data', 'switchboard.db');
  const bytes = await backupSqlite(store, out);
  process.stderr.write(`switchboard: backed up ${store} to ${out} (${(bytes / 1e6).toFixed(1)} MB)\n`);
  return 0;
}
