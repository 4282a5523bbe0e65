import { describe, expect, it } from 'vitest';
import { SlackTicketCards } from '../../../../src/adapters/slack/slack-ticket-cards.ts';
import {
  OTHER_LABEL,
  RESOLVE_VIEW,
  resolveModal,
  statusLine,
  TICKET_ACTION,
  ticketBlocks,
  transcriptLine,
} from '../../../../src/adapters/slack/ticket-blocks.ts';
import type { Ticket } from '../../../../src/handoff/ticket.ts';
import { aTicket } from '../../../fixtures/ticket.ts';

const ticket = (over: Partial<Ticket> = {}): Ticket =>
  aTicket({
    intents: [
      { intent: 'bill_query', score: 0.41 },
      { intent: 'alarm_set', score: 0.2 },
      { intent: 'weather_query', score: 0.1 },
    ],
    entities: [{ type: 'date', text: 'March <b>' }],
    transcript: [
      { seq: 1, at: 1, from: 'customer', text: 'my *bill* from <https://evil.example|March> <!channel> &amp;' },
      { seq: 2, at: 2, from: 'bot', text: 'I am passing you to a colleague.' },
    ],
    ...over,
  });
const agents = [
  { id: 'ann', name: 'Ann <3', languages: ['en'], skills: ['*'], slack_user: 'U0ANN' },
  { id: 'bo', languages: ['en'], skills: ['*'] },
];
const port = new SlackTicketCards('C0AGENTS', {} as never);
const plain = (a: string) => agents.find((x) => x.id === a)?.name ?? a;
const view = {
  agents,
  agentName: (a: string) =>
    port.markupName(
      a,
      plain(a),
      agents.some((x) => x.id === a),
    ),
  agentPlainName: plain,
};
// biome-ignore lint/suspicious/noExplicitAny: Block Kit JSON
type Json = Record<string, any>;
const blocks = (t: Ticket, customerName?: string): Json[] =>
  ticketBlocks(t, { ...view, ...(customerName ? { customerName } : {}) }).blocks as Json[];
const byId = (bs: Json[], id: string) => bs.find((b) => b.block_id === id);

