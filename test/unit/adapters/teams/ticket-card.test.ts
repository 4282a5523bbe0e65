import { describe, expect, it } from 'vitest';
import { escapeMarkdown, NO_LABEL, parseTicketSubmit, ticketCard } from '../../../../src/adapters/teams/ticket-card.ts';
import { KeyedQueue } from '../../../../src/handoff/keyed-queue.ts';
import type { Ticket } from '../../../../src/handoff/ticket.ts';
import { refusalText, threadNote } from '../../../../src/handoff/ticket-thread-notes.ts';

const ticket = (over: Partial<Ticket> = {}): Ticket => ({
  id: 't_0123456789abcdef',
  status: 'queued',
  conversation: 'teams:a:1',
  channel: 'teams',
  customer: 'aad-1',
  language: 'en',
  reason: 'out_of_scope',
  intents: [
    { intent: 'bill_query', score: 0.41 },
    { intent: 'alarm_set', score: 0.2 },
    { intent: 'weather_query', score: 0.1 },
  ],
  entities: [{ type: 'date', text: 'March' }],
  created_at: 1,
  surfaces: {},
  transcript: [
    { seq: 1, at: 1, from: 'customer', text: 'my **bill** from [March](http://evil.example) <at>Ann</at>' },
    { seq: 2, at: 2, from: 'bot', text: 'I am passing you to a colleague.' },
  ],
  ...over,
});
const agents = [
  { id: 'ann', name: 'Ann', languages: ['en'], skills: ['*'], teams_user: 'aad-ann' },
  { id: 'bo', languages: ['en'], skills: ['*'] },
];
const agentName = (a: string) => ({ ann: 'Ann' })[a] ?? a;
// biome-ignore lint/suspicious/noExplicitAny: card JSON
const content = (t: Ticket, customerName?: string): any =>
  ticketCard(t, { agents, agentName, ...(customerName ? { customerName } : {}) }).content;

