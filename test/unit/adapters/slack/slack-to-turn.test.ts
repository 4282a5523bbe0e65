import { describe, expect, it } from 'vitest';
import { slackChannel } from '../../../../src/adapters/slack/mount-slack.ts';
import { replyToSlack } from '../../../../src/adapters/slack/reply-to-slack.ts';
import { slackTextToPlain, slackToTurn } from '../../../../src/adapters/slack/slack-to-turn.ts';
import {
  appMention,
  BOT_ID,
  BOT_USER,
  blockActions,
  directMessage,
  envelope,
  TEAM,
  urlVerification,
} from './slack-payloads.ts';

const me = { botUserId: BOT_USER, botId: BOT_ID };
const NOW = 1_700_000_000_000;

describe('slackToTurn: events', () => {
  it('maps a direct message to a turn in the DM conversation, replied to in its thread, keyed by event_id', () => {
    const r = slackToTurn(envelope(directMessage()), me, NOW);
    expect(r).toEqual({
      kind: 'turn',
      turn: {
        id: 'Ev0PV52K21',
        channel: 'slack',
        conversation: `slack:${TEAM}:D024BE91L`,
        user: 'U2147483697',
        text: 'wake me up at 7 tomorrow',
        receivedAt: NOW,
      },
      address: { channel: 'D024BE91L', thread_ts: '1355517523.000005' },
      team: TEAM,
    });
  });

  it('the profile name an event carries (user_profile) is kept in the address: agents see it, not the user id', () => {
    const profile = { display_name: '', real_name: 'Rosa  Díaz', name: 'rosa' };
    const r = slackToTurn(envelope(directMessage({ user_profile: profile })), me, NOW);
    expect(r).toMatchObject({ kind: 'turn', address: { channel: 'D024BE91L', name: 'Rosa Díaz' } });
    const address = r.kind === 'turn' ? r.address : undefined;
    expect(slackChannel.customerName?.(address)).toBe('Rosa Díaz');
    const shown = slackToTurn(
      envelope(directMessage({ user_profile: { ...profile, display_name: 'rosa.d' } })),
      me,
      NOW,
    );
    expect(shown.kind === 'turn' && shown.address.name).toBe('rosa.d');
    // No profile in the payload: no name (the ticket falls back to the user id).
    expect(slackChannel.customerName?.({ channel: 'D1' })).toBeUndefined();
  });

  it('a DM inside a thread replies in that thread; the DM stays one conversation', () => {
    const r = slackToTurn(envelope(directMessage({ thread_ts: '1355517000.000001' })), me, NOW);
    expect(r).toMatchObject({
      kind: 'turn',
      turn: { conversation: `slack:${TEAM}:D024BE91L` },
      address: { thread_ts: '1355517000.000001' },
    });
  });

  it('maps a channel mention to a per-thread conversation with the mention stripped', () => {
    const r = slackToTurn(envelope(appMention(), 'Ev0MENTION'), me, NOW);
    expect(r).toMatchObject({
      kind: 'turn',
      turn: {
        id: 'Ev0MENTION',
        conversation: `slack:${TEAM}:C0LAN2Q65:1515449522.000016`,
        text: "what's the weather like in Paris?",
      },
      address: { channel: 'C0LAN2Q65', thread_ts: '1515449522.000016' },
    });
    const inThread = slackToTurn(envelope(appMention({ thread_ts: '1515449000.000001' })), me, NOW);
    expect(inThread).toMatchObject({
      turn: { conversation: `slack:${TEAM}:C0LAN2Q65:1515449000.000001` },
      address: { thread_ts: '1515449000.000001' },
    });
  });

  it("knows the bot's user id from the event's authorizations when auth.test has not answered", () => {
    const r = slackToTurn(envelope(appMention({ text: `tell <@${BOT_USER}> hi` })), {}, NOW);
    expect(r).toMatchObject({ kind: 'turn', turn: { text: 'tell hi' } });
    const other = slackToTurn(envelope(appMention({ text: `<@U0MARIA|maria> ask <@${BOT_USER}>` })), me, NOW);
    expect(other).toMatchObject({ kind: 'turn', turn: { text: '@maria ask' } });
    const unknownBot = envelope(appMention({ text: '<@U0SOMEBOT> hi there' }));
    unknownBot.authorizations = undefined;
    expect(slackToTurn(unknownBot, {}, NOW)).toMatchObject({ kind: 'turn', turn: { text: 'hi there' } });
    const own = slackToTurn(envelope(directMessage({ user: BOT_USER })), {}, NOW);
    expect(own).toMatchObject({ kind: 'ignore', reason: 'own_message' });
  });

  it('does not answer an edited mention again (Slack re-sends app_mention with `edited` and a new event_id)', () => {
    const edited = appMention({ edited: { user: 'U061F7AUR', ts: '1515449530.000000' } });
    expect(slackToTurn(envelope(edited, 'Ev0EDITED'), me)).toMatchObject({
      kind: 'ignore',
      reason: 'edited',
      event_type: 'app_mention',
      event_id: 'Ev0EDITED',
    });
  });

  it('answers a channel message once: from its app_mention, not from the message event', () => {
    const channelMessage = directMessage({ channel: 'C0LAN2Q65', channel_type: 'channel', text: `<@${BOT_USER}> hi` });
    expect(slackToTurn(envelope(channelMessage), me)).toMatchObject({ kind: 'ignore', reason: 'not_direct_message' });
    const group = directMessage({ channel: 'G0LAN2Q65', channel_type: 'mpim' });
    expect(slackToTurn(envelope(group), me)).toMatchObject({ kind: 'ignore', reason: 'not_direct_message' });
    // …and a mention in a DM (not sent by Slack, but if it were) is left to the message event.
    expect(slackToTurn(envelope(appMention({ channel: 'D024BE91L' })), me)).toMatchObject({
      kind: 'ignore',
      reason: 'mention_in_direct_message',
    });
  });

  it("ignores the bot's own messages, other bots, edits, deletions and other subtypes, with a reason", () => {
    const cases: [Record<string, unknown>, string, string?][] = [
      [directMessage({ user: BOT_USER, bot_id: BOT_ID, app_id: 'A0PNCHHK2' }), 'own_message'],
      [directMessage({ user: undefined, bot_id: BOT_ID, subtype: 'bot_message' }), 'own_message'],
      [directMessage({ user: undefined, bot_id: 'B0OTHER', subtype: 'bot_message', username: 'CI' }), 'bot_message'],
      [directMessage({ user: 'U0OTHERAPP', bot_id: 'B0OTHER', bot_profile: { id: 'B0OTHER' } }), 'bot_message'],
      [
        {
          type: 'message',
          subtype: 'message_changed',
          hidden: true,
          channel: 'D024BE91L',
          channel_type: 'im',
          ts: '1358878755.000001',
          message: { type: 'message', user: 'U2147483697', text: 'Hello, world!', ts: '1355517523.000005' },
          previous_message: { type: 'message', user: 'U2147483697', text: 'Helo', ts: '1355517523.000005' },
        },
        'subtype',
        'message_changed',
      ],
      [
        {
          type: 'message',
          subtype: 'message_deleted',
          hidden: true,
          channel: 'D024BE91L',
          channel_type: 'im',
          ts: '1358878755.000001',
          deleted_ts: '1358878749.000002',
        },
        'subtype',
        'message_deleted',
      ],
      [
        directMessage({
          subtype: 'channel_join',
          channel: 'C0LAN2Q65',
          channel_type: 'channel',
          text: '<@U2147483697> has joined the channel',
        }),
        'subtype',
        'channel_join',
      ],
      [
        directMessage({ subtype: 'file_share', text: '', files: [{ id: 'F0S43PZDF', name: 'screenshot.png' }] }),
        'no_text',
      ],
      [directMessage({ text: '', attachments: [{ fallback: 'a link preview', title: 'Preview' }] }), 'no_text'],
      [directMessage({ text: undefined }), 'no_text'],
      [directMessage({ text: `<@${BOT_USER}>` }), 'no_text'],
      [directMessage({ hidden: true }), 'hidden'],
      [directMessage({ edited: { user: 'U2147483697', ts: '1355517530.000000' } }), 'edited'],
      [directMessage({ user: undefined }), 'missing_fields'],
      [directMessage({ ts: 'not-a-ts' }), 'missing_fields'],
      [directMessage({ channel: '../../etc' }), 'missing_fields'],
    ];
    for (const [event, reason, subtype] of cases) {
      const r = slackToTurn(envelope(event), me, NOW);
      expect(r, JSON.stringify(event).slice(0, 80)).toMatchObject({ kind: 'ignore', reason });
      if (subtype) expect(r).toMatchObject({ subtype, event_type: 'message', event_id: 'Ev0PV52K21' });
      // A reason never carries the customer's words.
      expect(JSON.stringify(r)).not.toContain('Hello');
    }
  });

  it('ignores Slackbot (USLACKBOT): a system notice in the DM is not a customer', () => {
    // As Slack delivers it (message.im): Slackbot writes as a user, with no bot_id and no subtype.
    const removed = envelope(
      {
        type: 'message',
        user: 'USLACKBOT',
        text: 'You have been removed from #project-falcon by <@U061F7AUR>',
        ts: '1712345678.000200',
        event_ts: '1712345678.000200',
        channel: 'D024BE91L',
        channel_type: 'im',
        team: TEAM,
        blocks: [
          {
            type: 'rich_text',
            block_id: 'Qm2',
            elements: [
              {
                type: 'rich_text_section',
                elements: [
                  { type: 'text', text: 'You have been removed from ' },
                  { type: 'channel', channel_id: 'C0FALCON' },
                  { type: 'text', text: ' by ' },
                  { type: 'user', user_id: 'U061F7AUR' },
                ],
              },
            ],
          },
        ],
      },
      'Ev0SLACKBOT1',
    );
    const r = slackToTurn(removed, me, NOW);
    expect(r).toEqual({
      kind: 'ignore',
      reason: 'system_sender',
      type: 'event_callback',
      event_type: 'message',
      event_id: 'Ev0SLACKBOT1',
    });
    // A Slackbot mention of the bot in a channel (a reminder quoting it) is no customer either.
    const reminder = envelope(appMention({ user: 'USLACKBOT', text: `Reminder: <@${BOT_USER}> check the queue.` }));
    expect(slackToTurn(reminder, me, NOW)).toMatchObject({ kind: 'ignore', reason: 'system_sender' });
  });

  it('reads the words of a file shared with a comment, a thread broadcast and /me', () => {
    for (const subtype of ['file_share', 'thread_broadcast', 'me_message']) {
      const r = slackToTurn(envelope(directMessage({ subtype, text: 'the alarm does not ring' })), me, NOW);
      expect(r).toMatchObject({ kind: 'turn', turn: { text: 'the alarm does not ring' } });
    }
  });

  it('ignores unknown event types, unknown bodies and malformed envelopes without throwing', () => {
    const member = { type: 'member_joined_channel', user: 'W06GH7XHN', channel: 'C0698JE0H', channel_type: 'C' };
    expect(slackToTurn(envelope(member), me)).toMatchObject({
      kind: 'ignore',
      reason: 'unsupported_event',
      event_type: 'member_joined_channel',
    });
    expect(slackToTurn({ type: 'view_submission', view: {} }, me)).toMatchObject({
      reason: 'unsupported_body',
      type: 'view_submission',
    });
    for (const body of [
      null,
      undefined,
      42,
      'text',
      [],
      {},
      { type: 'event_callback' },
      { type: 'event_callback', event: [] },
    ]) {
      expect(slackToTurn(body, me).kind).toBe('ignore');
    }
    const noTeam = envelope(directMessage({ team: undefined }));
    noTeam.team_id = undefined;
    noTeam.authorizations = undefined;
    expect(slackToTurn(noTeam, me)).toMatchObject({ kind: 'ignore', reason: 'missing_fields' });
    // A type that is not a plain name is not echoed into the log.
    expect(slackToTurn({ type: 'x'.repeat(500) }, me)).toEqual({ kind: 'ignore', reason: 'unsupported_body' });
  });

  it('answers url_verification with its challenge', () => {
    expect(slackToTurn(urlVerification, me)).toEqual({ kind: 'challenge', challenge: urlVerification.challenge });
  });

  it('cuts a huge message to a bounded text', () => {
    const r = slackToTurn(envelope(directMessage({ text: 'a'.repeat(40_000) })), me, NOW);
    expect(r.kind === 'turn' && r.turn.text.length).toBeLessThanOrEqual(16_000);
  });
});

