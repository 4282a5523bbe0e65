/**
 * Bot Framework activity (as Teams posts it to `/api/messages`) → what the bot does with it: a {@link Turn}, a welcome,
 * a note that only text can be read, or nothing. Pure: no I/O, no botbuilder at runtime; the activity is untrusted
 * JSON and every field is checked. Schema: https://github.com/microsoft/botframework-sdk/blob/main/specs/botframework-activity/botframework-activity.md
 */
import { createHash } from 'node:crypto';
import type { ConversationReference } from 'botbuilder';
import { MAX_CONVERSATION_ID } from '../../store/conversation-store.ts';
import type { Turn, TurnAction } from '../../turn.ts';

/** What an inbound activity amounts to. */
export type TeamsInbound =
  /**
   * A customer message or a button press: handled by the turn handler. `pressed`: the bot's message whose button it
   * was, to update so its buttons show what was chosen (as Slack's do).
   */
  | { kind: 'turn'; turn: Turn; reference: ConversationReference; pressed?: PressedCard }
  /** The bot was added to a conversation (`conversationUpdate`): greet once. */
  | { kind: 'welcome'; id?: string; conversation: string; locale?: string; reference: ConversationReference }
  /** A message with attachments (files, images) but no text: say that only text is read. */
  | { kind: 'unreadable'; id: string; conversation: string; locale?: string; reference: ConversationReference }
  /** Nothing to do; `reason` is for the log (never customer text). */
  | { kind: 'ignore'; reason: IgnoreReason };

export type IgnoreReason =
  | 'not_an_activity'
  | 'missing_fields'
  | 'own_message'
  | 'from_bot'
  | 'empty'
  | 'unknown_submit'
  | 'members_added'
  | 'members_removed'
  | 'conversation_update'
  | 'reaction'
  | 'invoke'
  | 'unsupported_type';

/** The bot's message whose card button was pressed, and what to show in place of its buttons. */
export interface PressedCard {
  /** The id of the bot's message (the submit activity's `replyToId`). */
  activityId: string;
  /** What was chosen (`✓ See my alarms`, `👍`). */
  note: string;
}

/** Prefix of Teams conversation keys in the store: `teams:<conversation.id>`. */
export const TEAMS_CONVERSATION_PREFIX = 'teams:';
/** Longest activity id accepted (Teams' are ~20 characters). */
const MAX_ID = 256;
/** Longest intent name or turn key a card button may carry back. */
const MAX_SUBMIT_FIELD = 300;
/** Longest button label shown back in a pressed card's note. */
const MAX_LABEL = 75;

/**
 * Maps one activity. `receivedAt` (epoch ms) becomes the turn's time.
 *
 * @example
 * const r = teamsToTurn({ type: 'message', id: '1', text: '<at>Bot</at> hi', … }, Date.now());
 * if (r.kind === 'turn') await handle(r.turn, r.reference);
 */
export function teamsToTurn(activity: unknown, receivedAt: number): TeamsInbound {
  if (!isRecord(activity) || typeof activity.type !== 'string') return ignore('not_an_activity');
  const base = baseFields(activity);
  switch (activity.type) {
    case 'message':
      return base ? messageToTurn(activity, base, receivedAt) : ignore('missing_fields');
    case 'conversationUpdate':
      return base ? conversationUpdate(activity, base) : ignore('missing_fields');
    case 'messageReaction':
      return ignore('reaction');
    case 'invoke':
      return ignore('invoke');
    default:
      return ignore('unsupported_type');
  }
}

/** The fields every activity the bot answers must have: where to reply, who is who. */
interface BaseFields {
  id?: string;
  conversationId: string;
  fromId: string;
  botId: string;
  locale?: string;
  reference: ConversationReference;
}

