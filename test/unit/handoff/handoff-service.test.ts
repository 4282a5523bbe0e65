import { afterEach, describe, expect, it } from 'vitest';
import { MemorySender } from '../../../src/channel-sender.ts';
import { BotConfigSchema } from '../../../src/config/bot-config.ts';
import { type AgentSurface, HandoffService, type TicketEvent } from '../../../src/handoff/handoff-service.ts';
import { memoryLogger } from '../../../src/log.ts';
import { openStores, type Stores } from '../../../src/server/open-stores.ts';
import type { Turn } from '../../../src/turn.ts';

const config = BotConfigSchema.parse({
  languages: ['en', 'es'],
  default_language: 'en',
  answers: {},
  handoff: {
    message: { en: 'A person will help.', es: 'Una persona le ayudará.' },
    queued: { en: 'You are number {position}.', es: 'Es el número {position}.' },
    abandon_after_minutes: 30,
    alert_after_minutes: 5,
  },
  clarify: { prompt: { en: 'Which?', es: '¿Cuál?' } },
  agents: [
    { id: 'ana', name: 'Ana', languages: ['es'] },
    { id: 'ben', languages: ['en'] },
  ],
});

let stores: Stores | undefined;
afterEach(async () => stores?.close());

async function setup(now: { t: number }) {
  stores = await openStores({ sqliteFile: ':memory:' });
  const sender = new MemorySender('slack');
  const events: TicketEvent[] = [];
  const surface: AgentSurface = { name: 'test', notify: async (e) => void events.push(e) };
  const failing: AgentSurface = {
    name: 'broken',
    notify: async () => {
      throw new Error('down');
    },
  };
  const log = memoryLogger();
  const service = new HandoffService({
    store: stores.handoffs,
    conversations: stores.conversations,
    senders: { slack: sender },
    config,
    log,
    now: () => now.t,
  });
  service.addSurface(surface);
  service.addSurface(failing);
  return { service, sender, events, log, stores };
}

const turn = (conversation: string, text: string, at = 0): Turn => ({
  id: `${conversation}-${text}`,
  channel: 'slack',
  conversation,
  user: 'U1',
  text,
  receivedAt: at,
});
const u = { languages: [], intents: [{ intent: 'alarm_set', score: 0.4 }], entities: [], timings: {} as never };