describe('slackToTurn: buttons (block_actions)', () => {
  const clarify = replyToSlack({
    reply: {
      text: 'Just to be sure — which of these do you mean?',
      language: 'en',
      quick_replies: [
        { intent: 'alarm_set', label: 'Set an alarm' },
        { intent: 'weather_query', label: 'Weather' },
      ],
    },
    turn: 'slack:Ev0PV52K21',
    feedback: false,
  });

  it('a clarify choice becomes a choice action in the DM, and the buttons become what was chosen', () => {
    const choice = clarify.blocks[1] as { elements: { action_id: string; value: string; text: { text: string } }[] };
    const pressed = choice.elements[1];
    const body = blockActions(
      { action_id: pressed.action_id, block_id: 'switchboard_choices', text: pressed.text, value: pressed.value },
      { blocks: clarify.blocks },
    );
    const r = slackToTurn(body, me, NOW);
    expect(r).toMatchObject({
      kind: 'turn',
      turn: {
        id: 'action:U045VRZFT:1548426417.840180',
        conversation: `slack:${TEAM}:D0CJELNN1`,
        user: 'U045VRZFT',
        text: '',
        action: { kind: 'choice', intent: 'weather_query' },
        receivedAt: NOW,
      },
      address: { channel: 'D0CJELNN1', thread_ts: '1548261200.000100' },
      update: { channel: 'D0CJELNN1', ts: '1548261231.000200' },
    });
    if (r.kind !== 'turn') throw new Error('not a turn');
    expect(r.update?.blocks[0]).toEqual(clarify.blocks[0]);
    expect(r.update?.blocks[1]).toEqual({
      type: 'context',
      block_id: 'switchboard_choices',
      elements: [{ type: 'mrkdwn', text: '✓ Weather' }],
    });
  });

  it('👍/👎 carry the answered turn; in a channel the conversation is the thread', () => {
    const answer = replyToSlack({
      reply: { text: 'Alarms are set in the app.', language: 'en' },
      turn: 'slack:Ev9',
      feedback: true,
    });
    const feedback = answer.blocks[1] as { elements: { action_id: string; value: string }[] };
    const [up, down] = feedback.elements;
    const r = slackToTurn(
      blockActions(
        { action_id: down.action_id, block_id: 'switchboard_feedback', value: down.value },
        { channel: 'C0LAN2Q65' },
      ),
      me,
      NOW,
    );
    expect(r).toMatchObject({
      kind: 'turn',
      turn: {
        conversation: `slack:${TEAM}:C0LAN2Q65:1548261200.000100`,
        action: { kind: 'feedback', rating: 'down', turn: 'slack:Ev9' },
      },
    });
    const u = slackToTurn(
      blockActions({ action_id: up.action_id, block_id: 'switchboard_feedback', value: up.value }),
      me,
    );
    expect(u).toMatchObject({ turn: { action: { kind: 'feedback', rating: 'up', turn: 'slack:Ev9' } } });
  });

  it('"Talk to a person" asks for a human', () => {
    const r = slackToTurn(
      blockActions({
        action_id: 'switchboard_human',
        block_id: 'switchboard_human',
        value: 'human',
        text: { type: 'plain_text', text: 'Talk to a person' },
      }),
      me,
    );
    expect(r).toMatchObject({ kind: 'turn', turn: { action: { kind: 'human' } } });
  });

  it('ignores buttons it did not make, bad values and payloads missing their user or channel', () => {
    expect(slackToTurn(blockActions({ action_id: 'approve_request', value: 'x' }), me)).toMatchObject({
      reason: 'unknown_action',
    });
    expect(slackToTurn(blockActions({ action_id: 'switchboard_choice_0', value: 'bad intent!' }), me)).toMatchObject({
      reason: 'bad_action_value',
    });
    expect(slackToTurn(blockActions({ action_id: 'switchboard_feedback_up', value: 'maybe:x' }), me)).toMatchObject({
      reason: 'bad_action_value',
    });
    const noUser = blockActions({ action_id: 'switchboard_human', value: 'human' });
    noUser.user = undefined;
    expect(slackToTurn(noUser, me)).toMatchObject({ reason: 'missing_fields' });
    const noActions = blockActions({ action_id: 'switchboard_human' });
    noActions.actions = [];
    expect(slackToTurn(noActions, me)).toMatchObject({ reason: 'unknown_action' });
  });

  it('does not try to update an ephemeral message', () => {
    const r = slackToTurn(
      blockActions(
        { action_id: 'switchboard_human', block_id: 'switchboard_human', value: 'human' },
        { ephemeral: true },
      ),
      me,
    );
    expect(r.kind === 'turn' && r.update).toBeFalsy();
  });
});

describe('slackTextToPlain', () => {
  it('turns Slack markup back into what the customer typed', () => {
    expect(slackTextToPlain(`<@${BOT_USER}>  set an alarm`, BOT_USER)).toBe('set an alarm');
    expect(slackTextToPlain(`ask <@U999|maria> and <@U998>`, BOT_USER)).toBe('ask @maria and @U998');
    expect(slackTextToPlain('see <#C123|general> <!here> <!subteam^S1|@support>', BOT_USER)).toBe(
      'see #general @here @support',
    );
    expect(slackTextToPlain('mail <mailto:bob@example.com|bob@example.com> or <https://example.com>')).toBe(
      'mail bob@example.com or https://example.com',
    );
    expect(slackTextToPlain('5 &lt; 7 &amp;&amp; 8 &gt; 2')).toBe('5 < 7 && 8 > 2');
    expect(slackTextToPlain('<@UOTHERBOT|helper> hi', undefined, true)).toBe('hi');
  });
});
