/**
 * One contract for every place agents work — the Slack agents' channel, the Teams agents' channel and the web console
 * (the agent API over real HTTP): the same moves have the same effects on the ticket and the customer, and a move the
 * ticket's state does not allow (or a database outage) is explained to the agent and changes nothing.
 */
import { createServer, type Server } from 'node:http';
import type { Activity } from 'botbuilder';
import { afterEach, describe, expect, it } from 'vitest';
import { SlackAgentsChannel } from '../../../src/adapters/slack/slack-agents-channel.ts';
import { TeamsAgentsChannel } from '../../../src/adapters/teams/teams-agents-channel.ts';
import { MemorySender } from '../../../src/channel-sender.ts';
import { BotConfigSchema } from '../../../src/config/bot-config.ts';
import { SwitchboardError } from '../../../src/errors.ts';
import { ConsoleHub } from '../../../src/handoff/console-hub.ts';
import { HandoffService } from '../../../src/handoff/handoff-service.ts';
import type { Ticket } from '../../../src/handoff/ticket.ts';
import { memoryLogger } from '../../../src/log.ts';
import { handleAgentApi } from '../../../src/server/agent-api.ts';
import { AgentAuth } from '../../../src/server/agent-auth.ts';
import { sendError } from '../../../src/server/http-errors.ts';
import { openStores, type Stores } from '../../../src/server/open-stores.ts';
import { FakeSlackClient, FakeTeamsPoster } from '../../fixtures/desk-fakes.ts';

const config = BotConfigSchema.parse({
  languages: ['en'],
  default_language: 'en',
  answers: {},
  handoff: { message: { en: 'A person will help.' } },
  clarify: { prompt: { en: 'Which?' } },
  agents: [
    { id: 'ann', name: 'Ann', languages: ['en'], slack_user: 'U0ANN', teams_user: 'aad-ann' },
    { id: 'sam', name: 'Sam', languages: ['en'], slack_user: 'U0SAM', teams_user: 'aad-sam' },
    { id: 'kai', name: 'Kai', languages: ['de'], slack_user: 'U0KAI', teams_user: 'aad-kai' },
  ],
});
type Agent = 'ann' | 'sam' | 'kai';

/** One agent surface driven the way its agents drive it. */
interface Desk {
  claim(ticket: Ticket, agent: Agent): Promise<void>;
  reply(ticket: Ticket, agent: Agent, text: string, repeat?: boolean): Promise<void>;
  resolve(ticket: Ticket, agent: Agent, label?: string): Promise<void>;
  /** What agents were told about their own moves (refusals), since the last call. */
  told(): string[];
  /** The customer's lines the surface showed for the ticket. */
  shown(ticket: Ticket): string[];
  /** Waits for the surface's background work. */
  settle(): Promise<void>;
  /** Whether a repeated platform event (a retry) is recognised: chat platforms have event ids, the API has none. */
  dedupes: boolean;
  close(): Promise<void>;
}

interface Rig {
  handoffs: HandoffService;
  stores: Stores;
  customer: MemorySender;
}

let seq = 0;
const next = () => ++seq;

