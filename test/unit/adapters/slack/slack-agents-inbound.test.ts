import { describe, expect, it } from 'vitest';
import { agentsInbound, isAgentsBody, labelOf } from '../../../../src/adapters/slack/slack-agents-inbound.ts';
import { OTHER_LABEL } from '../../../../src/adapters/slack/ticket-blocks.ts';
import { BOT_USER, envelope, TEAM } from './slack-payloads.ts';

const AGENTS = 'C0AGENTS';
const CARD_TS = '1712000000.000100';

/** An agent's message in the agents' channel (a thread reply unless `thread_ts` is overridden). */
const message = (over: Record<string, unknown> = {}) =>
  envelope({
    type: 'message',
    channel: AGENTS,
    channel_type: 'channel',
    user: 'U0ANN',
    text: 'Which invoice?',
    ts: '1712000000.000200',
    thread_ts: CARD_TS,
    team: TEAM,
    ...over,
  });

/** A click on a card control, as Slack sends it. */
function click(actionId: string, over: Record<string, unknown> = {}, action: Record<string, unknown> = {}) {
  return {
    type: 'block_actions',
    user: { id: 'U0ANN', username: 'ann.agent', name: 'ann.agent', team_id: TEAM },
    api_app_id: 'A0APP',
    container: { type: 'message', message_ts: CARD_TS, channel_id: AGENTS, is_ephemeral: false },
    trigger_id: '123.456.abc',
    team: { id: TEAM },
    channel: { id: AGENTS, name: 'agents' },
    message: { type: 'message', ts: CARD_TS, blocks: [] },
    state: { values: {} },
    actions: [
      {
        type: 'button',
        action_id: actionId,
        block_id: 'b',
        value: 't_0123456789abcdef',
        action_ts: '1712.5',
        ...action,
      },
    ],
    ...over,
  };
}

const menu = (value: string | null) => ({
  values: {
    switchboard_ticket_claimed: {
      switchboard_ticket_label: {
        type: 'static_select',
        selected_option: value === null ? null : { text: { type: 'plain_text', text: value }, value },
      },
    },
  },
});

function submission(metadata: unknown, label: unknown, over: Record<string, unknown> = {}) {
  return {
    type: 'view_submission',
    user: { id: 'U0ANN', name: 'ann.agent' },
    view: {
      id: 'V0123',
      callback_id: 'switchboard_ticket_resolve',
      private_metadata: typeof metadata === 'string' ? metadata : JSON.stringify(metadata),
      state: { values: { switchboard_ticket_label: { switchboard_ticket_label_text: { value: label } } } },
    },
    ...over,
  };
}

describe('isAgentsBody', () => {
  it('takes events in the agents’ channel, ticket buttons anywhere, actions in the channel and the modal', () => {
    expect(isAgentsBody(message(), AGENTS)).toBe(true);
    expect(isAgentsBody(envelope({ type: 'app_mention', channel: AGENTS, user: 'U1', ts: '1.1' }), AGENTS)).toBe(true);
    expect(isAgentsBody(message({ channel: 'C0OTHER' }), AGENTS)).toBe(false);
    expect(isAgentsBody(message({ channel: 'D0CUSTOMER', channel_type: 'im' }), AGENTS)).toBe(false);
    expect(isAgentsBody(click('switchboard_ticket_claim'), AGENTS)).toBe(true);
    const elsewhere = { channel: { id: 'D0X' }, container: { channel_id: 'D0X', message_ts: '1.1' } };
    expect(isAgentsBody(click('switchboard_ticket_claim', elsewhere), AGENTS)).toBe(true);
    expect(isAgentsBody(click('switchboard_feedback_up', elsewhere), AGENTS)).toBe(false);
    expect(isAgentsBody(click('switchboard_feedback_up'), AGENTS)).toBe(true);
    expect(isAgentsBody(submission({}, 'x'), AGENTS)).toBe(true);
    expect(isAgentsBody({ type: 'view_submission', view: { callback_id: 'other' } }, AGENTS)).toBe(false);
    for (const b of [null, 'x', [], { type: 'url_verification' }]) expect(isAgentsBody(b, AGENTS)).toBe(false);
  });
});

