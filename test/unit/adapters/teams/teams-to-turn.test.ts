import { describe, expect, it } from 'vitest';
import { parseSubmit, pressId, stripBotMention, teamsToTurn } from '../../../../src/adapters/teams/teams-to-turn.ts';

// Activities shaped as Teams posts them (Bot Framework Activity schema, Teams channelData/entities).
const BOT = { id: '28:4f6c1d2e-bot-app-id', name: 'Switchboard' };
const NOW = 1_712_311_200_500;

const personalMessage = {
  text: 'wake me up at 7 tomorrow',
  textFormat: 'plain',
  type: 'message',
  timestamp: '2024-04-05T10:00:00.123Z',
  localTimestamp: '2024-04-05T12:00:00.123+02:00',
  id: '1712311200123',
  channelId: 'msteams',
  serviceUrl: 'https://smba.trafficmanager.net/emea/',
  from: { id: '29:1xyz-user', name: 'Ada Lovelace', aadObjectId: '0d4b6a63-aad-user' },
  conversation: { conversationType: 'personal', tenantId: '72f988bf-tenant', id: 'a:1pQ9-personal-conversation' },
  recipient: BOT,
  entities: [{ locale: 'de-DE', country: 'DE', platform: 'Windows', timezone: 'Europe/Berlin', type: 'clientInfo' }],
  channelData: { tenant: { id: '72f988bf-tenant' } },
  locale: 'de-DE',
  localTimezone: 'Europe/Berlin',
};

const channelMention = {
  ...personalMessage,
  id: '1712311300456',
  text: '<at>Switchboard</at> what&#39;s the weather&nbsp;in <at>Berlin Team</at>?',
  attachments: [
    {
      contentType: 'text/html',
      content:
        '<div><div><span itemscope="" itemtype="http://schema.skype.com/Mention" itemid="0">Switchboard</span> what\'s the weather</div></div>',
    },
  ],
  conversation: {
    isGroup: true,
    conversationType: 'channel',
    tenantId: '72f988bf-tenant',
    id: '19:4a95f7d8db4c4e7fae857bcebe0623e6@thread.tacv2;messageid=1712311300456',
  },
  entities: [
    { mentioned: BOT, text: '<at>Switchboard</at>', type: 'mention' },
    { mentioned: { id: '19:berlin-team', name: 'Berlin Team' }, text: '<at>Berlin Team</at>', type: 'mention' },
  ],
  channelData: {
    teamsChannelId: '19:4a95f7d8db4c4e7fae857bcebe0623e6@thread.tacv2',
    teamsTeamId: '19:team-general@thread.tacv2',
    channel: { id: '19:4a95f7d8db4c4e7fae857bcebe0623e6@thread.tacv2' },
    team: { id: '19:team-general@thread.tacv2' },
    tenant: { id: '72f988bf-tenant' },
  },
};

const botAdded = {
  membersAdded: [{ id: BOT.id }],
  type: 'conversationUpdate',
  timestamp: '2024-04-05T09:59:00.000Z',
  id: 'f:7c0dbd44-conversation-update',
  channelId: 'msteams',
  serviceUrl: 'https://smba.trafficmanager.net/emea/',
  from: { id: '29:1xyz-user', aadObjectId: '0d4b6a63-aad-user' },
  conversation: { conversationType: 'personal', tenantId: '72f988bf-tenant', id: 'a:1pQ9-personal-conversation' },
  recipient: BOT,
  channelData: { tenant: { id: '72f988bf-tenant' } },
};

