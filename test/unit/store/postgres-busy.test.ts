/**
 * Issue 15: a pool whose every connection stays in use for the whole wait used to count as "database down", so turns
 * were spooled (and the spool, which drains one turn at a time, deepened the overload). A wait that times out while
 * the database keeps answering is E_STORE_BUSY; a database that cannot be reached is still E_STORE_UNAVAILABLE.
 */
import { describe, expect, it } from 'vitest';
import { isBusy, isUnavailable, PostgresClient } from '../../../src/store/postgres-client.ts';
import { TEST_DATABASE_URL } from '../../fixtures/test-databases.ts';

describe.skipIf(!TEST_DATABASE_URL)('PostgreSQL pool: busy is not down', () => {
  it('a query waiting for the only connection while the database keeps answering is E_STORE_BUSY', async () => {
    const db = await PostgresClient.connect(TEST_DATABASE_URL as string, { max: 1 });
    try {
      let release = () => {};
      const released = new Promise<void>((r) => {
        release = r;
      });
      // The only connection stays checked out, answering a query every 100 ms, until the waiting query gave up.
      const holder = db.transaction(async (c) => {
        let stop = false;
        void released.then(() => {
          stop = true;
        });
        while (!stop) {
          await c.query('SELECT 1');
          await new Promise((r) => setTimeout(r, 100));
        }
      });
      const e = await db.query('SELECT 2').catch((err: unknown) => err);
      release();
      await holder;
      expect(isBusy(e)).toBe(true);
      expect(isUnavailable(e)).toBe(false);
      expect((e as Error).message).toMatch(/busy: no free connection within 5 s/);
      // The pool is fine afterwards.
      expect(await db.query<{ n: number }>('SELECT 3 AS n')).toEqual([{ n: 3 }]);
    } finally {
      await db.close();
    }
  });

  it('an SQL error is an answer, not an outage', async () => {
    const db = await PostgresClient.connect(TEST_DATABASE_URL as string, { max: 1 });
    try {
      const e = await db.query('SELECT * FROM no_such_table_here').catch((err: unknown) => err);
      expect(isUnavailable(e)).toBe(false);
      expect(isBusy(e)).toBe(false);
    } finally {
      await db.close();
    }
  });
});
