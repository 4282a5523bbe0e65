import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pressId } from '../../src/adapters/teams/teams-to-turn.ts';
import { type ConnectorCall, FakeBotFramework, generateSigningKey } from '../fixtures/fake-bot-framework.ts';
import { type RunningServer, spawnServer } from '../fixtures/spawn-server.ts';

// The real server (`switchboard start`, demo config) with the Teams adapter, talking to a fake Bot Framework on loopback:
// activities are POSTed to /api/messages as the channel would, replies are read at the fake Connector (`serviceUrl`).

const storeDir = mkdtempSync(join(tmpdir(), 'switchboard-teams-'));
const BOT = { id: '28:switchboard-bot', name: 'Switchboard' };
const USER = { id: '29:customer-1', name: 'Ada Customer', aadObjectId: '6b1c-aad-customer' };
let activitySeq = 0;

afterAll(() => rmSync(storeDir, { recursive: true, force: true }));

/** A message activity as Teams posts it (personal chat unless `conversation` says otherwise). */
function message(fake: FakeBotFramework, conversation: string, fields: Record<string, unknown> = {}) {
  return {
    type: 'message',
    id: `1712${String(++activitySeq).padStart(9, '0')}`,
    timestamp: new Date().toISOString(),
    localTimestamp: new Date().toISOString(),
    channelId: 'msteams',
    serviceUrl: fake.serviceUrl,
    from: USER,
    conversation: { id: conversation, conversationType: 'personal', tenantId: 'tenant-1' },
    recipient: BOT,
    textFormat: 'plain',
    locale: 'en-US',
    channelData: { tenant: { id: 'tenant-1' } },
    ...fields,
  };
}

