import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SwitchboardError } from '../../src/errors.ts';
import { memoryLogger } from '../../src/log.ts';
import { migrateSqlite } from '../../src/store/migrations.ts';
import { isStoreFault, isUnavailable } from '../../src/store/postgres-client.ts';
import { SqliteClient } from '../../src/store/sql-client.ts';
import { SqlTurnInbox } from '../../src/store/sql-turn-inbox.ts';
import type { TurnInbox } from '../../src/store/turn-inbox.ts';
import { TurnSpool } from '../../src/store/turn-spool.ts';
import type { Turn } from '../../src/turn.ts';
import type { TurnOutcome } from '../../src/turn-handler.ts';
import { TurnIntake } from '../../src/turn-intake.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const turn = (id: string): Turn => ({
  id,
  channel: 'web',
  conversation: 'web:c1',
  user: 'c1',
  text: `message ${id}`,
  receivedAt: Date.now(),
});

const down = () => new SwitchboardError('E_STORE_UNAVAILABLE', 'transport', 'PostgreSQL unavailable: test');
const busy = () => new SwitchboardError('E_STORE_BUSY', 'transport', 'PostgreSQL busy: no free connection within 5 s');

/** An inbox over a SQLite file whose every call fails as a database outage while `db.down` is set. */
function flakyInbox(file: string) {
  const client = new SqliteClient(file);
  migrateSqlite(client);
  const real = new SqlTurnInbox(client);
  const db = { down: false, busy: false };
  const inbox = new Proxy(real, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver);
      if (typeof v !== 'function') return v;
      return (...args: unknown[]) =>
        db.down ? Promise.reject(down()) : db.busy ? Promise.reject(busy()) : v.apply(target, args);
    },
  }) as TurnInbox;
  return { inbox, db, client };
}

/** A turn handler that records what it handled; `block` holds turns until released. */
function recorder() {
  const handled: string[] = [];
  let gate: Promise<void> | undefined;
  let open: () => void = () => {};
  const h = {
    handled,
    fail: undefined as Error | undefined,
    block() {
      gate = new Promise((resolve) => {
        open = resolve;
      });
    },
    release: () => open(),
    handle: async (t: Turn): Promise<TurnOutcome> => {
      if (gate) await gate;
      if (h.fail) {
        const e = h.fail;
        h.fail = undefined;
        throw e;
      }
      handled.push(t.id);
      return { status: 'feedback', recorded: true };
    },
  };
  return h;
}

function setup(owner = 'host:1') {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-intake-'));
  dirs.push(dir);
  const { inbox, db, client } = flakyInbox(join(dir, 'db.sqlite'));
  const h = recorder();
  const log = memoryLogger();
  const make = (name: string) => {
    let intake: TurnIntake | undefined;
    const spool = new TurnSpool(
      join(dir, 'spool.jsonl'),
      (t, a) => (intake as TurnIntake).fromSpool(t, a),
      isStoreFault, // as the server wires it (app-server.ts)
      log,
    );
    intake = new TurnIntake({ inbox, spool, handle: (t) => h.handle(t), log, owner: name, leaseMs: 60_000 });
    return { intake, spool };
  };
  return { inbox, db, client, h, log, make, first: make(owner) };
}