describe('agentsInbound: thread replies', () => {
  it('a reply in a thread: its text as the customer will read it (the bot mention removed)', () => {
    expect(agentsInbound(message({ text: `<@${BOT_USER}> Which <https://x.io|invoice> &amp; date?` }))).toEqual({
      kind: 'reply',
      user: 'U0ANN',
      channel: AGENTS,
      ts: '1712000000.000200',
      threadTs: CARD_TS,
      text: 'Which invoice & date?',
    });
    // The app_mention of the same message maps the same (the channel dedupes by ts), also without a known bot id.
    const mention = envelope({ ...(message().event as object), type: 'app_mention', text: '<@U0OTHERBOT> hi' });
    delete (mention as { authorizations?: unknown }).authorizations;
    expect(agentsInbound(mention)).toMatchObject({ kind: 'reply', text: 'hi' });
    expect(agentsInbound(message({ subtype: 'thread_broadcast' }))).toMatchObject({ kind: 'reply' });
  });

  it('ignores top-level posts, the bot and other bots, edits, deletions, joins, empty and malformed messages', () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ thread_ts: undefined }, 'not_in_a_thread'],
      [{ ts: CARD_TS }, 'not_in_a_thread'],
      [{ user: BOT_USER }, 'from_bot'],
      [{ bot_id: 'B0OTHER' }, 'from_bot'],
      [{ subtype: 'bot_message' }, 'from_bot'],
      // Slackbot in a card's thread (a /remind firing there): its words never go to the customer.
      [{ user: 'USLACKBOT', text: 'Reminder: call the customer back.' }, 'from_bot'],
      [{ subtype: 'message_changed' }, 'subtype'],
      [{ subtype: 'message_deleted' }, 'subtype'],
      [{ subtype: 'channel_join' }, 'subtype'],
      [{ edited: { user: 'U0ANN', ts: '1.2' } }, 'edited'],
      [{ hidden: true }, 'hidden'],
      [{ text: `<@${BOT_USER}>   ` }, 'empty'],
      [{ text: 42 }, 'empty'],
      [{ user: 'U 0' }, 'missing_fields'],
      [{ ts: 'yesterday' }, 'missing_fields'],
      [{ type: 'reaction_added' }, 'unsupported_event'],
    ];
    for (const [over, reason] of cases) {
      expect(agentsInbound(message(over)), JSON.stringify(over)).toMatchObject({ kind: 'ignore', reason });
    }
  });
});

describe('agentsInbound: buttons and the modal', () => {
  it('Claim and Resolve name their ticket; Resolve carries the menu’s choice, or "other"', () => {
    expect(agentsInbound(click('switchboard_ticket_claim'))).toEqual({
      kind: 'button',
      action: 'claim',
      user: 'U0ANN',
      userName: 'ann.agent',
      channel: AGENTS,
      messageTs: CARD_TS,
      ticket: 't_0123456789abcdef',
      other: false,
      triggerId: '123.456.abc',
      clickId: 'U0ANN:1712.5',
    });
    expect(agentsInbound(click('switchboard_ticket_resolve', { state: menu('bill_query') }))).toMatchObject({
      action: 'resolve',
      label: 'bill_query',
      other: false,
    });
    const other = agentsInbound(click('switchboard_ticket_resolve', { state: menu(OTHER_LABEL) }));
    expect(other).toMatchObject({ action: 'resolve', other: true });
    expect(other).not.toHaveProperty('label');
    expect(agentsInbound(click('switchboard_ticket_resolve', { state: menu(null) }))).not.toHaveProperty('label');
    // A label forged into the state is taken only when it is a plausible one.
    const long = agentsInbound(click('switchboard_ticket_resolve', { state: menu('x'.repeat(101)) }));
    expect(long).not.toHaveProperty('label');
  });

  it('ignores the menu itself, unknown actions, forged values and missing fields', () => {
    expect(agentsInbound(click('switchboard_ticket_label'))).toMatchObject({ reason: 'label_selected' });
    expect(agentsInbound(click('switchboard_ticket_delete'))).toMatchObject({ reason: 'unknown_action' });
    expect(agentsInbound(click('switchboard_feedback_up'))).toMatchObject({ reason: 'unknown_action' });
    for (const value of ['x y', '', 42, 'a'.repeat(65), { $ne: 1 }]) {
      expect(agentsInbound(click('switchboard_ticket_claim', {}, { value }))).toMatchObject({
        reason: 'bad_action_value',
      });
    }
    expect(agentsInbound(click('switchboard_ticket_claim', { user: {} }))).toMatchObject({ reason: 'missing_fields' });
    expect(
      agentsInbound(click('switchboard_ticket_claim', { channel: undefined, container: { message_ts: CARD_TS } })),
    ).toMatchObject({ reason: 'missing_fields' });
    expect(agentsInbound({ type: 'shortcut' })).toMatchObject({ reason: 'unsupported_body' });
  });

  it('the modal: its ticket and card from private_metadata, the typed label cleaned; malformed ones ignored', () => {
    const meta = { ticket: 't_1', channel: AGENTS, ts: CARD_TS };
    expect(agentsInbound(submission(meta, '  new   intent '))).toEqual({
      kind: 'submit',
      user: 'U0ANN',
      userName: 'ann.agent',
      viewId: 'V0123',
      ticket: 't_1',
      channel: AGENTS,
      ts: CARD_TS,
      label: 'new intent',
    });
    expect(agentsInbound(submission(meta, ''))).not.toHaveProperty('label');
    for (const bad of ['{', '[]', { ...meta, ticket: 'a b' }, { ...meta, ts: 'x' }, { ...meta, channel: undefined }]) {
      expect(agentsInbound(submission(bad, 'x'))).toMatchObject({ kind: 'ignore', reason: 'bad_action_value' });
    }
    expect(agentsInbound(submission(meta, 'x', { user: {} }))).toMatchObject({ reason: 'missing_fields' });
  });

  it('labelOf: 1–100 characters, spaces collapsed, no control characters', () => {
    expect(labelOf(' a  b ')).toBe('a b');
    expect(labelOf('x'.repeat(100))).toHaveLength(100);
    for (const bad of ['', '   ', 'x'.repeat(101), 'a\u0000b', 7, null]) expect(labelOf(bad)).toBeUndefined();
  });
});