describe('HandoffService', () => {
  it('opens a ticket, tells the queue position in the customer language, routes it to the Spanish agent', async () => {
    const now = { t: 1000 };
    const { service, events, log, stores } = await setup(now);
    await stores.conversations.setAddress('c1', { channel: 'slack', address: { channel: 'D1' } });
    const decision = { kind: 'handoff', reason: 'low_confidence', language: 'es' } as const;
    const { ticket, note } = await service.open(turn('c1', 'hola'), u, decision, { text: 'x', language: 'es' });
    expect(note).toBe('Es el número 1.');
    expect(ticket.transcript.map((e) => e.from)).toEqual(['customer', 'bot']);
    expect(events[0]).toMatchObject({ kind: 'opened' });
    expect(events[0].kind === 'opened' && events[0].agents.map((a) => a.id)).toEqual(['ana']);
    // A failing surface is logged, not fatal.
    expect(log.lines).toContainEqual(expect.objectContaining({ event: 'agent_surface_failed', surface: 'broken' }));
  });

  it("a claim moments after the handoff: 'has joined' reaches the customer after the handoff reply", async () => {
    const { service, sender, stores } = await setup({ t: 1000 });
    await stores.conversations.setAddress('c9', { channel: 'slack', address: { channel: 'D9' } });
    const decision = { kind: 'handoff', reason: 'human_requested', language: 'en' } as const;
    const { ticket } = await service.open(
      turn('c9', 'human please'),
      u,
      decision,
      { text: 'x', language: 'en' },
      {
        replyFollows: true,
      },
    );
    let claimed = false;
    const claim = service.claim(ticket.id, 'ben').then(() => {
      claimed = true;
    });
    await new Promise((r) => setTimeout(r, 100));
    // The turn has not sent its reply yet: the claim is recorded, the customer is not told.
    expect(claimed).toBe(false);
    expect((await stores.handoffs.get(ticket.id))?.status).toBe('claimed');
    expect(sender.sent.some((s) => /has joined/.test(s.message.reply.text))).toBe(false);
    service.replied(ticket.id); // the turn handler, once the reply went out
    await claim;
    expect(sender.sent.at(-1)?.message.reply.text).toBe('ben has joined the conversation.');
  });

  it('relays while open; claim, agent lines and closing reach the customer; the outbox redelivers failures', async () => {
    const now = { t: 1000 };
    const { service, sender, stores, events } = await setup(now);
    await stores.conversations.setAddress('c2', { channel: 'slack', address: { channel: 'D2' } });
    const decision = { kind: 'handoff', reason: 'human_requested', language: 'en' } as const;
    const { ticket } = await service.open(turn('c2', 'human please'), u, decision, { text: 'x', language: 'en' });
    const { holding } = await service.customerMessage(ticket, turn('c2', 'hello?'));
    expect(holding?.text).toBe('You are number 1.');
    // The same turn handled again (a crash, a takeover) is still one line, and the agents hear of it once.
    const heard = events.filter((e) => e.kind === 'message').length;
    await service.customerMessage(ticket, turn('c2', 'hello?'));
    expect((await service.ticket(ticket.id))?.transcript.filter((e) => e.text === 'hello?')).toHaveLength(1);
    expect(events.filter((e) => e.kind === 'message')).toHaveLength(heard);
    await service.claim(ticket.id, 'ben');
    expect(sender.sent.at(-1)?.message.reply.text).toBe('ben has joined the conversation.');
    // The channel fails once: the line stays undelivered, then goes with the next redeliver.
    const send = sender.send.bind(sender);
    sender.send = async () => {
      throw new Error('channel down');
    };
    await service.agentMessage(ticket.id, 'ben', 'checking');
    expect((await stores.handoffs.undelivered()).length).toBe(1);
    sender.send = send;
    expect(await service.redeliver()).toBe(1);
    expect(sender.sent.at(-1)?.message.reply.text).toBe('ben: checking');
    expect(await service.redeliver()).toBe(0);
    await expect(service.agentMessage(ticket.id, 'ana', 'me too')).rejects.toMatchObject({ code: 'E_NOT_CLAIMANT' });
    await service.resolve(ticket.id, 'ben', 'alarm_set');
    expect(sender.sent.at(-1)?.message.reply.text).toMatch(/I am back/);
    expect(await stores.handoffs.openFor('c2')).toBeUndefined();
  });

  it('alerts once on a long wait and abandons a ticket nobody claimed', async () => {
    const now = { t: 0 };
    const { service, sender, events, stores } = await setup(now);
    await stores.conversations.setAddress('c3', { channel: 'slack', address: { channel: 'D3' } });
    const decision = { kind: 'handoff', reason: 'out_of_scope', language: 'en' } as const;
    await service.open(turn('c3', '?'), u, decision, { text: 'x', language: 'en' });
    now.t = 6 * 60_000;
    expect(await service.sweep()).toEqual({ abandoned: 0, alerted: 1 });
    expect(await service.sweep()).toEqual({ abandoned: 0, alerted: 0 });
    expect(events.some((e) => e.kind === 'alert')).toBe(true);
    now.t = 31 * 60_000;
    expect(await service.sweep()).toEqual({ abandoned: 1, alerted: 0 });
    expect(sender.sent.at(-1)?.message.reply.text).toMatch(/nobody could take your question/);
    expect(await stores.handoffs.openFor('c3')).toBeUndefined();
  });

  it('a sweep of a long queue reads no transcripts: only the ticket it alerts about, once', async () => {
    const now = { t: 0 };
    const { service, events, stores } = await setup(now);
    const decision = { kind: 'handoff', reason: 'out_of_scope', language: 'en' } as const;
    for (let i = 0; i < 5; i++) {
      await stores.conversations.setAddress(`q${i}`, { channel: 'slack', address: { channel: `DQ${i}` } });
      await service.open(turn(`q${i}`, `question ${i}`), u, decision, { text: 'x', language: 'en' });
    }
    const client = (stores.handoffs as unknown as { client: { query: (sql: string) => Promise<unknown> } }).client;
    const query = client.query.bind(client);
    const transcriptReads: string[] = [];
    client.query = (sql: string, ...rest: unknown[]) => {
      if (/FROM ticket_messages/.test(sql)) transcriptReads.push(sql);
      return (query as (...a: unknown[]) => Promise<unknown>)(sql, ...rest);
    };
    now.t = 2 * 60_000;
    expect(await service.sweep()).toEqual({ abandoned: 0, alerted: 0 });
    expect(transcriptReads).toHaveLength(0);
    now.t = 6 * 60_000;
    expect(await service.sweep()).toEqual({ abandoned: 0, alerted: 5 });
    expect(transcriptReads).toHaveLength(5); // each alert carries its ticket, transcript included
    const alerts = events.filter((e) => e.kind === 'alert');
    expect(alerts.map((e) => e.ticket.transcript[0]?.text).sort()).toEqual([
      'question 0',
      'question 1',
      'question 2',
      'question 3',
      'question 4',
    ]);
    expect(await service.sweep()).toEqual({ abandoned: 0, alerted: 0 });
    expect(transcriptReads).toHaveLength(5);
  });

  it('routing at claim: an agent without the language is refused; an override claims and is logged', async () => {
    const now = { t: 1000 };
    const { service, sender, events, log, stores } = await setup(now);
    await stores.conversations.setAddress('c4', { channel: 'slack', address: { channel: 'D4' } });
    const decision = { kind: 'handoff', reason: 'low_confidence', language: 'es' } as const;
    const { ticket } = await service.open(turn('c4', 'hola'), u, decision, { text: 'x', language: 'es' });
    // Ben speaks English only; the Spanish ticket goes to Ana.
    await expect(service.claim(ticket.id, 'ben')).rejects.toMatchObject({ code: 'E_NOT_ELIGIBLE', status: 403 });
    expect(await service.ticket(ticket.id)).toMatchObject({ status: 'queued' });
    expect(sender.sent).toHaveLength(0);
    expect(log.lines.some((l) => l.event === 'claim_override')).toBe(false);
    const claimed = await service.claim(ticket.id, 'ben', { override: true });
    expect(claimed).toMatchObject({ status: 'claimed', agent: 'ben' });
    expect(log.lines).toContainEqual(
      expect.objectContaining({ event: 'claim_override', ticket: ticket.id, agent: 'ben', overridden: 'language:es' }),
    );
    expect(events.find((e) => e.kind === 'claimed')).toMatchObject({ override: ['language:es'] });
    // The agent the routing sends it to needs no override; an agent the config does not list is not checked.
    expect(service.routingGap(ticket, 'ana')).toEqual([]);
    expect(service.routingGap(ticket, 'slack:U9')).toEqual([]);
  });

  it('a queued customer leaves the queue: cancelled by the customer, surfaces told; a claimed ticket stays', async () => {
    const now = { t: 1000 };
    const { service, events, stores } = await setup(now);
    await stores.conversations.setAddress('c9', { channel: 'slack', address: { channel: 'D9' } });
    const decision = { kind: 'handoff', reason: 'human_requested', language: 'en' } as const;
    const { ticket, note } = await service.open(turn('c9', 'human'), u, decision, { text: 'x', language: 'en' });
    expect(service.withCancelButton(ticket, note).quick_replies).toEqual([
      { intent: 'handoff.cancel', label: 'Cancel' },
    ]);
    expect(service.isCancel('Never mind!')).toBe(true);
    expect(service.isCancel('cancel my order')).toBe(false);
    now.t = 2000;
    const left = await service.cancelByCustomer(ticket, turn('c9', 'cancel', 1500));
    expect(left?.ticket).toMatchObject({ status: 'cancelled', closed_at: 2000 });
    expect(left?.reply.text).toBe('OK, you have left the queue. I am back: ask me anything.');
    expect(events.at(-1)).toMatchObject({ kind: 'cancelled', ticket: { id: ticket.id } });
    expect((await service.ticket(ticket.id))?.transcript.map((e) => e.from)).toEqual([
      'customer',
      'bot',
      'customer',
      'bot',
    ]);
    expect(await service.openFor('c9')).toBeUndefined();
    expect((await service.list('cancelled')).map((t) => t.id)).toEqual([ticket.id]);
    // Claimed meanwhile: not cancelled (the message goes to the agent).
    const second = await service.open(turn('c9', 'human again', 3000), u, decision, { text: 'x', language: 'en' });
    await service.claim(second.ticket.id, 'ben');
    expect(await service.cancelByCustomer(second.ticket, turn('c9', 'cancel', 4000))).toBeUndefined();
    expect((await service.ticket(second.ticket.id))?.status).toBe('claimed');
  });
});
