/**
 * The Slack adapter over real HTTP on loopback: the real server (`switchboard start`, demo bot) with Slack configured,
 * requests signed as Slack signs them, and a fake Slack Web API that records what the bot posts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeSlackApi, type FakeSlackCall, postSlack } from '../fixtures/fake-slack-api.ts';
import { type RunningServer, spawnServer } from '../fixtures/spawn-server.ts';
import { WAIT_MS } from '../fixtures/wait.ts';

const SECRET = '8f742231b10e8888abcd99yyyzzz85a5';
const TEAM = 'T0FAKE';
const storeDir = mkdtempSync(join(tmpdir(), 'switchboard-slack-'));
const storeFile = join(storeDir, 'switchboard.db');
let fake: FakeSlackApi;
let server: RunningServer;
let logs = '';

async function start(): Promise<RunningServer> {
  // SLACK_API_URL without `/api/`: the adapter normalizes it.
  const s = await spawnServer(['--store', storeFile], {
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_BOT_TOKEN: 'xoxb-test',
    SLACK_API_URL: fake.url.replace(/\/api\/$/, ''),
    SWITCHBOARD_LOG_TEXT: '0',
  });
  s.child.stderr?.on('data', (d: Buffer) => {
    logs += d.toString();
  });
  return s;
}

async function stop(s: RunningServer | undefined): Promise<void> {
  if (!s || s.child.exitCode !== null) return;
  const exited = new Promise((resolve) => s.child.once('exit', resolve));
  s.stop();
  await exited;
}

beforeAll(async () => {
  fake = await FakeSlackApi.start({ locales: { U0CUSTOMER: 'en-US', U0KUNDE: 'de-DE' } });
  server = await start();
});

afterAll(async () => {
  await stop(server);
  await fake?.close();
  rmSync(storeDir, { recursive: true, force: true });
});

let seq = 0;
/** A fresh message timestamp and event id (each test uses its own DM channel, so conversations never mix). */
const next = () => {
  seq++;
  return { ts: `${1_712_000_000 + seq}.000${100 + seq}`, eventId: `Ev0TEST${Date.now().toString(36)}${seq}` };
};

function event(e: Record<string, unknown>, eventId: string): Record<string, unknown> {
  return {
    token: 'legacy',
    team_id: TEAM,
    api_app_id: 'A0APP',
    type: 'event_callback',
    event_id: eventId,
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [{ team_id: TEAM, user_id: 'UBOT', is_bot: true, is_enterprise_install: false }],
    event: { team: TEAM, ...e },
  };
}

/** A customer's DM; returns the body and its ids. */
function dm(channel: string, text: string, over: Record<string, unknown> = {}) {
  const { ts, eventId } = next();
  const body = event(
    { type: 'message', channel_type: 'im', channel, user: 'U0CUSTOMER', text, ts, event_ts: ts, ...over },
    eventId,
  );
  return { body, ts, eventId };
}

const posted = (channel: string): FakeSlackCall[] => fake.delivered().filter((c) => c.args.channel === channel);
const send = (body: unknown, options: Parameters<typeof postSlack>[2] = { secret: SECRET }) =>
  postSlack(server.base, body, options);
/** The server's JSON log lines so far. */
const logLines = (): Record<string, unknown>[] =>
  logs
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** The actions block `blockId` of a posted message. */
const actions = (call: FakeSlackCall, blockId: string) =>
  (call.args.blocks as { block_id: string; elements: Record<string, unknown>[] }[]).find((b) => b.block_id === blockId);

