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
export async function readJson(req: IncomingMessage, limit = MAX_BODY): Promise<unknown> {
  const raw = await readBody(req, limit);
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    throw new HttpError(400, 'body is not valid JSON');
  }
}
