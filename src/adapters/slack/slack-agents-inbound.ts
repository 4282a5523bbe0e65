/**
 * What a verified Slack request from the agents' channel asks for (pure): an agent's reply in a ticket card's thread
 * (`message` or `app_mention` event with a `thread_ts`), a card's Claim or Resolve button (`block_actions`), or the
 * "new intent" modal submitted (`view_submission`) — or why it is ignored. Every field is untrusted and checked; the
 * agents' channel then checks that the card the action came from is the ticket's.
 */
// Agent lines longer than the agent API's limit (MAX_RAW_TEXT is read) are refused later, with a note.
import {
  id,
  type Json,
  MAX_RAW_TEXT,
  name,
  obj,
  type SlackIdentity,
  SYSTEM_USERS,
  slackTextToPlain,
  str,
  TEXT_SUBTYPES,
  ts,
} from './slack-to-turn.ts';
import { MAX_LABEL, OTHER_LABEL, RESOLVE_VIEW, TICKET_ACTION } from './ticket-blocks.ts';

export type AgentsInbound =
  | {
      kind: 'reply';
      user: string;
      channel: string;
      /** The reply's ts, and the thread's (the card's ts). */
      ts: string;
      threadTs: string;
      text: string;
    }
  | {
      kind: 'button';
      action: 'claim' | 'resolve';
      user: string;
      userName?: string;
      channel: string;
      /** The ts of the message the button is on. */
      messageTs: string;
      /** The ticket the button names (its value). */
      ticket: string;
      /** Resolve: the intent chosen in the card's menu, if any. */
      label?: string;
      /** Resolve: "Other / new intent…" chosen (the modal asks for the name). */
      other: boolean;
      triggerId?: string;
      /** Unique per click (`action_ts`). */
      clickId: string;
    }
  | {
      kind: 'submit';
      user: string;
      userName?: string;
      viewId: string;
      ticket: string;
      channel: string;
      ts: string;
      label?: string;
    }
  | { kind: 'ignore'; reason: AgentsIgnoreReason; event_type?: string; subtype?: string };

export type AgentsIgnoreReason =
  | 'unsupported_body'
  | 'unsupported_event'
  | 'missing_fields'
  | 'from_bot'
  | 'subtype'
  | 'hidden'
  | 'edited'
  | 'not_in_a_thread'
  | 'empty'
  | 'unknown_action'
  | 'label_selected'
  | 'bad_action_value';

const TICKET = /^[\w-]{1,64}$/;

/**
 * True when a request body belongs to the agents' channel `channel`: any event in it, any action on a message in it,
 * any ticket button wherever it was pressed (a forgery, refused there), and the "new intent" modal.
 */
export function isAgentsBody(body: unknown, channel: string): boolean {
  const b = obj(body);
  if (!b) return false;
  if (b.type === 'event_callback') return obj(b.event)?.channel === channel;
  if (b.type === 'block_actions') {
    const actionId = Array.isArray(b.actions) ? str(obj(b.actions[0])?.action_id) : undefined;
    return actionId?.startsWith(TICKET_ACTION.prefix) === true || channelOf(b) === channel;
  }
  if (b.type === 'view_submission') return obj(b.view)?.callback_id === RESOLVE_VIEW;
  return false;
}

/**
 * Maps a body {@link isAgentsBody} accepted.
 *
 * @example
 * agentsInbound({ type: 'event_callback', event: { type: 'message', channel: 'C0AGENTS', user: 'U0ANN',
 *   text: 'Which invoice?', ts: '1712.0002', thread_ts: '1712.0001' } }, { botUserId: 'UBOT' });
 * // → { kind: 'reply', user: 'U0ANN', channel: 'C0AGENTS', ts: '1712.0002', threadTs: '1712.0001', text: 'Which invoice?' }
 */
export function agentsInbound(body: unknown, identity: SlackIdentity = {}): AgentsInbound {
  const b = obj(body) ?? {};
  if (b.type === 'event_callback') return reply(b, identity);
  if (b.type === 'block_actions') return button(b);
  if (b.type === 'view_submission') return submission(b);
  return { kind: 'ignore', reason: 'unsupported_body' };
}