/** A click on a button of `message` (a posted call), as Slack posts it (form-encoded `payload=`). */
function click(message: FakeSlackCall, blockId: string, index: number, messageTs = '1712999999.000001') {
  const button = actions(message, blockId)!.elements[index];
  const channel = message.args.channel as string;
  const threadTs = message.args.thread_ts as string;
  const payload = {
    type: 'block_actions',
    user: { id: 'U0CUSTOMER', username: 'customer', name: 'customer', team_id: TEAM },
    api_app_id: 'A0APP',
    token: 'legacy',
    container: {
      type: 'message',
      message_ts: messageTs,
      channel_id: channel,
      is_ephemeral: false,
      thread_ts: threadTs,
    },
    trigger_id: `${seq}.${Date.now()}`,
    team: { id: TEAM, domain: 'fake' },
    enterprise: null,
    is_enterprise_install: false,
    channel: { id: channel, name: 'directmessage' },
    message: {
      type: 'message',
      user: 'UBOT',
      bot_id: 'BBOT',
      text: message.args.text,
      ts: messageTs,
      thread_ts: threadTs,
      blocks: message.args.blocks,
    },
    state: { values: {} },
    response_url: `${fake.url}response`,
    actions: [{ ...button, block_id: blockId, action_ts: `${Math.floor(Date.now() / 1000)}.${100000 + seq++}` }],
  };
  return send(payload, { secret: SECRET, form: true });
}