/** The Slack agents' channel, fed Slack payloads. */
async function slackDesk({ handoffs, stores }: Rig): Promise<Desk> {
  const AGENTS = 'C0AGENTS';
  const client = new FakeSlackClient();
  const channel = new SlackAgentsChannel({
    channel: AGENTS,
    client,
    handoffs,
    conversations: stores.conversations,
    config,
    log: memoryLogger(),
  });
  handoffs.addSurface(channel);
  const user = (a: Agent) => `U0${a.toUpperCase()}`;
  const cardTs = (t: Ticket) => (t.surfaces.slack as { ts: string } | undefined)?.ts ?? '';
  const fresh = async (t: Ticket) => (await handoffs.ticket(t.id)) as Ticket;
  let toldSeen = 0;
  const click = async (t: Ticket, a: Agent, action: 'claim' | 'resolve', values = {}) => {
    const ts = cardTs(await fresh(t));
    await channel.handle({
      type: 'block_actions',
      user: { id: user(a), name: a },
      channel: { id: AGENTS },
      container: { type: 'message', channel_id: AGENTS, message_ts: ts },
      trigger_id: `trigger-${next()}`,
      state: { values },
      actions: [{ action_id: `switchboard_ticket_${action}`, value: t.id, action_ts: `1712.${next()}` }],
    });
  };
  return {
    dedupes: true,
    claim: (t, a) => click(t, a, 'claim'),
    resolve: (t, a, label) =>
      click(t, a, 'resolve', label ? { b: { switchboard_ticket_label: { selected_option: { value: label } } } } : {}),
    async reply(t, a, text, repeat) {
      const thread = cardTs(await fresh(t));
      const ts = `1712000100.${String(next()).padStart(6, '0')}`;
      const event = { type: 'message', channel: AGENTS, user: user(a), text, ts, thread_ts: thread };
      const body = { type: 'event_callback', event_id: `Ev${next()}`, event };
      await channel.handle(body);
      if (repeat) await channel.handle(body);
    },
    told: () => client.ephemerals.slice(toldSeen, (toldSeen = client.ephemerals.length)).map((e) => e.text),
    shown: (t) => client.thread(cardTs(t)).filter((line) => line.startsWith('Customer: ')),
    settle: () => channel.idle(),
    close: async () => {},
  };
}

/** The Teams agents' channel, fed Bot Framework activities. */
async function teamsDesk({ handoffs, stores }: Rig): Promise<Desk> {
  const AGENTS = '19:agents@thread.tacv2';
  const poster = new FakeTeamsPoster();
  const channel = new TeamsAgentsChannel({
    settings: { conversation: AGENTS, serviceUrl: 'https://smba.example/', tenantId: 'tn' },
    botId: '28:bot',
    sender: poster,
    handoffs,
    conversations: stores.conversations,
    config,
    log: memoryLogger(),
  });
  await channel.start();
  handoffs.addSurface(channel);
  const thread = (t: Ticket) => `${AGENTS};messageid=${(t.surfaces.teams as { activityId: string }).activityId}`;
  const fresh = async (t: Ticket) => (await handoffs.ticket(t.id)) as Ticket;
  const from = (a: Agent) => ({ id: `29:${a}`, name: a, aadObjectId: `aad-${a}` });
  const activity = (fields: Partial<Activity>): Partial<Activity> => ({
    type: 'message',
    id: `act-${next()}`,
    channelId: 'msteams',
    serviceUrl: 'https://smba.example/',
    recipient: { id: '28:bot', name: 'Bot' },
    ...fields,
  });
  let posted = 0;
  const button = async (t: Ticket, a: Agent, value: Record<string, unknown>) =>
    channel.handle(
      activity({
        from: from(a),
        conversation: { id: thread(await fresh(t)) } as never,
        value: { switchboard: 'ticket', ticket: t.id, ...value },
      }),
    );
  return {
    dedupes: true,
    claim: (t, a) => button(t, a, { action: 'claim' }),
    resolve: (t, a, label) => button(t, a, { action: 'resolve', ...(label ? { label } : {}) }),
    async reply(t, a, text, repeat) {
      const line = activity({ from: from(a), conversation: { id: thread(await fresh(t)) } as never, text });
      await channel.handle(line);
      if (repeat) await channel.handle(line);
    },
    told() {
      // What the bot wrote in threads since the last call, less its own notes about the ticket and mirrored lines.
      const texts = poster.posts.slice(posted).map((p) => String(p.activity.text ?? ''));
      posted = poster.posts.length;
      return texts.filter((t) => t.startsWith('⚠️'));
    },
    shown: (t) =>
      poster
        .threadTexts(thread(t))
        .map(String)
        .filter((line) => line.startsWith('Customer: ')),
    settle: () => channel.idle(),
    close: async () => {},
  };
}

