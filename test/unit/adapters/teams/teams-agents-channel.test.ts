import type { Activity, ConversationReference } from 'botbuilder';
import { afterEach, describe, expect, it } from 'vitest';
import { TeamsAgentsChannel } from '../../../../src/adapters/teams/teams-agents-channel.ts';
import { MemorySender } from '../../../../src/channel-sender.ts';
import { BotConfigSchema } from '../../../../src/config/bot-config.ts';
import { HandoffService } from '../../../../src/handoff/handoff-service.ts';
import { memoryLogger } from '../../../../src/log.ts';
import { openStores, type Stores } from '../../../../src/server/open-stores.ts';
import type { Turn } from '../../../../src/turn.ts';
import { FakeTeamsPoster } from '../../../fixtures/desk-fakes.ts';

const AGENTS = '19:agents@thread.tacv2';
const config = BotConfigSchema.parse({
  languages: ['en'],
  default_language: 'en',
  answers: {},
  handoff: { message: { en: 'A person will help.' }, alert_after_minutes: 5, abandon_after_minutes: 60 },
  clarify: { prompt: { en: 'Which?' } },
  agents: [{ id: 'ann', name: 'Ann', languages: ['en'], teams_user: 'aad-ann' }],
});

let stores: Stores | undefined;
afterEach(async () => stores?.close());

async function setup(serviceUrl?: string) {
  stores = await openStores({ sqliteFile: ':memory:' });
  const now = { t: 1_000 };
  const log = memoryLogger();
  const web = new MemorySender('web');
  const handoffs = new HandoffService({
    store: stores.handoffs,
    conversations: stores.conversations,
    senders: { web },
    config,
    log,
    now: () => now.t,
  });
  const poster = new FakeTeamsPoster();
  const make = () =>
    new TeamsAgentsChannel({
      settings: { conversation: `${AGENTS};messageid=1`, ...(serviceUrl ? { serviceUrl } : {}), tenantId: 'tn' },
      botId: '28:bot',
      sender: poster,
      handoffs,
      conversations: stores!.conversations,
      config,
      log,
    });
  const channel = make();
  await channel.start();
  handoffs.addSurface(channel);
  return { handoffs, channel, poster, log, web, now, make, stores };
}

const u = { languages: [], intents: [{ intent: 'bill_query', score: 0.3 }], entities: [], timings: {} as never };
async function openTicket(handoffs: HandoffService, stores: Stores, conversation: string) {
  await stores.conversations.setAddress(conversation, { channel: 'web', address: { conversation } });
  const turn: Turn = { id: `${conversation}-1`, channel: 'web', conversation, user: 'u', text: 'help', receivedAt: 1 };
  const decision = { kind: 'handoff', reason: 'human_requested', language: 'en' } as const;
  return (await handoffs.open(turn, u, decision, { text: 'A person will help.', language: 'en' })).ticket;
}

let seq = 0;
function fromChannel(fields: Partial<Activity> & Record<string, unknown>): Partial<Activity> {
  return {
    type: 'message',
    id: `act-${++seq}`,
    channelId: 'msteams',
    serviceUrl: 'https://smba.example/emea/',
    from: { id: '29:ann', name: 'Ann A.', aadObjectId: 'aad-ann' },
    recipient: { id: '28:bot', name: 'Bot' },
    conversation: { id: AGENTS, conversationType: 'channel', isGroup: true, tenantId: 'tn' } as never,
    ...fields,
  };
}

