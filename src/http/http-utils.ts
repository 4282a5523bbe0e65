/** Small HTTP helpers shared by the server's routes. */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Largest accepted JSON request body of the server's own APIs (bytes); channels have their own limits. */
export const MAX_BODY = 64 * 1024;

/** A route: handles one method + path. */
export type RouteHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void> | void;

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

/**
 * The credentials of an `Authorization: Bearer <token>` header; the scheme is case-insensitive (RFC 9110 §11.1), so
 * `bearer x` and `BEARER x` are the same. Undefined when there is no such header.
 *
 * @example bearerToken({ headers: { authorization: 'bearer abc' } } as IncomingMessage) // 'abc'
 */
export function bearerToken(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  if (typeof header !== 'string') return undefined;
  const m = /^bearer[ \t]+(\S.*)$/i.exec(header.trim());
  return m ? m[1].trim() : undefined;
}

/** A path segment percent-decoded; a malformed escape (`%E0%A4%A`) is a 400, not a crash. */
export function decodePathSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new HttpError(400, 'the path has a malformed percent-escape');
  }
}

/** An error with the HTTP status it maps to. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The raw body, at most `limit` bytes (413 beyond). */
export async function readBody(req: IncomingMessage, limit = MAX_BODY): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new HttpError(413, `body over ${limit} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** The body parsed as JSON (400 when it is not JSON, 413 when too large). */
export async function readJson(
  req: IncomingMessage,
  limit = MAX_BODY,
  opts: { allowEmpty?: boolean } = {},
): Promise<unknown> {
  const raw = await readBody(req, limit);
  // A body whose every field is optional may be left out (`curl -X POST` with no -d): that is `null`.
  if (opts.allowEmpty && raw.toString('utf8').trim() === '') return null;
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    throw new HttpError(400, 'body is not valid JSON');
  }
}
