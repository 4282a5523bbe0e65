/**
 * What `POST /slack/events` checks before bolt reads a request: a timestamp from the future (bolt refuses only stale
 * ones; Slack's rule is |now − timestamp| ≤ 5 min) → 401; a declared body over the limit → 413 after reading it to its
 * end unparsed (its rest must not be taken for the next request on a kept-alive connection), cut off when far larger.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { RouteHandler } from '../../http/http-utils.ts';
import type { Logger } from '../../log.ts';

export interface SlackRequestLimits {
  /** Largest body handed to bolt (bytes). */
  maxBody: number;
  /** Largest timestamp skew accepted (seconds). */
  maxSkewS: number;
}

/** Wraps bolt's request listener with the checks above. */
export function guardSlackRequests(listener: RequestListener, limits: SlackRequestLimits, log: Logger): RouteHandler {
  const maxDrain = 16 * limits.maxBody;
  return (req: IncomingMessage, res: ServerResponse) => {
    const ts = Number(req.headers['x-slack-request-timestamp']);
    if (Number.isFinite(ts) && ts - Date.now() / 1000 > limits.maxSkewS) {
      log.warn('slack_rejected', { reason: 'timestamp_in_future' });
      req.resume();
      res.writeHead(401).end();
      return;
    }
    const length = Number(req.headers['content-length']);
    if (length > limits.maxBody) {
      log.warn('slack_rejected', { reason: 'body_too_large', bytes: length });
      let seen = 0;
      req.on('data', (chunk: Buffer) => {
        seen += chunk.length;
        if (seen > maxDrain) req.socket.destroy();
      });
      req.once('end', () => res.writeHead(413).end());
      return;
    }
    // bolt's own 413 (a chunked body over the limit) leaves the rest unread: close that connection.
    res.once('finish', () => {
      if (res.statusCode === 413 && !req.complete) req.socket.destroy();
    });
    listener(req, res);
  };
}
