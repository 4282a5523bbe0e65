/**
 * A verified Slack request body → a {@link Turn} and where its reply goes, or the reason it is ignored (pure).
 * Handled: direct messages (`message` events in `im` channels), mentions in channels (`app_mention`), and the bot's own
 * buttons (`block_actions`). Ignored, each with a reason the adapter logs (never the text): the bot's own and other bots'
 * messages, Slack's own (Slackbot, `USLACKBOT`), edits (`message_changed`, and the `app_mention` Slack sends again for an edited mention), deletions and
 * other subtypes, channel messages that are not mentions (Slack sends an `app_mention`
 * for those: answering both would answer twice), messages with no text, unknown event types and malformed bodies.
 */
import { MAX_TURN_TEXT, type Turn, type TurnAction } from '../../turn.ts';
import { decodeFeedback, markClicked, SLACK_ACTION, type SlackMessage } from './reply-to-slack.ts';

/** Where a reply goes: the channel (a DM's `D…` or a channel's `C…`/`G…`) and the thread. */
export interface SlackAddress {
  channel: string;
  thread_ts?: string;
  /** The customer's Slack display (else real) name, when the event's `user_profile` carried one (shown to agents). */
  name?: string;
}

/** What the adapter knows of the bot itself (from `auth.test`), to recognise its own messages and mentions. */
export interface SlackIdentity {
  botUserId?: string;
  botId?: string;
}

/** A message to update after a button on it was pressed (its buttons replaced by what was chosen). */
export interface SlackMessageUpdate extends SlackMessage {
  channel: string;
  ts: string;
}

export type SlackIgnoreReason =
  | 'unknown_body'
  | 'unsupported_body'
  | 'unsupported_event'
  | 'missing_fields'
  | 'own_message'
  | 'bot_message'
  | 'system_sender'
  | 'subtype'
  | 'hidden'
  | 'edited'
  | 'not_direct_message'
  | 'mention_in_direct_message'
  | 'no_text'
  | 'unknown_action'
  | 'bad_action_value';

/** The mapping of one request body. `challenge`: a `url_verification` (bolt answers it). */
export type SlackInbound =
  | { kind: 'turn'; turn: Turn; address: SlackAddress; team: string; update?: SlackMessageUpdate }
  | { kind: 'challenge'; challenge: string }
  | {
      kind: 'ignore';
      reason: SlackIgnoreReason;
      /** Slack's names and ids only (safe to log): body type, event type, subtype, event id. */
      type?: string;
      event_type?: string;
      subtype?: string;
      event_id?: string;
    };

/**
 * Message subtypes that carry someone's words (a file shared with a comment, a reply also sent to the channel, /me):
 * customers' here, agents' in the agents' channel (`slack-agents-inbound.ts` reads payloads with these same readers).
 */
export const TEXT_SUBTYPES = new Set(['file_share', 'thread_broadcast', 'me_message']);
/**
 * Slack's own senders: Slackbot (`USLACKBOT`) writes into DMs and channels as a user, with no `bot_id` or subtype
 * ("You have been removed from #…", reminders, "only visible to you" notices). Never a customer, never an agent.
 */
export const SYSTEM_USERS = new Set(['USLACKBOT']);
/** Slack ids (team, channel, user, event) and message timestamps, as Slack writes them. */
const ID = /^[A-Za-z0-9_-]{1,64}$/;
const TS = /^\d{1,12}\.\d{1,9}$/;
const INTENT = /^[\w.-]{1,100}$/;
/** The longest raw text read (Slack allows 40,000 characters; the bot reads {@link MAX_TURN_TEXT}). */
export const MAX_RAW_TEXT = MAX_TURN_TEXT * 4;

export type Json = Record<string, unknown>;
/** Readers of untrusted payload fields: the value when it has the expected form, else undefined. */
export const obj = (v: unknown): Json | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : undefined;
export const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
export const id = (v: unknown): string | undefined => (typeof v === 'string' && ID.test(v) ? v : undefined);
export const ts = (v: unknown): string | undefined => (typeof v === 'string' && TS.test(v) ? v : undefined);
/** A Slack name (type, subtype) fit for a log line, or undefined. */
export const name = (v: unknown): string | undefined =>
  typeof v === 'string' && /^[\w.-]{1,64}$/.test(v) ? v : undefined;