describe('ticketBlocks', () => {
  it('shows customer, channel, language, reason, top-3 intents with scores, entities, transcript and agents', () => {
    const bs = blocks(ticket());
    expect(bs[0].text).toEqual({ type: 'mrkdwn', text: '*🟡 Waiting for an agent*' });
    expect(bs[1].fields.map((f: Json) => f.text)).toEqual([
      '*Customer*\nU0CUSTOMER',
      '*Channel*\nslack',
      '*Language*\nen',
      '*Reason*\nout of scope',
      '*Ticket*\n`t_0123456789abcdef`',
    ]);
    expect(byId(bs, 'switchboard_ticket_intents')?.text.text).toBe(
      '*Top intents*\n`bill_query` 0.41\n`alarm_set` 0.20\n`weather_query` 0.10',
    );
    expect(byId(bs, 'switchboard_ticket_entities')?.text.text).toBe('*Entities*\ndate: March &lt;b&gt;');
    // Agents: mapped ones @mentioned, the others by name (escaped).
    expect(byId(bs, 'switchboard_ticket_agents')?.elements[0].text).toBe('For: <@U0ANN>, bo');
  });

  it('renders what the customer wrote literally: no formatting, link or mention can come from it', () => {
    const excerpt = byId(blocks(ticket(), 'Ada *Bold*'), 'switchboard_ticket_excerpt') as Json;
    expect(excerpt.type).toBe('rich_text');
    const items = excerpt.elements[0].elements.map((s: Json) => s.elements.map((e: Json) => e.text).join(''));
    expect(items).toEqual([
      'Ada *Bold*: my *bill* from <https://evil.example|March> <!channel> &amp;',
      'Bot: I am passing you to a colleague.',
    ]);
    for (const s of excerpt.elements[0].elements) expect(s.elements.every((e: Json) => e.type === 'text')).toBe(true);
    // The customer's name in a mrkdwn field is escaped.
    expect(blocks(ticket(), '<!here> Eve')[1].fields[0].text).toBe('*Customer*\n&lt;!here&gt; Eve');
  });

  it('keeps the last six transcript lines, each cut to 280 characters', () => {
    const transcript = Array.from({ length: 9 }, (_, i) => ({
      seq: i + 1,
      at: i,
      from: 'customer' as const,
      text: `${i} ${'x'.repeat(400)}`,
    }));
    const excerpt = byId(blocks(ticket({ transcript })), 'switchboard_ticket_excerpt') as Json;
    const lines = excerpt.elements[0].elements as Json[];
    expect(lines).toHaveLength(6);
    expect(lines[0].elements[1].text.startsWith('3 ')).toBe(true);
    expect(lines[0].elements[1].text).toHaveLength(280);
  });

  it('Claim while queued; the intent menu (top intents + other) and Resolve while claimed; nothing once closed', () => {
    const queued = blocks(ticket()).filter((b) => b.type === 'actions');
    expect(queued).toEqual([
      {
        type: 'actions',
        block_id: 'switchboard_ticket_queued',
        elements: [
          expect.objectContaining({ type: 'button', action_id: TICKET_ACTION.claim, value: 't_0123456789abcdef' }),
        ],
      },
    ]);
    const claimed = blocks(ticket({ status: 'claimed', agent: 'ann' }));
    expect(claimed[0].text.text).toBe('*🟢 Claimed by Ann &lt;3*');
    const [menu, resolve] = claimed.filter((b) => b.type === 'actions').flatMap((b) => b.elements);
    expect(menu).toMatchObject({ type: 'static_select', action_id: TICKET_ACTION.label });
    expect(menu.options.map((o: Json) => [o.text.text, o.value])).toEqual([
      ['bill_query (0.41)', 'bill_query'],
      ['alarm_set (0.20)', 'alarm_set'],
      ['weather_query (0.10)', 'weather_query'],
      ['Other / new intent…', OTHER_LABEL],
    ]);
    expect(resolve).toMatchObject({ type: 'button', action_id: TICKET_ACTION.resolve, value: 't_0123456789abcdef' });
    for (const status of ['resolved', 'abandoned'] as const) {
      expect(blocks(ticket({ status, agent: 'ann' })).filter((b) => b.type === 'actions')).toEqual([]);
    }
  });

  it('says who has it, by configured name or as a mention of an unmapped Slack agent; the label escaped', () => {
    const name = view.agentName;
    expect(statusLine(ticket({ status: 'claimed', agent: 'slack:U0SAM' }), name)).toBe('🟢 Claimed by <@U0SAM>');
    expect(statusLine(ticket({ status: 'resolved', agent: 'ann', label: 'a<b' }), name)).toBe(
      '✅ Resolved by Ann &lt;3 — intent: a&lt;b',
    );
    expect(statusLine(ticket({ status: 'abandoned' }), name)).toBe('⚪ Closed without an agent');
    expect(statusLine(ticket({ status: 'claimed', agent: 'teams:aad-x' }), name)).toBe('🟢 Claimed by teams:aad-x');
  });

  it('its fallback text names the routed agents while queued (notifications), the state after', () => {
    expect(ticketBlocks(ticket(), view).text).toBe('New handoff ticket (en, out of scope) for <@U0ANN>, bo');
    expect(ticketBlocks(ticket({ status: 'claimed', agent: 'ann' }), view).text).toBe(
      '🟢 Claimed by Ann &lt;3 (en, out of scope)',
    );
  });

  it('without intents or entities: a dash for the intents, no entity section, and only "Other" in the menu', () => {
    const bs = blocks(ticket({ intents: [], entities: [], status: 'claimed', agent: 'ann' }));
    expect(byId(bs, 'switchboard_ticket_intents')?.text.text).toMatch(/^\*Top intents\*\n— /);
    expect(byId(bs, 'switchboard_ticket_entities')).toBeUndefined();
    const menu = bs.filter((b) => b.type === 'actions').flatMap((b) => b.elements)[0];
    expect(menu.options.map((o: Json) => o.value)).toEqual([OTHER_LABEL]);
  });
});

describe('transcriptLine and resolveModal', () => {
  it('a thread line: literal in blocks, escaped in the fallback text', () => {
    const line = transcriptLine('Ada', 'see <!channel> & *this*');
    expect(line.text).toBe('Ada: see &lt;!channel&gt; &amp; *this*');
    expect((line.blocks[0] as Json).elements[0].elements).toEqual([
      { type: 'text', text: 'Ada: ', style: { bold: true } },
      { type: 'text', text: 'see <!channel> & *this*' },
    ]);
  });

  it('the new-intent modal names its ticket and card and asks for 1–100 characters', () => {
    const modal = resolveModal(ticket({ status: 'claimed' }), { channel: 'C0AGENTS', ts: '1712.000100' });
    expect(modal).toMatchObject({ type: 'modal', callback_id: RESOLVE_VIEW });
    expect(JSON.parse(modal.private_metadata as string)).toEqual({
      ticket: 't_0123456789abcdef',
      channel: 'C0AGENTS',
      ts: '1712.000100',
    });
    expect((modal.blocks[0] as Json).element).toMatchObject({
      type: 'plain_text_input',
      action_id: TICKET_ACTION.labelText,
      min_length: 1,
      max_length: 100,
    });
    expect((modal.title as Json).text.length).toBeLessThanOrEqual(24);
  });
});