describe('Slack adapter over HTTP', () => {
  it('checks the token with auth.test at startup', () => {
    expect(fake.calls.find((c) => c.method === 'auth.test')).toMatchObject({ token: 'xoxb-test', status: 200 });
  });

  it('answers url_verification with the challenge', async () => {
    const r = await send({
      token: 'legacy',
      challenge: '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P',
      type: 'url_verification',
    });
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ challenge: '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P' });
  });

  it('a signed DM is acknowledged at once and answered in its thread, with 👍/👎 and the locale looked up', async () => {
    const { body, ts, eventId } = dm('D0DM01', 'wake me up at 7 tomorrow');
    const r = await send(body);
    expect(r.status).toBe(200);
    expect(await r.text()).toBe('');
    const [reply] = await fake.waitFor(() => posted('D0DM01').length > 0).then(() => posted('D0DM01'));
    expect(reply.token).toBe('xoxb-test');
    expect(reply.args).toMatchObject({ channel: 'D0DM01', thread_ts: ts });
    expect(reply.args.text).toMatch(/Settings → Alarms/);
    expect(actions(reply, 'switchboard_feedback')!.elements.map((e) => e.value)).toEqual([
      `up:slack:${eventId}`,
      `down:slack:${eventId}`,
    ]);
    expect(fake.calls.find((c) => c.method === 'users.info')?.args).toEqual({
      user: 'U0CUSTOMER',
      include_locale: 'true',
    });
  });

  it("uses the customer's Slack locale as a language hint (users.info, include_locale)", async () => {
    // "pizza" alone reads as Spanish; from a customer whose Slack locale is de-DE it is German.
    const german = dm('D0DM02', 'pizza', { user: 'U0KUNDE' });
    const unknown = dm('D0DM03', 'pizza', { user: 'U0NOLOCALE' });
    expect((await send(german.body)).status).toBe(200);
    expect((await send(unknown.body)).status).toBe(200);
    await fake.waitFor(() => posted('D0DM02').length > 0 && posted('D0DM03').length > 0);
    expect(posted('D0DM02')[0].args.text).toMatch(/Ich verbinde Sie/);
    expect(posted('D0DM03')[0].args.text).toMatch(/Te paso/);
    expect(fake.calls.filter((c) => c.method === 'users.info').map((c) => c.args.user)).toContain('U0KUNDE');
  });

  it('refuses a bad signature, a missing one, a stale and a future timestamp: 401, nothing processed', async () => {
    const { body } = dm('D0FORGED', 'wake me up at 7 tomorrow');
    const now = Math.floor(Date.now() / 1000);
    const forged = await send(body, { secret: 'not-the-secret' });
    const tampered = await send(body, { secret: SECRET, signature: `v0=${'0'.repeat(64)}` });
    const stale = await send(body, { secret: SECRET, timestamp: now - 6 * 60 });
    const future = await send(body, { secret: SECRET, timestamp: now + 6 * 60 });
    const unsigned = await fetch(`${server.base}/slack/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect([forged, tampered, stale, future, unsigned].map((r) => r.status)).toEqual([401, 401, 401, 401, 401]);
    // A correctly signed copy goes through, so the ones above would have been answered by now had they passed.
    const ok = dm('D0FORGED', 'wake me up at 7 tomorrow');
    await send(ok.body);
    await fake.waitFor(() => posted('D0FORGED').length > 0);
    await sleep(300);
    expect(posted('D0FORGED')).toHaveLength(1);
    expect(posted('D0FORGED')[0].args.thread_ts).toBe(ok.ts);
  });

  it('answers an event once however often Slack retries it (X-Slack-Retry-Num, same event_id), also concurrently', async () => {
    const { body } = dm('D0RETRY', 'what is the weather today');
    expect((await send(body)).status).toBe(200);
    await fake.waitFor(() => posted('D0RETRY').length > 0);
    const retries = await Promise.all([1, 2, 2].map((n) => send(body, { secret: SECRET, retryNum: n })));
    expect(retries.map((r) => r.status)).toEqual([200, 200, 200]);
    const burst = dm('D0RETRY2', 'what time is it');
    const all = await Promise.all([0, 1, 2, 3].map((n) => send(burst.body, { secret: SECRET, retryNum: n })));
    expect(all.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    await fake.waitFor(() => posted('D0RETRY2').length > 0);
    // Every copy is refused as a duplicate (logged), none answered again.
    await fake.waitFor(() => logLines().filter((l) => l.event === 'slack_duplicate').length >= 3);
    await sleep(300);
    expect(posted('D0RETRY')).toHaveLength(1);
    expect(posted('D0RETRY2')).toHaveLength(1);
    expect(logLines()).toContainEqual(expect.objectContaining({ event: 'slack_duplicate' }));
  });

  it('a mention in a channel is answered in its thread, once: not again for its message event nor for an edit', async () => {
    const { ts, eventId } = next();
    const text = '<@UBOT> what is the weather today?';
    const mention = event(
      { type: 'app_mention', channel: 'C0SUPPORT', user: 'U0CUSTOMER', text, ts, event_ts: ts },
      eventId,
    );
    const message = event(
      { type: 'message', channel_type: 'channel', channel: 'C0SUPPORT', user: 'U0CUSTOMER', text, ts, event_ts: ts },
      `${eventId}m`,
    );
    // The customer then edits the message: Slack sends the mention again, with `edited` and a new event_id.
    const edited = event(
      { type: 'app_mention', channel: 'C0SUPPORT', user: 'U0CUSTOMER', text: `${text}!`, ts, event_ts: ts },
      `${eventId}e`,
    );
    (edited.event as Record<string, unknown>).edited = { user: 'U0CUSTOMER', ts: `${ts.split('.')[0]}.999999` };
    expect((await send(message)).status).toBe(200);
    expect((await send(mention)).status).toBe(200);
    expect((await send(edited)).status).toBe(200);
    await fake.waitFor(() => posted('C0SUPPORT').length > 0);
    await sleep(300);
    expect(posted('C0SUPPORT')).toHaveLength(1);
    expect(posted('C0SUPPORT')[0].args).toMatchObject({ thread_ts: ts });
    expect(posted('C0SUPPORT')[0].args.text).toMatch(/Weather tab/);
  });

  it("ignores the bot's own messages, other bots, edits, deletions, joins and files without text", async () => {
    const channel = 'D0IGNORE';
    const base = { channel_type: 'im', channel, type: 'message' };
    const ignored = [
      { ...base, user: 'UBOT', bot_id: 'BBOT', text: 'Alarms are set in the app' },
      { ...base, subtype: 'bot_message', bot_id: 'B0OTHER', username: 'ci', text: 'build passed' },
      {
        ...base,
        subtype: 'message_changed',
        hidden: true,
        message: { type: 'message', user: 'U0CUSTOMER', text: 'wake me up at 8' },
        previous_message: { type: 'message', user: 'U0CUSTOMER', text: 'wake me up at 7' },
      },
      { ...base, subtype: 'message_deleted', hidden: true, deleted_ts: '1712000000.000001' },
      { ...base, subtype: 'channel_join', user: 'U0CUSTOMER', text: '<@U0CUSTOMER> has joined the channel' },
      { ...base, subtype: 'file_share', user: 'U0CUSTOMER', text: '', files: [{ id: 'F1', name: 'screenshot.png' }] },
      { ...base, user: 'U0CUSTOMER', text: '', attachments: [{ fallback: 'preview' }] },
      { type: 'reaction_added', user: 'U0CUSTOMER', reaction: 'thumbsup', item: { type: 'message', channel } },
    ];
    for (const e of ignored) {
      const { ts, eventId } = next();
      expect((await send(event({ ts, event_ts: ts, ...e }, eventId))).status).toBe(200);
    }
    const sentinel = dm(channel, 'wake me up at 7 tomorrow');
    await send(sentinel.body);
    await fake.waitFor(() => posted(channel).length > 0);
    // Each ignored event is logged where it is mapped; wait for the logs rather than for time.
    await fake.waitFor(() => logLines().some((l) => l.event === 'slack_ignored' && l.subtype === 'message_changed'));
    await fake.waitFor(() => logLines().some((l) => l.event === 'slack_ignored' && l.reason === 'own_message'));
    await sleep(300);
    expect(posted(channel).map((c) => c.args.thread_ts)).toEqual([sentinel.ts]);
    expect(logLines()).toContainEqual(
      expect.objectContaining({ event: 'slack_ignored', reason: 'subtype', subtype: 'message_changed' }),
    );
    expect(logLines()).toContainEqual(expect.objectContaining({ event: 'slack_ignored', reason: 'own_message' }));
    // Logs carry reasons and ids, never the customer's words.
    expect(logs).not.toMatch(/wake me up|joined the channel|build passed/);
  });

  it('a clarify choice, 👍 and 👎 (which offers a person) and "Talk to a person" are handled', async () => {
    const channel = 'D0BUTTONS';
    const { body } = dm(channel, 'wake me up at 7 tomorrow');
    await send(body);
    await fake.waitFor(() => posted(channel).length > 0);
    const answer = posted(channel)[0];
    // 👍: recorded, nothing posted, the buttons replaced by the rating.
    expect((await click(answer, 'switchboard_feedback', 0, '1712999999.000010')).status).toBe(200);
    await fake.waitFor((c) => c.some((x) => x.method === 'chat.update' && x.args.ts === '1712999999.000010'));
    const update = fake.calls.find((x) => x.method === 'chat.update' && x.args.ts === '1712999999.000010')!;
    expect(update.args.blocks).toContainEqual({
      type: 'context',
      block_id: 'switchboard_feedback',
      elements: [{ type: 'mrkdwn', text: '👍' }],
    });
    // 👎 on another answer: the apology with a "Talk to a person" button, in the same thread.
    const second = dm(channel, 'what is the weather today');
    await send(second.body);
    await fake.waitFor(() => posted(channel).length > 1);
    expect((await click(posted(channel)[1], 'switchboard_feedback', 1)).status).toBe(200);
    await fake.waitFor(() => posted(channel).length > 2);
    const sorry = posted(channel)[2];
    expect(sorry.args.thread_ts).toBe(second.ts);
    expect(sorry.args.text).toMatch(/talk to a person/i);
    expect(actions(sorry, 'switchboard_human')!.elements[0]).toMatchObject({ action_id: 'switchboard_human' });
    // "Talk to a person": the handoff message.
    expect((await click(sorry, 'switchboard_human', 0)).status).toBe(200);
    await fake.waitFor(() => posted(channel).length > 3);
    expect(posted(channel)[3].args.text).toMatch(/colleague/);
  });

  it('a clarify quick reply answers the chosen intent', async () => {
    // A clarifying question as the bot posts it; the customer picks "Weather".
    const channel = 'D0CHOICE';
    const { ts } = next();
    const clarify: FakeSlackCall = {
      method: 'chat.postMessage',
      at: 0,
      status: 200,
      args: {
        channel,
        thread_ts: ts,
        text: 'Just to be sure — which of these do you mean? (Set an alarm / Weather)',
        blocks: [
          { type: 'section', block_id: 'switchboard_text', text: { type: 'mrkdwn', text: 'Just to be sure' } },
          {
            type: 'actions',
            block_id: 'switchboard_choices',
            elements: [
              {
                type: 'button',
                action_id: 'switchboard_choice_0',
                text: { type: 'plain_text', text: 'Set an alarm' },
                value: 'alarm_set',
              },
              {
                type: 'button',
                action_id: 'switchboard_choice_1',
                text: { type: 'plain_text', text: 'Weather' },
                value: 'weather_query',
              },
            ],
          },
        ],
      },
    };
    expect((await click(clarify, 'switchboard_choices', 1, '1712999999.000020')).status).toBe(200);
    await fake.waitFor(() => posted(channel).length > 0);
    expect(posted(channel)[0].args).toMatchObject({ thread_ts: ts });
    expect(posted(channel)[0].args.text).toMatch(/Weather tab/);
    await fake.waitFor((c) => c.some((x) => x.method === 'chat.update' && x.args.ts === '1712999999.000020'));
    const update = fake.calls.find((x) => x.method === 'chat.update' && x.args.ts === '1712999999.000020')!;
    expect(update.args.blocks).toContainEqual({
      type: 'context',
      block_id: 'switchboard_choices',
      elements: [{ type: 'mrkdwn', text: '✓ Weather' }],
    });
  });

  it('honours a rate limit: 429 + Retry-After: 1 on the first chat.postMessage, then exactly one message', async () => {
    fake.rateLimitNext('chat.postMessage', 1);
    const channel = 'D0RATE';
    const { body } = dm(channel, 'wake me up at 7 tomorrow');
    expect((await send(body)).status).toBe(200);
    await fake.waitFor(() => posted(channel).length > 0, WAIT_MS);
    await sleep(300);
    const attempts = fake.calls.filter((c) => c.method === 'chat.postMessage' && c.args.channel === channel);
    expect(attempts.map((c) => c.status)).toEqual([429, 200]);
    expect(attempts[1].at - attempts[0].at).toBeGreaterThanOrEqual(1000);
    expect(posted(channel)).toHaveLength(1);
  });

  it('bad input is refused or ignored and never takes the server down', async () => {
    const malformed = await send('{"type": "event_callback", "event": ');
    expect(malformed.status).toBe(400);
    const huge = await send({ type: 'event_callback', padding: 'x'.repeat(2 * 1024 * 1024) });
    expect(huge.status).toBe(413);
    const missing = await send({
      type: 'event_callback',
      team_id: TEAM,
      event_id: 'Ev0MISSING',
      event: { type: 'message' },
    });
    expect(missing.status).toBe(200);
    const unknown = await send(event({ type: 'emoji_changed', subtype: 'add', name: 'x' }, 'Ev0UNKNOWN'));
    expect(unknown.status).toBe(200);
    const badPayload = await send({ type: 'block_actions', actions: 'nope', user: 7 }, { secret: SECRET, form: true });
    expect(badPayload.status).toBe(200);
    const health = await fetch(`${server.base}/healthz`);
    expect(health.status).toBe(200);
  });

  it('stays idempotent across a restart: a retry of an answered event on the same store is not answered again', async () => {
    const channel = 'D0RESTART';
    const first = dm(channel, 'wake me up at 7 tomorrow');
    const { body } = first;
    await send(body);
    await fake.waitFor(() => posted(channel).length > 0);
    await stop(server);
    server = await start();
    expect((await send(body, { secret: SECRET, retryNum: 1 })).status).toBe(200);
    // A new event after it, in the same DM, is answered: the server is up and did process the retry first.
    const after = dm(channel, 'what is the weather today');
    await send(after.body);
    await fake.waitFor(() => posted(channel).length > 1, WAIT_MS);
    await sleep(300);
    expect(posted(channel).map((c) => c.args.thread_ts)).toEqual([
      body.event && (body.event as { ts: string }).ts,
      after.ts,
    ]);
  });

  it('refuses to start with a token Slack rejects (auth.test: invalid_auth)', async () => {
    const failed = await spawnServer(['--store', join(storeDir, 'other.db')], {
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_BOT_TOKEN: 'xoxb-revoked',
      SLACK_API_URL: fake.url,
    }).then(
      async (s) => {
        await stop(s);
        return undefined;
      },
      (e: Error) => e,
    );
    expect(failed?.message).toMatch(/Slack refused SLACK_BOT_TOKEN \(auth\.test: invalid_auth\)/);
  });
});
