/**
 * The webhook channel's sender: each message of the bot (or of an agent, relayed by the handoff) is one signed
 * `POST` of JSON to `SWITCHBOARD_WEBHOOK_URL`: `{conversation, user, text, language, turn, quick_replies?, handoff?,
 * feedback?, offer_human?}`. A gateway that answers non-2xx fails the send (`E_WEBHOOK_SEND`, remote), as does one
 * that cannot be reached in time (`E_WEBHOOK_TRANSPORT`); the handoff outbox delivers agent lines again later.
 */
import type { ChannelSender, OutgoingMessage } from '../../channel-sender.ts';
import { SwitchboardError } from '../../errors.ts';
import { signatureHeaders } from './webhook-signature.ts';
import type { WebhookAddress } from './webhook-to-turn.ts';

/** How long one POST may take. */
const TIMEOUT_MS = 10_000;

/** What the gateway receives. */
export interface WebhookMessage {
  conversation: string;
  user: string;
  text: string;
  language: string;
  /** The turn this replies to: what a feedback action names. */
  turn: string;
  quick_replies?: { intent: string; label: string }[];
  handoff?: true;
  /** Offer 👍/👎 (send them back as `{kind: feedback, rating, turn}`). */
  feedback?: true;
  /** Offer "Talk to a person" (send back `{kind: human}`). */
  offer_human?: true;
}

export class WebhookSender implements ChannelSender {
  readonly channel = 'webhook' as const;

  /** `secret`: signs every request (undefined only when the channel runs unsigned). */
  constructor(
    private readonly url: string,
    private readonly secret: string | undefined,
  ) {}

  async send(address: unknown, message: OutgoingMessage): Promise<void> {
    const to = address as WebhookAddress;
    const { reply } = message;
    const body: WebhookMessage = {
      conversation: to.conversation,
      user: to.user,
      text: reply.text,
      language: reply.language,
      turn: message.turn,
      ...(reply.quick_replies ? { quick_replies: reply.quick_replies } : {}),
      ...(reply.handoff ? { handoff: true as const } : {}),
      ...(message.feedback ? { feedback: true as const } : {}),
      ...(message.offerHuman ? { offer_human: true as const } : {}),
    };
    const json = JSON.stringify(body);
    let response: Response;
    try {
      response = await fetch(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(this.secret ? signatureHeaders(this.secret, json) : {}) },
        body: json,
        // Replies go to the configured URL only: a redirect from the gateway is an error, never followed.
        redirect: 'error',
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (e) {
      throw new SwitchboardError('E_WEBHOOK_TRANSPORT', 'transport', `webhook POST failed: ${(e as Error).message}`, {
        cause: e,
      });
    }
    await response.body?.cancel();
    if (!response.ok) {
      throw new SwitchboardError('E_WEBHOOK_SEND', 'remote', `the gateway answered ${response.status}`);
    }
  }
}
