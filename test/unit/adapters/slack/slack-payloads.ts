/**
 * Request bodies shaped as Slack documents them (Events API `event_callback` envelopes with `message` and `app_mention`
 * events, `url_verification`, an interactivity `block_actions` payload), for the adapter's unit tests.
 */

export const BOT_USER = 'U0LAN0Z89';
export const BOT_ID = 'B0LAN0Z90';
export const TEAM = 'T061EG9R6';

/** The Events API envelope around `event`. */
export function envelope(event: Record<string, unknown>, eventId = 'Ev0PV52K21'): Record<string, unknown> {
  return {
    token: 'XXYYZZ',
    team_id: TEAM,
    context_team_id: TEAM,
    api_app_id: 'A0PNCHHK2',
    event,
    type: 'event_callback',
    authorizations: [
      { enterprise_id: null, team_id: TEAM, user_id: BOT_USER, is_bot: true, is_enterprise_install: false },
    ],
    event_id: eventId,
    event_time: 1355517523,
    event_context: '4-eyJldCI6Im1lc3NhZ2UiLCJ0aWQiOiJUMDYxRUc5UjYiLCJjaWQiOiJEMDI0QkU5MUwifQ',
  };
}

/** A customer's direct message to the bot (`message.im`). */
export function directMessage(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: 'message',
    channel: 'D024BE91L',
    user: 'U2147483697',
    text: 'wake me up at 7 tomorrow',
    ts: '1355517523.000005',
    event_ts: '1355517523.000005',
    channel_type: 'im',
    client_msg_id: 'f5a7a0a5-5f6a-4c52-9c7e-2b1c1b0c0e1a',
    team: TEAM,
    blocks: [
      {
        type: 'rich_text',
        block_id: 'x9Kf',
        elements: [{ type: 'rich_text_section', elements: [{ type: 'text', text: 'wake me up at 7 tomorrow' }] }],
      },
    ],
    ...over,
  };
}

/** A mention of the bot in a channel (`app_mention`). */
export function appMention(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: 'app_mention',
    user: 'U061F7AUR',
    text: `<@${BOT_USER}> what's the weather like in Paris?`,
    ts: '1515449522.000016',
    channel: 'C0LAN2Q65',
    event_ts: '1515449522.000016',
    team: TEAM,
    client_msg_id: '0e2c1a44-46a5-4b2e-8a8c-7c8f3b4c1d2e',
    ...over,
  };
}

export const urlVerification = {
  token: 'Jhj5dZrVaK7ZwHHjRyZWjbDl',
  challenge: '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P',
  type: 'url_verification',
};

/** The bot's message a button was pressed on (as Slack echoes it in the payload). */
export function botMessage(blocks: unknown[]): Record<string, unknown> {
  return {
    type: 'message',
    subtype: 'bot_message',
    text: 'Just to be sure — which of these do you mean? (Set an alarm / Weather)',
    ts: '1548261231.000200',
    thread_ts: '1548261200.000100',
    bot_id: BOT_ID,
    user: BOT_USER,
    blocks,
  };
}

/** An interactivity `block_actions` payload for one pressed button. */
export function blockActions(
  action: Record<string, unknown>,
  over: { channel?: string; blocks?: unknown[]; ephemeral?: boolean } = {},
): Record<string, unknown> {
  const channel = over.channel ?? 'D0CJELNN1';
  return {
    type: 'block_actions',
    user: { id: 'U045VRZFT', username: 'brautigan', name: 'brautigan', team_id: TEAM },
    api_app_id: 'A0MJRM1A1',
    token: 'Shh_its_a_seekrit',
    container: {
      type: 'message',
      message_ts: '1548261231.000200',
      channel_id: channel,
      is_ephemeral: over.ephemeral ?? false,
      thread_ts: '1548261200.000100',
    },
    trigger_id: '12466734323.1395872398',
    team: { id: TEAM, domain: 'pretend' },
    enterprise: null,
    is_enterprise_install: false,
    channel: { id: channel, name: channel.startsWith('D') ? 'directmessage' : 'support' },
    message: botMessage(over.blocks ?? []),
    state: { values: {} },
    response_url: 'https://hooks.slack.com/actions/AABA1ABCD/1232321423432/D09sSasdasdAS9091209',
    actions: [{ type: 'button', action_ts: '1548426417.840180', ...action }],
  };
}
