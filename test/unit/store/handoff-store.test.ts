import { afterAll, describe, expect, it } from 'vitest';
import type { ErrorCode } from '../../../src/error-codes.ts';
import { isSwitchboardError } from '../../../src/errors.ts';
import type { NewTicket } from '../../../src/handoff/ticket.ts';
import { TEST_DATABASE_URL, testDatabases } from '../../fixtures/test-databases.ts';

if (!TEST_DATABASE_URL) console.log('PostgreSQL store tests skipped: TEST_DATABASE_URL is not set');

const ticket = (conversation: string, over: Partial<NewTicket> = {}): NewTicket => ({
  conversation,
  channel: 'slack',
  customer: 'U1',
  language: 'en',
  reason: 'out_of_scope',
  intents: [
    { intent: 'a', score: 0.4 },
    { intent: 'b', score: 0.3 },
    { intent: 'c', score: 0.2 },
    { intent: 'd', score: 0.1 },
  ],
  entities: [{ type: 'money', text: '$20' }],
  transcript: [
    { at: 1, from: 'customer', text: 'my card was charged twice' },
    { at: 2, from: 'bot', text: 'A person will help you.' },
  ],
  ...over,
});

const expectCode = async (p: Promise<unknown>, code: ErrorCode) => {
  try {
    await p;
    expect.unreachable(`expected ${code}`);
  } catch (e) {
    expect(isSwitchboardError(e, code), String(e)).toBe(true);
  }
};