describe('ticketCard', () => {
  it('shows customer, channel, language, reason, top-3 intents with scores, entities, transcript and agents', () => {
    const c = content(ticket(), 'Ada');
    expect(c).toMatchObject({ type: 'AdaptiveCard', version: '1.4', msteams: { width: 'Full' } });
    expect(c.body[0].text).toBe('🟡 Waiting for an agent');
    expect(c.body[1].facts).toEqual([
      { title: 'Customer', value: 'Ada' },
      { title: 'Channel', value: 'teams' },
      { title: 'Language', value: 'en' },
      { title: 'Reason', value: 'out of scope' },
      { title: 'Ticket', value: 't_0123456789abcdef' },
    ]);
    expect(c.body[3].facts).toEqual([
      { title: 'bill_query', value: '0.41' },
      { title: 'alarm_set', value: '0.20' },
      { title: 'weather_query', value: '0.10' },
    ]);
    expect(c.body[5].facts).toEqual([{ title: 'date', value: 'March' }]);
    const lines = c.body
      .filter((b: { text?: string }) => /^\*\*/.test(b.text ?? ''))
      .map((b: { text: string }) => b.text);
    // Customer text cannot format the card, link, or mention anyone.
    expect(lines[0]).toBe('**Ada:** my \\*\\*bill\\*\\* from \\[March\\](http://evil.example) ‹at›Ann‹/at›');
    expect(lines[1]).toBe('**Bot:** I am passing you to a colleague.');
    expect(c.body.at(-1).text).toBe('For: <at>Ann</at>, bo');
    expect(c.msteams.entities).toEqual([
      { type: 'mention', text: '<at>Ann</at>', mentioned: { id: 'aad-ann', name: 'Ann' } },
    ]);
    expect(c.actions).toEqual([
      {
        type: 'Action.Submit',
        title: 'Claim',
        style: 'positive',
        data: { switchboard: 'ticket', action: 'claim', ticket: 't_0123456789abcdef' },
      },
    ]);
  });

  it('claimed: who has it, and a Resolve form with the top intents and a free label', () => {
    const c = content(ticket({ status: 'claimed', agent: 'ann' }));
    expect(c.body[0].text).toBe('🟢 Claimed by Ann');
    expect(c.body[1].facts[0]).toEqual({ title: 'Customer', value: 'aad-1' });
    const [resolve] = c.actions;
    expect(resolve).toMatchObject({ type: 'Action.ShowCard', title: 'Resolve…' });
    expect(resolve.card.body[1]).toMatchObject({ type: 'Input.ChoiceSet', id: 'label', value: NO_LABEL });
    expect(resolve.card.body[1].choices.map((x: { value: string }) => x.value)).toEqual([
      'switchboard:none',
      'bill_query',
      'alarm_set',
      'weather_query',
    ]);
    expect(resolve.card.body[2]).toMatchObject({ type: 'Input.Text', id: 'label_text' });
    expect(resolve.card.actions).toEqual([
      {
        type: 'Action.Submit',
        title: 'Resolve',
        data: { switchboard: 'ticket', action: 'resolve', ticket: 't_0123456789abcdef' },
      },
    ]);
  });

  it('closed tickets have no buttons; a long transcript shows its last 6 lines, each cut', () => {
    const long = Array.from({ length: 10 }, (_, i) => ({
      seq: i + 1,
      at: i,
      from: 'customer' as const,
      text: `${i} ${'x'.repeat(400)}`,
    }));
    const c = content(ticket({ status: 'resolved', agent: 'ann', label: 'bill_query', transcript: long }));
    expect(c.body[0].text).toBe('✅ Resolved by Ann — intent: bill\\_query');
    expect(c.actions).toEqual([]);
    const lines = c.body.filter((b: { text?: string }) => /^\*\*Customer/.test(b.text ?? ''));
    expect(lines).toHaveLength(6);
    expect(lines[0].text).toMatch(/^\*\*Customer:\*\* 4 x+…$/);
    expect(content(ticket({ status: 'abandoned' })).body[0].text).toBe('⚪ Closed without an agent');
  });

  it('handles a ticket with no intents, entities or transcript', () => {
    const c = content(ticket({ intents: [], entities: [], transcript: [] }));
    expect(c.body[3].facts).toEqual([{ title: '—', value: 'none (a button press or no text)' }]);
    expect(JSON.stringify(c.body)).toContain('(empty)');
  });
});

describe('parseTicketSubmit', () => {
  it('reads Claim and Resolve (typed label wins, blanks are no label)', () => {
    expect(parseTicketSubmit({ switchboard: 'ticket', action: 'claim', ticket: 't_1' })).toEqual({
      action: 'claim',
      ticket: 't_1',
    });
    expect(
      parseTicketSubmit({
        switchboard: 'ticket',
        action: 'resolve',
        ticket: 't_1',
        label: 'a',
        label_text: ' new  one ',
      }),
    ).toEqual({ action: 'resolve', ticket: 't_1', label: 'new one' });
    expect(
      parseTicketSubmit({ switchboard: 'ticket', action: 'resolve', ticket: 't_1', label: 'a', label_text: '' }),
    ).toEqual({
      action: 'resolve',
      ticket: 't_1',
      label: 'a',
    });
    expect(parseTicketSubmit({ switchboard: 'ticket', action: 'resolve', ticket: 't_1', label: ' ' })).toEqual({
      action: 'resolve',
      ticket: 't_1',
    });
    // "(no label)" as the form sends it (the choice's value), typed nothing.
    expect(
      parseTicketSubmit({ switchboard: 'ticket', action: 'resolve', ticket: 't_1', label: NO_LABEL, label_text: '' }),
    ).toEqual({ action: 'resolve', ticket: 't_1' });
  });

  it('rejects anything else', () => {
    for (const v of [
      null,
      'claim',
      [],
      { switchboard: 'choice', intent: 'x' },
      { switchboard: 'ticket', action: 'delete', ticket: 't_1' },
      { switchboard: 'ticket', action: 'claim' },
      { switchboard: 'ticket', action: 'claim', ticket: { $ne: 1 } },
      { switchboard: 'ticket', action: 'claim', ticket: '../../etc' },
      { switchboard: 'ticket', action: 'claim', ticket: 'x'.repeat(65) },
    ]) {
      expect(parseTicketSubmit(v), JSON.stringify(v)).toBeUndefined();
    }
    // An over-long label is dropped, not truncated into a wrong one.
    expect(
      parseTicketSubmit({ switchboard: 'ticket', action: 'resolve', ticket: 't_1', label_text: 'y'.repeat(101) }),
    ).toEqual({ action: 'resolve', ticket: 't_1' });
  });
});

