/**
 * The human handoff in Slack, end to end over HTTP: the real server (`switchboard start`, the demo config with Ann and
 * Luis mapped to Slack users), a fake Slack Web API on loopback, requests signed as Slack signs them, a Slack customer
 * in a DM and agents in a Slack channel (`SWITCHBOARD_SLACK_AGENTS_CHANNEL`). The customer asks for a person → a ticket
 * card in the agents' channel → Claim → relay both ways in the card's thread → Resolve with a label → the bot answers
 * again; refused moves, forged buttons, the new-intent modal, a Teams customer served from Slack and a Slack customer
 * served from Teams (a fake Bot Framework, Teams' agents' channel configured too), and a restart mid-handoff.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { type ConnectorCall, FakeBotFramework } from '../fixtures/fake-bot-framework.ts';
import { FakeSlackApi, type FakeSlackCall, postSlack } from '../fixtures/fake-slack-api.ts';
import { type RunningServer, spawnServer } from '../fixtures/spawn-server.ts';
import { WAIT_MS } from '../fixtures/wait.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'switchboard-slack-handoff-'));
const storeFile = join(dir, 'store', 'switchboard.db');
const SECRET = 'slack-handoff-signing-secret-0123';
const TOKEN = 'slack-handoff-agent-token';
const TEAM = 'T0FAKE';
const AGENTS = 'C0AGENTS';
const TEAMS_AGENTS = '19:slack-test-agents@thread.tacv2';
const TEAMS_BOT = { id: '28:switchboard-bot', name: 'Switchboard' };
const ANN = { id: 'U0ANN', name: 'ann.agent' };
const LUIS = { id: 'U0LUIS', name: 'luis.agent' };
const SAM = { id: 'U0SAM', name: 'sam.newcomer' };
type SlackUser = typeof ANN;

/** The demo config with Ann and Luis mapped to their Slack users, Ann to her Teams user (model paths made absolute). */
function writeConfig(): string {
  const demo = join(ROOT, 'config', 'demo.yaml');
  const config = parseYaml(readFileSync(demo, 'utf8'));
  for (const key of Object.keys(config.models)) config.models[key] = resolve(dirname(demo), config.models[key]);
  for (const agent of config.agents) {
    if (agent.id === 'ann') Object.assign(agent, { slack_user: ANN.id, teams_user: 'aad-ann' });
    if (agent.id === 'luis') agent.slack_user = LUIS.id;
  }
  const file = join(dir, 'bot.yaml');
  writeFileSync(file, stringifyYaml(config));
  return file;
}

let slack: FakeSlackApi;
let teams: FakeBotFramework;
let server: RunningServer;
let config: string;
let stderr = '';

const start = async () => {
  const s = await spawnServer(['--config', config, '--store', storeFile], {
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_BOT_TOKEN: 'xoxb-test',
    SLACK_API_URL: slack.url,
    SWITCHBOARD_SLACK_AGENTS_CHANNEL: AGENTS,
    MicrosoftAppId: '',
    SWITCHBOARD_TEAMS_AGENTS_CONVERSATION: TEAMS_AGENTS,
    SWITCHBOARD_TEAMS_AGENTS_SERVICE_URL: teams.serviceUrl,
    SWITCHBOARD_AGENT_TOKEN: TOKEN,
    SWITCHBOARD_LOG_TEXT: '0',
  });
  s.child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  return s;
};
const stopped = (s: RunningServer) =>
  new Promise<void>((done) => {
    s.child.once('exit', () => done());
    s.stop();
  });
const logEvents = () =>
  stderr
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);

beforeAll(async () => {
  mkdirSync(dirname(storeFile), { recursive: true });
  config = writeConfig();
  const users = ['U0ADA', 'U0BEA', 'U0CAL', 'U0DAN', 'U0EVE', 'U0FAY'];
  slack = await FakeSlackApi.start({ locales: Object.fromEntries(users.map((u) => [u, 'en-US'])) });
  teams = await FakeBotFramework.start();
  server = await start();
});

afterAll(async () => {
  if (server) await stopped(server);
  await slack?.close();
  await teams?.close();
  rmSync(dir, { recursive: true, force: true });
});

let seq = 0;
const nextTs = () => `${1_713_000_000 + ++seq}.${String(100_000 + seq)}`;
const send = (body: unknown, form = false) => postSlack(server.base, body, { secret: SECRET, form });

