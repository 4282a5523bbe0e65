import { afterEach, describe, expect, it } from 'vitest';
import { SlackAgentsChannel } from '../../../../src/adapters/slack/slack-agents-channel.ts';
import { readSlackEnv } from '../../../../src/adapters/slack/slack-env.ts';
import { MemorySender } from '../../../../src/channel-sender.ts';
import { BotConfigSchema } from '../../../../src/config/bot-config.ts';
import { SwitchboardError } from '../../../../src/errors.ts';
import { HandoffService } from '../../../../src/handoff/handoff-service.ts';
import { STORE_DOWN_TEXT } from '../../../../src/handoff/ticket-thread-notes.ts';
import { memoryLogger } from '../../../../src/log.ts';
import { openStores, type Stores } from '../../../../src/server/open-stores.ts';
import type { Turn } from '../../../../src/turn.ts';
import { FakeSlackClient } from '../../../fixtures/desk-fakes.ts';
import { envelope, TEAM } from './slack-payloads.ts';

const AGENTS = 'C0AGENTS';
const config = BotConfigSchema.parse({
  languages: ['en'],
  default_language: 'en',
  answers: {},
  handoff: { message: { en: 'A person will help.' }, alert_after_minutes: 5, abandon_after_minutes: 60 },
  clarify: { prompt: { en: 'Which?' } },
  agents: [{ id: 'ann', name: 'Ann', languages: ['en'], slack_user: 'U0ANN' }],
});

let stores: Stores | undefined;
afterEach(async () => stores?.close());

async function setup() {
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
  const client = new FakeSlackClient();
  const make = () =>
    new SlackAgentsChannel({
      channel: AGENTS,
      client,
      handoffs,
      conversations: stores!.conversations,
      config,
      log,
    });
  const channel = make();
  channel.start();
  handoffs.addSurface(channel);
  return { handoffs, channel, client, log, web, now, make, stores };
}

const u = { languages: [], intents: [{ intent: 'bill_query', score: 0.3 }], entities: [], timings: {} as never };
async function openTicket(handoffs: HandoffService, stores: Stores, conversation: string) {
  await stores.conversations.setAddress(conversation, { channel: 'web', address: { conversation } });
  const turn: Turn = { id: `${conversation}-1`, channel: 'web', conversation, user: 'u', text: 'help', receivedAt: 1 };
  const decision = { kind: 'handoff', reason: 'human_requested', language: 'en' } as const;
  return (await handoffs.open(turn, u, decision, { text: 'A person will help.', language: 'en' })).ticket;
}

let seq = 0;
const replyIn = (threadTs: string, text: string, user = 'U0ANN') => {
  const ts = `1712000100.${String(++seq).padStart(6, '0')}`;
  return envelope({ type: 'message', channel: AGENTS, channel_type: 'channel', user, text, ts, thread_ts: threadTs });
};
const click = (action: 'claim' | 'resolve', ticket: string, cardTs: string, user = 'U0ANN', values = {}) => ({
  type: 'block_actions',
  user: { id: user, name: user.toLowerCase() },
  team: { id: TEAM },
  channel: { id: AGENTS },
  container: { type: 'message', channel_id: AGENTS, message_ts: cardTs },
  trigger_id: `trigger-${++seq}`,
  state: { values },
  actions: [{ action_id: `switchboard_ticket_${action}`, value: ticket, action_ts: `1712.${++seq}` }],
});

