/**
 * Every Adaptive Card the Teams adapter sends, checked with Microsoft's own parser (`adaptivecards`) for the version
 * the card declares: the ticket card in each state (with and without entities, agents, mentions, transcript), the
 * reply cards (clarify choices, 👍/👎, "Talk to a person") and what a pressed one becomes. A property newer than the declared version, an empty choice
 * value or anything else the parser flags fails the test with the parser's own words.
 */
import { describe, expect, it } from 'vitest';
import { actionsCard, pressedCard, replyToTeams } from '../../../../src/adapters/teams/reply-to-teams.ts';
import { ticketCard } from '../../../../src/adapters/teams/ticket-card.ts';
import type { Ticket } from '../../../../src/handoff/ticket.ts';
import { adaptiveCardProblems } from '../../../fixtures/adaptive-card-validator.ts';

const ticket = (over: Partial<Ticket> = {}): Ticket => ({
  id: 't_0123456789abcdef',
  status: 'queued',
  conversation: 'teams:a:1',
  channel: 'teams',
  customer: 'aad-1',
  language: 'en',
  reason: 'low_confidence',
  intents: [
    { intent: 'bill_query', score: 0.41 },
    { intent: 'alarm_set', score: 0.2 },
    { intent: 'weather_query', score: 0.1 },
  ],
  entities: [{ type: 'date', text: 'March' }],
  created_at: 1,
  surfaces: {},
  transcript: [
    { seq: 1, at: 1, from: 'customer', text: 'my **bill** <at>Ann</at>' },
    { seq: 2, at: 2, from: 'bot', text: 'I am passing you to a colleague.' },
    { seq: 3, at: 3, from: 'agent', agent: 'ann', text: 'Hi, Ann here.' },
  ],
  ...over,
});
const agents = [
  { id: 'ann', name: 'Ann', languages: ['en'], skills: ['*'], teams_user: 'aad-ann' },
  { id: 'bo', languages: ['en'], skills: ['*'] },
];
const agentName = (a: string) => ({ ann: 'Ann' })[a] ?? a;

// biome-ignore lint/suspicious/noExplicitAny: card JSON
const cardOf = (attachment: { content?: any }) => attachment.content;

describe('Adaptive Cards are valid for the version they declare (Microsoft’s parser)', () => {
  it('the validator itself flags what Teams’ parser flags (1.5 heading style in a 1.4 card, an empty choice)', () => {
    const bad = {
      type: 'AdaptiveCard',
      version: '1.4',
      body: [
        { type: 'TextBlock', text: 'Ticket', style: 'heading' },
        { type: 'Input.ChoiceSet', id: 'label', choices: [{ title: '(no label)', value: '' }] },
      ],
    };
    const problems = adaptiveCardProblems(bad);
    expect(problems).toEqual([
      expect.stringMatching(/^UnsupportedProperty \(TextBlock\).*"style".*1\.5/),
      expect.stringMatching(/^PropertyCantBeNull \(Input\.ChoiceSet\)/),
    ]);
  });

  it('ticket cards in every state', () => {
    const cases: [string, Ticket, Parameters<typeof ticketCard>[1]][] = [
      ['queued', ticket(), { agents, agentName }],
      ['queued, no agents, named customer', ticket(), { agents: [], agentName, customerName: 'Ada *L*' }],
      ['claimed', ticket({ status: 'claimed', agent: 'ann' }), { agents, agentName }],
      ['claimed, no intents', ticket({ status: 'claimed', agent: 'ann', intents: [] }), { agents, agentName }],
      ['resolved with label', ticket({ status: 'resolved', agent: 'ann', label: 'bill_query' }), { agents, agentName }],
      ['abandoned', ticket({ status: 'abandoned' }), { agents, agentName }],
      ['empty ticket', ticket({ intents: [], entities: [], transcript: [] }), { agents: [], agentName }],
    ];
    for (const [name, t, view] of cases) {
      const card = cardOf(ticketCard(t, view));
      expect(card.version, name).toBe('1.4');
      expect(adaptiveCardProblems(card), name).toEqual([]);
    }
  });

  it('reply cards: clarify choices, feedback, "Talk to a person"', () => {
    const reply = { text: 'Which one?', language: 'en' };
    const messages = [
      {
        reply: {
          ...reply,
          quick_replies: [
            { intent: 'alarm_set', label: 'Set an alarm' },
            { intent: 'alarm_query', label: 'Check my alarms' },
          ],
        },
        turn: 'teams:1',
        feedback: false,
      },
      { reply, turn: 'teams:2', feedback: true },
      { reply: { ...reply, language: 'th' }, turn: 'teams:3', feedback: false, offerHuman: true },
    ];
    for (const m of messages) {
      const [attachment] = replyToTeams(m).attachments ?? [];
      expect(attachment, JSON.stringify(m)).toBeDefined();
      expect(adaptiveCardProblems(cardOf(attachment)), JSON.stringify(m)).toEqual([]);
    }
    expect(adaptiveCardProblems(cardOf(actionsCard([])))).toEqual([]);
    // What a pressed card becomes (its buttons replaced by the choice).
    expect(adaptiveCardProblems(cardOf(pressedCard('✓ See my alarms')))).toEqual([]);
    expect(adaptiveCardProblems(cardOf(pressedCard('👎')))).toEqual([]);
  });
});
