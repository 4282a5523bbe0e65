/**
 * The Slack {@link ChannelSender}: `chat.postMessage` into the conversation's channel and thread, with the reply's Block
 * Kit buttons. The Web API client honours rate limits (HTTP 429 + Retry-After: the client pauses, then retries) and
 * retries transport failures a few times; what still fails becomes a {@link SwitchboardError}.
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

/** The message metadata event that carries a message's key (Slack keeps it with the message; `wasSent` reads it). */
const METADATA_EVENT = 'switchboard_message';

export class SlackSender implements ChannelSender {
  readonly channel = 'slack' as const;

  constructor(private readonly client: SlackChatClient) {}

  /** Posts the reply at `address` (a {@link SlackAddress}: channel and thread). */
  async send(address: unknown, message: OutgoingMessage): Promise<void> {
    const { channel, thread_ts } = toAddress(address);
    const { text, blocks } = replyToSlack(message);
    try {
      await this.client.chat.postMessage({
        channel,
        ...(thread_ts ? { thread_ts } : {}),
        text,
        blocks,
        unfurl_links: false,
        unfurl_media: false,
        metadata: { event_type: METADATA_EVENT, event_payload: { key: message.turn } },
      });
    } catch (e) {
      throw slackError('chat.postMessage', e);
    }
  }

  /**
   * Looks for the bot's message with this key (message metadata) in the conversation — the thread when the address
   * has one — since `sinceMs`: a message a crash may have sent is not sent twice.
   */
  async wasSent(address: unknown, message: OutgoingMessage, sinceMs: number): Promise<boolean> {
    const conversations = this.client.conversations;
    if (!conversations) return false;
    const { channel, thread_ts } = toAddress(address);
    const oldest = ((sinceMs - 60_000) / 1000).toFixed(6); // a minute of clock skew
    try {
      const page = (await (thread_ts
        ? conversations.replies({ channel, ts: thread_ts, oldest, include_all_metadata: true, limit: 200 })
        : conversations.history({ channel, oldest, include_all_metadata: true, limit: 200 }))) as {
        messages?: { metadata?: { event_type?: string; event_payload?: { key?: unknown } } }[];
      };
      return (page.messages ?? []).some(
        (m) => m.metadata?.event_type === METADATA_EVENT && m.metadata.event_payload?.key === message.turn,
      );
    } catch {
      return false; // not known: sent again (at least once)
    }
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
