/**
 * The customer's Slack locale (`users.info` with `include_locale`), a language hint for the turn. Cached per user in an
 * LRU with a TTL, one request per user in flight, and bounded in time: a turn waits at most `waitMs` for it and goes on
 * without a hint when Slack is slow or refuses (the lookup still fills the cache for the next turn). Never throws.
 */
import { LRUCache } from 'lru-cache';
import type { Logger } from '../../log.ts';

/** The one call this needs (a `WebClient` has it). */
export interface UsersInfoClient {
  users: {
    info(args: { user: string; include_locale: boolean }): Promise<{ user?: { locale?: string } }>;
  };
}

export interface SlackLocalesOptions {
  client: UsersInfoClient;
  log: Logger;
  /** Users kept (default 10,000). */
  max?: number;
  /** How long a locale is trusted (default 1 h). */
  ttlMs?: number;
  /** How long a failed lookup is not retried (default 5 min; a rate limit's Retry-After when longer). */
  failureTtlMs?: number;
  /** Longest a turn waits for a lookup (default 1 s). */
  waitMs?: number;
}

/** A BCP 47 tag as Slack writes locales (`en-US`, `es-ES`, `zh-TW`). */
const LOCALE = /^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8}){0,3}$/;

interface Entry {
  locale?: string;
}

export class SlackLocales {
  private readonly cache: LRUCache<string, Entry>;
  private readonly pending = new Map<string, Promise<string | undefined>>();
  private readonly failureTtlMs: number;
  private readonly waitMs: number;

  constructor(private readonly options: SlackLocalesOptions) {
    this.cache = new LRUCache<string, Entry>({ max: options.max ?? 10_000, ttl: options.ttlMs ?? 3_600_000 });
    this.failureTtlMs = options.failureTtlMs ?? 300_000;
    this.waitMs = options.waitMs ?? 1000;
  }

  /** The locale of `user` in workspace `team`, or undefined (unknown, failed, or slower than the wait). */
  async lookup(team: string, user: string): Promise<string | undefined> {
    const key = `${team}:${user}`;
    const hit = this.cache.get(key);
    if (hit) return hit.locale;
    let pending = this.pending.get(key);
    if (!pending) {
      pending = this.fetch(key, user).finally(() => this.pending.delete(key));
      this.pending.set(key, pending);
    }
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), this.waitMs);
    });
    try {
      return await Promise.race([pending, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Users cached now (tests, metrics). */
  get size(): number {
    return this.cache.size;
  }

  private async fetch(key: string, user: string): Promise<string | undefined> {
    try {
      const r = await this.options.client.users.info({ user, include_locale: true });
      const locale = r.user?.locale;
      const entry: Entry = typeof locale === 'string' && LOCALE.test(locale) ? { locale } : {};
      this.cache.set(key, entry);
      return entry.locale;
    } catch (e) {
      const err = e as { code?: string; data?: { error?: string }; retryAfter?: number };
      const retryMs = typeof err.retryAfter === 'number' ? err.retryAfter * 1000 : 0;
      this.cache.set(key, {}, { ttl: Math.max(this.failureTtlMs, retryMs) });
      this.options.log.warn('slack_locale_failed', { user, code: err.data?.error ?? err.code ?? 'unknown' });
      return undefined;
    }
  }
}