/** An Events API envelope around `event`. */
function envelope(event: Record<string, unknown>, eventId = `Ev0SH${Date.now().toString(36)}${++seq}`) {
  return {
    token: 'legacy',
    team_id: TEAM,
    api_app_id: 'A0APP',
    type: 'event_callback',
    event_id: eventId,
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [{ team_id: TEAM, user_id: 'UBOT', is_bot: true, is_enterprise_install: false }],
    event: { team: TEAM, ...event },
  };
}

/** A customer's DM to the bot; returns its ts (the customer's thread) too. */
async function dm(channel: string, user: string, text: string): Promise<string> {
  const ts = nextTs();
  const r = await send(envelope({ type: 'message', channel_type: 'im', channel, user, text, ts, event_ts: ts }));
  expect(r.status).toBe(200);
  return ts;
}

/** An agent's reply in a card's thread (`message` in the agents' channel); `mention` also as its `app_mention`. */
async function reply(user: SlackUser, threadTs: string, text: string, o: { mention?: boolean; eventId?: string } = {}) {
  const ts = nextTs();
  const event = {
    channel: AGENTS,
    channel_type: 'channel',
    user: user.id,
    text,
    ts,
    event_ts: ts,
    thread_ts: threadTs,
  };
  const body = envelope({ type: 'message', ...event }, o.eventId);
  expect((await send(body)).status).toBe(200);
  if (o.mention) expect((await send(envelope({ type: 'app_mention', ...event }))).status).toBe(200);
  return { ts, body };
}

/** The calls of `method` Slack accepted (`ok: true`). */
const accepted = (method = 'chat.postMessage') => slack.delivered(method).filter((c) => c.response?.ok === true);
/** The blocks of a posted or updated card, as JSON text. */
const blocksText = (call: FakeSlackCall) => JSON.stringify(call.args.blocks);
const cards = () => accepted().filter((c) => c.args.channel === AGENTS && !c.args.thread_ts && c.args.blocks);
const thread = (ts: string) => accepted().filter((c) => c.args.channel === AGENTS && c.args.thread_ts === ts);
const toCustomer = (channel: string) => accepted().filter((c) => c.args.channel === channel);
const updatesOf = (ts: string) => accepted('chat.update').filter((c) => c.args.ts === ts);
const ephemerals = (user: SlackUser) => accepted('chat.postEphemeral').filter((c) => c.args.user === user.id);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function nthTo(channel: string, n: number, timeoutMs = WAIT_MS): Promise<FakeSlackCall> {
  await slack.waitFor(() => toCustomer(channel).length >= n, timeoutMs);
  return toCustomer(channel)[n - 1];
}
async function nthIn(threadTs: string, n: number): Promise<FakeSlackCall> {
  await slack.waitFor(() => thread(threadTs).length >= n);
  return thread(threadTs)[n - 1];
}
async function nthEphemeral(user: SlackUser, n: number): Promise<FakeSlackCall> {
  await slack.waitFor(() => ephemerals(user).length >= n);
  return ephemerals(user)[n - 1];
}
async function nthUpdate(ts: string, n: number): Promise<FakeSlackCall> {
  await slack.waitFor(() => updatesOf(ts).length >= n);
  return updatesOf(ts)[n - 1];
}

/** The card whose blocks mention `needle` (waits for it), its ts and ticket. */
async function cardFor(needle: string): Promise<{ call: FakeSlackCall; ts: string; ticket: string }> {
  const find = () => cards().find((c) => blocksText(c).includes(needle));
  await slack.waitFor(() => find() !== undefined);
  const call = find() as FakeSlackCall;
  const claim = buttons(call).find((b) => b.action_id === 'switchboard_ticket_claim');
  return { call, ts: call.response?.ts as string, ticket: claim?.value as string };
}

// biome-ignore lint/suspicious/noExplicitAny: Block Kit JSON read by the tests
type Json = Record<string, any>;
const buttons = (call: FakeSlackCall): Json[] =>
  (call.args.blocks as Json[]).filter((b) => b.type === 'actions').flatMap((b) => b.elements as Json[]);

