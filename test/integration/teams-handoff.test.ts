/**
 * The human handoff in Teams, end to end over HTTP: the real server (`switchboard start`, the demo config with Ann and
 * Luis mapped to Teams users), a fake Bot Framework on loopback, a Teams customer in a personal chat and agents in a
 * Teams channel (`SWITCHBOARD_TEAMS_AGENTS_CONVERSATION`). The customer asks for a person → a ticket card in the agents'
 * channel → Claim → relay both ways in the card's thread → Resolve with a label → the bot answers again; refused moves,
 * forged buttons, a web chat customer served from Teams, and a restart while the Connector is failing.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { type ConnectorCall, FakeBotFramework } from '../fixtures/fake-bot-framework.ts';
import { type RunningServer, spawnServer } from '../fixtures/spawn-server.ts';
import { WAIT_MS } from '../fixtures/wait.ts';
import { WebChatClient } from '../fixtures/web-chat-client.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'switchboard-teams-handoff-'));
const storeFile = join(dir, 'store', 'switchboard.db');
const TOKEN = 'teams-handoff-agent-token';
const AGENTS = '19:agents-room@thread.tacv2';
const BOT = { id: '28:switchboard-bot', name: 'Switchboard' };
const CUSTOMER = { id: '29:customer-ada', name: 'Ada Customer', aadObjectId: 'aad-ada' };
const ANN = { id: '29:ann', name: 'Ann Agent', aadObjectId: 'aad-ann' };
const LUIS = { id: '29:luis', name: 'Luis Agent', aadObjectId: 'aad-luis' };
const SAM = { id: '29:sam', name: 'Sam Newcomer', aadObjectId: 'aad-sam' };
type User = typeof CUSTOMER;
let seq = 0;

/** The demo config with Ann and Luis mapped to their Teams users (model paths made absolute). */
function writeConfig(): string {
  const demo = join(ROOT, 'config', 'demo.yaml');
  const config = parseYaml(readFileSync(demo, 'utf8'));
  for (const key of Object.keys(config.models)) config.models[key] = resolve(dirname(demo), config.models[key]);
  for (const agent of config.agents) {
    if (agent.id === 'ann') agent.teams_user = ANN.aadObjectId;
    if (agent.id === 'luis') agent.teams_user = LUIS.id; // by Teams user id rather than aadObjectId
  }
  const file = join(dir, 'bot.yaml');
  writeFileSync(file, stringifyYaml(config));
  return file;
}

let fake: FakeBotFramework;
let server: RunningServer;
let config: string;

/** Everything the servers wrote to stderr (JSON log lines and the startup text). */
let stderr = '';
const start = async () => {
  const s = await spawnServer(['--config', config, '--store', storeFile], {
    MicrosoftAppId: '',
    SWITCHBOARD_AGENT_TOKEN: TOKEN,
    SWITCHBOARD_TEAMS_AGENTS_CONVERSATION: AGENTS,
    SWITCHBOARD_TEAMS_AGENTS_SERVICE_URL: fake.serviceUrl,
    SWITCHBOARD_TEAMS_AGENTS_TENANT: 'tenant-1',
  });
  s.child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  return s;
};
const logEvents = () =>
  stderr
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
const stopped = (s: RunningServer) =>
  new Promise<void>((done) => {
    s.child.once('exit', () => done());
    s.stop();
  });

beforeAll(async () => {
  mkdirSync(dirname(storeFile), { recursive: true });
  config = writeConfig();
  fake = await FakeBotFramework.start();
  server = await start();
});