async function post(server: RunningServer, body: unknown, headers: Record<string, string> = {}) {
  const r = await fetch(`${server.base}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: r.status, text: await r.text() };
}

/** The one reply that arrives for `conversation` (waits for it). */
async function replyIn(fake: FakeBotFramework, conversation: string, count = 1): Promise<ConnectorCall> {
  await fake.waitFor(() => fake.callsTo(conversation).length >= count);
  return fake.callsTo(conversation)[count - 1];
}

/** The Adaptive Card buttons of a reply. */
function buttons(call: ConnectorCall): { title: string; data: Record<string, string> }[] {
  const card = call.activity.attachments?.find(
    (a: { contentType: string }) => a.contentType === 'application/vnd.microsoft.card.adaptive',
  );
  return card?.content.actions ?? [];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Stderr of a running server from now on: the raw text and its JSON log lines. */
function captureStderr(server: RunningServer): { text: () => string; events: () => Record<string, unknown>[] } {
  let text = '';
  server.child.stderr?.on('data', (d: Buffer) => {
    text += d.toString();
  });
  const events = () =>
    text
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { text: () => text, events };
}

describe('Teams without an app id: authentication off', () => {
  let fake: FakeBotFramework;
  let server: RunningServer;
  let stderr: ReturnType<typeof captureStderr>;

  beforeAll(async () => {
    fake = await FakeBotFramework.start();
    // Each server in its own directory (its store and whatever it keeps next to it).
    server = await spawnServer(['--store', join(storeDir, 'open', 'switchboard.db')], { MicrosoftAppId: '' });
    stderr = captureStderr(server);
  });

  afterAll(async () => {
    server?.stop();
    await fake?.close();
  });

  it('answers a message in its conversation, replying to it, with the @mention stripped and 👍/👎 buttons', async () => {
    const a = message(fake, 'a:personal-answer', {
      text: '<at>Switchboard</at> wake me up at 7 tomorrow',
      entities: [
        { type: 'mention', mentioned: BOT, text: '<at>Switchboard</at>' },
        { type: 'clientInfo', locale: 'en-US', country: 'US', platform: 'Web' },
      ],
    });
    const r = await post(server, a);
    expect(r.status).toBe(200);
    const reply = await replyIn(fake, 'a:personal-answer');
    expect(reply.replyToId).toBe(a.id);
    expect(reply.authorization).toBeUndefined();
    expect(reply.activity).toMatchObject({
      type: 'message',
      replyToId: a.id,
      conversation: { id: 'a:personal-answer' },
      from: { id: BOT.id },
      recipient: { id: USER.id },
    });
    // The mention is gone: the text was understood as an alarm request and answered.
    expect(reply.activity.text).toMatch(/Settings → Alarms/);
    expect(buttons(reply)).toEqual([
      { type: 'Action.Submit', title: '👍', data: { switchboard: 'feedback', rating: 'up', turn: `teams:${a.id}` } },
      { type: 'Action.Submit', title: '👎', data: { switchboard: 'feedback', rating: 'down', turn: `teams:${a.id}` } },
    ]);
    // The log has ids and sizes, not the customer's words (written once the reply is sent: waited for, not slept on).
    await fake.waitFor(() => stderr.events().some((e) => e.event === 'teams_turn' && e.id === a.id));
    expect(stderr.events()).toContainEqual(
      expect.objectContaining({ event: 'teams_turn', id: a.id, status: 'replied', decision: 'answer', text_chars: 24 }),
    );
    expect(stderr.text()).not.toContain('wake me up');
  });

  it('answers the same activity once when Bot Framework delivers it twice', async () => {
    const a = message(fake, 'a:personal-retry', { text: 'wake me up at 7 tomorrow' });
    expect((await post(server, a)).status).toBe(200);
    expect((await post(server, a)).status).toBe(200);
    await replyIn(fake, 'a:personal-retry');
    // A later message of the conversation is answered: by then a duplicate reply would have arrived too.
    const b = message(fake, 'a:personal-retry', { text: 'what time is it' });
    await post(server, b);
    await replyIn(fake, 'a:personal-retry', 2);
    await sleep(200);
    expect(fake.callsTo('a:personal-retry').map((c) => c.replyToId)).toEqual([a.id, b.id]);
  });

  it('welcomes once when the bot is added to a conversation, in the locale’s language', async () => {
    const update = {
      ...message(fake, 'a:personal-welcome', { locale: 'es-ES' }),
      type: 'conversationUpdate',
      membersAdded: [{ id: BOT.id }],
    };
    expect((await post(server, update)).status).toBe(200);
    expect((await post(server, update)).status).toBe(200); // retried
    const welcome = await replyIn(fake, 'a:personal-welcome');
    expect(welcome.replyToId).toBeUndefined();
    expect(welcome.activity.text).toMatch(/^¡Hola! Puedo ayudar/); // the config's general_greet answer in Spanish
    // Members other than the bot joining a team's channel: no message.
    const other = {
      ...message(fake, '19:team-channel@thread.tacv2', { conversation: { id: '19:team-channel@thread.tacv2' } }),
      type: 'conversationUpdate',
      membersAdded: [{ id: '29:someone-else' }],
    };
    expect((await post(server, other)).status).toBe(200);
    await sleep(300);
    expect(fake.callsTo('a:personal-welcome')).toHaveLength(1);
    expect(fake.callsTo('19:team-channel@thread.tacv2')).toHaveLength(0);
  });

  it('offers clarify choices as card buttons; pressing one answers that intent', async () => {
    const a = message(fake, 'a:personal-clarify', { text: 'my alarm for tomorrow' }); // alarm_set 0.48, alarm_query 0.38
    await post(server, a);
    const clarify = await replyIn(fake, 'a:personal-clarify');
    expect(clarify.activity.text).toMatch(/which of these/);
    const choices = buttons(clarify);
    expect(choices).toContainEqual({
      type: 'Action.Submit',
      title: 'See my alarms',
      data: { switchboard: 'choice', intent: 'alarm_query', label: 'See my alarms' },
    });
    // Teams sends the card's data back as the `value` of a message activity without text, `replyToId` naming the
    // message the card is on (as documented for Action.Submit in Teams).
    const press = message(fake, 'a:personal-clarify', {
      value: choices.find((c) => c.title === 'See my alarms')!.data,
      replyToId: clarify.id,
      channelData: { tenant: { id: 'tenant-1' }, source: { name: 'message' }, legacy: { replyToId: clarify.id } },
    });
    expect((await post(server, press)).status).toBe(200);
    const answer = await replyIn(fake, 'a:personal-clarify', 2);
    expect(answer.replyToId).toBe(press.id);
    expect(answer.activity.text).toMatch(/Your alarms are listed/);
    // The pressed card is updated like Slack's: the question's text kept, the buttons replaced by what was chosen.
    await fake.waitFor(() => fake.updates.some((u) => u.replyToId === clarify.id));
    const updated = fake.updates.find((u) => u.replyToId === clarify.id)!;
    expect(updated.conversationId).toBe('a:personal-clarify');
    expect(updated.activity.text).toBe(clarify.activity.text);
    const card = updated.activity.attachments[0].content;
    expect(card.actions ?? []).toEqual([]);
    expect(card.body).toEqual([expect.objectContaining({ type: 'TextBlock', text: '✓ See my alarms' })]);
    // Pressing the same card again (before the update reached the screen, or another choice on it) answers nothing:
    // every press of one card is one turn.
    const again = message(fake, 'a:personal-clarify', {
      value: choices.find((c) => c.title !== 'See my alarms')!.data,
      replyToId: clarify.id,
    });
    expect((await post(server, again)).status).toBe(200);
    expect((await post(server, { ...press, id: `${press.id}-doubled` })).status).toBe(200);
    const duplicates = () =>
      stderr
        .events()
        .filter(
          (e) => e.event === 'teams_turn' && e.conversation === 'teams:a:personal-clarify' && e.status === 'duplicate',
        );
    await fake.waitFor(() => duplicates().length >= 2);
    expect(duplicates().every((e) => e.id === pressId('a:personal-clarify', clarify.id as string))).toBe(true);
    expect(fake.callsTo('a:personal-clarify')).toHaveLength(2);
  });

  it('takes 👎 feedback: an apology with a "Talk to a person" button, which hands off', async () => {
    const a = message(fake, 'a:personal-feedback', { text: 'wake me up at 7 tomorrow' });
    await post(server, a);
    const answer = await replyIn(fake, 'a:personal-feedback');
    const down = buttons(answer).find((b) => b.title === '👎')!;
    await post(server, message(fake, 'a:personal-feedback', { value: down.data, replyToId: answer.id }));
    const sorry = await replyIn(fake, 'a:personal-feedback', 2);
    expect(sorry.activity.text).toMatch(/Sorry/);
    const human = buttons(sorry);
    expect(human).toEqual([
      { type: 'Action.Submit', title: 'Talk to a person', data: { switchboard: 'human', label: 'Talk to a person' } },
    ]);
    await post(server, message(fake, 'a:personal-feedback', { value: human[0].data }));
    const handoff = await replyIn(fake, 'a:personal-feedback', 3);
    expect(handoff.activity.text).toMatch(/passing you to a colleague/);
    // A second vote on the same answer (its card) is not counted and not answered: handled as a duplicate.
    await post(server, message(fake, 'a:personal-feedback', { value: buttons(answer)[0].data, replyToId: answer.id }));
    const card = pressId('a:personal-feedback', answer.id as string);
    await fake.waitFor(() =>
      stderr.events().some((e) => e.event === 'teams_turn' && e.id === card && e.status === 'duplicate'),
    );
    expect(fake.callsTo('a:personal-feedback')).toHaveLength(3);
  });

  it('uses the activity’s locale as a language hint for a short, ambiguous message', async () => {
    // "podcast" alone reads as English; with a Spanish or French locale it is taken as Spanish or French.
    await post(server, message(fake, 'a:locale-en', { text: 'podcast', locale: 'en-US' }));
    await post(server, message(fake, 'a:locale-es', { text: 'podcast', locale: 'es-ES' }));
    await post(server, message(fake, 'a:locale-fr', { text: 'podcast', locale: 'fr-FR' }));
    expect((await replyIn(fake, 'a:locale-en')).activity).toMatchObject({ locale: 'en', text: /colleague/ });
    expect((await replyIn(fake, 'a:locale-es')).activity).toMatchObject({ locale: 'es', text: /compañero/ });
    expect((await replyIn(fake, 'a:locale-fr')).activity).toMatchObject({ locale: 'fr', text: /collègue/ });
  });

  it('answers a file without text with a note that only text is read', async () => {
    const a = message(fake, 'a:personal-file', {
      locale: 'de-DE',
      text: undefined,
      attachments: [
        {
          contentType: 'application/vnd.microsoft.teams.file.download.info',
          name: 'screenshot.png',
          content: { downloadUrl: 'https://example.invalid/f', uniqueId: 'u1', fileType: 'png' },
        },
      ],
    });
    expect((await post(server, a)).status).toBe(200);
    const note = await replyIn(fake, 'a:personal-file');
    expect(note.replyToId).toBe(a.id);
    expect(note.activity.text).toMatch(/nur Textnachrichten/);
  });

  it('logs a reply the Connector refuses, and goes on answering', async () => {
    fake.connectorStatus = 400;
    try {
      await post(server, message(fake, 'a:connector-refuses', { text: 'wake me up at 7 tomorrow' }));
      await replyIn(fake, 'a:connector-refuses');
      await fake.waitFor(() => stderr.events().some((e) => e.event === 'teams_failed'));
    } finally {
      fake.connectorStatus = 200;
    }
    expect(stderr.events()).toContainEqual(
      expect.objectContaining({ event: 'teams_failed', code: 'E_TEAMS_SEND', error_kind: 'remote' }),
    );
    await post(server, message(fake, 'a:connector-refuses', { text: 'what time is it' }));
    expect((await replyIn(fake, 'a:connector-refuses', 2)).activity.text).toBeTruthy();
  });

  it('refuses bad requests and ignores activities it has nothing to do with, without crashing', async () => {
    expect((await post(server, '{"type": "message", ')).status).toBe(400);
    expect((await post(server, '[1, 2]')).status).toBe(400);
    expect((await post(server, { text: 'no type' })).status).toBe(400);
    expect((await post(server, { type: 'message', text: 'x'.repeat(300 * 1024) })).status).toBe(413);
    const ignored = [
      message(fake, 'a:ignored', { type: 'typing' }),
      message(fake, 'a:ignored', { type: 'somethingNew', text: 'hi' }),
      message(fake, 'a:ignored', { type: 'messageReaction', reactionsAdded: [{ type: 'like' }], replyToId: '1' }),
      message(fake, 'a:ignored', { type: 'messageUpdate', text: 'edited' }),
      message(fake, 'a:ignored', { from: BOT, text: 'my own message' }),
      message(fake, 'a:ignored', { text: '   ' }),
      message(fake, 'a:ignored', { value: { something: 'else' } }),
      message(fake, 'a:ignored', { conversation: undefined, text: 'no conversation' }),
      message(fake, 'a:ignored', { from: undefined, text: 'no sender' }),
      message(fake, 'a:ignored', { serviceUrl: undefined, text: 'nowhere to reply' }),
    ];
    for (const a of ignored) expect((await post(server, a)).status).toBe(200);
    // An invoke the bot does not implement: botbuilder's 501, nothing sent.
    expect((await post(server, message(fake, 'a:ignored', { type: 'invoke', name: 'task/fetch' }))).status).toBe(501);
    await sleep(300);
    expect(fake.callsTo('a:ignored')).toHaveLength(0);
    expect((await fetch(`${server.base}/healthz`)).status).toBe(200);
    expect(stderr.events()).toContainEqual(expect.objectContaining({ event: 'teams_ignored', reason: 'own_message' }));
    expect(stderr.events()).toContainEqual(expect.objectContaining({ event: 'teams_rejected', status: 413 }));
    expect(stderr.text()).not.toContain('my own message');
  });
});

describe('Teams with an app id: Bot Framework tokens validated', () => {
  const APP_ID = '3f1d9c2e-0000-4000-8000-00000000a11d';
  let fake: FakeBotFramework;
  let server: RunningServer;

  beforeAll(async () => {
    fake = await FakeBotFramework.start();
    server = await spawnServer(['--store', join(storeDir, 'auth', 'switchboard.db')], fake.env(APP_ID, 'app-secret'));
  });

  afterAll(async () => {
    server?.stop();
    await fake?.close();
  });

  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  it('refuses an activity without a token, or with a forged, expired or misdirected one, and processes none', async () => {
    const a = message(fake, 'a:auth-refused', { text: 'wake me up at 7 tomorrow' });
    const now = Math.floor(Date.now() / 1000);
    const otherKeySameKid = { ...generateSigningKey(fake.key.kid) };
    const otherKey = generateSigningKey('attacker-key');
    const refused = [
      {},
      { authorization: 'Bearer not-a-jwt' },
      { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` },
      bearer(fake.channelToken(APP_ID, {}, otherKeySameKid)),
      bearer(fake.channelToken(APP_ID, {}, otherKey)),
      bearer(fake.channelToken(APP_ID, { nbf: now - 7200, exp: now - 3600 })),
      bearer(fake.channelToken('another-bot')),
      bearer(fake.channelToken(APP_ID, { iss: 'https://evil.example' })),
      bearer(fake.channelToken(APP_ID, { serviceurl: 'https://evil.example/' })),
    ];
    for (const headers of refused) expect((await post(server, a, headers)).status, JSON.stringify(headers)).toBe(401);
    // Nothing was processed: the same activity, now properly signed, is still new and gets its one reply.
    expect((await post(server, a, bearer(fake.channelToken(APP_ID)))).status).toBe(200);
    await replyIn(fake, 'a:auth-refused');
    await sleep(300);
    expect(fake.callsTo('a:auth-refused')).toHaveLength(1);
  });

  it('accepts a token signed by the key in the published JWKS and replies with the bot’s own token', async () => {
    const a = message(fake, 'a:auth-ok', {
      text: '<at>Switchboard</at> I want to talk to a person',
      entities: [{ type: 'mention', mentioned: BOT, text: '<at>Switchboard</at>' }],
    });
    expect((await post(server, a, bearer(fake.channelToken(APP_ID)))).status).toBe(200);
    const reply = await replyIn(fake, 'a:auth-ok');
    expect(reply.replyToId).toBe(a.id);
    expect(reply.activity.text).toMatch(/passing you to a colleague/);
    // The only button: leaving the queue.
    expect(buttons(reply).map((b) => b.title)).toEqual(['Cancel']);
    // The bot got its token from the (loopback) login endpoint with its app id and password, for the Connector.
    expect(reply.authorization).toMatch(/^Bearer bot-token-\d+$/);
    expect(fake.tokenRequests[0]).toEqual({
      clientId: APP_ID,
      clientSecret: 'app-secret',
      scope: 'https://api.botframework.com/.default',
    });
  });

  it('welcomes and answers card submits when they are signed', async () => {
    const update = {
      ...message(fake, 'a:auth-welcome'),
      type: 'conversationUpdate',
      membersAdded: [{ id: BOT.id }, { id: USER.id }],
    };
    expect((await post(server, update)).status).toBe(401);
    expect((await post(server, update, bearer(fake.channelToken(APP_ID)))).status).toBe(200);
    expect((await replyIn(fake, 'a:auth-welcome')).activity.text).toMatch(/^Hello! I can help with alarms/);
    const press = message(fake, 'a:auth-welcome', { value: { switchboard: 'choice', intent: 'weather_query' } });
    expect((await post(server, press, bearer(fake.channelToken(APP_ID)))).status).toBe(200);
    expect((await replyIn(fake, 'a:auth-welcome', 2)).activity.text).toMatch(/forecast/);
  });
});