describe('teamsToTurn: messages', () => {
  it('maps a personal message to a turn: activity id, teams:<conversation id>, AAD user, locale hint', () => {
    const r = teamsToTurn(personalMessage, NOW);
    expect(r).toEqual({
      kind: 'turn',
      turn: {
        id: '1712311200123',
        channel: 'teams',
        conversation: 'teams:a:1pQ9-personal-conversation',
        user: '0d4b6a63-aad-user',
        text: 'wake me up at 7 tomorrow',
        locale: 'de-DE',
        receivedAt: NOW,
      },
      reference: {
        activityId: '1712311200123',
        user: { id: '29:1xyz-user', name: 'Ada Lovelace', aadObjectId: '0d4b6a63-aad-user' },
        bot: BOT,
        conversation: {
          id: 'a:1pQ9-personal-conversation',
          conversationType: 'personal',
          tenantId: '72f988bf-tenant',
        },
        channelId: 'msteams',
        locale: 'de-DE',
        serviceUrl: 'https://smba.trafficmanager.net/emea/',
      },
    });
  });

  it('strips the bot’s @mention in a channel, keeps other mentions as names, decodes HTML entities', () => {
    const r = teamsToTurn(channelMention, NOW);
    expect(r.kind).toBe('turn');
    if (r.kind !== 'turn') return;
    expect(r.turn.text).toBe("what's the weather in Berlin Team?");
    expect(r.turn.conversation).toBe('teams:19:4a95f7d8db4c4e7fae857bcebe0623e6@thread.tacv2;messageid=1712311300456');
    expect(r.reference.conversation).toMatchObject({ isGroup: true, conversationType: 'channel' });
  });

  it('falls back to the user id when there is no AAD object id, and to no locale when none is given', () => {
    const { locale: _l, ...noLocale } = personalMessage;
    const r = teamsToTurn({ ...noLocale, from: { id: '29:guest' } }, NOW);
    expect(r.kind === 'turn' && r.turn).toMatchObject({ user: '29:guest' });
    expect(r.kind === 'turn' && 'locale' in r.turn).toBe(false);
  });

  it('maps card submits (Action.Submit data in `value`) to turn actions with empty text', () => {
    const submit = (value: unknown) => ({ ...personalMessage, text: undefined, value, id: '1712311400789' });
    expect(teamsToTurn(submit({ switchboard: 'choice', intent: 'alarm_query' }), NOW)).toMatchObject({
      kind: 'turn',
      turn: { id: '1712311400789', text: '', action: { kind: 'choice', intent: 'alarm_query' } },
    });
    expect(
      teamsToTurn(submit({ switchboard: 'feedback', rating: 'down', turn: 'teams:1712311200123' }), NOW),
    ).toMatchObject({ turn: { action: { kind: 'feedback', rating: 'down', turn: 'teams:1712311200123' } } });
    expect(teamsToTurn(submit({ switchboard: 'human' }), NOW)).toMatchObject({ turn: { action: { kind: 'human' } } });
    expect(teamsToTurn(submit({ other: 'card' }), NOW)).toEqual({ kind: 'ignore', reason: 'unknown_submit' });
  });

  it('a press on the bot’s card is keyed by the card: every press of one card is one turn, and says what was chosen', () => {
    // As Teams posts an Action.Submit from a card in a personal chat: no text, `value` = the button's data merged with
    // the card's inputs, `replyToId` = the id of the bot's message carrying the card.
    const press = (id: string, value: Record<string, unknown>) => ({
      ...personalMessage,
      id,
      text: undefined,
      textFormat: undefined,
      replyToId: '1712311200999',
      value,
      channelData: {
        tenant: { id: '72f988bf-tenant' },
        source: { name: 'message' },
        legacy: { replyToId: '1712311200999' },
      },
    });
    const first = teamsToTurn(
      press('1712311500001', { switchboard: 'choice', intent: 'alarm_query', label: 'See my alarms' }),
      NOW,
    );
    const second = teamsToTurn(
      press('1712311500002', { switchboard: 'choice', intent: 'alarm_set', label: 'Set an alarm' }),
      NOW,
    );
    const key = pressId('a:1pQ9-personal-conversation', '1712311200999');
    expect(first).toMatchObject({
      kind: 'turn',
      turn: { id: key, action: { kind: 'choice', intent: 'alarm_query' } },
      pressed: { activityId: '1712311200999', note: '✓ See my alarms' },
      reference: { activityId: '1712311500001' },
    });
    expect(second).toMatchObject({ kind: 'turn', turn: { id: key } });
    expect(key.length).toBeLessThan(100);
    // The same card id in another conversation is another card.
    expect(pressId('a:other', '1712311200999')).not.toBe(key);
    const vote = teamsToTurn(press('1712311500003', { switchboard: 'feedback', rating: 'up', turn: 'teams:1' }), NOW);
    expect(vote).toMatchObject({ pressed: { note: '👍' } });
    const human = teamsToTurn(press('1712311500004', { switchboard: 'human' }), NOW);
    expect(human).toMatchObject({ pressed: { note: '✓ Talk to a person' } });
  });

  it('ignores the bot’s own messages, other bots, and messages with nothing in them', () => {
    expect(teamsToTurn({ ...personalMessage, from: BOT }, NOW)).toEqual({ kind: 'ignore', reason: 'own_message' });
    expect(teamsToTurn({ ...personalMessage, from: { id: '28:other', role: 'bot' } }, NOW)).toEqual({
      kind: 'ignore',
      reason: 'from_bot',
    });
    expect(teamsToTurn({ ...personalMessage, text: ' &nbsp; ' }, NOW)).toEqual({ kind: 'ignore', reason: 'empty' });
    // Only the mention: nothing left to answer.
    expect(teamsToTurn({ ...channelMention, text: '<at>Switchboard</at>' }, NOW)).toEqual({
      kind: 'ignore',
      reason: 'empty',
    });
  });

  it('notes files and images sent without text; a text/html copy alone is not a file', () => {
    const file = {
      ...personalMessage,
      text: undefined,
      attachments: [
        {
          contentType: 'application/vnd.microsoft.teams.file.download.info',
          contentUrl: 'https://contoso.sharepoint.com/personal/ada/Documents/screenshot.png',
          name: 'screenshot.png',
          content: { downloadUrl: 'https://download.example/x', uniqueId: 'u-1', fileType: 'png' },
        },
      ],
    };
    expect(teamsToTurn(file, NOW)).toMatchObject({
      kind: 'unreadable',
      id: '1712311200123',
      conversation: 'teams:a:1pQ9-personal-conversation',
      locale: 'de-DE',
      reference: { activityId: '1712311200123' },
    });
    const inlineImage = {
      ...personalMessage,
      text: '',
      attachments: [{ contentType: 'image/*', contentUrl: 'https://smba.trafficmanager.net/emea/v3/attachments/1' }],
    };
    expect(teamsToTurn(inlineImage, NOW).kind).toBe('unreadable');
    const htmlOnly = { ...personalMessage, text: '', attachments: [{ contentType: 'text/html', content: '<p></p>' }] };
    expect(teamsToTurn(htmlOnly, NOW)).toEqual({ kind: 'ignore', reason: 'empty' });
  });

  it('ignores messages missing what a reply needs, and overlong or odd fields, without throwing', () => {
    const missing = (fields: Record<string, unknown>) => teamsToTurn({ ...personalMessage, ...fields }, NOW);
    for (const fields of [
      { conversation: undefined },
      { conversation: { id: '' } },
      { conversation: { id: 'x'.repeat(300) } },
      { from: undefined },
      { from: 'user' },
      { recipient: undefined },
      { serviceUrl: undefined },
      { serviceUrl: 'javascript:alert(1)' },
      { id: undefined },
      { id: 42 },
    ]) {
      expect(missing(fields), JSON.stringify(fields)).toEqual({ kind: 'ignore', reason: 'missing_fields' });
    }
    expect(missing({ text: 42 })).toEqual({ kind: 'ignore', reason: 'empty' });
    expect(missing({ entities: 'nope', text: 'hi' }).kind).toBe('turn');
    expect(missing({ locale: 'x'.repeat(100) })).toMatchObject({ kind: 'turn' });
  });
});

