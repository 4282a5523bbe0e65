/**
 * The Slack {@link ChannelSender}: `chat.postMessage` into the conversation's channel and thread, with the reply's Block
 * Kit buttons. The Web API client honours rate limits (HTTP 429 + Retry-After: the client pauses, then retries) and
 * retries failures where Slack cannot have posted the message (the connection was never made). A failure after the
 * request went out (no answer within the timeout, a connection cut mid-request, an HTTP 5xx) may hide a message Slack
 * did post — chat.postMessage has no idempotency key — so it is not retried blindly ({@link REPLY_RETRIES}): the
 * sender first looks for the message's key in the conversation ({@link SlackSender.wasSent}) and posts again only when
 * it is not there. What still fails becomes a {@link SwitchboardError}.
 */
import type { webApi } from '@slack/bolt';
import type { ChannelSender, OutgoingMessage } from '../../channel-sender.ts';
import { SwitchboardError } from '../../errors.ts';
import { replyToSlack } from './reply-to-slack.ts';
import type { SlackAddress, SlackMessageUpdate } from './slack-to-turn.ts';

/** The calls this needs (a `WebClient` has them). */
export interface SlackChatClient {
  chat: {
    postMessage(args: webApi.ChatPostMessageArguments): Promise<unknown>;
    update(args: webApi.ChatUpdateArguments): Promise<unknown>;
  };
  conversations?: {
    history(args: webApi.ConversationsHistoryArguments): Promise<unknown>;
    replies(args: webApi.ConversationsRepliesArguments): Promise<unknown>;
  };
}

/**
 * The Web API client's retries for messages: rate limits and failures before the request reached Slack, a few times
 * over about a minute; a failure that may hide a posted message ({@link mayHaveBeenSent}) stops the client's retries
 * and goes back to {@link SlackSender.send}, which asks Slack before posting again.
 */
export const REPLY_RETRIES = {
  retries: 6,
  factor: 2,
  minTimeout: 250,
  maxTimeout: 20_000,
  randomize: true,
  onFailedAttempt: (e: Error) => {
    if (mayHaveBeenSent(e)) throw e;
  },
};

/** How often {@link SlackSender.send} posts a message whose earlier attempts may or may not have reached Slack. */
const UNCERTAIN_ATTEMPTS = 4;
/**
 * How long Slack is asked (again and again, while it does not answer) whether an uncertain attempt posted the message,
 * before it is posted again all the same (at least once: a Slack that answers nothing for this long most likely did
 * not take the message either).
 */
const UNCERTAIN_LOOKUP_MS = 120_000;
/**
 * How many lookups must answer "not there" before a message is posted again: Slack (like its overloaded fake) can
 * carry out a request it received before a lookup after answering the lookup. Five, at pauses of 1, 2, 4, 8 and 15 s:
 * half a minute. Three (7 s) were not enough for the fake at three times the rate this machine carries: 40 replies
 * of 60,000 were posted twice, the first attempt arriving up to 5 s after the third "not there".
 */
const NOT_THERE_ANSWERS = 5;
/** The first pause before asking Slack whether an uncertain attempt posted the message; doubled up to 15 s. */
const UNCERTAIN_PAUSE_MS = 1000;
const MAX_PAUSE_MS = 15_000;

/** Connection errors raised before a request was sent: Slack cannot have seen it. */
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT', 'EHOSTUNREACH']);

/**
 * True when a Web API failure may hide a call Slack carried out: the request went out but no answer came back (a
 * timeout, a connection cut mid-request) or the answer was an HTTP error (5xx). False for a rate limit (Slack refused
 * the call) and for a connection that was never made.
 */
export function mayHaveBeenSent(e: unknown): boolean {
  const err = e as { code?: string; original?: unknown };
  if (err?.code === 'slack_webapi_http_error') return true;
  if (err?.code !== 'slack_webapi_request_error') return false;
  const original = err.original as { message?: string; code?: string; cause?: { code?: string } } | undefined;
  // The client reports a 429 it waited out as a request error with this message: Slack did not carry it out.
  if (/^A rate limit was exceeded/.test(original?.message ?? '')) return false;
  const code = original?.cause?.code ?? original?.code;
  return !(code && NOT_SENT.has(code));
}

