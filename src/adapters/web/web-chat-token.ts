/**
 * The web chat's credential: an unguessable token the server issues when a conversation starts
 * (`POST /api/chat/conversations`), which the page sends to read its stream and to post. The server keeps no copy:
 * the conversation id is a hash of the token, so the id — what logs, the turn log, tickets and agents see — does not
 * open the conversation, and the token works on any instance and across restarts without being stored.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { bearerToken } from '../../http/http-utils.ts';

/** A token: 32 random bytes, base64url (43 characters). */
const TOKEN = /^[A-Za-z0-9_-]{43}$/;

/** A new token (256 random bits). */
export function newChatToken(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * The conversation a token opens: the first 24 base64url characters (144 bits) of its SHA-256. One-way: knowing the id
 * gives no token.
 *
 * @example conversationOfToken(newChatToken()) // e.g. 'dQw4w9WgXcQ-3fZr8k1m2n4p'
 */
export function conversationOfToken(token: string): string {
  return createHash('sha256').update(`switchboard web chat\n${token}`).digest('base64url').slice(0, 24);
}

/**
 * The conversation of the request's token — `Authorization: Bearer <token>` (any case), else `given` (the `token`
 * query parameter of the event stream, which EventSource cannot send as a header, or the `token` field of a posted
 * message); undefined when there is none or it is not a token's shape.
 */
export function conversationOfRequest(req: IncomingMessage, given: unknown): string | undefined {
  const token = bearerToken(req) ?? given;
  return typeof token === 'string' && TOKEN.test(token) ? conversationOfToken(token) : undefined;
}

/**
 * What agents see for a web chat customer: "Visitor" and four hex digits of a hash of the conversation id (never the
 * token, never the raw id).
 *
 * @example visitorName('dQw4w9WgXcQ-3fZr8k1m2n4p') // e.g. 'Visitor 3F2A'
 */
export function visitorName(conversation: string): string {
  const tag = createHash('sha256').update(`switchboard visitor\n${conversation}`).digest('hex').slice(0, 4);
  return `Visitor ${tag.toUpperCase()}`;
}