describe('TurnIntake', () => {
  it('records a turn before handling it, marks it done after, and refuses a retry', async () => {
    const { inbox, h, first } = setup();
    h.block();
    const receipt = await first.intake.receive(turn('1'), { conversation: 'c1' });
    expect(receipt.status).toBe('accepted');
    expect(await inbox.pending()).toBe(1); // durable while the handler works
    expect(await first.intake.receive(turn('1'), { conversation: 'c1' })).toEqual({ status: 'duplicate' });
    h.release();
    if (receipt.status === 'accepted') expect(await receipt.outcome).toMatchObject({ status: 'feedback' });
    expect(await inbox.pending()).toBe(0);
    expect(h.handled).toEqual(['1']);
  });

  it('a turn whose process died mid-turn is handled once by the same instance when it starts again', async () => {
    const { h, make, first } = setup();
    h.block();
    await first.intake.receive(turn('2'), {}); // the process "dies" here: its handler never finishes
    await new Promise((r) => setTimeout(r, 5)); // a restart comes later
    const restarted = make('host:1');
    const again = recorder();
    h.handle = again.handle; // the new process's handler (the old one stays stuck)
    expect(await restarted.intake.sweep()).toBe(1);
    expect(again.handled).toEqual(['2']);
    expect(await restarted.intake.sweep()).toBe(0); // done: never again
  });

  it("another instance takes a dead instance's turn only after its lease runs out", async () => {
    const { inbox, h } = setup();
    await inbox.accept(turn('3'), {}, 'host:dead', 60_000);
    await inbox.accept(turn('4'), {}, 'host:dead', -1);
    const spoolDir = mkdtempSync(join(tmpdir(), 'switchboard-intake-'));
    dirs.push(spoolDir);
    const log = memoryLogger();
    const spool = new TurnSpool(join(spoolDir, 'spool.jsonl'), async () => {}, isUnavailable, log);
    const b = new TurnIntake({ inbox, spool, handle: (t) => h.handle(t), log, owner: 'host:b' });
    expect(await b.sweep()).toBe(1);
    expect(h.handled).toEqual(['4']);
    expect(log.lines).toContainEqual(expect.objectContaining({ event: 'inbox_turn_resumed', key: 'web:4' }));
  });

  it('every connection busy at the door: the turn is refused (not spooled), and recorded once when it comes again', async () => {
    const { db, h, first, inbox } = setup();
    db.busy = true;
    const refused = await first.intake.receive(turn('b1'), {}).catch((e: unknown) => e);
    expect((refused as { code?: string }).code).toBe('E_STORE_BUSY');
    expect(first.spool.size).toBe(0);
    db.busy = false;
    const again = await first.intake.receive(turn('b1'), {});
    expect(again.status).toBe('accepted');
    if (again.status === 'accepted') await again.outcome;
    expect(h.handled).toEqual(['b1']);
    expect(await inbox.pending()).toBe(0);
  });

  it('the database down at the door: the turn is spooled, then recorded and handled once it answers', async () => {
    const { inbox, db, h, first } = setup();
    db.down = true;
    const receipt = await first.intake.receive(turn('5'), {});
    expect(receipt.status).toBe('accepted');
    if (receipt.status === 'accepted') expect(await receipt.outcome).toEqual({ status: 'spooled' });
    // While the spool holds a turn, the next one queues behind it (order kept), even with the database back.
    db.down = false;
    const next = await first.intake.receive(turn('6'), {});
    if (next.status === 'accepted') expect(await next.outcome).toEqual({ status: 'spooled' });
    await first.spool.drain(); // (or the drain the second receive started)
    await vi.waitFor(() => expect(first.spool.size).toBe(0), { timeout: 10_000 });
    expect(h.handled).toEqual(['5', '6']);
    expect(await inbox.pending()).toBe(0);
    // A retry of a spooled turn after it was handled is refused.
    expect(await first.intake.receive(turn('5'), {})).toEqual({ status: 'duplicate' });
  });

  it('a spooled turn that meets a busy database while draining stays spooled, and is handled once it answers', async () => {
    const { inbox, db, h, first } = setup();
    first.spool.add({ turn: turn('s1'), address: {} }); // as the door spools it while the database is down
    db.busy = true;
    await first.spool.drain();
    expect(first.spool.size).toBe(1); // not dropped as a failed turn
    expect(h.handled).toEqual([]);
    db.busy = false;
    await first.spool.drain();
    await vi.waitFor(() => expect(first.spool.size).toBe(0), { timeout: 10_000 });
    expect(h.handled).toEqual(['s1']);
    expect(await inbox.pending()).toBe(0);
  });

  it('the database failing mid-turn leaves the turn recorded; the next sweep handles it (not a duplicate)', async () => {
    const { inbox, h, first } = setup();
    h.fail = down();
    const receipt = await first.intake.receive(turn('7'), {});
    if (receipt.status === 'accepted') expect(await receipt.outcome).toEqual({ status: 'spooled' });
    expect(h.handled).toEqual([]);
    expect(await inbox.pending()).toBe(1);
    expect(await first.intake.sweep()).toBe(1);
    expect(h.handled).toEqual(['7']);
    expect(await inbox.pending()).toBe(0);
  });

  it('a turn that fails for another reason is marked failed with its code and not retried', async () => {
    const { inbox, client, h, first } = setup();
    h.fail = new SwitchboardError('E_NOT_CONNECTED', 'remote', 'the page is gone');
    const receipt = await first.intake.receive(turn('8'), {});
    if (receipt.status === 'accepted') await expect(receipt.outcome).rejects.toThrow(/page is gone/);
    expect(await inbox.pending()).toBe(0);
    expect(await client.query('SELECT status, error FROM turn_inbox')).toEqual([
      { status: 'failed', error: 'E_NOT_CONNECTED' },
    ]);
    expect(await first.intake.sweep()).toBe(0);
  });

  it('a reply sent while the database went down is marked done later, never handled twice', async () => {
    const { inbox, db, h, first } = setup();
    h.block();
    const receipt = await first.intake.receive(turn('9'), {});
    db.down = true; // the handler finishes, but `complete` cannot reach the database
    h.release();
    if (receipt.status === 'accepted') await receipt.outcome;
    db.down = false;
    expect(await first.intake.sweep()).toBe(0);
    expect(await inbox.pending()).toBe(0);
    expect(h.handled).toEqual(['9']);
  });

  it('a lease that runs out while its owner still works: the other instance takes the turn, only one sends', async () => {
    // One SQLite inbox, two instances, a clock the test moves: A's lease runs out while A's handler is stuck (an
    // overloaded instance whose renewals did not get through), B's sweep takes the turn and answers it; A, released,
    // reaches its send and is fenced off.
    const dir = mkdtempSync(join(tmpdir(), 'switchboard-intake-'));
    dirs.push(dir);
    const client = new SqliteClient(join(dir, 'db.sqlite'));
    migrateSqlite(client);
    const clock = { now: 1_000_000 };
    const inbox = new SqlTurnInbox(client, () => clock.now);
    const sent: string[] = [];
    let open: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const log = memoryLogger();
    const instance = (owner: string, stuck: boolean) => {
      const spool = new TurnSpool(join(dir, `${owner}.jsonl`), async () => {}, isUnavailable, log);
      return new TurnIntake({
        inbox,
        spool,
        log,
        owner,
        leaseMs: 30_000,
        handle: async (t, _address, _resumed, fence): Promise<TurnOutcome> => {
          if (stuck) await gate;
          await fence(); // what TurnHandler.send does before it sends
          sent.push(`${owner}:${t.id}`);
          return { status: 'feedback', recorded: true };
        },
      });
    };
    const a = instance('host:a', true);
    const b = instance('host:b', false);
    const receipt = await a.receive(turn('10'), {});
    expect(await b.sweep()).toBe(0); // A's lease holds
    clock.now += 31_000; // … and runs out while A is still stuck
    expect(await b.sweep()).toBe(1);
    expect(sent).toEqual(['host:b:10']);
    open();
    if (receipt.status === 'accepted') expect(await receipt.outcome).toEqual({ status: 'duplicate' });
    expect(sent).toEqual(['host:b:10']); // A did not send
    expect(log.lines).toContainEqual(expect.objectContaining({ event: 'inbox_turn_taken_over', key: 'web:10' }));
    expect(await inbox.pending()).toBe(0); // B marked it done; A left it alone
    expect(await client.query('SELECT status FROM turn_inbox')).toEqual([{ status: 'done' }]);
  });
});