/** The message metadata event that carries a message's key (Slack keeps it with the message; `wasSent` reads it). */
const METADATA_EVENT = 'switchboard_message';

/**
 * `chat.postMessage` of a message carrying a key (message metadata), never blindly repeated: when an attempt fails in a
 * way that may hide a posted message ({@link mayHaveBeenSent}), Slack is asked for the key before the next attempt,
 * and the message is posted again only when Slack answered "not there" several times, seconds apart — a post Slack is
 * still working on can show up after a lookup — or cannot be asked or answered no lookup for `lookupMs` (then at least
 * once, reported through `onUncertain`). The client must not retry such failures itself ({@link REPLY_RETRIES}).
 * Customer replies ({@link SlackSender}) and the agents' channel's cards, notes and transcript lines post through it.
 */
export class KeyedPoster {
  /**
   * `pauseMs`, `lookupMs`: the first pause before asking Slack about an uncertain attempt, and how long to keep asking
   * (tests shorten them); `onUncertain`: called with the message's key when it is posted again without an answer.
   */
  constructor(
    private readonly client: SlackChatClient,
    private readonly pauseMs = UNCERTAIN_PAUSE_MS,
    private readonly lookupMs = UNCERTAIN_LOOKUP_MS,
    private readonly onUncertain?: (key: string) => void,
  ) {}

  /**
   * Posts `args` with `key` in its metadata; the posted message's ts (or the ts of the earlier attempt's message a
   * lookup found). Failures become {@link SwitchboardError}s.
   */
  async post(args: webApi.ChatPostMessageArguments, key: string): Promise<string | undefined> {
    const since = Date.now();
    const at = { channel: args.channel, ...(args.thread_ts ? { thread_ts: args.thread_ts } : {}) } as SlackAddress;
    for (let attempt = 1; ; attempt++) {
      try {
        const r = (await this.client.chat.postMessage({
          ...args,
          metadata: { event_type: METADATA_EVENT, event_payload: { key } },
        } as webApi.ChatPostMessageArguments)) as { ts?: string } | undefined;
        return r?.ts;
      } catch (e) {
        if (!mayHaveBeenSent(e) || attempt >= UNCERTAIN_ATTEMPTS) throw slackError('chat.postMessage', e);
        const found = await this.confirmedSent(at, key, since);
        if (found) return found.ts;
      }
    }
  }

  /**
   * Looks for the bot's message with this key (message metadata) at the address — the thread when it has one — since
   * `sinceMs`. Undefined when Slack could not be asked or does not have it.
   */
  async find(address: SlackAddress, key: string, sinceMs: number): Promise<{ ts?: string } | undefined> {
    return (await this.lookup(address, key, sinceMs)) || undefined;
  }

  /**
   * After an attempt that may have gone through: the message once a lookup finds it; undefined after
   * {@link NOT_THERE_ANSWERS} lookups, pauses apart, did not (or when Slack cannot be asked or does not answer for
   * `lookupMs`: then `onUncertain` is told).
   */
  private async confirmedSent(at: SlackAddress, key: string, since: number): Promise<{ ts?: string } | undefined> {
    const until = Date.now() + this.lookupMs;
    let notThere = 0;
    let pause = this.pauseMs;
    while (this.client.conversations && notThere < NOT_THERE_ANSWERS && Date.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, pause));
      pause = Math.min(2 * pause, MAX_PAUSE_MS);
      const found = await this.lookup(at, key, since);
      if (found) return found;
      if (found === false) notThere++;
    }
    if (notThere < NOT_THERE_ANSWERS) this.onUncertain?.(key);
    return undefined;
  }

  /** The lookup: the message, false when Slack says it is not there, undefined when Slack could not be asked. */
  private async lookup(at: SlackAddress, key: string, sinceMs: number): Promise<{ ts?: string } | false | undefined> {
    const conversations = this.client.conversations;
    if (!conversations) return undefined;
    const { channel, thread_ts } = at;
    const oldest = ((sinceMs - 60_000) / 1000).toFixed(6); // a minute of clock skew
    try {
      const page = (await (thread_ts
        ? conversations.replies({ channel, ts: thread_ts, oldest, include_all_metadata: true, limit: 200 })
        : conversations.history({ channel, oldest, include_all_metadata: true, limit: 200 }))) as {
        messages?: { ts?: string; metadata?: { event_type?: string; event_payload?: { key?: unknown } } }[];
      };
      const m = (page.messages ?? []).find(
        (m) => m.metadata?.event_type === METADATA_EVENT && m.metadata.event_payload?.key === key,
      );
      return m ? { ts: m.ts } : false;
    } catch {
      return undefined;
    }
  }
}