describe('teamsToTurn: other activities', () => {
  it('welcomes when the bot itself is among the members added, with a reference that replies to nothing', () => {
    const r = teamsToTurn(botAdded, NOW);
    expect(r).toMatchObject({
      kind: 'welcome',
      id: 'f:7c0dbd44-conversation-update',
      conversation: 'teams:a:1pQ9-personal-conversation',
    });
    expect(r.kind === 'welcome' && 'activityId' in r.reference).toBe(false);
    expect(teamsToTurn({ ...botAdded, membersAdded: [{ id: '29:new-colleague' }] }, NOW)).toEqual({
      kind: 'ignore',
      reason: 'members_added',
    });
  });

  it('logs a member leaving as members_removed, other conversation updates as such: never a customer turn', () => {
    // Microsoft's documented Teams `conversationUpdate` with `membersRemoved` (a user removed from the team).
    const removed = {
      membersRemoved: [
        { id: '29:1_Fo7ANRbrOtNj-sLlAJKfMPK3K1OSlqLMD0y9uT7SNgjzcgM7xjU1gsXtZFEi0jdJ5', aadObjectId: 'c1-user' },
      ],
      type: 'conversationUpdate',
      timestamp: '2024-04-05T11:20:00.000Z',
      id: 'f:5b5bc1bc-members-removed',
      channelId: 'msteams',
      serviceUrl: 'https://smba.trafficmanager.net/emea/',
      from: {
        id: '29:1I9Is_Sx0O-Iy2rQ7Xz1lcaPKlO9eqmBRTBuW6XzXFBBUVHHyw0NR-dIbDSjERFBpSnQCFrG-gCBOrBOp',
        aadObjectId: 'admin',
      },
      conversation: {
        isGroup: true,
        conversationType: 'channel',
        tenantId: '72f988bf-tenant',
        id: '19:efa9296d959346209fea44151c742e73@thread.skype',
      },
      recipient: BOT,
      channelData: {
        team: { aadGroupId: 'd3a4c0f0-team', name: 'Support', id: '19:efa9296d959346209fea44151c742e73@thread.skype' },
        eventType: 'teamMemberRemoved',
        tenant: { id: '72f988bf-tenant' },
      },
    };
    expect(teamsToTurn(removed, NOW)).toEqual({ kind: 'ignore', reason: 'members_removed' });
    // The bot itself removed: no welcome, no turn.
    expect(teamsToTurn({ ...removed, membersRemoved: [{ id: BOT.id }] }, NOW)).toEqual({
      kind: 'ignore',
      reason: 'members_removed',
    });
    // A channel renamed (documented `channelRenamed`): no members at all.
    const renamed = {
      ...removed,
      membersRemoved: undefined,
      id: 'f:channel-renamed',
      channelData: {
        ...removed.channelData,
        eventType: 'channelRenamed',
        channel: { id: '19:c', name: 'Escalations' },
      },
    };
    expect(teamsToTurn(renamed, NOW)).toEqual({ kind: 'ignore', reason: 'conversation_update' });
  });

  it('ignores reactions, invokes, typing, edits, deletions and unknown types', () => {
    const of = (type: string) => teamsToTurn({ ...personalMessage, type }, NOW);
    expect(of('messageReaction')).toEqual({ kind: 'ignore', reason: 'reaction' });
    expect(of('invoke')).toEqual({ kind: 'ignore', reason: 'invoke' });
    for (const type of ['typing', 'messageUpdate', 'messageDelete', 'installationUpdate', 'event', 'brandNew']) {
      expect(of(type)).toEqual({ kind: 'ignore', reason: 'unsupported_type' });
    }
  });

  it('ignores what is not an activity', () => {
    for (const body of [null, 'message', 42, [], {}, { type: 7 }]) {
      expect(teamsToTurn(body, NOW)).toEqual({ kind: 'ignore', reason: 'not_an_activity' });
    }
  });
});