afterAll(async () => {
  server?.stop();
  await fake?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A message activity as Teams posts it: a customer's personal chat, or (with `thread`) the agents' channel. */
function activity(from: User, conversation: string, fields: Record<string, unknown> = {}) {
  const channel = conversation.startsWith(AGENTS);
  return {
    type: 'message',
    id: `1713${String(++seq).padStart(9, '0')}`,
    timestamp: new Date().toISOString(),
    channelId: 'msteams',
    serviceUrl: fake.serviceUrl,
    from,
    recipient: BOT,
    conversation: channel
      ? { id: conversation, conversationType: 'channel', isGroup: true, tenantId: 'tenant-1' }
      : { id: conversation, conversationType: 'personal', tenantId: 'tenant-1' },
    locale: 'en-US',
    channelData: channel
      ? { teamsChannelId: AGENTS, teamsTeamId: '19:team@thread.tacv2', tenant: { id: 'tenant-1' } }
      : { tenant: { id: 'tenant-1' } },
    ...fields,
  };
}

async function post(body: unknown): Promise<number> {
  const r = await fetch(`${server.base}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  await r.text();
  return r.status;
}

const api = async (path: string, body?: unknown) => {
  const r = await fetch(`${server.base}/api/handoffs${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  // biome-ignore lint/suspicious/noExplicitAny: JSON read by the tests
  return (await r.json()) as any;
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const texts = (calls: ConnectorCall[]) => calls.map((c) => c.activity.text as string);
const card = (call: ConnectorCall) => call.activity.attachments?.[0]?.content;
// biome-ignore lint/suspicious/noExplicitAny: card JSON
const cardText = (call: ConnectorCall) => JSON.stringify(card(call)?.body.map((b: any) => b.text ?? b.facts));

/** Waits for the `n`th message the bot sent into `conversation` and returns it. */
async function nth(conversation: string, n: number, timeoutMs = WAIT_MS): Promise<ConnectorCall> {
  await fake.waitFor(() => fake.callsTo(conversation).length >= n, timeoutMs);
  return fake.callsTo(conversation)[n - 1];
}

/** The card posted for the ticket whose card mentions `needle` (waits for it). */
async function cardFor(needle: string): Promise<{ call: ConnectorCall; ticket: string; thread: string }> {
  const find = () =>
    fake.callsTo(AGENTS).find((c) => c.activity.attachments && JSON.stringify(c.activity).includes(needle));
  await fake.waitFor(() => find() !== undefined);
  const call = find() as ConnectorCall;
  const ticket = card(call).actions[0].data.ticket as string;
  return { call, ticket, thread: `${AGENTS};messageid=${call.id}` };
}

/** A button press on a ticket card (Teams: a message activity in the card's thread, replying to the card). */
function press(from: User, thread: string, value: unknown) {
  return activity(from, thread, { value, replyToId: thread.split('=')[1] });
}

/** An agent's reply in a card's thread, @mentioning the bot as Teams does without the RSC permission. */
function reply(from: User, thread: string, text: string) {
  return activity(from, thread, {
    text: `<at>Switchboard</at> ${text}`,
    entities: [{ type: 'mention', mentioned: BOT, text: '<at>Switchboard</at>' }],
  });
}

/** The last `updates` of the card `id` (its PUTs). */
const updatesOf = (id: string) => fake.updates.filter((u) => u.replyToId === id);

describe('Teams agents’ channel', () => {
  it('a Teams customer → card → Claim → relay both ways in the thread → Resolve with a label → the bot again', async () => {
    const conv = 'a:handoff-main';
    const ask = activity(CUSTOMER, conv, { text: 'I want to talk to a person about my bill' });
    expect(await post(ask)).toBe(200);
    const handoff = await nth(conv, 1);
    expect(handoff.activity.text).toMatch(/passing you to a colleague.*number \d+ in the queue/);

    const { call, ticket, thread } = await cardFor(CUSTOMER.name);
    expect(call.replyToId).toBeUndefined(); // a new post in the channel, not a reply
    expect(call.activity.conversation.id).toBe(AGENTS);
    const c = card(call);
    expect(c.type).toBe('AdaptiveCard');
    expect(cardText(call)).toContain('Waiting for an agent');
    const facts = Object.fromEntries(c.body[1].facts.map((f: { title: string; value: string }) => [f.title, f.value]));
    expect(facts).toMatchObject({
      Customer: 'Ada Customer',
      Channel: 'teams',
      Language: 'en',
      Reason: 'human requested',
    });
    expect(facts.Ticket).toBe(ticket);
    // Top intents with their scores, the transcript, the agents it is routed to (mapped agents @mentioned).
    expect(c.body[3].facts.length).toBeGreaterThan(0);
    expect(c.body[3].facts[0].value).toMatch(/^0\.\d\d$|^1\.00$/);
    expect(cardText(call)).toContain('I want to talk to a person about my bill');
    expect(cardText(call)).toMatch(/For: <at>Ann<\/at>/);
    expect(c.msteams.entities).toContainEqual({
      type: 'mention',
      text: '<at>Ann</at>',
      mentioned: { id: 'aad-ann', name: 'Ann' },
    });
    expect(c.actions).toEqual([
      {
        type: 'Action.Submit',
        title: 'Claim',
        style: 'positive',
        data: { switchboard: 'ticket', action: 'claim', ticket },
      },
    ]);

    // Ann claims: the customer hears it, the card changes, the thread says so.
    expect(await post(press(ANN, thread, { switchboard: 'ticket', action: 'claim', ticket }))).toBe(200);
    expect((await nth(conv, 2)).activity.text).toBe('Ann has joined the conversation.');
    await fake.waitFor(() => updatesOf(call.id as string).length >= 1);
    const claimed = updatesOf(call.id as string)[0];
    expect(claimed.conversationId).toBe(AGENTS);
    expect(cardText(claimed)).toContain('Claimed by Ann');
    expect(card(claimed).actions[0]).toMatchObject({ type: 'Action.ShowCard', title: 'Resolve…' });
    expect((await nth(thread, 1)).activity).toMatchObject({ text: expect.stringMatching(/^Ann claimed this ticket/) });

    // The customer writes: mirrored in the thread, no bot answer.
    await post(activity(CUSTOMER, conv, { text: 'It is the invoice from March' }));
    expect((await nth(thread, 2)).activity).toMatchObject({
      text: 'Ada Customer: It is the invoice from March',
      textFormat: 'plain',
    });
    // Ann answers in the thread: it reaches the customer's chat, and is not echoed into the thread.
    await post(reply(ANN, thread, 'Which invoice number is it?'));
    expect((await nth(conv, 3)).activity.text).toBe('Ann: Which invoice number is it?');

    // Luis is not the claimant: his reply and his Resolve are refused in the thread, nothing changes.
    await post(reply(LUIS, thread, 'I can take over'));
    expect((await nth(thread, 3)).activity.text).toBe(
      '⚠️ Only Ann, who claimed this ticket, can write to the customer. Your message was not sent.',
    );
    await post(press(LUIS, thread, { switchboard: 'ticket', action: 'resolve', ticket, label: '', label_text: 'x' }));
    expect((await nth(thread, 4)).activity.text).toBe('⚠️ Only Ann, who claimed this ticket, can resolve it.');
    expect((await api(`/${ticket}`)).status).toBe('claimed');
    // Claiming a claimed ticket: refused too.
    await post(press(LUIS, thread, { switchboard: 'ticket', action: 'claim', ticket }));
    expect((await nth(thread, 5)).activity.text).toBe('⚠️ Ann has already claimed this ticket.');

    // Ann resolves with a typed label: the customer is told the bot is back; the card shows it.
    await post(
      press(ANN, thread, { switchboard: 'ticket', action: 'resolve', ticket, label: '', label_text: 'bill_query' }),
    );
    expect((await nth(conv, 4)).activity.text).toMatch(/I am back/);
    await fake.waitFor(() => updatesOf(call.id as string).length >= 2);
    const resolved = updatesOf(call.id as string)[1];
    expect(cardText(resolved)).toContain('Resolved by Ann — intent: bill\\\\_query');
    expect(card(resolved).actions).toEqual([]);
    expect((await nth(thread, 6)).activity.text).toMatch(/^Ann resolved this ticket \(intent: bill_query\)/);
    const done = await api(`/${ticket}`);
    expect(done).toMatchObject({ status: 'resolved', agent: 'ann', label: 'bill_query' });
    expect(done.transcript.map((e: { text: string }) => e.text)).toEqual(
      expect.arrayContaining(['It is the invoice from March', 'Which invoice number is it?']),
    );

    // The customer's next message is the bot's again.
    await post(activity(CUSTOMER, conv, { text: 'wake me up at 7 tomorrow' }));
    expect((await nth(conv, 5)).activity.text).toMatch(/Settings → Alarms/);
    await sleep(300);
    // Nothing was sent twice: the thread holds exactly the lines above; the customer got 5 messages.
    expect(texts(fake.callsTo(thread))).toHaveLength(6);
    expect(texts(fake.callsTo(conv))).toHaveLength(5);
    // The log has the actions with ids and agents, never what the customer or the agents wrote.
    expect(logEvents()).toContainEqual(
      expect.objectContaining({ event: 'teams_agents_action', ticket, action: 'message', agent: 'ann' }),
    );
    expect(logEvents()).toContainEqual(
      expect.objectContaining({ event: 'teams_agents_refused', ticket, action: 'resolve', code: 'E_NOT_CLAIMANT' }),
    );
    expect(logEvents().filter((e) => e.level === 'error' || /failed/.test(String(e.event)))).toEqual([]);
    for (const secret of ['invoice from March', 'Which invoice number', 'I can take over', 'about my bill']) {
      expect(stderr).not.toContain(secret);
    }
  });

  it('an agent not in the config works under a stable Teams id; a typed-in label wins over the choice', async () => {
    const conv = 'a:handoff-unmapped';
    await post(activity({ ...CUSTOMER, name: 'Bea Customer' }, conv, { text: 'can I speak to a human' }));
    const { ticket, thread, call } = await cardFor('Bea Customer');
    await post(press(SAM, thread, { switchboard: 'ticket', action: 'claim', ticket }));
    await fake.waitFor(() => updatesOf(call.id as string).length >= 1);
    expect(cardText(updatesOf(call.id as string)[0])).toContain('Claimed by Sam Newcomer');
    expect((await api(`/${ticket}`)).agent).toBe('teams:aad-sam');
    // The customer is told the agent's Teams name, not the id.
    await fake.waitFor(() =>
      fake.callsTo(conv).some((c) => c.activity.text === 'Sam Newcomer has joined the conversation.'),
    );
    await post(press(SAM, thread, { switchboard: 'ticket', action: 'resolve', ticket, label: 'alarm_set' }));
    await fake.waitFor(() => updatesOf(call.id as string).length >= 2);
    expect(await api(`/${ticket}`)).toMatchObject({ status: 'resolved', label: 'alarm_set' });
  });

  it('forged or stray input from the agents’ channel changes nothing and never reaches the bot as a customer', async () => {
    const conv = 'a:handoff-forged';
    await post(activity(CUSTOMER, conv, { text: 'please get me a real person' }));
    const { ticket, thread } = await cardFor('please get me a real person');
    await nth(conv, 1);
    const before = fake.calls.length;
    // A button naming another (unknown) ticket, on this card: refused in the thread.
    await post(press(ANN, thread, { switchboard: 'ticket', action: 'claim', ticket: 't_0000000000000000' }));
    expect((await nth(thread, 1)).activity.text).toMatch(/does not belong to a ticket here: nothing was changed/);
    // Malformed buttons, a button outside any thread, a reply in a thread that is not a ticket's, an empty reply,
    // and a top-level post asking for a person: all ignored (no ticket is opened for the agents' channel).
    for (const a of [
      press(ANN, thread, { switchboard: 'ticket', action: 'delete', ticket }),
      press(ANN, thread, { switchboard: 'ticket', action: 'claim', ticket: { $ne: 1 } }),
      press(ANN, thread, ['not', 'an', 'object']),
      activity(ANN, AGENTS, { value: { switchboard: 'ticket', action: 'claim', ticket } }),
      reply(ANN, `${AGENTS};messageid=999999`, 'hello?'),
      reply(ANN, thread, ''),
      activity(LUIS, AGENTS, { text: 'I want to talk to a person' }),
    ]) {
      expect(await post(a)).toBe(200);
    }
    await sleep(500);
    expect(fake.calls.length).toBe(before + 1);
    expect((await api(`/${ticket}`)).status).toBe('queued');
    const all = (await api('')) as { conversation: string }[];
    expect(all.some((t) => t.conversation.startsWith(`teams:${AGENTS}`))).toBe(false);
    expect((await fetch(`${server.base}/healthz`)).status).toBe(200);
  });

  it('serves a web chat customer from the Teams thread (agents in Teams, customer elsewhere)', async () => {
    const web = new WebChatClient(server.base, 'teams-served-web');
    await web.connect();
    await web.say('I need a human to help me with my order');
    await web.waitFor((e) => e.handoff === true);
    const { ticket, thread, call } = await cardFor('I need a human to help me with my order');
    expect(card(call).body[1].facts).toContainEqual({ title: 'Channel', value: 'web' });
    // Agents see a display name for the web customer, never the token that opens the conversation.
    expect(card(call).body[1].facts).toContainEqual({
      title: 'Customer',
      value: expect.stringMatching(/^Visitor [0-9A-F]{4}$/),
    });
    expect(JSON.stringify(fake.calls)).not.toContain(web.token);
    await post(press(ANN, thread, { switchboard: 'ticket', action: 'claim', ticket }));
    await web.waitFor((e) => e.text === 'Ann has joined the conversation.');
    await web.say('order 4711 never arrived');
    await fake.waitFor(() => texts(fake.callsTo(thread)).some((t) => /order 4711 never arrived$/.test(t)));
    await post(reply(ANN, thread, 'I am re-sending it today.'));
    await web.waitFor((e) => e.text === 'Ann: I am re-sending it today.');
    web.disconnect();
  });

  it('a restart mid-handoff while the Connector fails loses nothing: the agent’s reply arrives once it recovers', async () => {
    const conv = 'a:handoff-restart';
    await post(activity(CUSTOMER, conv, { text: 'talk to a human agent please' }));
    const { ticket, thread, call } = await cardFor('talk to a human agent please');
    await post(press(ANN, thread, { switchboard: 'ticket', action: 'claim', ticket }));
    await nth(conv, 2); // "Ann has joined"
    await nth(thread, 1); // "Ann claimed this ticket"

    fake.connectorStatus = 503;
    let restarted = Number.POSITIVE_INFINITY;
    try {
      const sent = fake.callsTo(conv).length;
      await post(reply(ANN, thread, 'Your refund was approved.'));
      // The Connector refused it (botbuilder retried); the line waits, undelivered, in the ticket's transcript.
      await fake.waitFor(() => fake.callsTo(conv).length > sent);
      await sleep(300);
      const pending = await api(`/${ticket}`);
      expect(pending.transcript.find((e: { text: string }) => e.text === 'Your refund was approved.')).toMatchObject({
        from: 'agent',
        agent: 'ann',
        delivered: false,
      });
      await stopped(server);
      server = await start(); // same store file, Connector still failing
      restarted = Date.now();
      await sleep(500);
    } finally {
      fake.connectorStatus = 200;
    }
    // Within one outbox round (10 s) after the Connector recovers, the line arrives; exactly once.
    const isRefund = (c: ConnectorCall) => c.id !== undefined && c.activity.text === 'Ann: Your refund was approved.';
    await fake.waitFor(() => fake.callsTo(conv).some(isRefund), WAIT_MS);
    expect(fake.callsTo(conv).find(isRefund)?.at).toBeGreaterThan(restarted); // sent by the new process
    // The thread still maps to the ticket and its card after the restart: reply, then resolve.
    await post(reply(ANN, thread, 'Anything else?'));
    await fake.waitFor(() => fake.callsTo(conv).some((c) => c.activity.text === 'Ann: Anything else?'));
    await post(press(ANN, thread, { switchboard: 'ticket', action: 'resolve', ticket, label: 'refund' }));
    await fake.waitFor(() => updatesOf(call.id as string).some((u) => cardText(u).includes('Resolved by Ann')));
    await fake.waitFor(() => fake.callsTo(conv).some((c) => c.id && /I am back/.test(c.activity.text)));
    await sleep(11_000); // one more outbox round: nothing is sent again
    expect(fake.callsTo(conv).filter(isRefund)).toHaveLength(1);
    const t = await api(`/${ticket}`);
    expect(t.status).toBe('resolved');
    expect(t.transcript.filter((e: { text: string }) => e.text === 'Your refund was approved.')).toHaveLength(1);
    expect(t.transcript.every((e: { from: string; delivered?: boolean }) => e.from !== 'agent' || e.delivered)).toBe(
      true,
    );
  });
});
