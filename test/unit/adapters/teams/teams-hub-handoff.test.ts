import type { ConversationReference } from 'botbuilder';
import { afterEach, describe, expect, it } from 'vitest';
import { handoffTranscript, TeamsHubHandoff } from '../../../../src/adapters/teams/teams-hub-handoff.ts';
import { BotConfigSchema } from '../../../../src/config/bot-config.ts';
import { HandoffService } from '../../../../src/handoff/handoff-service.ts';
import type { Ticket } from '../../../../src/handoff/ticket.ts';
import { memoryLogger } from '../../../../src/log.ts';
import { openStores, type Stores } from '../../../../src/server/open-stores.ts';

const reference = {
  activityId: 'm-1',
  channelId: 'msteams',
  serviceUrl: 'https://smba.example/',
  bot: { id: '28:bot', name: 'Bot' },
  user: { id: '29:u', name: 'Una' },
  conversation: { id: 'a:1' },
} as unknown as ConversationReference;

describe('handoffTranscript', () => {
  it('maps the ticket transcript to Bot Framework message activities with their senders and times', () => {
    const ticket = {
      id: 't_1',
      language: 'en',
      transcript: [
        { seq: 1, at: 0, from: 'customer', text: 'help' },
        { seq: 2, at: 1000, from: 'bot', text: 'A person will help.' },
        { seq: 3, at: 2000, from: 'agent', agent: 'ann', text: 'Hi' },
      ],
    } as unknown as Ticket;
    const { activities } = handoffTranscript(ticket, reference);
    expect(JSON.parse(JSON.stringify(activities))).toEqual([
      expect.objectContaining({
        type: 'message',
        id: 't_1:1',
        timestamp: '1970-01-01T00:00:00.000Z',
        from: reference.user,
        recipient: reference.bot,
        conversation: { id: 'a:1' },
        text: 'help',
      }),
      expect.objectContaining({ id: 't_1:2', from: reference.bot, recipient: reference.user }),
      expect.objectContaining({ id: 't_1:3', from: { id: '28:bot', name: 'ann', role: 'bot' }, text: 'Hi' }),
    ]);
  });

  it('recognises handoff.status events only', () => {
    expect(TeamsHubHandoff.isStatus({ type: 'event', name: 'handoff.status' })).toBe(true);
    expect(TeamsHubHandoff.isStatus({ type: 'event', name: 'handoff.initiate' })).toBe(false);
    expect(TeamsHubHandoff.isStatus({ type: 'message', name: 'handoff.status' })).toBe(false);
    expect(TeamsHubHandoff.isStatus(undefined)).toBe(false);
  });
});

let stores: Stores | undefined;
afterEach(async () => stores?.close());

describe('TeamsHubHandoff', () => {
  it('initiates only Teams tickets, after the customer got the handoff reply; one whose event never left is initiated again by catchUp', async () => {
    stores = await openStores({ sqliteFile: ':memory:' });
    const config = BotConfigSchema.parse({
      languages: ['en'],
      default_language: 'en',
      answers: {},
      handoff: { message: { en: 'A person will help.' } },
      clarify: { prompt: { en: 'Which?' } },
    });
    const log = memoryLogger();
    const handoffs = new HandoffService({
      store: stores.handoffs,
      conversations: stores.conversations,
      senders: {},
      config,
      log,
    });
    const posted: unknown[] = [];
    let attempts = 0;
    let failing = true;
    const hub = new TeamsHubHandoff({
      sender: {
        post: async (address, activity) => {
          attempts++;
          if (failing) throw new Error('Connector down');
          posted.push({ address, activity: typeof activity === 'function' ? 'built' : activity });
          return 'ev-1';
        },
      },
      handoffs,
      conversations: stores.conversations,
      log,
    });
    handoffs.addSurface(hub);
    const open = async (conversation: string, channel: 'teams' | 'web') => {
      await stores!.conversations.setAddress(conversation, { channel, address: reference });
      const turn = { id: conversation, channel, conversation, user: 'u', text: 'help', receivedAt: 1 };
      const decision = { kind: 'handoff', reason: 'human_requested', language: 'en' } as const;
      const u = { languages: [], intents: [], entities: [], timings: {} as never };
      return (await handoffs.open(turn, u, decision, { text: 'x', language: 'en' }, { replyFollows: true })).ticket;
    };
    const teams = await open('teams:a:1', 'teams');
    const web = await open('web:w1', 'web');
    // The turn has not sent the customer its reply yet: no handoff.initiate (a hub could join before it).
    await new Promise((r) => setTimeout(r, 100));
    expect(attempts).toBe(0);
    handoffs.replied(teams.id); // what the turn handler says once the reply went out
    handoffs.replied(web.id);
    await hub.idle();
    expect(attempts).toBe(1);
    expect(posted).toHaveLength(0);
    expect(log.lines).toContainEqual(expect.objectContaining({ event: 'teams_handoff_failed', ticket: teams.id }));
    expect((await stores.handoffs.get(teams.id))?.surfaces.botframework).toMatchObject({ state: 'sending' });
    failing = false;
    hub.catchUp();
    await hub.idle();
    expect(posted).toEqual([{ address: reference, activity: 'built' }]);
    expect((await stores.handoffs.get(teams.id))?.surfaces.botframework).toMatchObject({
      state: 'sent',
      activity: 'ev-1',
    });
    hub.catchUp();
    await hub.idle();
    expect(posted).toHaveLength(1);
  });
});