/**
 * Maps a parsed, signature-verified request body (Events API JSON, or the `payload` of an interactivity request).
 * `now` is the turn's `receivedAt`.
 *
 * @example
 * slackToTurn({ type: 'event_callback', team_id: 'T1', event_id: 'Ev1', event: { type: 'message', channel_type: 'im',
 *   channel: 'D1', user: 'U1', text: 'hi', ts: '1712.0001' } }, { botUserId: 'UBOT' });
 * // → { kind: 'turn', turn: { id: 'Ev1', conversation: 'slack:T1:D1', text: 'hi', … },
 * //     address: { channel: 'D1', thread_ts: '1712.0001' }, team: 'T1' }
 */
export function slackToTurn(body: unknown, identity: SlackIdentity = {}, now = Date.now()): SlackInbound {
  const b = obj(body);
  if (!b) return { kind: 'ignore', reason: 'unknown_body' };
  const type = b.type;
  if (type === 'url_verification') {
    const challenge = str(b.challenge);
    return challenge ? { kind: 'challenge', challenge } : { kind: 'ignore', reason: 'missing_fields', type };
  }
  if (type === 'event_callback') return eventToTurn(b, identity, now);
  if (type === 'block_actions') return actionToTurn(b, now);
  return { kind: 'ignore', reason: 'unsupported_body', type: name(type) };
}

function eventToTurn(b: Json, identity: SlackIdentity, now: number): SlackInbound {
  const event = obj(b.event);
  const eventId = id(b.event_id);
  const ignore = (reason: SlackIgnoreReason, more: { subtype?: string } = {}): SlackInbound => ({
    kind: 'ignore',
    reason,
    type: 'event_callback',
    event_type: name(event?.type),
    event_id: eventId,
    ...more,
  });
  if (!event) return ignore('missing_fields');
  const eventType = event.type;
  if (eventType !== 'message' && eventType !== 'app_mention') return ignore('unsupported_event');
  const auth = Array.isArray(b.authorizations) ? obj(b.authorizations[0]) : undefined;
  const botUserId = identity.botUserId ?? (auth?.is_bot === true ? id(auth.user_id) : undefined);
  const user = id(event.user);
  if (botUserId && user === botUserId) return ignore('own_message');
  const subtype = str(event.subtype);
  if (event.bot_id !== undefined || event.bot_profile !== undefined || subtype === 'bot_message') {
    return ignore(identity.botId && event.bot_id === identity.botId ? 'own_message' : 'bot_message');
  }
  if (user && SYSTEM_USERS.has(user)) return ignore('system_sender');
  if (subtype && !TEXT_SUBTYPES.has(subtype)) return ignore('subtype', { subtype: name(subtype) });
  if (event.hidden === true) return ignore('hidden');
  // Editing a message that mentions the bot makes Slack send a new app_mention (new event_id) carrying `edited`.
  if (event.edited !== undefined) return ignore('edited');
  const team = id(b.team_id) ?? id(auth?.team_id) ?? id(event.team);
  const channel = id(event.channel);
  const messageTs = ts(event.ts);
  if (!team || !channel || !messageTs || !user) return ignore('missing_fields');
  const channelType = str(event.channel_type);
  const direct = channelType ? channelType === 'im' : channel.startsWith('D');
  if (eventType === 'message' && !direct) return ignore('not_direct_message');
  if (eventType === 'app_mention' && direct) return ignore('mention_in_direct_message');
  const raw = typeof event.text === 'string' ? event.text.slice(0, MAX_RAW_TEXT) : '';
  // Not knowing the bot's user id (never seen from Slack), a mention's leading `<@…>` is taken to be the bot.
  const text = slackTextToPlain(raw, botUserId, eventType === 'app_mention' && !botUserId);
  if (!text) return ignore('no_text');
  const threadTs = ts(event.thread_ts) ?? messageTs;
  const turn: Turn = {
    // Slack's event id is what its retries repeat; a body without one (never sent by Slack) falls back to the message.
    id: eventId ?? `${channel}-${messageTs}`,
    channel: 'slack',
    conversation: conversationKey(team, channel, direct, threadTs),
    user,
    text,
    receivedAt: now,
  };
  const profile = obj(event.user_profile);
  const shown = (str(profile?.display_name) || str(profile?.real_name))?.replace(/\s+/g, ' ').trim().slice(0, 100);
  return { kind: 'turn', turn, address: { channel, thread_ts: threadTs, ...(shown ? { name: shown } : {}) }, team };
}

