import { afterEach, describe, expect, it } from 'vitest';
import type { Turn } from '../../../src/turn.ts';
import { testDatabases } from '../../fixtures/test-databases.ts';

const turn = (id: string, text = 'where is my card?'): Turn => ({
  id,
  channel: 'slack',
  conversation: 'slack:T1:D1',
  user: 'U1',
  text,
  receivedAt: 1_700_000_000_000,
});

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

describe.each(testDatabases())('SqlTurnInbox on $name', (database) => {
  const open = async () => {
    const stores = await database.open();
    cleanups.push(stores.cleanup);
    return stores;
  };

  it('records a turn once: a retry of the same event id is a duplicate, done or not', async () => {
    const { inbox } = await open();
    expect(await inbox.accept(turn('Ev1'), { channel: 'D1' }, 'a', 30_000)).toBe('accepted');
    expect(await inbox.accept(turn('Ev1'), { channel: 'D1' }, 'b', 30_000)).toBe('duplicate');
    expect(await inbox.pending()).toBe(1);
    await inbox.complete('slack:Ev1');
    expect(await inbox.accept(turn('Ev1'), { channel: 'D1' }, 'a', 30_000)).toBe('duplicate');
    expect(await inbox.pending()).toBe(0);
  });

  it('a finished row keeps no customer text', async () => {
    const stores = await open();
    await stores.inbox.accept(turn('Ev2', 'my secret text'), {}, 'a', 30_000);
    expect(JSON.stringify(await stores.client.query('SELECT * FROM turn_inbox'))).toContain('my secret text');
    await stores.inbox.complete('slack:Ev2');
    expect(JSON.stringify(await stores.client.query('SELECT * FROM turn_inbox'))).not.toContain('my secret text');
  });

  it("take: an owner's restart gets back its previous run's rows; others wait for the lease to run out", async () => {
    const { inbox } = await open();
    await inbox.accept(turn('Ev3'), { channel: 'D1' }, 'a', 60_000);
    await inbox.accept(turn('Ev4'), { channel: 'D1' }, 'a', 60_000);
    const later = Date.now() + 1000; // a restarted a's start
    expect(await inbox.take('b', 60_000, 10, new Set(), later)).toEqual([]); // a's leases hold
    // The same run never takes its own fresh rows (they may be between their record and their handling).
    expect(await inbox.take('a', 60_000, 10, new Set(), 0)).toEqual([]);
    const mine = await inbox.take('a', 60_000, 10, new Set(['slack:Ev4']), later); // Ev4 is still in a's hands
    expect(mine.map((e) => e.key)).toEqual(['slack:Ev3']);
    expect(mine[0]).toMatchObject({ turn: turn('Ev3'), address: { channel: 'D1' }, attempts: 2 });
    await inbox.accept(turn('Ev5'), {}, 'a', -1); // a lease already run out (a crashed instance's)
    expect((await inbox.take('b', 60_000, 10, new Set(), 0)).map((e) => e.key)).toEqual(['slack:Ev5']);
    expect(await inbox.take('c', 60_000, 10, new Set(), 0)).toEqual([]); // now b's
  });

  it('renew keeps a long turn from being taken; failed rows are never taken', async () => {
    const { inbox } = await open();
    await inbox.accept(turn('Ev6'), {}, 'a', -1);
    await inbox.renew(['slack:Ev6'], 'a', 60_000);
    expect(await inbox.take('b', 60_000, 10, new Set(), 0)).toEqual([]);
    await inbox.fail('slack:Ev6', 'E_NOT_CONNECTED');
    expect(await inbox.take('a', 60_000, 10, new Set(), 0)).toEqual([]);
    expect(await inbox.pending()).toBe(0);
  });

  it('two instances taking at once never get the same row', async () => {
    const { inbox } = await open();
    for (let i = 0; i < 20; i++) await inbox.accept(turn(`Race${i}`), {}, 'dead', -1);
    const [x, y] = await Promise.all([
      inbox.take('x', 60_000, 50, new Set(), 0),
      inbox.take('y', 60_000, 50, new Set(), 0),
    ]);
    const keys = [...x, ...y].map((e) => e.key);
    expect(keys).toHaveLength(20);
    expect(new Set(keys).size).toBe(20);
  });
});
