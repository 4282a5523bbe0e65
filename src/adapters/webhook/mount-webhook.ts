/**
 * The generic webhook channel, for gateways that speak plain HTTP (a WhatsApp Business or SMS provider, a custom
 * chat widget): the gateway POSTs each customer message to `POST /webhook/messages`, signed with
 * `SWITCHBOARD_WEBHOOK_SECRET` ({@link verify}); the request is checked (401 for a bad signature, 400 for a bad body,
 * 413 over 64 KB), acknowledged with 202, and the turn handled after; every reply goes back as a signed POST to
 * `SWITCHBOARD_WEBHOOK_URL` ({@link WebhookSender}). A retried message id is answered once. Logs carry ids and
 * sizes, never the text. docs/webhook.md.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError, readBody, sendJson } from '../../http/http-utils.ts';
import type { Turn } from '../../turn.ts';
import type { TurnOutcome } from '../../turn-handler.ts';
import type { Receipt } from '../../turn-intake.ts';
import type { ChannelContext, ChannelMount, ChannelPlugin } from '../channel-mount.ts';
import { turnLogFields } from '../turn-log-fields.ts';
import { readWebhookEnv } from './webhook-env.ts';
import { WebhookSender } from './webhook-sender.ts';
import { verify } from './webhook-signature.ts';
import { type WebhookAddress, webhookToTurn } from './webhook-to-turn.ts';

/** Where gateways post customer messages. */
export const WEBHOOK_PATH = '/webhook/messages';
/** Largest accepted body (bytes). */
const MAX_BODY = 64 * 1024;
/** How long close() waits for turns in progress. */
const CLOSE_WAIT_MS = 5_000;

/** Mounts the webhook channel, or returns undefined when `SWITCHBOARD_WEBHOOK_URL` is not set. */
export async function mountWebhook(context: ChannelContext): Promise<ChannelMount | undefined> {
  const { log } = context;
  const env = readWebhookEnv(context.env.vars);
  if (!env.url) {
    if (env.secret) log.warn('webhook_not_mounted', { missing: 'SWITCHBOARD_WEBHOOK_URL' });
    return undefined;
  }
  const secret = env.secret;
  if (!secret) log.warn('webhook_unsigned', { reason: 'SWITCHBOARD_WEBHOOK_UNSIGNED=1: requests are not verified' });
  const sender = new WebhookSender(env.url, secret);
  const inFlight = new Set<Promise<void>>();

  const refuse = (res: ServerResponse, status: number, error: string, message: string) => {
    log.warn('webhook_rejected', { status, code: error, reason: message });
    sendJson(res, status, { error, message });
  };

  const route = async (req: IncomingMessage, res: ServerResponse) => {
    let raw: Buffer;
    try {
      raw = await readBody(req, MAX_BODY);
    } catch (e) {
      const status = e instanceof HttpError ? e.status : 400;
      return refuse(res, status, status === 413 ? 'E_TOO_LARGE' : 'E_BAD_REQUEST', (e as Error).message);
    }
    if (secret) {
      const why = verify(secret, req.headers, raw);
      if (why) return refuse(res, 401, 'E_WEBHOOK_SIGNATURE', why);
    }
    let body: unknown;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      return refuse(res, 400, 'E_BAD_REQUEST', 'body is not valid JSON');
    }
    const inbound = webhookToTurn(body, Date.now());
    if (inbound.kind === 'error') return refuse(res, 400, 'E_BAD_REQUEST', inbound.message);
    // Recorded before the gateway hears 202 (a retry of the same id is a 200 duplicate); a failure to record is a 503.
    let receipt: Receipt;
    try {
      receipt = await context.receive(inbound.turn, inbound.address);
    } catch (e) {
      context.log.error('webhook_turn_not_recorded', { id: inbound.turn.id, message: (e as Error).message });
      return refuse(res, 503, 'E_NOT_RECORDED', 'the message could not be recorded; send it again');
    }
    if (receipt.status === 'duplicate') return sendJson(res, 200, { status: 'duplicate', id: inbound.turn.id });
    sendJson(res, 202, { status: 'accepted', id: inbound.turn.id });
    const work = finish(context, inbound.turn, receipt.outcome);
    inFlight.add(work);
    void work.finally(() => inFlight.delete(work));
  };

  return {
    routes: { [`POST ${WEBHOOK_PATH}`]: route },
    sender,
    summary: `webhook at POST ${WEBHOOK_PATH} → ${new URL(env.url).origin} (${secret ? 'HMAC-signed both ways' : 'UNSIGNED — local use only'})`,
    async close() {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.allSettled([...inFlight]),
        new Promise((resolve) => {
          timer = setTimeout(resolve, CLOSE_WAIT_MS);
        }),
      ]);
      clearTimeout(timer);
    },
  };
}

/** One recorded message's outcome, logged; a failure is logged, never thrown. */
async function finish(context: ChannelContext, turn: Turn, outcome: Promise<TurnOutcome>) {
  const started = Date.now();
  try {
    const result = await outcome;
    context.log.info('webhook_turn', turnLogFields(turn, result, started));
  } catch (e) {
    const err = e as { code?: string; kind?: string; message?: string };
    context.log.error('webhook_turn_failed', {
      id: turn.id,
      code: err.code,
      error_kind: err.kind,
      message: err.message,
    });
  }
}

declare module '../../turn.ts' {
  interface ChannelNames {
    webhook: true;
  }
}

/** The webhook channel for the registry. */
export const webhookChannel: ChannelPlugin = {
  name: 'webhook',
  readEnv: readWebhookEnv,
  mount: mountWebhook,
  /** The display name the gateway sent with the customer's messages. */
  customerName(address) {
    const name = (address as Partial<WebhookAddress> | undefined)?.name;
    return typeof name === 'string' && name ? name.slice(0, 100) : undefined;
  },
};