function actionToTurn(b: Json, now: number): SlackInbound {
  const ignore = (reason: SlackIgnoreReason): SlackInbound => ({ kind: 'ignore', reason, type: 'block_actions' });
  const action = Array.isArray(b.actions) ? obj(b.actions[0]) : undefined;
  const actionId = str(action?.action_id);
  if (!action || !actionId?.startsWith('switchboard_')) return ignore('unknown_action');
  const userObj = obj(b.user);
  const user = id(userObj?.id);
  const team = id(obj(b.team)?.id) ?? id(userObj?.team_id) ?? id(obj(b.enterprise)?.id);
  const container = obj(b.container);
  const message = obj(b.message);
  const channel = id(obj(b.channel)?.id) ?? id(container?.channel_id);
  const messageTs = ts(container?.message_ts) ?? ts(message?.ts);
  const threadTs = ts(message?.thread_ts) ?? ts(container?.thread_ts) ?? messageTs;
  const clickTs = ts(action.action_ts) ?? id(b.trigger_id);
  if (!user || !team || !channel || !threadTs || !clickTs) return ignore('missing_fields');
  const label = str(obj(action.text)?.text) ?? '';
  let turnAction: TurnAction;
  let note: string;
  if (actionId.startsWith(SLACK_ACTION.choicePrefix)) {
    const intent = str(action.value);
    if (!intent || !INTENT.test(intent)) return ignore('bad_action_value');
    turnAction = { kind: 'choice', intent };
    note = `✓ ${label || intent}`;
  } else if (actionId === SLACK_ACTION.feedbackUp || actionId === SLACK_ACTION.feedbackDown) {
    const feedback = decodeFeedback(action.value);
    if (!feedback) return ignore('bad_action_value');
    turnAction = { kind: 'feedback', ...feedback };
    note = feedback.rating === 'up' ? '👍' : '👎';
  } else if (actionId === SLACK_ACTION.human) {
    turnAction = { kind: 'human' };
    note = `✓ ${label}`;
  } else {
    return ignore('unknown_action');
  }
  const direct = channel.startsWith('D');
  const turn: Turn = {
    // One click: the same user cannot press two buttons at the same action_ts.
    id: `action:${user}:${clickTs}`,
    channel: 'slack',
    conversation: conversationKey(team, channel, direct, threadTs),
    user,
    text: '',
    action: turnAction,
    receivedAt: now,
  };
  const blockId = str(action.block_id);
  const update =
    message && messageTs && blockId && Array.isArray(message.blocks) && container?.is_ephemeral !== true
      ? { channel, ts: messageTs, text: str(message.text) ?? '', blocks: markClicked(message.blocks, blockId, note) }
      : undefined;
  return { kind: 'turn', turn, address: { channel, thread_ts: threadTs }, team, ...(update ? { update } : {}) };
}

/** A DM is one conversation; in a channel each thread the bot is mentioned in is its own. */
function conversationKey(team: string, channel: string, direct: boolean, threadTs: string): string {
  return direct ? `slack:${team}:${channel}` : `slack:${team}:${channel}:${threadTs}`;
}

/**
 * Slack's message markup → the text as the customer saw it: mentions of the bot removed (`<@UBOT>`; with
 * `stripLeadingMention`, any mention opening the message, as an `app_mention`'s does), other mentions as `@name`,
 * channels as `#name`, links as their label (or address), `&amp;`/`&lt;`/`&gt;` decoded, spaces collapsed.
 *
 * @example slackTextToPlain('<@UBOT> wake me at <https://x.io|x.io> &amp; 7', 'UBOT') // 'wake me at x.io & 7'
 */
export function slackTextToPlain(text: string, botUserId?: string, stripLeadingMention = false): string {
  let s = text;
  if (stripLeadingMention) s = s.replace(/^\s*<@[A-Za-z0-9]+(\|[^>]*)?>/, '');
  s = s.replace(/<([^<>]*)>/g, (_m, inner: string) => {
    const bar = inner.indexOf('|');
    const target = bar < 0 ? inner : inner.slice(0, bar);
    const label = bar < 0 ? undefined : inner.slice(bar + 1);
    if (target.startsWith('@')) return target.slice(1) === botUserId ? ' ' : `@${label ?? target.slice(1)}`;
    if (target.startsWith('#')) return `#${label ?? target.slice(1)}`;
    if (target.startsWith('!')) {
      const special = target.slice(1);
      if (special === 'here' || special === 'channel' || special === 'everyone') return `@${special}`;
      return label ?? '';
    }
    return label ?? target.replace(/^mailto:/, '');
  });
  return s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .replace(/[ \t]{2,}/g, ' ')
    .trim();
}