/** The web console: the agent API over HTTP, with the server's own error mapping; the console's event stream. */
async function consoleDesk({ handoffs }: Rig): Promise<Desk> {
  const hub = new ConsoleHub();
  handoffs.addSurface(hub);
  const events: Record<string, unknown>[] = [];
  hub.attach({
    writeHead: () => {},
    write: (chunk: string) => {
      const data = /^data: (.*)$/m.exec(chunk)?.[1];
      if (data) events.push(JSON.parse(data));
      return true;
    },
    on: () => {},
    end: () => {},
  } as never);
  const log = memoryLogger();
  const auth = new AgentAuth({ agents: config.agents, machineToken: 'tok', log });
  const server: Server = createServer(async (req, res) => {
    try {
      if (!(await handleAgentApi(req, res, { handoffs, hub, auth }))) res.writeHead(404).end();
    } catch (e) {
      sendError(res, e, log, req.url);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const told: string[] = [];
  const post = async (path: string, body: unknown) => {
    const r = await fetch(`http://127.0.0.1:${port}/api/handoffs/${path}`, {
      method: 'POST',
      headers: { authorization: 'Bearer tok', 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const json = (await r.json()) as { error?: string; message?: string };
    if (!r.ok) told.push(`${json.error}: ${json.message}`);
  };
  return {
    dedupes: false,
    claim: (t, agent) => post(`${t.id}/claim`, { agent }),
    resolve: (t, agent, intent) => post(`${t.id}/resolve`, { agent, ...(intent ? { intent } : {}) }),
    reply: (t, agent, text) => post(`${t.id}/messages`, { agent, text }),
    told: () => told.splice(0),
    shown: (t) =>
      events
        .filter((e) => e.kind === 'message' && (e.ticket as Ticket).id === t.id)
        .map((e) => e.entry as { from: string; text: string })
        .filter((e) => e.from === 'customer')
        .map((e) => `Customer: ${e.text}`),
    settle: async () => {},
    close: async () => {
      hub.close();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

const SURFACES = { slack: slackDesk, teams: teamsDesk, console: consoleDesk };

let stores: Stores | undefined;
let desk: Desk | undefined;
afterEach(async () => {
  await desk?.close();
  await stores?.close();
  desk = undefined;
});

async function setup(make: (rig: Rig) => Promise<Desk>) {
  stores = await openStores({ sqliteFile: ':memory:' });
  const customer = new MemorySender('web');
  const handoffs = new HandoffService({
    store: stores.handoffs,
    conversations: stores.conversations,
    senders: { web: customer },
    config,
    log: memoryLogger(),
  });
  desk = await make({ handoffs, stores, customer });
  const open = async (conversation: string) => {
    await stores!.conversations.setAddress(conversation, { channel: 'web', address: { conversation } });
    const turn = {
      id: `${conversation}-1`,
      channel: 'web' as const,
      conversation,
      user: 'u',
      text: 'help',
      receivedAt: 1,
    };
    const u = { languages: [], intents: [{ intent: 'bill_query', score: 0.3 }], entities: [], timings: {} as never };
    const decision = { kind: 'handoff', reason: 'human_requested', language: 'en' } as const;
    const { ticket } = await handoffs.open(turn, u, decision, { text: 'A person will help.', language: 'en' });
    await desk!.settle();
    return (await handoffs.ticket(ticket.id)) as Ticket;
  };
  const said = () => customer.sent.map((s) => s.message.reply.text);
  return { handoffs, desk: desk as Desk, open, said };
}

describe.each(Object.entries(SURFACES))('the agents’ desk contract: %s', (_name, make) => {
  it('claim, reply, resolve with a label: the customer hears each, once', async () => {
    const { desk, open, said, handoffs } = await setup(make);
    const ticket = await open('web:c1');
    await desk.claim(ticket, 'ann');
    await desk.settle();
    await desk.reply(ticket, 'ann', 'On it.', desk.dedupes);
    await desk.settle();
    await desk.resolve(ticket, 'ann', 'bill_query');
    await desk.settle();
    expect(said()).toEqual([
      'Ann has joined the conversation.',
      'Ann: On it.',
      'The conversation with our agent is closed. I am back: ask me anything.',
    ]);
    expect(await handoffs.ticket(ticket.id)).toMatchObject({ status: 'resolved', agent: 'ann', label: 'bill_query' });
    expect(desk.told()).toEqual([]);
  });

  it('moves the ticket does not allow are explained to the agent and change nothing', async () => {
    const { desk, open, said, handoffs } = await setup(make);
    const ticket = await open('web:c2');
    await desk.reply(ticket, 'ann', 'Hello?'); // not claimed yet
    await desk.settle();
    expect(desk.told()).toHaveLength(1);
    await desk.claim(ticket, 'ann');
    await desk.settle();
    await desk.claim(ticket, 'sam'); // already claimed
    await desk.settle();
    expect(desk.told()).toHaveLength(1);
    await desk.reply(ticket, 'sam', 'Me too.'); // not the claimant
    await desk.resolve(ticket, 'sam');
    await desk.settle();
    expect(desk.told()).toHaveLength(2);
    await desk.reply(ticket, 'ann', 'x'.repeat(4001)); // too long for the customer
    await desk.settle();
    expect(desk.told()).toHaveLength(1);
    expect(said()).toEqual(['Ann has joined the conversation.']);
    expect(await handoffs.ticket(ticket.id)).toMatchObject({ status: 'claimed', agent: 'ann' });
  });

  it.each([
    ['E_STORE_UNAVAILABLE', 'PostgreSQL unavailable: Connection terminated'],
    ['E_STORE_BUSY', 'PostgreSQL busy: no free connection within 5 s'],
  ] as const)(
    'a database fault (%s) is said as such: nothing reaches the customer, nothing changes',
    async (code, message) => {
      const { desk, open, said, handoffs } = await setup(make);
      const ticket = await open('web:c3');
      await desk.claim(ticket, 'ann');
      await desk.settle();
      const down = async () => {
        throw new SwitchboardError(code, 'transport', message);
      };
      const { agentMessage, resolve } = handoffs;
      Object.assign(handoffs, { agentMessage: down, resolve: down });
      await desk.reply(ticket, 'ann', 'Checking your order now.');
      await desk.resolve(ticket, 'ann');
      await desk.settle();
      Object.assign(handoffs, { agentMessage, resolve });
      const told = desk.told();
      expect(told).toHaveLength(2);
      for (const line of told) expect(line).toMatch(/unavailable|busy/i);
      expect(said()).toEqual(['Ann has joined the conversation.']);
      expect(await handoffs.ticket(ticket.id)).toMatchObject({ status: 'claimed' });
    },
  );

  it('shows the customer’s lines while the ticket is open', async () => {
    const { desk, open, handoffs } = await setup(make);
    const ticket = await open('web:c4');
    const turn = { id: 'm2', channel: 'web' as const, conversation: 'web:c4', user: 'u', receivedAt: 2 };
    await handoffs.customerMessage(ticket, { ...turn, text: 'Are you there?' });
    await desk.settle();
    expect(desk.shown((await handoffs.ticket(ticket.id)) as Ticket)).toEqual(['Customer: Are you there?']);
  });

  it('an agent without the ticket’s language is refused, with the reason; the ticket stays queued', async () => {
    const { desk, open, said, handoffs } = await setup(make);
    const ticket = await open('web:c5'); // English; Kai speaks only German
    await desk.claim(ticket, 'kai');
    await desk.settle();
    const told = desk.told();
    expect(told).toHaveLength(1);
    expect(told[0]).toMatch(/language en/);
    expect(said()).toEqual([]);
    expect(await handoffs.ticket(ticket.id)).toMatchObject({ status: 'queued' });
  });
});
