import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { MIGRATIONS, migrateSqlite } from '../../../src/store/migrations.ts';
import { SqliteClient } from '../../../src/store/sql-client.ts';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'switchboard-backup-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the real CLI; resolves with its exit code and stderr. */
const cli = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  run(process.execPath, ['bin/switchboard.js', ...args], {
    env: { ...process.env, DATABASE_URL: '', ...env },
    timeout: 120_000,
  }).then(
    (r) => ({ code: 0, stderr: r.stderr }),
    (e: { code: number; stderr: string }) => ({ code: e.code, stderr: e.stderr }),
  );

describe('switchboard backup (SQLite) and the schema guard', () => {
  it('copies a store that is open and being written to (WAL not checkpointed) into one consistent file', async () => {
    const file = join(dir, 'live.db');
    const live = new SqliteClient(file); // the running server's connection
    migrateSqlite(live);
    live.db.exec('CREATE TABLE notes (n INTEGER)');
    const insert = live.db.prepare('INSERT INTO notes (n) VALUES (?)');
    for (let i = 0; i < 500; i++) insert.run(i);
    const r = await cli(['backup', '--store', file, '--out', join(dir, 'copy.db')]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/backed up .*live\.db to .*copy\.db/);
    const copy = new Database(join(dir, 'copy.db'), { readonly: true });
    expect(copy.prepare('SELECT count(*) AS c FROM notes').get()).toEqual({ c: 500 });
    expect((copy.prepare('SELECT max(version) AS v FROM schema_migrations').get() as { v: number }).v).toBe(
      Math.max(...MIGRATIONS.map((m) => m.version)),
    );
    copy.close();
    // Never over an existing file.
    const again = await cli(['backup', '--store', file, '--out', join(dir, 'copy.db')]);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toMatch(/exists: give a new file name/);
    live.db.close();
  });

  it('with DATABASE_URL set it says to use pg_dump; a missing store is named', async () => {
    const pg = await cli(['backup', '--out', join(dir, 'x.db')], { DATABASE_URL: 'postgres://127.0.0.1:1/none' });
    expect(pg.code).not.toBe(0);
    expect(pg.stderr).toMatch(/pg_dump/);
    const missing = await cli(['backup', '--store', join(dir, 'nope.db'), '--out', join(dir, 'y.db')]);
    expect(missing.stderr).toMatch(/no SQLite store at .*nope\.db/);
  });

  it('a database migrated by a newer switchboard is refused, saying why', () => {
    const file = join(dir, 'newer.db');
    const a = new SqliteClient(file);
    migrateSqlite(a);
    a.db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)').run(999, Date.now());
    a.db.close();
    const b = new SqliteClient(file);
    expect(() => migrateSqlite(b)).toThrow(/schema version 999, from a newer switchboard/);
    b.db.close();
  });
});