for (const db of testDatabases()) {
  describe(`${db.name} handoff store`, async () => {
    const stores = await db.open();
    const h = stores.handoffs;
    afterAll(() => stores.cleanup());

    it('opens one ticket per conversation, with its transcript and the top three intents', async () => {
      const a = await h.open(ticket('c1'), 100);
      expect(a.created).toBe(true);
      expect(a.ticket).toMatchObject({
        status: 'queued',
        conversation: 'c1',
        channel: 'slack',
        reason: 'out_of_scope',
      });
      expect(a.ticket.intents.map((i) => i.intent)).toEqual(['a', 'b', 'c']);
      expect(a.ticket.transcript.map((e) => [e.seq, e.from])).toEqual([
        [1, 'customer'],
        [2, 'bot'],
      ]);
      const again = await h.open(ticket('c1'), 101);
      expect(again).toMatchObject({ created: false, ticket: { id: a.ticket.id } });
      expect((await h.openFor('c1'))?.id).toBe(a.ticket.id);
      expect(await h.openFor('nope')).toBeUndefined();
    });

    it('queued → claimed → resolved with a label; wrong states 409, unknown 404, another agent 403', async () => {
      const { ticket: t } = await h.open(ticket('c2'), 200);
      await expectCode(h.resolve(t.id, 'ann', 201), 'E_TICKET_STATE');
      const claimed = await h.claim(t.id, 'ann', 202);
      expect(claimed).toMatchObject({ status: 'claimed', agent: 'ann', claimed_at: 202 });
      await expectCode(h.claim(t.id, 'bob', 203), 'E_TICKET_STATE');
      await expectCode(h.resolve(t.id, 'bob', 203), 'E_NOT_CLAIMANT');
      const resolved = await h.resolve(t.id, 'ann', 204, 'card_charged_twice');
      expect(resolved).toMatchObject({ status: 'resolved', label: 'card_charged_twice', closed_at: 204 });
      await expectCode(h.claim(t.id, 'ann', 205), 'E_TICKET_STATE');
      await expectCode(h.claim('t_missing', 'ann', 205), 'E_TICKET_NOT_FOUND');
      // A resolved conversation can open a new ticket.
      expect((await h.open(ticket('c2'), 206)).created).toBe(true);
    });

    it('lists by status oldest first and tells a queued ticket its place', async () => {
      const ids = [];
      for (let i = 0; i < 3; i++) ids.push((await h.open(ticket(`q${i}`), 1000 + i)).ticket.id);
      const queued = (await h.list('queued')).map((t) => t.id);
      expect(queued.indexOf(ids[0])).toBeLessThan(queued.indexOf(ids[2]));
      const before = await h.queuePosition(ids[2]);
      await h.claim(ids[0], 'ann', 2000);
      expect(await h.queuePosition(ids[2])).toBe(before - 1);
      expect(await h.queuePosition(ids[0])).toBe(0);
      await h.abandon(ids[1], 2001);
      expect((await h.get(ids[1]))?.status).toBe('abandoned');
    });

    it('appends transcript lines in order, even concurrently; agent lines form an outbox until delivered', async () => {
      const { ticket: t } = await h.open(ticket('c3'), 300);
      // Forty at once: with PostgreSQL most of them would pick the same next number unless appends take turns.
      const n = 40;
      const lines = await Promise.all(
        Array.from({ length: n }, (_, i) => h.append(t.id, { at: 301 + i, from: 'customer', text: `m${i}` })),
      );
      const seqs = lines.map((l) => l.seq).sort((a, b) => a - b);
      expect(seqs).toEqual(Array.from({ length: n }, (_, i) => seqs[0] + i)); // n numbers, none twice, no gap
      const agent = await h.append(t.id, { at: 400, from: 'agent', agent: 'ann', text: 'Hello!', delivered: false });
      expect((await h.undelivered()).map((u) => [u.ticket, u.entry.seq])).toContainEqual([t.id, agent.seq]);
      await h.markDelivered(t.id, agent.seq);
      expect((await h.undelivered()).some((u) => u.ticket === t.id)).toBe(false);
      const full = await h.get(t.id);
      expect(full?.transcript).toHaveLength(n + 3);
      expect(full?.transcript.at(-1)).toMatchObject({ from: 'agent', agent: 'ann', delivered: true });
    });

    it('one sender per outbox line: a lease taken once, given back after a failed send, none once delivered', async () => {
      const { ticket: t } = await h.open(ticket('c5'), 600);
      const line = await h.append(t.id, { at: 601, from: 'agent', agent: 'ann', text: 'Hi', delivered: false });
      const both = await Promise.all([
        h.leaseDelivery(t.id, line.seq, 60_000),
        h.leaseDelivery(t.id, line.seq, 60_000),
      ]);
      expect(both.filter(Boolean)).toHaveLength(1);
      await h.releaseDelivery(t.id, line.seq); // the send failed
      expect(await h.leaseDelivery(t.id, line.seq, -1)).toBe(true); // a lease that already ran out (a dead sender)
      expect(await h.leaseDelivery(t.id, line.seq, 60_000)).toBe(true);
      // A previous run of the same instance stopped mid-send: its restart takes the line back at once; others wait.
      const old = { owner: 'host:1', startedAt: 1000 };
      const restarted = { owner: 'host:1', startedAt: 2000 };
      await h.releaseDelivery(t.id, line.seq);
      expect(await h.leaseDelivery(t.id, line.seq, 60_000, old)).toBe(true);
      expect(await h.leaseDelivery(t.id, line.seq, 60_000, { owner: 'host:2', startedAt: 3000 })).toBe(false);
      expect(await h.leaseDelivery(t.id, line.seq, 60_000, restarted)).toBe(true);
      expect(await h.leaseDelivery(t.id, line.seq, 60_000, restarted)).toBe(false); // held by this run now
      await h.markDelivered(t.id, line.seq);
      await h.releaseDelivery(t.id, line.seq);
      expect(await h.leaseDelivery(t.id, line.seq, 60_000)).toBe(false);
    });

    it("an agent's retried line (same client key) is written once, even concurrently", async () => {
      const { ticket: t } = await h.open(ticket('c6'), 700);
      const line = { at: 701, from: 'agent' as const, agent: 'ann', text: 'Once', delivered: false };
      const [a, b] = await Promise.all([h.append(t.id, line, 'k1'), h.append(t.id, line, 'k1')]);
      expect(a.seq).toBe(b.seq);
      expect([a.repeated, b.repeated].filter(Boolean)).toHaveLength(1);
      expect((await h.get(t.id))?.transcript.filter((e) => e.text === 'Once')).toHaveLength(1);
      expect((await h.append(t.id, line, 'k2')).seq).not.toBe(a.seq); // another key: another line
    });

    it('remembers where a surface shows a ticket and finds it back', async () => {
      const { ticket: t } = await h.open(ticket('c4'), 500);
      await h.setSurface(t.id, 'slack', { channel: 'CAGENTS', ts: '17.1' }, 'CAGENTS:17.1');
      expect((await h.get(t.id))?.surfaces).toEqual({ slack: { channel: 'CAGENTS', ts: '17.1' } });
      expect((await h.findBySurface('slack', 'CAGENTS:17.1'))?.id).toBe(t.id);
      expect(await h.findBySurface('slack', 'other')).toBeUndefined();
    });

    it('concurrent claims of one ticket have exactly one winner', async () => {
      for (let round = 0; round < 20; round++) {
        const { ticket: t } = await h.open(ticket(`race${round}`), 600 + round);
        const results = await Promise.allSettled(['ann', 'bob', 'cy'].map((a) => h.claim(t.id, a, 700)));
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      }
    });

    it('conversation store on the same database: events, addresses, state', async () => {
      const c = stores.conversations;
      expect(await c.claimEvent('teams:a1')).toBe(true);
      expect(await c.claimEvent('teams:a1')).toBe(false);
      await c.set('k', { clarifications: 1, language: 'de' });
      expect(await c.get('k')).toEqual({ clarifications: 1, language: 'de' });
      await c.setAddress('k', { channel: 'teams', address: { conversation: { id: 'k' } } });
      expect(await c.getAddress('k')).toEqual({ channel: 'teams', address: { conversation: { id: 'k' } } });
      expect(await stores.healthy()).toBe(true);
    });
  });
}
