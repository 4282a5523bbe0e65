/**
 * bolt's and the Web API client's log lines into the server's JSON log (`slack_sdk` events). Debug lines are dropped:
 * at that level bolt writes whole request bodies, and so customer text.
 */
import type { Logger as SlackLogger } from '@slack/bolt';
import { LogLevel } from '@slack/bolt';
import type { Logger } from '../../log.ts';

/** Longest message kept of one SDK line. */
const MAX_MESSAGE = 500;

/** A `@slack/logger` Logger writing to `log`. */
export function boltLogger(log: Logger): SlackLogger {
  let level = LogLevel.INFO;
  let name = 'slack';
  const line = (msg: unknown[]) => ({ sdk: name, message: describe(msg) });
  return {
    debug: () => {},
    info: (...msg: unknown[]) => log.info('slack_sdk', line(msg)),
    warn: (...msg: unknown[]) => log.warn('slack_sdk', line(msg)),
    error: (...msg: unknown[]) => log.error('slack_sdk', line(msg)),
    setLevel: (l: LogLevel) => {
      level = l;
    },
    getLevel: () => level,
    setName: (n: string) => {
      name = n;
    },
  };
}

/** Strings and error messages only: an object handed to the logger might be a request body. */
function describe(msg: readonly unknown[]): string {
  const parts = msg.map((m) => {
    if (typeof m === 'string') return m;
    if (m instanceof Error) return `${m.name}: ${m.message}`;
    if (typeof m === 'number' || typeof m === 'boolean') return String(m);
    return `[${typeof m}]`;
  });
  const s = parts.join(' ');
  return s.length > MAX_MESSAGE ? `${s.slice(0, MAX_MESSAGE)}…` : s;
}
