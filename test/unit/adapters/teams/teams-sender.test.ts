import { CloudAdapter } from 'botbuilder';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTeamsAuthentication } from '../../../../src/adapters/teams/teams-authentication.ts';
import { readTeamsEnv } from '../../../../src/adapters/teams/teams-env.ts';
import { TeamsSender } from '../../../../src/adapters/teams/teams-sender.ts';
import { teamsToTurn } from '../../../../src/adapters/teams/teams-to-turn.ts';
import { FakeBotFramework } from '../../../fixtures/fake-bot-framework.ts';

let fake: FakeBotFramework;
beforeAll(async () => {
  fake = await FakeBotFramework.start();
});
afterAll(() => fake.close());

/** The stored address of a customer's message, as the turn handler keeps it (JSON round trip). */
function storedReference(conversation: string, activityId?: string) {
  const r = teamsToTurn(
    {
      type: 'message',
      id: activityId ?? 'x',
      channelId: 'msteams',
      serviceUrl: fake.serviceUrl,
      from: { id: '29:u', name: 'U' },
      recipient: { id: '28:b', name: 'Bot' },
      conversation: { id: conversation, conversationType: 'personal' },
      text: 'hi',
    },
    0,
  );
  if (r.kind !== 'turn') throw new Error('not a turn');
  const reference = JSON.parse(JSON.stringify(r.reference));
  if (!activityId) delete reference.activityId;
  return reference;
}

const sender = (env: Record<string, string> = {}) => {
  const teams = readTeamsEnv(env);
  return new TeamsSender(new CloudAdapter(createTeamsAuthentication(teams).authentication), teams.appId ?? '');
};

describe('TeamsSender', () => {
  it('sends proactively from a stored reference, replying to the message it names', async () => {
    await sender().send(storedReference('a:send-1', 'm-42'), {
      reply: { text: 'Hello', language: 'en' },
      turn: 'teams:m-42',
      feedback: false,
    });
    const [call] = await fake.waitFor(() => fake.callsTo('a:send-1').length === 1);
    expect(fake.callsTo('a:send-1')[0]).toMatchObject({
      replyToId: 'm-42',
      activity: { type: 'message', text: 'Hello', replyToId: 'm-42', from: { id: '28:b' }, recipient: { id: '29:u' } },
    });
    expect(call.authorization).toBeUndefined();
  });

  it('starts a new message when the reference names none (an agent’s message, a welcome)', async () => {
    await sender().post(storedReference('a:send-2'), { type: 'message', text: 'An agent here.' });
    await fake.waitFor(() => fake.callsTo('a:send-2').length === 1);
    const [call] = fake.callsTo('a:send-2');
    expect(call.replyToId).toBeUndefined();
    expect(call.activity.replyToId).toBeUndefined();
  });

  it('returns the id the Connector gave the activity; builds it from the proactive context when given a function', async () => {
    const id = await sender().post(storedReference('a:send-6'), (context) => ({
      type: 'event',
      name: 'built',
      value: { conversation: context.activity.conversation.id },
    }));
    const [call] = fake.callsTo('a:send-6');
    expect(id).toBe(call.id);
    expect(call.activity).toMatchObject({ type: 'event', name: 'built', value: { conversation: 'a:send-6' } });
  });

  it('updates a sent activity in place (PUT), without a reply-to', async () => {
    await sender().update(storedReference('a:send-7', 'm-9'), 'bot-activity-3', { type: 'message', text: 'v2' });
    const [update] = fake.updates.filter((u) => u.conversationId === 'a:send-7');
    expect(update).toMatchObject({ replyToId: 'bot-activity-3', activity: { id: 'bot-activity-3', text: 'v2' } });
    expect(update.activity.replyToId).toBeUndefined();
    fake.connectorStatus = 404;
    try {
      await expect(sender().update(storedReference('a:send-7'), 'gone', { type: 'message' })).rejects.toMatchObject({
        code: 'E_TEAMS_SEND',
        kind: 'remote',
      });
    } finally {
      fake.connectorStatus = 200;
    }
  });

  it('signs its calls with the bot’s token when an app id is configured', async () => {
    await sender(fake.env('app-9', 'secret-9')).post(storedReference('a:send-3', 'm-1'), {
      type: 'message',
      text: 'x',
    });
    await fake.waitFor(() => fake.callsTo('a:send-3').length === 1);
    expect(fake.callsTo('a:send-3')[0].authorization).toMatch(/^Bearer bot-token-\d+$/);
    expect(fake.tokenRequests.at(-1)).toMatchObject({ clientId: 'app-9', clientSecret: 'secret-9' });
  });

  it('fails with stable codes: refused (remote), unreachable (transport), not an address (input)', async () => {
    fake.connectorStatus = 403;
    try {
      await expect(
        sender().post(storedReference('a:send-4', 'm'), { type: 'message', text: 'x' }),
      ).rejects.toMatchObject({ code: 'E_TEAMS_SEND', kind: 'remote' });
    } finally {
      fake.connectorStatus = 200;
    }
    const unreachable = { ...storedReference('a:send-5', 'm'), serviceUrl: 'http://127.0.0.1:1/' };
    await expect(sender().post(unreachable, { type: 'message', text: 'x' })).rejects.toMatchObject({
      code: 'E_TEAMS_SEND',
      kind: 'transport',
    });
    await expect(sender().post({ channel: 'slack' }, { type: 'message', text: 'x' })).rejects.toMatchObject({
      code: 'E_TEAMS_ADDRESS',
      kind: 'input',
    });
  });
});