/** A click on a card control, as Slack posts it (form-encoded `payload=`), with the menu's choice in `state`. */
function press(
  user: SlackUser,
  card: { ts: string; call: FakeSlackCall },
  action: 'claim' | 'resolve',
  o: { ticket?: string; label?: string; channel?: string } = {},
) {
  const channel = o.channel ?? AGENTS;
  const value = o.ticket ?? (buttons(card.call).find((b) => /claim|resolve/.test(b.action_id))?.value as string);
  const state = o.label
    ? {
        switchboard_ticket_claimed: {
          switchboard_ticket_label: {
            type: 'static_select',
            selected_option: { text: { type: 'plain_text', text: o.label }, value: o.label },
          },
        },
      }
    : { switchboard_ticket_claimed: { switchboard_ticket_label: { type: 'static_select', selected_option: null } } };
  const payload = {
    type: 'block_actions',
    user: { id: user.id, username: user.name, name: user.name, team_id: TEAM },
    api_app_id: 'A0APP',
    token: 'legacy',
    container: { type: 'message', message_ts: card.ts, channel_id: channel, is_ephemeral: false },
    trigger_id: `${++seq}.${Date.now()}.trigger`,
    team: { id: TEAM, domain: 'fake' },
    channel: { id: channel, name: 'support-agents' },
    message: {
      type: 'message',
      user: 'UBOT',
      bot_id: 'BBOT',
      text: card.call.args.text,
      ts: card.ts,
      blocks: card.call.args.blocks,
    },
    state: { values: state },
    response_url: `${slack.url}response`,
    actions: [
      {
        type: 'button',
        action_id: `switchboard_ticket_${action}`,
        block_id: action === 'claim' ? 'switchboard_ticket_queued' : 'switchboard_ticket_claimed',
        text: { type: 'plain_text', text: action === 'claim' ? 'Claim' : 'Resolve' },
        value,
        action_ts: `${Math.floor(Date.now() / 1000)}.${100_000 + ++seq}`,
      },
    ],
  };
  return send(payload, true);
}

