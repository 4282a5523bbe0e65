/**
 * `POST /api/nlu/parse {text, conversation?, language?, hints?, wait_entities?}` → `{understanding, decision, reply}`:
 * one turn through the bot without a channel (the playground, scripts). With a `conversation` id the turn continues
 * that conversation (sticky language, clarify attempts) — a parse conversation, kept apart from every channel's;
 * `language` is a language hint, `hints` may add `locale` and `default`; rule entities that miss the config's budget
 * are `pending` unless `wait_entities` is true.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Bot } from '../bot.ts';
import { readJson, sendJson } from '../http/http-utils.ts';
import type { LanguageHints } from '../nlu/language/language-detection.ts';
import { type ConversationStore, MAX_CONVERSATION_ID } from '../store/conversation-store.ts';

/** Language hints from a parse request, or an error message. */
export function parseHints(language: unknown, hints: unknown): LanguageHints | string {
  const out: LanguageHints = {};
  if (language !== undefined) {
    if (typeof language !== 'string') return 'language must be a string (ISO 639-1 or BCP 47)';
    out.previous = language;
  }
  if (hints === undefined) return out;
  if (typeof hints !== 'object' || hints === null || Array.isArray(hints)) return 'hints must be an object';
  for (const key of ['previous', 'locale', 'default', 'browser'] as const) {
    const v = (hints as Record<string, unknown>)[key];
    if (v === undefined) continue;
    if (typeof v !== 'string') return `hints.${key} must be a string`;
    out[key] = v;
  }
  return out;
}

/**
 * Where a parse request's conversation is kept: under `parse:`, a namespace no channel uses, so a parse request can
 * neither read nor overwrite a customer's conversation (`web:…`, `slack:T…:D…`).
 *
 * @example parseConversationKey('web:abc') // 'parse:web:abc'
 */
export function parseConversationKey(id: string): string {
  return `parse:${id}`;
}

export async function handleParse(
  req: IncomingMessage,
  res: ServerResponse,
  o: { bot: Bot; store: ConversationStore },
): Promise<void> {
  const body = (await readJson(req)) as {
    text?: unknown;
    language?: unknown;
    hints?: unknown;
    conversation?: unknown;
    wait_entities?: unknown;
  };
  const bad = (message: string) => sendJson(res, 400, { error: 'E_BAD_REQUEST', message });
  if (typeof body?.text !== 'string') return bad('text must be a string');
  if (body.text.trim() === '') return bad('text is empty: there is nothing to understand');
  const hints = parseHints(body.language, body.hints);
  if (typeof hints === 'string') return bad(hints);
  const id = body.conversation;
  if (id !== undefined && (typeof id !== 'string' || id === '' || id.length > MAX_CONVERSATION_ID))
    return bad(`conversation must be a non-empty string of at most ${MAX_CONVERSATION_ID} characters`);
  // Parse conversations live in their own namespace: `web:…` or `slack:…` here is not that channel's conversation.
  const key = typeof id === 'string' ? parseConversationKey(id) : undefined;
  const state = key ? await o.store.get(key) : undefined;
  const turn = await o.bot.respond(body.text, hints, state);
  if (key) await o.store.set(key, turn.state);
  const { decision, reply } = turn;
  // The playground asks for every entity (`wait_entities`); a chat turn answers within the entity budget.
  const understanding = (body.wait_entities === true && (await turn.late)) || turn.understanding;
  sendJson(res, 200, { understanding, decision, reply });
}