function baseFields(a: Record<string, unknown>): BaseFields | undefined {
  const conversation = record(a.conversation);
  const from = record(a.from);
  const recipient = record(a.recipient);
  const conversationId = str(conversation?.id, MAX_CONVERSATION_ID - TEAMS_CONVERSATION_PREFIX.length);
  const fromId = str(from?.id, MAX_ID);
  const botId = str(recipient?.id, MAX_ID);
  const serviceUrl = str(a.serviceUrl, 2048);
  if (!conversationId || !fromId || !botId || !serviceUrl || !/^https?:\/\//i.test(serviceUrl)) return undefined;
  const id = str(a.id, MAX_ID);
  const locale = str(a.locale, 35);
  const reference: ConversationReference = {
    ...(id ? { activityId: id } : {}),
    user: pick<ConversationReference['user']>(from, ['id', 'name', 'aadObjectId', 'role']),
    bot: pick<ConversationReference['bot']>(recipient, ['id', 'name', 'role']),
    conversation: pick<ConversationReference['conversation']>(conversation, [
      'id',
      'name',
      'conversationType',
      'tenantId',
      'isGroup',
    ]),
    channelId: str(a.channelId, 64) ?? 'msteams',
    ...(locale ? { locale } : {}),
    serviceUrl,
  };
  return { id, conversationId, fromId, botId, locale, reference };
}

function messageToTurn(a: Record<string, unknown>, b: BaseFields, receivedAt: number): TeamsInbound {
  if (b.fromId === b.botId) return ignore('own_message');
  if (record(a.from)?.role === 'bot') return ignore('from_bot');
  if (!b.id) return ignore('missing_fields');
  const conversation = TEAMS_CONVERSATION_PREFIX + b.conversationId;
  const turnBase = {
    id: b.id,
    channel: 'teams' as const,
    conversation,
    user: str(record(a.from)?.aadObjectId, MAX_ID) ?? b.fromId,
    ...(b.locale ? { locale: b.locale } : {}),
    receivedAt,
  };
  if (a.value !== undefined && a.value !== null) {
    const action = parseSubmit(a.value);
    if (action) {
      // One answer per card: Teams leaves a card's buttons pressable, and each press is a new activity (new id). Keyed
      // by the card's message (unique within its conversation, so the conversation is in the key too, hashed short).
      const card = str(a.replyToId, MAX_ID);
      const turn = { ...turnBase, text: '', action, ...(card ? { id: pressId(b.conversationId, card) } : {}) };
      const pressed = card ? { activityId: card, note: pressNote(action, a.value) } : undefined;
      return { kind: 'turn', turn, reference: b.reference, ...(pressed ? { pressed } : {}) };
    }
  }
  const text = typeof a.text === 'string' ? stripBotMention(a.text, a.entities, b.botId) : '';
  if (text) return { kind: 'turn', turn: { ...turnBase, text }, reference: b.reference };
  if (a.value !== undefined && a.value !== null) return ignore('unknown_submit');
  const attachments = Array.isArray(a.attachments) ? a.attachments : [];
  if (attachments.some((x) => !isHtmlCopy(x))) {
    return { kind: 'unreadable', id: b.id, conversation, locale: b.locale, reference: b.reference };
  }
  return ignore('empty');
}

/** Teams adds a `text/html` copy of a formatted message as an attachment: that is not a file. */
function isHtmlCopy(attachment: unknown): boolean {
  return isRecord(attachment) && attachment.contentType === 'text/html';
}

function conversationUpdate(a: Record<string, unknown>, b: BaseFields): TeamsInbound {
  const added = Array.isArray(a.membersAdded) ? a.membersAdded : [];
  if (!added.some((m) => record(m)?.id === b.botId)) {
    // Members joining or leaving, channels created or renamed, the team renamed: never a customer's turn.
    if (added.length) return ignore('members_added');
    if (Array.isArray(a.membersRemoved) && a.membersRemoved.length) return ignore('members_removed');
    return ignore('conversation_update');
  }
  // A welcome starts the conversation: it replies to no message.
  const { activityId: _, ...reference } = b.reference;
  return {
    kind: 'welcome',
    id: b.id,
    conversation: TEAMS_CONVERSATION_PREFIX + b.conversationId,
    locale: b.locale,
    reference,
  };
}

/**
 * The bot's own `<at>…</at>` mention removed (Teams puts `<at>Bot name</at>` in `text` and an entity of type `mention`
 * naming the recipient), other users' mentions kept as their plain names, a few HTML entities decoded, whitespace
 * collapsed. The entity's text does not always match the message's: Teams writes the name the user picked
 * (`<at>Switchboard Bot</at>` for an entity `<at>Switchboard</at>`), splits a long name into one tag per word, and
 * renamed bots keep their old entity name. When the entity's text is not in the message, a tag whose name overlaps the
 * bot's is the bot's; failing that, the first tag no other user's mention entity claims.
 *
 * @example stripBotMention('<at>Switchboard</at> wake me up', [{ type: 'mention', mentioned: { id: 'b' }, text: '<at>Switchboard</at>' }], 'b') // 'wake me up'
 * @example stripBotMention('<at>Switchboard Bot</at> hi', [{ type: 'mention', mentioned: { id: 'b', name: 'Switchboard' }, text: '<at>Switchboard</at>' }], 'b') // 'hi'
 */
export function stripBotMention(text: string, entities: unknown, botId: string): string {
  let out = text;
  const mentions = (Array.isArray(entities) ? entities : []).map(record).filter((e) => e?.type === 'mention');
  /** Tags other users' mention entities name: never taken for the bot. */
  const others = new Set(
    mentions
      .filter((e) => record(e?.mentioned)?.id !== botId)
      .map((e) => norm(tagName(str(e?.text, 512) ?? '') ?? str(record(e?.mentioned)?.name, 512) ?? '')),
  );
  for (const entity of mentions) {
    if (record(entity?.mentioned)?.id !== botId) continue;
    const before = out;
    const mentionText = str(entity?.text, 512);
    if (mentionText) out = out.split(mentionText).join(' ');
    const name = str(record(entity?.mentioned)?.name, 512);
    if (name) out = out.split(`<at>${name}</at>`).join(' ');
    if (out !== before) continue;
    // Not found as written: a tag whose name overlaps the bot's (either way round), else the first unclaimed tag.
    const names = [name, mentionText && tagName(mentionText)].filter((n): n is string => !!n).map(norm);
    const overlaps = (tag: string) => names.some((n) => n && tag && (within(tag, n) || within(n, tag)));
    out = out.replace(AT_TAG, (tag, inner: string) => (overlaps(norm(inner)) && !others.has(norm(inner)) ? ' ' : tag));
    if (out !== before || !mentionText) continue;
    let taken = false;
    out = out.replace(AT_TAG, (tag, inner: string) => {
      if (taken || others.has(norm(inner))) return tag;
      taken = true;
      return ' ';
    });
  }
  return decodeEntities(out.replace(AT_TAG, '$1')).replace(/\s+/g, ' ').trim();
}

/** A mention tag as Teams writes it (`<at>Name</at>`, sometimes with attributes: `<at id="0">Name</at>`). */
const AT_TAG = /<at(?:\s[^>]*)?>([^<]*)<\/at>/g;
/** The name inside a mention tag, if the text is one. */
const tagName = (s: string): string | undefined => /^<at(?:\s[^>]*)?>([^<]*)<\/at>$/.exec(s.trim())?.[1];
/** Every word of `a` is a word of `b`. */
const within = (a: string, b: string): boolean => a.split(' ').every((w) => b.split(' ').includes(w));
const norm = (s: string): string => decodeEntities(s).replace(/\s+/g, ' ').trim().toLowerCase();

const HTML_ENTITIES: Record<string, string> = {
  nbsp: ' ',
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  '#39': "'",
};

function decodeEntities(s: string): string {
  return s.replace(/&(nbsp|amp|lt|gt|quot|apos|#39);/g, (_m, name: string) => HTML_ENTITIES[name]);
}

/**
 * The data of an Adaptive Card `Action.Submit` the bot sent (see `reply-to-teams.ts`): `{switchboard: 'choice', intent}`,
 * `{switchboard: 'feedback', rating, turn}` or `{switchboard: 'human'}`; undefined for anything else.
 */
export function parseSubmit(value: unknown): TurnAction | undefined {
  const v = record(value);
  if (!v) return undefined;
  if (v.switchboard === 'choice') {
    const intent = str(v.intent, MAX_SUBMIT_FIELD);
    return intent ? { kind: 'choice', intent } : undefined;
  }
  if (v.switchboard === 'feedback') {
    const turn = str(v.turn, MAX_SUBMIT_FIELD);
    return turn && (v.rating === 'up' || v.rating === 'down')
      ? { kind: 'feedback', rating: v.rating, turn }
      : undefined;
  }
  if (v.switchboard === 'human') return { kind: 'human' };
  return undefined;
}

/** The turn id of a press on the bot's card `card` in `conversation`: the same for every press of that card. */
export function pressId(conversation: string, card: string): string {
  const c = createHash('sha256').update(conversation).digest('base64url').slice(0, 16);
  return `press:${c}:${card}`;
}

/** What a pressed card shows instead of its buttons: the choice (its label as the button showed it), or the vote. */
function pressNote(action: TurnAction, value: unknown): string {
  if (action.kind === 'feedback') return action.rating === 'up' ? '👍' : '👎';
  const label = str(record(value)?.label, MAX_LABEL);
  return `✓ ${label ?? (action.kind === 'choice' ? action.intent : 'Talk to a person')}`;
}

function ignore(reason: IgnoreReason): TeamsInbound {
  return { kind: 'ignore', reason };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function record(v: unknown): Record<string, unknown> | undefined {
  return isRecord(v) ? v : undefined;
}

/** A non-empty string of at most `max` characters, else undefined. */
function str(v: unknown, max: number): string | undefined {
  return typeof v === 'string' && v.length > 0 && v.length <= max ? v : undefined;
}

/** The listed keys of `source` that are strings or booleans (what a stored ConversationReference needs). */
function pick<T>(source: Record<string, unknown> | undefined, keys: readonly string[]): T {
  const out: Record<string, string | boolean> = {};
  for (const k of keys) {
    const v = source?.[k];
    if (typeof v === 'string' || typeof v === 'boolean') out[k] = v;
  }
  return out as T;
}
