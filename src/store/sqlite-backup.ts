/**
 * A consistent copy of the SQLite store while the server keeps writing to it: SQLite's online backup (page by page,
 * restarting when a writer changes a copied page), so the copy is one moment of the database, never a torn file.
 */
import { existsSync, statSync } from 'node:fs';
import Database from 'better-sqlite3';
import { SwitchboardError } from '../errors.ts';

/** Copies the SQLite store `file` to `out` (which must not exist); resolves with the copy's size in bytes. */
export async function backupSqlite(file: string, out: string): Promise<number> {
  if (!existsSync(file)) throw new SwitchboardError('E_STORE_OPEN', 'input', `no SQLite store at ${file}`);
  if (existsSync(out)) throw new SwitchboardError('E_USAGE', 'input', `${out} exists: give a new file name`);
  let db: Database.Database;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
  } catch (e) {
    throw new SwitchboardError(
      'E_STORE_OPEN',
      'input',
      `cannot open the SQLite store ${file}: ${(e as Error).message}`,
    );
  }
  try {
    await db.backup(out);
  } finally {
    db.close();
  }
  return statSync(out).size;
}