export class SlackSender implements ChannelSender {
  readonly channel = 'slack' as const;
  /** Posts without blind repeats; the agents' channel posts through the same one. */
  readonly poster: KeyedPoster;

  /** As {@link KeyedPoster}'s constructor. */
  constructor(
    private readonly client: SlackChatClient,
    pauseMs = UNCERTAIN_PAUSE_MS,
    lookupMs = UNCERTAIN_LOOKUP_MS,
    onUncertain?: (key: string) => void,
  ) {
    this.poster = new KeyedPoster(client, pauseMs, lookupMs, onUncertain);
  }

  /**
   * Posts the reply at `address` (a {@link SlackAddress}: channel and thread), keyed by its turn: a slow answer from
   * Slack does not post the reply twice ({@link KeyedPoster}).
   */
  async send(address: unknown, message: OutgoingMessage): Promise<void> {
    const { channel, thread_ts } = toAddress(address);
    const { text, blocks } = replyToSlack(message);
    await this.poster.post(
      { channel, ...(thread_ts ? { thread_ts } : {}), text, blocks, unfurl_links: false, unfurl_media: false },
      message.turn,
    );
  }

  /**
   * Looks for the bot's message with this key (message metadata) in the conversation — the thread when the address
   * has one — since `sinceMs`: a message a crash may have sent is not sent twice.
   */
  async wasSent(address: unknown, message: OutgoingMessage, sinceMs: number): Promise<boolean> {
    return (await this.poster.find(toAddress(address), message.turn, sinceMs)) !== undefined; // not known: sent again
  }

  /** Replaces a message's blocks (the buttons a customer pressed become a note). */
  async update(update: SlackMessageUpdate): Promise<void> {
    try {
      await this.client.chat.update({
        channel: update.channel,
        ts: update.ts,
        text: update.text,
        blocks: update.blocks,
      });
    } catch (e) {
      throw slackError('chat.update', e);
    }
  }
}

/** A stored address back as a {@link SlackAddress}; an address of another shape is our bug. */
function toAddress(address: unknown): SlackAddress {
  const a = address as Partial<SlackAddress> | null;
  if (typeof a?.channel !== 'string' || (a.thread_ts !== undefined && typeof a.thread_ts !== 'string')) {
    throw new SwitchboardError('E_SLACK_ADDRESS', 'internal', 'not a Slack address: needs channel and thread_ts');
  }
  return { channel: a.channel, ...(a.thread_ts ? { thread_ts: a.thread_ts } : {}) };
}

/**
 * A Web API failure as a SwitchboardError: Slack refused (`ok: false`, an HTTP error, a rate limit we may not wait
 * for) → `remote` with Slack's error code in the message; the request never got an answer → `transport`.
 */
export function slackError(method: string, e: unknown): SwitchboardError {
  const err = e as { code?: string; data?: { error?: string }; statusCode?: number; message?: string };
  if (err.code === 'slack_webapi_platform_error') {
    return new SwitchboardError('E_SLACK_API', 'remote', `${method}: ${err.data?.error ?? 'error'}`, { cause: e });
  }
  if (err.code === 'slack_webapi_http_error' || err.code === 'slack_webapi_rate_limited_error') {
    const what = err.statusCode ? `HTTP ${err.statusCode}` : 'rate limited';
    return new SwitchboardError('E_SLACK_API', 'remote', `${method}: ${what}`, { cause: e });
  }
  return new SwitchboardError('E_SLACK_TRANSPORT', 'transport', `${method}: ${err.message ?? String(e)}`, {
    cause: e,
  });
}
