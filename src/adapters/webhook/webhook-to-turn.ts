/**
 * A gateway's message (the JSON body of `POST /webhook/messages`) → a Turn and the address replies go to, or what is
 * wrong with it (pure). Every field is untrusted: ids are short and plain, text is a string, an action one of the
 * three the bot knows.
 *
 * Body: `{id, conversation, text?, user?, name?, locale?, action?}` — `id` the gateway's message id (a retry repeats
 * it: answered once), `conversation` the gateway's conversation (e.g. `whatsapp:+4915112345678`), `user` the customer
 * (default: the conversation), `name` their display name (shown to agents), `locale` a BCP 47 hint.
 */
import type { Turn } from '../../turn.ts';
import { parseTurnAction } from '../turn-action.ts';

/** Where a webhook conversation's replies go: echoed back to the gateway in every outgoing message. */
export interface WebhookAddress {
  conversation: string;
  user: string;
  /** The customer's display name, when the gateway gave one. */
  name?: string;
}

/** Longest id accepted (message, conversation or user id). */
export const MAX_ID = 200;
const ID = /^[\w.:+@=-]+$/;
const LOCALE = /^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8}){0,4}$/;

export type WebhookInbound = { kind: 'turn'; turn: Turn; address: WebhookAddress } | { kind: 'error'; message: string };

const isId = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= MAX_ID && ID.test(v);

/**
 * @example
 * webhookToTurn({ id: 'm1', conversation: 'sms:+4912345', text: 'hi' }, 1712000000000)
 * // { kind: 'turn', turn: { id: 'm1', channel: 'webhook', conversation: 'webhook:sms:+4912345', user: 'sms:+4912345', text: 'hi', receivedAt: … }, address: {…} }
 */
export function webhookToTurn(body: unknown, now: number): WebhookInbound {
  const error = (message: string): WebhookInbound => ({ kind: 'error', message });
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return error('body must be a JSON object');
  const b = body as Record<string, unknown>;
  const idRule = `at most ${MAX_ID} characters of [A-Za-z0-9_.:+@=-]`;
  if (!isId(b.id)) return error(`id must be the gateway's message id (${idRule})`);
  if (!isId(b.conversation)) return error(`conversation must be an id (${idRule})`);
  if (b.user !== undefined && !isId(b.user)) return error(`user must be an id (${idRule}) when given`);
  if (b.name !== undefined && (typeof b.name !== 'string' || b.name.length > 100)) {
    return error('name must be a string of at most 100 characters when given');
  }
  if (b.locale !== undefined && (typeof b.locale !== 'string' || !LOCALE.test(b.locale))) {
    return error('locale must be a BCP 47 tag (e.g. de-DE) when given');
  }
  const action = parseTurnAction(b.action);
  if (typeof action === 'string') return error(action);
  if (!action && typeof b.text !== 'string') return error('text must be a string (or give an action)');
  if (!action && !(b.text as string).trim()) return error('text must not be empty');
  const user = (b.user as string | undefined) ?? b.conversation;
  const name = typeof b.name === 'string' && b.name.trim() ? b.name.trim() : undefined;
  return {
    kind: 'turn',
    turn: {
      id: b.id,
      channel: 'webhook',
      conversation: `webhook:${b.conversation}`,
      user,
      text: action ? '' : (b.text as string),
      ...(typeof b.locale === 'string' ? { locale: b.locale } : {}),
      ...(action ? { action } : {}),
      receivedAt: now,
    },
    address: { conversation: b.conversation, user, ...(name ? { name } : {}) },
  };
}
