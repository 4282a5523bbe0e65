import pg from 'pg';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openStores, type Stores } from '../../../src/server/open-stores.ts';
import { runExclusive } from '../../../src/store/cluster-leases.ts';
import { FEED_APPEND_LOCK } from '../../../src/store/sql-event-feed.ts';
import { freshPostgresSchema, TEST_DATABASE_URL, testDatabases } from '../../fixtures/test-databases.ts';
import { WAIT_MS } from '../../fixtures/wait.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe.each(testDatabases())('event feed and cluster leases on $name', (database) => {
  const open = async () => {
    const stores = await database.open();
    cleanups.push(stores.cleanup);
    return stores;
  };

  it('appends, reads a stream after an id, and tells subscribers which stream changed', async () => {
    const { events } = await open();
    const heard: string[] = [];
    events.subscribe((s) => heard.push(s));
    const a = await events.append('web:c1', '{"text":"one"}');
    const b = await events.append('web:c2', '{"text":"other"}');
    const c = await events.append('web:c1', '{"text":"two"}');
    expect(a < b && b < c).toBe(true);
    expect(await events.since('web:c1', 0)).toEqual([
      { id: a, data: '{"text":"one"}' },
      { id: c, data: '{"text":"two"}' },
    ]);
    expect(await events.since('web:c1', a)).toEqual([{ id: c, data: '{"text":"two"}' }]);
    expect(await events.last('web:c1')).toBe(c);
    expect(await events.last('web:none')).toBe(0);
    await vi.waitFor(() => expect(heard).toEqual(expect.arrayContaining(['web:c1', 'web:c2'])), { timeout: WAIT_MS });
  });

  it('a lease is one instance’s at a time, until released or run out', async () => {
    const { leases } = await open();
    expect(await leases.acquire('chore', 'a', 60_000)).toBe(true);
    expect(await leases.acquire('chore', 'b', 60_000)).toBe(false);
    expect(await leases.acquire('chore', 'a', 60_000)).toBe(true); // renewed
    await leases.release('chore', 'a');
    expect(await leases.acquire('chore', 'b', -1)).toBe(true); // taken, and already run out
    expect(await leases.acquire('chore', 'c', 60_000)).toBe(true);
    let ran = 0;
    const work = async () => {
      ran++;
      await new Promise((r) => setTimeout(r, 50));
    };
    const [x, y] = await Promise.all([
      runExclusive(leases, 'once', 'x', work),
      runExclusive(leases, 'once', 'y', work),
    ]);
    expect([x, y].filter(Boolean)).toHaveLength(1);
    expect(ran).toBe(1);
  });
});

/** Two instances' stores on one fresh PostgreSQL schema (closed and dropped after the test). */
async function twoInstances(): Promise<{ schema: { url: string }; a: Stores; b: Stores }> {
  const schema = await freshPostgresSchema(TEST_DATABASE_URL as string);
  cleanups.push(schema.drop);
  const a: Stores = await openStores({ databaseUrl: schema.url, sqliteFile: '' });
  cleanups.push(() => a.close());
  const b: Stores = await openStores({ databaseUrl: schema.url, sqliteFile: '' });
  cleanups.push(() => b.close());
  return { schema, a, b };
}

describe.skipIf(!TEST_DATABASE_URL)('event feed across instances (PostgreSQL LISTEN/NOTIFY)', () => {
  it("an instance hears another's appends and reads them", async () => {
    const { a, b } = await twoInstances();
    const heard: string[] = [];
    b.events.subscribe((s) => heard.push(s));
    // LISTEN is set up in the background: append until B hears one (the feed keeps every event anyway).
    await vi.waitFor(
      async () => {
        await a.events.append('console', '{"kind":"opened"}');
        expect(heard).toContain('console');
      },
      { timeout: 10_000, interval: 200 },
    );
    const seen = await b.events.since('console', 0);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen[0].data).toBe('{"kind":"opened"}');
  });

  it('an append waits for an earlier one to the same stream still in flight, so no reader reads past it', async () => {
    const { schema, a, b } = await twoInstances();
    // Another instance's append, caught between its INSERT (its id taken) and its commit.
    const other = new pg.Client({ connectionString: schema.url });
    await other.connect();
    cleanups.push(() => other.end());
    await other.query('BEGIN');
    await other.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [FEED_APPEND_LOCK, 'web:c9']);
    const [earlier] = (
      await other.query("INSERT INTO feed_events (stream, data, at) VALUES ('web:c9', 'earlier', $1) RETURNING id", [
        Date.now(),
      ])
    ).rows;
    let appended = false;
    const later = a.events.append('web:c9', 'later').then((id) => {
      appended = true;
      return id;
    });
    await new Promise((r) => setTimeout(r, 300));
    // The later append has not committed: a reader sees neither event, never the later one alone.
    expect(appended).toBe(false);
    expect(await b.events.since('web:c9', 0)).toEqual([]);
    await other.query('COMMIT');
    const id = await later;
    expect(id).toBeGreaterThan(Number(earlier.id));
    expect((await b.events.since('web:c9', 0)).map((e) => e.data)).toEqual(['earlier', 'later']);
  });
});