describe('escapeMarkdown', () => {
  it('neutralises emphasis, links, code, headings, lists and mentions; keeps ordinary punctuation', () => {
    expect(escapeMarkdown('# Title')).toBe('\\# Title');
    expect(escapeMarkdown('- item')).toBe('\\- item');
    expect(escapeMarkdown('1. first')).toBe('\\1. first');
    expect(escapeMarkdown('`code` ~~x~~ _i_')).toBe('\\`code\\` \\~\\~x\\~\\~ \\_i\\_');
    expect(escapeMarkdown('a\n\nb  c')).toBe('a b c');
    expect(escapeMarkdown('Is it 3.5 (or 4)? Yes!')).toBe('Is it 3.5 (or 4)? Yes!');
  });
});

describe('threadNote', () => {
  const t = ticket({ status: 'claimed', agent: 'ann' });
  it('says who claimed or resolved, and raises waiting alerts', () => {
    expect(threadNote({ kind: 'claimed', ticket: t }, agentName)).toBe(
      'Ann claimed this ticket: replies in this thread go to the customer.',
    );
    expect(threadNote({ kind: 'resolved', ticket: { ...t, status: 'resolved', label: 'x' } }, agentName)).toBe(
      'Ann resolved this ticket (intent: x). The bot answers the customer again.',
    );
    expect(threadNote({ kind: 'abandoned', ticket: t }, agentName)).toMatch(/^Closed without an agent/);
    expect(threadNote({ kind: 'alert', ticket: t, waitedMs: 6.4 * 60_000 }, agentName)).toBe(
      '⏰ Waiting for 6 min: can someone claim it?',
    );
    expect(threadNote({ kind: 'opened', ticket: t, agents: [] }, agentName)).toBeUndefined();
  });
});

describe('KeyedQueue', () => {
  it('runs one job at a time per key, keys in parallel, and reports failures without stopping the key', async () => {
    const errors: string[] = [];
    const q = new KeyedQueue((key, e) => errors.push(`${key}:${(e as Error).message}`));
    const order: string[] = [];
    const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
    q.run('a', async () => {
      await wait(30);
      order.push('a1');
    });
    q.run('a', async () => {
      throw new Error('boom');
    });
    q.run('a', async () => void order.push('a3'));
    q.run('b', async () => void order.push('b1'));
    expect(q.size).toBe(2);
    await q.idle();
    expect(order).toEqual(['b1', 'a1', 'a3']);
    expect(errors).toEqual(['a:boom']);
    expect(q.size).toBe(0);
  });
});

describe('refusalText', () => {
  it('explains why, naming who has the ticket', () => {
    const claimed = ticket({ status: 'claimed', agent: 'ann' });
    expect(refusalText(undefined, 'claim', agentName)).toBe('⚠️ There is no such ticket.');
    expect(refusalText(claimed, 'claim', agentName)).toBe('⚠️ Ann has already claimed this ticket.');
    expect(refusalText(claimed, 'resolve', agentName)).toBe('⚠️ Only Ann, who claimed this ticket, can resolve it.');
    expect(refusalText(claimed, 'message', agentName)).toBe(
      '⚠️ Only Ann, who claimed this ticket, can write to the customer. Your message was not sent.',
    );
    expect(refusalText(ticket(), 'resolve', agentName)).toBe('⚠️ Claim the ticket first.');
    expect(refusalText(ticket({ status: 'resolved' }), 'message', agentName)).toBe(
      '⚠️ This ticket is closed (resolved). Your message was not sent.',
    );
  });
});