describe('SlackAgentsChannel', () => {
  it('posts the card off the customer’s path and maps its ts to the ticket', async () => {
    const { channel, handoffs, client, stores } = await setup();
    client.delay = 50;
    const ticket = await openTicket(handoffs, stores, 'web:c1');
    expect(client.posts).toHaveLength(0); // queued: the customer's turn does not wait for Slack
    await channel.idle();
    expect(client.cards()).toHaveLength(1);
    expect(client.posts[0]).toMatchObject({ channel: AGENTS, unfurl_links: false });
    expect((await stores.handoffs.get(ticket.id))?.surfaces.slack).toEqual({
      channel: AGENTS,
      ts: '1712000000.000001',
    });
    expect((await stores.handoffs.findBySurface('slack', `${AGENTS}:1712000000.000001`))?.id).toBe(ticket.id);
  });

  it('mirrors customer lines and other surfaces’ agent lines into the thread, updates the card, alerts', async () => {
    const { channel, handoffs, client, stores, now } = await setup();
    const ticket = await openTicket(handoffs, stores, 'web:c2');
    const open = (await stores.handoffs.get(ticket.id))!;
    const turn = { id: 'm2', channel: 'web' as const, conversation: 'web:c2', user: 'u', receivedAt: 2 };
    await handoffs.customerMessage(open, { ...turn, text: 'hello <!here>?' });
    now.t = 7 * 60_000;
    await handoffs.sweep();
    await handoffs.claim(ticket.id, 'ann'); // e.g. from the web console
    await handoffs.agentMessage(ticket.id, 'ann', 'Hi, I am here.');
    await channel.idle();
    const ts = '1712000000.000001';
    expect(client.thread(ts)).toEqual([
      'Customer: hello &lt;!here&gt;?',
      '⏰ Waiting for 7 min: can someone claim it?',
      'Ann claimed this ticket: replies in this thread go to the customer.',
      'Ann (agent): Hi, I am here.',
    ]);
    // The waiting alert is also shown in the channel.
    expect(client.posts.find((p) => /Waiting/.test(p.text))?.reply_broadcast).toBe(true);
    expect(client.updates).toHaveLength(1);
    expect(client.updates[0]).toMatchObject({ channel: AGENTS, ts });
    expect(JSON.stringify(client.updates[0].blocks)).toContain('Claimed by Ann');
  });

  it('a card that failed to post is posted with the ticket’s next event; a restarted surface catches up', async () => {
    const { channel, handoffs, client, stores, log, make } = await setup();
    client.fail = 2;
    const first = await openTicket(handoffs, stores, 'web:c3');
    const second = await openTicket(handoffs, stores, 'web:c4');
    await channel.idle();
    expect(log.lines).toContainEqual(
      expect.objectContaining({ event: 'slack_agents_failed', ticket: first.id, code: 'E_SLACK_API' }),
    );
    await handoffs.claim(first.id, 'ann');
    await channel.idle();
    expect(JSON.stringify(client.cards()[0].blocks)).toContain('Claimed by Ann'); // in its current state
    expect(client.updates).toHaveLength(0);
    // A new process: the card missing for the second ticket is posted at start, the first's is not posted again.
    const again = make();
    again.start();
    await again.idle();
    expect(client.cards()).toHaveLength(2);
    expect((await stores.handoffs.get(second.id))?.surfaces.slack).toBeDefined();
  });

  it('a thread reply goes to the customer once (retried, or as message and app_mention) and is not echoed', async () => {
    const { channel, handoffs, client, stores, web } = await setup();
    const ticket = await openTicket(handoffs, stores, 'web:c5');
    await channel.idle();
    const ts = '1712000000.000001';
    await channel.handle(click('claim', ticket.id, ts));
    await channel.idle();
    const line = replyIn(ts, 'On it.');
    await channel.handle(line);
    await channel.handle(line); // Slack retried it
    await channel.handle({ ...line, event_id: 'Ev0OTHER', event: { ...(line.event as object), type: 'app_mention' } });
    await channel.handle(replyIn(ts, 'x'.repeat(4001)));
    await channel.idle();
    expect(web.sent.map((s) => s.message.reply.text)).toEqual(['Ann has joined the conversation.', 'Ann: On it.']);
    expect(client.thread(ts)).toEqual(['Ann claimed this ticket: replies in this thread go to the customer.']);
    expect(client.ephemerals).toEqual([
      {
        channel: AGENTS,
        user: 'U0ANN',
        thread_ts: ts,
        text: '⚠️ Too long for the customer (4000 characters at most): not sent.',
      },
    ]);
  });

  it('an agent’s reply that meets a database outage is not lost silently: the agent is told to send it again', async () => {
    const { channel, handoffs, client, stores, web } = await setup();
    const ticket = await openTicket(handoffs, stores, 'web:c6');
    await channel.idle();
    const ts = '1712000000.000001';
    await channel.handle(click('claim', ticket.id, ts));
    await channel.idle();
    const agentMessage = handoffs.agentMessage.bind(handoffs);
    handoffs.agentMessage = async () => {
      throw new SwitchboardError('E_STORE_UNAVAILABLE', 'transport', 'PostgreSQL unavailable: Connection terminated');
    };
    await channel.handle(replyIn(ts, 'Checking your order now.'));
    await channel.idle();
    handoffs.agentMessage = agentMessage;
    expect(web.sent.map((s) => s.message.reply.text)).toEqual(['Ann has joined the conversation.']);
    expect(client.ephemerals.map((e) => e.text)).toEqual([STORE_DOWN_TEXT]);
  });

  it('"Other / new intent…" opens the modal for the claimant only; others are told why', async () => {
    const { channel, handoffs, client, stores } = await setup();
    const ticket = await openTicket(handoffs, stores, 'web:c6');
    await channel.idle();
    const ts = '1712000000.000001';
    const other = {
      b: { switchboard_ticket_label: { type: 'static_select', selected_option: { value: 'switchboard:other' } } },
    };
    await channel.handle(click('resolve', ticket.id, ts, 'U0ANN', other)); // not claimed yet
    await channel.handle(click('claim', ticket.id, ts));
    await channel.handle(click('resolve', ticket.id, ts, 'U0SAM', other)); // not the claimant
    await channel.handle(click('resolve', ticket.id, ts, 'U0ANN', other));
    await channel.idle();
    expect(client.ephemerals.map((e) => [e.user, e.text])).toEqual([
      ['U0ANN', '⚠️ Claim the ticket first.'],
      ['U0SAM', '⚠️ Only Ann, who claimed this ticket, can resolve it.'],
    ]);
    expect(client.views.opened).toHaveLength(1);
    expect(client.views.opened[0]).toMatchObject({ view: { callback_id: 'switchboard_ticket_resolve' } });
    expect((await stores.handoffs.get(ticket.id))?.status).toBe('claimed');
  });

  it('posts operational alerts (drift…) in the channel, escaped', async () => {
    const { channel, handoffs, client } = await setup();
    await handoffs.broadcast('Intent confidence drifted (PSI 0.31) <!channel>');
    await channel.idle();
    expect(client.posts).toEqual([
      expect.objectContaining({ channel: AGENTS, text: '⚠️ Intent confidence drifted (PSI 0.31) &lt;!channel&gt;' }),
    ]);
  });
});

describe('SWITCHBOARD_SLACK_AGENTS_CHANNEL', () => {
  it('is read as the agents’ channel id; a channel name is refused with a clear message', () => {
    expect(readSlackEnv({ SWITCHBOARD_SLACK_AGENTS_CHANNEL: 'C0AGENTS' }).agentsChannel).toBe('C0AGENTS');
    expect(readSlackEnv({})).not.toHaveProperty('agentsChannel');
    expect(() => readSlackEnv({ SWITCHBOARD_SLACK_AGENTS_CHANNEL: '#support' })).toThrow(
      /SWITCHBOARD_SLACK_AGENTS_CHANNEL: must be a Slack channel id/,
    );
  });
});