/** The new-intent modal submitted (`view_submission`), as Slack posts it. */
function submitModal(user: SlackUser, metadata: string, label: string) {
  const payload = {
    type: 'view_submission',
    team: { id: TEAM, domain: 'fake' },
    user: { id: user.id, username: user.name, name: user.name, team_id: TEAM },
    api_app_id: 'A0APP',
    token: 'legacy',
    trigger_id: `${++seq}.${Date.now()}.trigger`,
    view: {
      id: `V0VIEW${++seq}`,
      team_id: TEAM,
      type: 'modal',
      callback_id: 'switchboard_ticket_resolve',
      private_metadata: metadata,
      state: {
        values: {
          switchboard_ticket_label: { switchboard_ticket_label_text: { type: 'plain_text_input', value: label } },
        },
      },
      hash: '1712.abc',
      title: { type: 'plain_text', text: 'Resolve ticket' },
      blocks: [],
    },
    response_urls: [],
  };
  return send(payload, true);
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

/** A Teams message activity (authentication off): a customer's personal chat, or the Teams agents' channel. */
function teamsActivity(
  from: { id: string; name: string; aadObjectId?: string },
  conversation: string,
  fields: Json = {},
) {
  const channel = conversation.startsWith(TEAMS_AGENTS);
  return {
    type: 'message',
    id: `1714${String(++seq).padStart(9, '0')}`,
    timestamp: new Date().toISOString(),
    channelId: 'msteams',
    serviceUrl: teams.serviceUrl,
    from,
    recipient: TEAMS_BOT,
    conversation: channel
      ? { id: conversation, conversationType: 'channel', isGroup: true }
      : { id: conversation, conversationType: 'personal' },
    locale: 'en-US',
    ...fields,
  };
}
async function postTeams(body: unknown): Promise<number> {
  const r = await fetch(`${server.base}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  await r.text();
  return r.status;
}

describe('Slack agents’ channel', () => {
  it('a Slack customer → card → Claim → relay both ways in the thread → Resolve with a label → the bot again', async () => {
    const D = 'D0ADA';
    const asked = await dm(D, 'U0ADA', 'I want to talk to a person about my bill');
    const handoff = await nthTo(D, 1);
    expect(handoff.args.thread_ts).toBe(asked);
    expect(handoff.args.text).toMatch(/passing you to a colleague.*number \d+ in the queue/);

    const card = await cardFor('U0ADA');
    const { ticket, ts } = card;
    expect(ticket).toMatch(/^t_/);
    expect(card.call.args.thread_ts).toBeUndefined(); // a new post in the channel
    // The fallback text mentions the agents it is routed to (Slack notifies them).
    expect(card.call.args.text).toMatch(/^New handoff ticket \(en, human requested\) for <@U0ANN>/);
    const blocks = card.call.args.blocks as Json[];
    expect(blocks[0].text.text).toBe('*🟡 Waiting for an agent*');
    expect(blocks[1].fields.map((f: Json) => f.text)).toEqual([
      '*Customer*\nU0ADA',
      '*Channel*\nslack',
      '*Language*\nen',
      '*Reason*\nhuman requested',
      `*Ticket*\n\`${ticket}\``,
    ]);
    // Top intents with their scores, the transcript excerpt, the agents (mapped ones @mentioned).
    expect(blocks[2].text.text).toMatch(/^\*Top intents\*\n`[\w.-]+` (0\.\d\d|1\.00)/);
    expect(blocksText(card.call)).toContain('I want to talk to a person about my bill');
    expect(blocksText(card.call)).toContain('For: <@U0ANN>');
    expect(buttons(card.call)).toEqual([
      expect.objectContaining({ type: 'button', action_id: 'switchboard_ticket_claim', value: ticket }),
    ]);

    // Ann claims: the customer hears it in their thread, the card changes in place, the thread says so.
    expect((await press(ANN, card, 'claim')).status).toBe(200);
    const joined = await nthTo(D, 2);
    expect(joined.args).toMatchObject({ text: 'Ann has joined the conversation.', thread_ts: asked });
    const claimed = await nthUpdate(ts, 1);
    expect(claimed.args.channel).toBe(AGENTS);
    expect((claimed.args.blocks as Json[])[0].text.text).toBe('*🟢 Claimed by Ann*');
    const controls = buttons(claimed);
    expect(controls.map((c) => c.action_id)).toEqual(['switchboard_ticket_label', 'switchboard_ticket_resolve']);
    const options = controls[0].options.map((o: Json) => o.value);
    expect(options.at(-1)).toBe('switchboard:other');
    expect((await nthIn(ts, 1)).args.text).toMatch(/^Ann claimed this ticket/);

    // The customer writes: mirrored in the thread, no bot answer.
    // (Slack's markup for what they typed: "@channel <b>": a mention that must not ping, markup that must not format.)
    const latest = await dm(D, 'U0ADA', 'It is the invoice from March <!channel> &lt;b&gt;');
    const mirrored = await nthIn(ts, 2);
    expect(mirrored.args.text).toBe('Customer: It is the invoice from March @channel &lt;b&gt;');
    expect(mirrored.args).not.toHaveProperty('link_names');
    expect(JSON.stringify(mirrored.args.blocks)).toContain(
      '{"type":"text","text":"It is the invoice from March @channel <b>"}',
    );
    // Ann answers in the thread (mentioning the bot: Slack sends a message and an app_mention): to the customer, once.
    await reply(ANN, ts, '<@UBOT> Which invoice number is it?', { mention: true });
    const relayed = await nthTo(D, 3);
    // In the thread of the customer's latest message (a DM is one conversation; the bot answers each in its thread).
    expect(relayed.args).toMatchObject({ text: 'Ann: Which invoice number is it?', thread_ts: latest });

    // Luis is not the claimant: his reply, his Resolve and a second Claim are refused to him alone; nothing changes.
    await reply(LUIS, ts, 'I can take over');
    expect((await nthEphemeral(LUIS, 1)).args).toMatchObject({
      channel: AGENTS,
      thread_ts: ts,
      text: '⚠️ Only Ann, who claimed this ticket, can write to the customer. Your message was not sent.',
    });
    await press(LUIS, { ts, call: claimed }, 'resolve', { label: 'bill_query' });
    expect((await nthEphemeral(LUIS, 2)).args.text).toBe('⚠️ Only Ann, who claimed this ticket, can resolve it.');
    await press(LUIS, card, 'claim');
    expect((await nthEphemeral(LUIS, 3)).args.text).toBe('⚠️ Ann has already claimed this ticket.');
    expect((await api(`/${ticket}`)).status).toBe('claimed');

    // Ann resolves with an intent from the card's menu: the customer is told the bot is back; the card shows it.
    const label = options[0] as string;
    await press(ANN, { ts, call: claimed }, 'resolve', { label });
    expect((await nthTo(D, 4)).args.text).toMatch(/I am back/);
    const resolved = await nthUpdate(ts, 2);
    expect((resolved.args.blocks as Json[])[0].text.text).toBe(`*✅ Resolved by Ann — intent: ${label}*`);
    expect(buttons(resolved)).toEqual([]);
    expect((await nthIn(ts, 3)).args.text).toBe(
      `Ann resolved this ticket (intent: ${label}). The bot answers the customer again.`,
    );
    const done = await api(`/${ticket}`);
    expect(done).toMatchObject({ status: 'resolved', agent: 'ann', label });
    expect(done.transcript.map((e: { text: string }) => e.text)).toEqual(
      expect.arrayContaining(['It is the invoice from March @channel <b>', 'Which invoice number is it?']),
    );

    // The customer's next message is the bot's again.
    await dm(D, 'U0ADA', 'wake me up at 7 tomorrow');
    expect((await nthTo(D, 5)).args.text).toMatch(/Settings → Alarms/);
    await sleep(300);
    // Nothing twice: the thread holds the three lines above (Ann's own reply is not echoed); the customer got 5.
    expect(thread(ts)).toHaveLength(3);
    expect(toCustomer(D)).toHaveLength(5);
    expect(cards().filter((c) => blocksText(c).includes(ticket))).toHaveLength(1);
    // The log has the actions with ids and agents, never what the customer or the agents wrote.
    expect(logEvents()).toContainEqual(
      expect.objectContaining({ event: 'slack_agents_action', ticket, action: 'message', agent: 'ann' }),
    );
    expect(logEvents()).toContainEqual(
      expect.objectContaining({ event: 'slack_agents_refused', ticket, action: 'resolve', code: 'E_NOT_CLAIMANT' }),
    );
    expect(logEvents().filter((e) => e.level === 'error' || /failed/.test(String(e.event)))).toEqual([]);
    for (const secret of ['invoice from March', 'Which invoice number', 'I can take over', 'about my bill']) {
      expect(stderr).not.toContain(secret);
    }
  });

  it('an agent not in the config works as slack:<id>; "Other / new intent…" asks for the name in a modal', async () => {
    const D = 'D0BEA';
    await dm(D, 'U0BEA', 'can I speak to a human');
    const card = await cardFor('U0BEA');
    await press(SAM, card, 'claim');
    const claimed = await nthUpdate(card.ts, 1);
    expect((claimed.args.blocks as Json[])[0].text.text).toBe('*🟢 Claimed by <@U0SAM>*');
    expect((await api(`/${card.ticket}`)).agent).toBe('slack:U0SAM');
    // The customer is told the agent's Slack name, not the id.
    await slack.waitFor((calls) =>
      calls.some(
        (c) =>
          c.method === 'chat.postMessage' &&
          c.args.channel === D &&
          c.args.text === 'sam.newcomer has joined the conversation.',
      ),
    );

    // Other / new intent…: a modal (views.open with the click's trigger) naming the ticket and its card.
    await press(SAM, { ts: card.ts, call: claimed }, 'resolve', { label: 'switchboard:other' });
    await slack.waitFor((calls) => calls.some((c) => c.method === 'views.open'));
    const open = slack.delivered('views.open').at(-1) as FakeSlackCall;
    const view = open.args.view as Json;
    expect(view).toMatchObject({ type: 'modal', callback_id: 'switchboard_ticket_resolve' });
    expect(JSON.parse(view.private_metadata)).toEqual({ ticket: card.ticket, channel: AGENTS, ts: card.ts });
    expect((await api(`/${card.ticket}`)).status).toBe('claimed');
    // A submission naming another ticket for this card is refused; the real one resolves with the typed name.
    const forged = JSON.stringify({ ticket: 't_0000000000000000', channel: AGENTS, ts: card.ts });
    expect((await submitModal(SAM, forged, 'x')).status).toBe(200);
    expect((await nthEphemeral(SAM, 1)).args.text).toMatch(/does not belong to a ticket here: nothing was changed/);
    expect((await submitModal(SAM, view.private_metadata, '  invoice   copy ')).status).toBe(200);
    await nthUpdate(card.ts, 2);
    expect(await api(`/${card.ticket}`)).toMatchObject({
      status: 'resolved',
      agent: 'slack:U0SAM',
      label: 'invoice copy',
    });
    expect((await nthIn(card.ts, 2)).args.text).toMatch(/^<@U0SAM> resolved this ticket \(intent: invoice copy\)/);
  });

  it('forged or stray input from the agents’ channel changes nothing and never reaches the bot as a customer', async () => {
    await dm('D0CAL', 'U0CAL', 'please get me a real person');
    const card = await cardFor('U0CAL');
    await dm('D0DAN', 'U0DAN', 'I need a human agent now');
    const other = await cardFor('U0DAN');
    await sleep(300);
    const before = slack.calls.length;
    // A Claim naming another ticket than its card's (unknown, or a real one whose card is elsewhere): refused to the
    // presser alone.
    await press(ANN, card, 'claim', { ticket: 't_0000000000000000' });
    expect((await nthEphemeral(ANN, 1)).args.text).toMatch(/does not belong to a ticket here: nothing was changed/);
    await press(ANN, card, 'claim', { ticket: other.ticket });
    expect((await nthEphemeral(ANN, 2)).args.text).toMatch(/does not belong to a ticket here/);
    // A ticket button pressed on a message outside the agents' channel (a customer's DM): refused, nothing posted.
    await press(ANN, card, 'claim', { channel: 'D0CAL' });
    // Malformed values, a reply outside any thread or in a thread that is not a ticket's, the bot's own and other
    // bots' messages, an edit, a top-level mention asking for a person: ignored.
    const stray = [
      () => press(ANN, card, 'claim', { ticket: 'x y' }),
      () =>
        send(
          envelope({
            type: 'message',
            channel: AGENTS,
            channel_type: 'channel',
            user: ANN.id,
            text: 'I want to talk to a person',
            ts: nextTs(),
          }),
        ),
      () =>
        send(
          envelope({
            type: 'app_mention',
            channel: AGENTS,
            user: LUIS.id,
            text: '<@UBOT> talk to a person',
            ts: nextTs(),
          }),
        ),
      () => reply(ANN, '1700000000.000001', 'hello?').then(() => ({ status: 200 })),
      () =>
        send(
          envelope({
            type: 'message',
            channel: AGENTS,
            user: 'UBOT',
            bot_id: 'BBOT',
            text: 'echo',
            ts: nextTs(),
            thread_ts: card.ts,
          }),
        ),
      () =>
        send(
          envelope({
            type: 'message',
            channel: AGENTS,
            bot_id: 'B0OTHER',
            text: 'bot',
            ts: nextTs(),
            thread_ts: card.ts,
          }),
        ),
      () =>
        send(
          envelope({
            type: 'message',
            subtype: 'message_changed',
            channel: AGENTS,
            hidden: true,
            ts: nextTs(),
            message: {},
          }),
        ),
      () => reply(ANN, card.ts, '   ').then(() => ({ status: 200 })),
    ];
    for (const s of stray) expect((await s()).status).toBe(200);
    await sleep(500);
    expect(slack.calls.length).toBe(before + 2); // the two ephemeral refusals
    expect((await api(`/${card.ticket}`)).status).toBe('queued');
    expect((await api(`/${other.ticket}`)).status).toBe('queued');
    const all = (await api('')) as { conversation: string }[];
    expect(all.some((t) => t.conversation.includes(AGENTS))).toBe(false);
    expect(logEvents()).toContainEqual(expect.objectContaining({ event: 'slack_agents_forged', channel: 'D0CAL' }));
    const reasons = logEvents()
      .filter((e) => e.event === 'slack_agents_ignored')
      .map((e) => e.reason);
    for (const reason of [
      'bad_action_value',
      'not_in_a_thread',
      'not_a_ticket_thread',
      'from_bot',
      'subtype',
      'empty',
    ]) {
      expect(reasons).toContain(reason);
    }
    expect((await fetch(`${server.base}/healthz`)).status).toBe(200);
  });

  it('serves a Teams customer from the Slack thread, and a Slack customer from the Teams channel', async () => {
    // Teams customer, Slack agent.
    const conv = 'a:served-from-slack';
    const ada = { id: '29:ada-teams', name: 'Ada Teams', aadObjectId: 'aad-ada' };
    expect(await postTeams(teamsActivity(ada, conv, { text: 'I need a person to help me with my order' }))).toBe(200);
    const card = await cardFor('Ada Teams');
    expect((card.call.args.blocks as Json[])[1].fields[1].text).toBe('*Channel*\nteams');
    await press(ANN, card, 'claim');
    await teams.waitFor(() => teams.callsTo(conv).some((c) => c.activity.text === 'Ann has joined the conversation.'));
    await postTeams(teamsActivity(ada, conv, { text: 'order 4711 never arrived' }));
    expect((await nthIn(card.ts, 2)).args.text).toBe('Ada Teams: order 4711 never arrived');
    await reply(ANN, card.ts, 'I am re-sending it today.');
    await teams.waitFor(() => teams.callsTo(conv).some((c) => c.activity.text === 'Ann: I am re-sending it today.'));

    // A 30,000-character Teams message (what Slack refused as one rich_text element): the agents read all of it, in
    // numbered parts both platforms accept, in the Slack thread and in the Teams card's reply chain.
    const long = Array.from({ length: 6001 }, (_, i) => `p${i % 10}rt`)
      .join(' ')
      .slice(0, 29_999)
      .concat('!');
    expect(long).toHaveLength(30_000);
    const before = thread(card.ts).length;
    expect(await postTeams(teamsActivity(ada, conv, { text: long }))).toBe(200);
    const partsIn = (calls: FakeSlackCall[]) =>
      calls.filter((c) => /^Ada Teams \(\d+\/\d+\): /.test(String(c.args.text)));
    const total = () =>
      Number(/\/(\d+)\)/.exec(String(partsIn(thread(card.ts).slice(before))[0]?.args.text ?? '/0)'))?.[1]);
    await slack.waitFor(() => total() > 0 && partsIn(thread(card.ts).slice(before)).length === total());
    const parts = partsIn(thread(card.ts).slice(before));
    expect(parts.length).toBeGreaterThan(1);
    const got = parts.map((c) => (c.args.blocks as Json[])[0].elements[0].elements[1].text).join('');
    expect(got === long).toBe(true); // (a 30,000-character diff is no help)
    const refused = slack.calls.filter((c) => c.args.thread_ts === card.ts && c.response?.ok !== true);
    expect(refused).toEqual([]);
    const adaTeamsCard = teams
      .callsTo(TEAMS_AGENTS)
      .find((c) => c.activity.attachments && JSON.stringify(c.activity).includes('Ada Teams'));
    const adaTeamsThread = `${TEAMS_AGENTS};messageid=${adaTeamsCard?.id}`;
    const teamsParts = () =>
      teams.callsTo(adaTeamsThread).filter((c) => /^Ada Teams \(\d+\/\d+\): /.test(c.activity.text));
    await teams.waitFor(
      () =>
        teamsParts().length > 1 && teamsParts().length === Number(/\/(\d+)\)/.exec(teamsParts()[0].activity.text)?.[1]),
    );
    expect(teamsParts().every((c) => c.status === undefined && c.id)).toBe(true);
    expect(
      teamsParts()
        .map((c) => c.activity.text.replace(/^Ada Teams \(\d+\/\d+\): /, ''))
        .join(''),
    ).toBe(long);

    // Slack customer, Teams agent: the Teams card → Claim there → the Slack customer hears it in their thread; the
    // Teams agent's reply reaches the Slack DM and is mirrored into the Slack card's thread as an agent line.
    const D = 'D0EVE';
    const asked = await dm(D, 'U0EVE', 'talk to a human please');
    const find = () =>
      teams.callsTo(TEAMS_AGENTS).find((c) => c.activity.attachments && JSON.stringify(c.activity).includes('U0EVE'));
    await teams.waitFor(() => find() !== undefined);
    const teamsCard = find() as ConnectorCall;
    const ticket = teamsCard.activity.attachments[0].content.actions[0].data.ticket as string;
    const teamsThread = `${TEAMS_AGENTS};messageid=${teamsCard.id}`;
    const annTeams = { id: '29:ann', name: 'Ann Agent', aadObjectId: 'aad-ann' };
    const press2 = teamsActivity(annTeams, teamsThread, {
      value: { switchboard: 'ticket', action: 'claim', ticket },
      replyToId: teamsCard.id,
    });
    expect(await postTeams(press2)).toBe(200);
    expect((await nthTo(D, 2)).args).toMatchObject({ text: 'Ann has joined the conversation.', thread_ts: asked });
    const slackCard = await cardFor('U0EVE');
    expect(((await nthUpdate(slackCard.ts, 1)).args.blocks as Json[])[0].text.text).toBe('*🟢 Claimed by Ann*');
    await postTeams(
      teamsActivity(annTeams, teamsThread, {
        text: '<at>Switchboard</at> Your parcel left today.',
        entities: [{ type: 'mention', mentioned: TEAMS_BOT, text: '<at>Switchboard</at>' }],
      }),
    );
    expect((await nthTo(D, 3)).args).toMatchObject({ text: 'Ann: Your parcel left today.', thread_ts: asked });
    await slack.waitFor(() => thread(slackCard.ts).some((c) => c.args.text === 'Ann (agent): Your parcel left today.'));
    // In Slack, Ann (the same agent) may go on from the Slack card's thread.
    await reply(ANN, slackCard.ts, 'Anything else?');
    expect((await nthTo(D, 4)).args.text).toBe('Ann: Anything else?');
  });

  it('a DM from Slackbot (USLACKBOT) is no customer: no answer, no ticket, no card in either agents’ channel', async () => {
    const D = 'D0SLACKBOT';
    const cardsBefore = cards().length;
    const teamsCardsBefore = teams.callsTo(TEAMS_AGENTS).filter((c) => c.activity.attachments).length;
    const ts = nextTs();
    const removed = envelope({
      type: 'message',
      channel_type: 'im',
      channel: D,
      user: 'USLACKBOT',
      text: 'You have been removed from #project-falcon by <@U0ANN>',
      ts,
      event_ts: ts,
    });
    expect((await send(removed)).status).toBe(200);
    // Ignored where it is mapped (the log says why), so nothing after can follow from it.
    await slack.waitFor(() => logEvents().some((l) => l.event === 'slack_ignored' && l.reason === 'system_sender'));
    expect(toCustomer(D)).toEqual([]);
    expect(cards().length).toBe(cardsBefore);
    expect(teams.callsTo(TEAMS_AGENTS).filter((c) => c.activity.attachments).length).toBe(teamsCardsBefore);
  });

  it('a restart mid-handoff loses and repeats nothing: a reply Slack refused is delivered once after the restart', async () => {
    const D = 'D0FAY';
    const asked = await dm(D, 'U0FAY', 'talk to a human agent please');
    const card = await cardFor('U0FAY');
    await press(ANN, card, 'claim');
    await nthTo(D, 2); // "Ann has joined"
    await nthIn(card.ts, 1); // "Ann claimed this ticket"
    const claimed = await nthUpdate(card.ts, 1);

    // Slack refuses the customer's copy of Ann's reply: it waits, undelivered, in the ticket's transcript.
    slack.failNext('chat.postMessage', 'fatal_error', (args) => args.channel === D);
    const refund = await reply(ANN, card.ts, 'Your refund was approved.');
    await slack.waitFor((calls) => calls.some((c) => c.args.channel === D && c.response?.error === 'fatal_error'));
    await sleep(300);
    const pending = await api(`/${card.ticket}`);
    expect(pending.transcript.find((e: { text: string }) => e.text === 'Your refund was approved.')).toMatchObject({
      from: 'agent',
      agent: 'ann',
      delivered: false,
    });
    await stopped(server);
    const stoppedAt = Date.now();
    server = await start(); // same store
    const isRefund = (c: FakeSlackCall) => c.args.text === 'Ann: Your refund was approved.';
    await slack.waitFor(() => toCustomer(D).some(isRefund), WAIT_MS);
    expect(toCustomer(D).find(isRefund)?.args.thread_ts).toBe(asked);
    expect(toCustomer(D).find(isRefund)?.at).toBeGreaterThan(stoppedAt); // sent by the new process
    // Slack retries the reply's event after the restart: not sent again.
    expect((await postSlack(server.base, refund.body, { secret: SECRET, retryNum: 1 })).status).toBe(200);
    // The thread and the card still map to the ticket: reply, then resolve from the card's menu.
    await reply(ANN, card.ts, 'Anything else?');
    await slack.waitFor(() => toCustomer(D).some((c) => c.args.text === 'Ann: Anything else?'));
    await press(ANN, { ts: card.ts, call: claimed }, 'resolve', { label: 'refund' });
    await slack.waitFor(() => updatesOf(card.ts).some((u) => blocksText(u).includes('Resolved by Ann')));
    await slack.waitFor(() => toCustomer(D).some((c) => /I am back/.test(String(c.args.text))));
    await sleep(11_000); // one more outbox round: nothing is sent again
    expect(toCustomer(D).filter(isRefund)).toHaveLength(1);
    expect(cards().filter((c) => blocksText(c).includes(card.ticket))).toHaveLength(1); // no second card
    const t = await api(`/${card.ticket}`);
    expect(t).toMatchObject({ status: 'resolved', label: 'refund' });
    expect(t.transcript.filter((e: { text: string }) => e.text === 'Your refund was approved.')).toHaveLength(1);
    expect(t.transcript.every((e: { from: string; delivered?: boolean }) => e.from !== 'agent' || e.delivered)).toBe(
      true,
    );
    // Over the whole file: no error and no failure logged but the refusal this test provoked.
    const failures = logEvents().filter(
      (e) => e.level === 'error' || (/failed/.test(String(e.event)) && e.event !== 'handoff_send_failed'),
    );
    expect(failures).toEqual([]);
  });
});