describe('TeamsAgentsChannel', () => {
  it('owns the agents’ channel and its threads, nothing else', async () => {
    const { channel } = await setup('https://smba.example/emea/');
    expect(channel.conversation).toBe(AGENTS);
    expect(channel.owns(fromChannel({}))).toBe(true);
    expect(channel.owns({ conversation: { id: `${AGENTS};messageid=42` } } as Partial<Activity>)).toBe(true);
    expect(channel.owns({ conversation: { id: '19:other@thread.tacv2' } } as Partial<Activity>)).toBe(false);
    expect(channel.owns({ conversation: { id: 'a:personal' } } as Partial<Activity>)).toBe(false);
    expect(channel.owns(undefined)).toBe(false);
  });

  it('posts the card from the settings’ reference without delaying the customer, and maps its thread', async () => {
    const { channel, handoffs, poster, stores } = await setup('https://smba.example/emea/');
    poster.delay = 50;
    const ticket = await openTicket(handoffs, stores, 'web:c1');
    expect(poster.posts).toHaveLength(0); // queued: the customer's turn does not wait for Teams
    await channel.idle();
    expect(poster.posts[0].address).toMatchObject({
      serviceUrl: 'https://smba.example/emea/',
      bot: { id: '28:bot' },
      conversation: { id: AGENTS, isGroup: true, conversationType: 'channel', tenantId: 'tn' },
    });
    expect(poster.posts[0].activity.attachments?.[0].contentType).toBe('application/vnd.microsoft.card.adaptive');
    expect((await stores.handoffs.get(ticket.id))?.surfaces.teams).toEqual({
      conversationId: AGENTS,
      activityId: 'card-1',
    });
    expect((await stores.handoffs.findBySurface('teams', `${AGENTS};messageid=card-1`))?.id).toBe(ticket.id);
  });

  it('without a service URL: waits, learns the channel from its first activity, stores it, then posts missing cards', async () => {
    const { channel, handoffs, poster, log, stores, make } = await setup();
    expect(log.lines).toContainEqual(expect.objectContaining({ event: 'teams_agents_unknown', level: 'warn' }));
    await openTicket(handoffs, stores, 'web:c2');
    await channel.idle();
    expect(poster.posts).toHaveLength(0);
    // Someone @mentions the bot in the channel (a top-level post: ignored, but the reference is learnt).
    await channel.handle(fromChannel({ text: '<at>Bot</at> hello' }));
    await channel.idle();
    expect(poster.posts).toHaveLength(1);
    expect(poster.posts[0].address.serviceUrl).toBe('https://smba.example/emea/');
    // A restarted surface (no settings' URL) knows the channel from the store.
    const again = make();
    await again.start();
    expect(again.channelReference?.serviceUrl).toBe('https://smba.example/emea/');
  });

  it('mirrors customer lines and other surfaces’ agent lines into the thread, updates the card, alerts', async () => {
    const { channel, handoffs, poster, stores, now } = await setup('https://smba.example/emea/');
    const ticket = await openTicket(handoffs, stores, 'web:c3');
    const thread = `${AGENTS};messageid=card-1`;
    const open = (await stores.handoffs.get(ticket.id))!;
    await handoffs.customerMessage(open, {
      id: 'm2',
      channel: 'web',
      conversation: 'web:c3',
      user: 'u',
      text: 'hello?',
      receivedAt: 2,
    });
    now.t = 7 * 60_000;
    await handoffs.sweep();
    await handoffs.claim(ticket.id, 'ann'); // e.g. from the web console
    await handoffs.agentMessage(ticket.id, 'ann', 'Hi, I am here.');
    await channel.idle();
    expect(poster.threadTexts(thread)).toEqual([
      'Customer: hello?',
      '⏰ Waiting for 7 min: can someone claim it?',
      'Ann claimed this ticket: replies in this thread go to the customer.',
      'Ann (agent): Hi, I am here.',
    ]);
    expect(poster.updates).toHaveLength(1);
    expect(poster.updates[0]).toMatchObject({ id: 'card-1', address: { conversation: { id: AGENTS } } });
    expect(JSON.stringify(poster.updates[0].activity)).toContain('Claimed by Ann');
  });

  it('a card that failed to post is posted with the ticket’s next event', async () => {
    const { channel, handoffs, poster, stores, log } = await setup('https://smba.example/emea/');
    poster.fail = 1;
    const ticket = await openTicket(handoffs, stores, 'web:c4');
    await channel.idle();
    expect(log.lines).toContainEqual(
      expect.objectContaining({ event: 'teams_agents_failed', ticket: ticket.id, code: 'E_TEAMS_SEND' }),
    );
    await handoffs.claim(ticket.id, 'ann');
    await channel.idle();
    expect(JSON.stringify(poster.posts[0].activity)).toContain('Claimed by Ann'); // the card, in its current state
    expect(poster.updates).toHaveLength(0);
    expect(poster.threadTexts(`${AGENTS};messageid=card-1`)).toHaveLength(1);
  });

  it('posts operational alerts (drift…) in the channel', async () => {
    const { channel, handoffs, poster } = await setup('https://smba.example/emea/');
    await handoffs.broadcast('Intent confidence drifted (PSI 0.31)');
    await channel.idle();
    expect(poster.posts).toEqual([
      {
        address: expect.objectContaining({ conversation: expect.objectContaining({ id: AGENTS }) }),
        activity: { type: 'message', text: '⚠️ Intent confidence drifted (PSI 0.31)', textFormat: 'plain' },
      },
    ]);
  });

  it('ignores activities from another tenant than the configured one (and learns nothing from them)', async () => {
    const { channel, poster, log } = await setup();
    await channel.handle(
      fromChannel({
        type: 'conversationUpdate',
        membersAdded: [{ id: '28:bot', name: 'Bot' }],
        conversation: { id: AGENTS, tenantId: 'evil' } as never,
        serviceUrl: 'https://evil.example/',
      }),
    );
    expect(channel.channelReference).toBeUndefined();
    expect(poster.posts).toHaveLength(0);
    expect(log.lines).toContainEqual(
      expect.objectContaining({ event: 'teams_agents_ignored', reason: 'other_tenant' }),
    );
  });

  it('says hello once when installed in the channel; ignores repeats and other members joining', async () => {
    const { channel, poster } = await setup('https://smba.example/emea/');
    const install = fromChannel({ type: 'conversationUpdate', membersAdded: [{ id: '28:bot', name: 'Bot' }] });
    await channel.handle(install);
    await channel.handle(install);
    await channel.handle(fromChannel({ type: 'conversationUpdate', membersAdded: [{ id: '29:x', name: 'X' }] }));
    expect(poster.posts.map((p) => p.activity.text)).toEqual([
      expect.stringMatching(/^Handoff tickets will be posted/),
    ]);
  });

  it('an agent line from the thread is sent once per activity id and not echoed', async () => {
    const { channel, handoffs, poster, stores, web } = await setup('https://smba.example/emea/');
    const ticket = await openTicket(handoffs, stores, 'web:c5');
    await channel.idle();
    const thread = `${AGENTS};messageid=card-1`;
    await channel.handle(
      fromChannel({ value: { switchboard: 'ticket', action: 'claim', ticket: ticket.id }, replyToId: 'card-1' }),
    );
    await channel.idle();
    const line = fromChannel({ conversation: { id: thread } as never, text: 'On it.' });
    await channel.handle(line);
    await channel.handle(line); // Bot Framework retried it
    await channel.handle(fromChannel({ conversation: { id: thread } as never, text: 'x'.repeat(4001) }));
    await channel.idle();
    expect(web.sent.map((s) => s.message.reply.text)).toEqual(['Ann has joined the conversation.', 'Ann: On it.']);
    expect(poster.threadTexts(thread)).toEqual([
      'Ann claimed this ticket: replies in this thread go to the customer.',
      '⚠️ Too long for the customer (4000 characters at most): not sent.',
    ]);
  });
});