describe('stripBotMention / parseSubmit', () => {
  it('removes the bot’s mention by entity text, or by its name when the entity has no text', () => {
    const entity = { type: 'mention', mentioned: { id: 'b', name: 'Bot' } };
    expect(stripBotMention('<at>Bot</at> hi <at>Bot</at>', [entity], 'b')).toBe('hi');
    expect(stripBotMention('hi <at>Ann</at>', [entity], 'b')).toBe('hi Ann');
    expect(stripBotMention('a  &amp;\n b', undefined, 'b')).toBe('a & b');
  });

  it('removes the bot’s mention when the entity’s text differs from the message’s', () => {
    // As Teams posts it when the user picked the bot's full display name: the entity keeps the app's short name.
    const bot = { id: BOT.id, name: 'Switchboard' };
    const activity = {
      ...channelMention,
      id: '1712311400789',
      text: '<at>Switchboard Bot</at> where is my invoice? cc <at>Berlin Team</at>',
      entities: [
        { mentioned: bot, text: '<at>Switchboard</at>', type: 'mention' },
        { mentioned: { id: '19:berlin-team', name: 'Berlin Team' }, text: '<at>Berlin Team</at>', type: 'mention' },
      ],
    };
    const r = teamsToTurn(activity, NOW);
    expect(r).toMatchObject({ kind: 'turn', turn: { text: 'where is my invoice? cc Berlin Team' } });
    // A long name split into one tag per word, the entity naming it whole.
    const split = [
      { type: 'mention', mentioned: { id: 'b', name: 'Switchboard Bot' }, text: '<at>Switchboard Bot</at>' },
    ];
    expect(stripBotMention('<at>Switchboard</at> <at>Bot</at> hello', split, 'b')).toBe('hello');
    // A renamed bot (no word in common): the first tag no other mention entity claims is the bot's.
    const renamed = [
      { type: 'mention', mentioned: { id: 'u', name: 'Ann' }, text: '<at>Ann</at>' },
      { type: 'mention', mentioned: { id: 'b', name: 'Old Name' }, text: '<at>Old Name</at>' },
    ];
    expect(stripBotMention('<at>Ann</at> and <at id="1">Helpdesk</at> hi', renamed, 'b')).toBe('Ann and hi');
  });

  it('accepts only the bot’s own button data', () => {
    expect(parseSubmit({ switchboard: 'choice', intent: '' })).toBeUndefined();
    expect(parseSubmit({ switchboard: 'choice', intent: 'x'.repeat(301) })).toBeUndefined();
    expect(parseSubmit({ switchboard: 'feedback', rating: 'meh', turn: 'teams:1' })).toBeUndefined();
    expect(parseSubmit({ switchboard: 'feedback', rating: 'up' })).toBeUndefined();
    expect(parseSubmit('{"switchboard":"human"}')).toBeUndefined();
    expect(parseSubmit([{ switchboard: 'human' }])).toBeUndefined();
  });
});