function reply(b: Json, identity: SlackIdentity): AgentsInbound {
  const event = obj(b.event) ?? {};
  const eventType = name(event.type);
  const ignore = (reason: AgentsIgnoreReason, subtype?: string): AgentsInbound => ({
    kind: 'ignore',
    reason,
    event_type: eventType,
    ...(subtype ? { subtype } : {}),
  });
  if (eventType !== 'message' && eventType !== 'app_mention') return ignore('unsupported_event');
  const auth = Array.isArray(b.authorizations) ? obj(b.authorizations[0]) : undefined;
  const botUserId = identity.botUserId ?? (auth?.is_bot === true ? id(auth.user_id) : undefined);
  const user = id(event.user);
  const subtype = str(event.subtype);
  if (
    (botUserId && user === botUserId) ||
    event.bot_id !== undefined ||
    event.bot_profile !== undefined ||
    subtype === 'bot_message' ||
    (user !== undefined && SYSTEM_USERS.has(user))
  ) {
    return ignore('from_bot');
  }
  if (subtype && !TEXT_SUBTYPES.has(subtype)) return ignore('subtype', name(subtype));
  if (event.hidden === true) return ignore('hidden');
  if (event.edited !== undefined) return ignore('edited');
  const channel = id(event.channel);
  const messageTs = ts(event.ts);
  if (!user || !channel || !messageTs) return ignore('missing_fields');
  const threadTs = ts(event.thread_ts);
  if (!threadTs || threadTs === messageTs) return ignore('not_in_a_thread');
  const raw = typeof event.text === 'string' ? event.text.slice(0, MAX_RAW_TEXT) : '';
  const text = slackTextToPlain(raw, botUserId, eventType === 'app_mention' && !botUserId);
  if (!text) return ignore('empty');
  return { kind: 'reply', user, channel, ts: messageTs, threadTs, text };
}

function button(b: Json): AgentsInbound {
  const ignore = (reason: AgentsIgnoreReason): AgentsInbound => ({ kind: 'ignore', reason });
  const action = Array.isArray(b.actions) ? obj(b.actions[0]) : undefined;
  const actionId = str(action?.action_id);
  if (actionId === TICKET_ACTION.label) return ignore('label_selected');
  if (actionId !== TICKET_ACTION.claim && actionId !== TICKET_ACTION.resolve) return ignore('unknown_action');
  const ticket = typeof action?.value === 'string' && TICKET.test(action.value) ? action.value : undefined;
  if (!ticket) return ignore('bad_action_value');
  const userObj = obj(b.user);
  const user = id(userObj?.id);
  const channel = channelOf(b);
  const messageTs = ts(obj(b.container)?.message_ts) ?? ts(obj(b.message)?.ts);
  const clickId = ts(action?.action_ts) ?? id(b.trigger_id);
  if (!user || !channel || !messageTs || !clickId) return ignore('missing_fields');
  const chosen = actionId === TICKET_ACTION.resolve ? selectedLabel(obj(b.state)?.values) : undefined;
  return {
    kind: 'button',
    action: actionId === TICKET_ACTION.claim ? 'claim' : 'resolve',
    user,
    ...userName(userObj),
    channel,
    messageTs,
    ticket,
    ...(chosen && chosen !== OTHER_LABEL ? { label: chosen } : {}),
    other: chosen === OTHER_LABEL,
    ...(str(b.trigger_id) ? { triggerId: str(b.trigger_id) } : {}),
    clickId: `${user}:${clickId}`,
  };
}

function submission(b: Json): AgentsInbound {
  const ignore = (reason: AgentsIgnoreReason): AgentsInbound => ({ kind: 'ignore', reason });
  const view = obj(b.view) ?? {};
  const userObj = obj(b.user);
  const user = id(userObj?.id);
  const viewId = id(view.id);
  let meta: Json | undefined;
  try {
    meta = obj(JSON.parse(typeof view.private_metadata === 'string' ? view.private_metadata : ''));
  } catch {
    meta = undefined;
  }
  const ticket = typeof meta?.ticket === 'string' && TICKET.test(meta.ticket) ? meta.ticket : undefined;
  const channel = id(meta?.channel);
  const cardTs = ts(meta?.ts);
  if (!user || !viewId) return ignore('missing_fields');
  if (!ticket || !channel || !cardTs) return ignore('bad_action_value');
  const values = obj(obj(view.state)?.values) ?? {};
  let label: string | undefined;
  for (const block of Object.values(values)) {
    const input = obj(obj(block)?.[TICKET_ACTION.labelText]);
    if (input) label = labelOf(input.value);
  }
  return {
    kind: 'submit',
    user,
    ...userName(userObj),
    viewId,
    ticket,
    channel,
    ts: cardTs,
    ...(label ? { label } : {}),
  };
}

/** The value chosen in the card's intent menu (in the click's `state.values`), if any. */
function selectedLabel(values: unknown): string | undefined {
  for (const block of Object.values(obj(values) ?? {})) {
    const menu = obj(obj(block)?.[TICKET_ACTION.label]);
    const value = obj(menu?.selected_option)?.value;
    if (value === OTHER_LABEL) return OTHER_LABEL;
    const label = labelOf(value);
    if (label) return label;
  }
  return undefined;
}

/** An intent label as given: spaces collapsed, 1–100 characters, no control characters; else undefined. */
export function labelOf(v: unknown): string | undefined {
  if (typeof v !== 'string') return undefined;
  const s = v.replace(/\s+/g, ' ').trim();
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
  return s && s.length <= MAX_LABEL && !/[\u0000-\u001f\u007f]/.test(s) ? s : undefined;
}

function channelOf(b: Json): string | undefined {
  return id(obj(b.channel)?.id) ?? id(obj(b.container)?.channel_id);
}

function userName(user: Json | undefined): { userName?: string } {
  const n = str(user?.name) ?? str(user?.username);
  return n ? { userName: n.slice(0, 80) } : {};
}
