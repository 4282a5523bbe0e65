/**
 * Customers' lines relayed into a Teams card's reply chain: a long line goes as numbered parts under Teams' message
 * size limit, nothing is lost, and a part the Connector still refuses (413) is sent again cut, with a marker.
 */
import { describe, expect, it } from 'vitest';
import type { AgentsChannelAddress } from '../../../../src/adapters/teams/agents-channel-address.ts';
import { TEAMS_LINE_PART, TeamsTicketCards, threadId } from '../../../../src/adapters/teams/teams-ticket-cards.ts';
import { SwitchboardError } from '../../../../src/errors.ts';
import { memoryLogger } from '../../../../src/log.ts';
import { TEAMS_MAX_ACTIVITY_BYTES } from '../../../fixtures/fake-bot-framework.ts';

const card = { conversationId: '19:agents@thread.tacv2', activityId: '1712311300456' };

/** A Connector that refuses an activity over Teams' size limit as the fake Bot Framework does (413). */
function setup(maxBytes = TEAMS_MAX_ACTIVITY_BYTES) {
  const posted: { conversation: string; text: string }[] = [];
  const sender = {
    async post(reference: unknown, activity: unknown) {
      const conversation = (reference as { conversation: { id: string } }).conversation.id;
      if (Buffer.byteLength(JSON.stringify(activity)) > maxBytes) {
        throw new SwitchboardError('E_TEAMS_SEND', 'remote', 'Bot Framework Connector answered 413');
      }
      posted.push({ conversation, text: (activity as { text: string }).text });
      return `id-${posted.length}`;
    },
    async update() {},
  };
  const address = {
    conversation: card.conversationId,
    at: (conversationId?: string) => ({
      serviceUrl: 'https://smba.example/emea/',
      conversation: { id: conversationId ?? card.conversationId },
      bot: { id: '28:bot' },
    }),
  } as unknown as AgentsChannelAddress;
  const log = memoryLogger();
  return { cards: new TeamsTicketCards(address, sender, log), posted };
}

describe('Teams agents’ thread: long customer lines', () => {
  it('a 30,000-character line arrives whole in numbered parts, each under Teams’ size limit', async () => {
    const { cards, posted } = setup();
    const text = 'ก'.repeat(30_000); // Thai: 3 bytes a character in UTF-8
    await cards.line(card, 'Ada Teams', text);
    expect(posted.length).toBe(Math.ceil(30_000 / TEAMS_LINE_PART));
    expect(posted.every((p) => p.conversation === threadId(card))).toBe(true);
    const n = posted.length;
    expect(posted.map((p) => p.text.slice(0, p.text.indexOf(': ') + 2))).toEqual(
      posted.map((_, i) => `Ada Teams (${i + 1}/${n}): `),
    );
    expect(posted.map((p) => p.text.slice(p.text.indexOf(': ') + 2)).join('')).toBe(text);
  });

  it('a part the Connector still refuses (413) goes again cut, with a marker', async () => {
    // A Connector stricter than the part size (e.g. a tenant's policy): 6,000 bytes at most.
    const { cards, posted } = setup(6000);
    const text = 'z'.repeat(TEAMS_LINE_PART);
    await cards.line(card, 'Customer', text);
    expect(posted).toHaveLength(1);
    expect(posted[0].text).toMatch(/^Customer: z+… \(truncated, \d+ more characters\)$/);
    expect(posted[0].text.length).toBeLessThan(2100);
  });

  it('a short line is one message, as before', async () => {
    const { cards, posted } = setup();
    await cards.line(card, 'Customer', 'order 4711 never arrived');
    expect(posted.map((p) => p.text)).toEqual(['Customer: order 4711 never arrived']);
  });
});
