/**
 * The web chat as a channel (the demo page at `/`): the page starts a conversation with
 * `POST /api/chat/conversations` → `{token, conversation, bot: {name, languages, default_language}}` (the bot as the
 * page shows it, also at `GET /api/chat/bot`), posts messages to
 * `POST /api/chat/messages {token, id?, text?, action?}` and receives everything the bot and agents say to it over
 * `GET /api/chat/events?token=…[&after=N]` (server-sent events); a reloaded page reads the conversation so far with
 * `GET /api/chat/history?token=…` (the customer's own lines are kept next to the replies for it). The token is the
 * customer's credential (web-chat-token.ts), kept by the page across reloads; the
 * conversation id is a hash of it and opens nothing. Event streams are limited per client and in total (429). What
 * the bot and agents say goes into the durable event feed, so a message sent while the page is away waits for it, and
 * reaches it on whichever instance its stream is.
 */
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { ChannelSender, OutgoingMessage } from '../../channel-sender.ts';
import { SwitchboardError } from '../../errors.ts';
import { readJson, sendJson } from '../../http/http-utils.ts';
import type { Logger } from '../../log.ts';
import { MAX_CONVERSATION_ID } from '../../store/conversation-store.ts';
import { ALL_STREAMS, type EventFeed } from '../../store/event-feed.ts';
import type { Turn } from '../../turn.ts';
import type { ChannelContext, ChannelMount, ChannelPlugin } from '../channel-mount.ts';
import { parseTurnAction } from '../turn-action.ts';
import { clientOf, StreamLimits } from './stream-limits.ts';
import { conversationOfRequest, conversationOfToken, newChatToken, visitorName } from './web-chat-token.ts';
import { readWebEnv } from './web-env.ts';

/** The address of a web chat conversation: its id (the hash of the page's token, not the token). */
export interface WebAddress {
  conversation: string;
}

/** What the page receives for one message. */
export interface WebChatEvent {
  /** The line as a plain-text channel shows it (an agent's: `<name>: <words>`). */
  text: string;
  /** Who wrote it: the bot (its answers and notices) or an agent. */
  from: 'bot' | 'agent';
  /** An agent's line: the agent's display name, and their words without the name. */
  agent_name?: string;
  agent_text?: string;
  language: string;
  handoff?: boolean;
  quick_replies?: { intent: string; label: string }[];
  /** The turn this answers (for 👍/👎) when feedback is offered. */
  feedback_turn?: string;
  offer_human?: boolean;
}

/**
 * What the customer said, as the page's history shows it after a reload (kept in the conversation's stream next to
 * the replies; `message` is the page's message id, so the page that sent it shows it once).
 */
export interface WebChatEcho {
  from: 'customer';
  message: string;
  text: string;
}

/** Events per history request (the page asks again with `after` while `more`). */
const HISTORY_LIMIT = 500;

/** The longest label a button echo may carry into the history. */
const MAX_LABEL = 200;

/** A connected page: its response stream and the id of the last event it was sent. */
interface Page {
  res: ServerResponse;
  lastId: number;
}

/** The feed stream of a conversation's events. */
const streamOf = (conversation: string) => `web:${conversation}`;

/**
 * Sends to customers' pages through the durable {@link EventFeed}: `send` appends the event to the conversation's
 * stream (so it never fails because the page is away: the event waits), and every instance pushes new events of the
 * streams its connected pages follow. A page that lost its stream reconnects with `Last-Event-ID` — EventSource does
 * so by itself, to whichever instance the load balancer picks — and gets everything after it.
 */
export class WebChatSender implements ChannelSender {
  readonly channel = 'web' as const;
  private readonly pages = new Map<string, Set<Page>>();
  /** Conversations being pushed now, and those to push again when that is done. */
  private readonly pushing = new Map<string, boolean>();
  private readonly unsubscribe: () => void;

  constructor(
    private readonly feed: EventFeed,
    private readonly log: Logger,
  ) {
    this.unsubscribe = feed.subscribe((stream) => {
      if (stream === ALL_STREAMS) for (const c of this.pages.keys()) this.push(c);
      else if (stream.startsWith('web:')) {
        const conversation = stream.slice(4);
        if (this.pages.has(conversation)) this.push(conversation);
      }
    });
  }

  /** Turns `res` into the conversation's event stream: what came after `lastEventId` (else only what comes next). */
  async attach(conversation: string, res: ServerResponse, lastEventId?: number): Promise<void> {
    const lastId = lastEventId ?? (await this.feed.last(streamOf(conversation)));
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
    // An id-only event: the page's EventSource takes it as its last event id, so a page that has seen nothing yet
    // still reconnects from here (and gets what was sent while it was away).
    res.write(`: connected\nid: ${lastId}\n\n`);
    const page: Page = { res, lastId };
    let set = this.pages.get(conversation);
    if (!set) this.pages.set(conversation, (set = new Set()));
    set.add(page);
    res.on('close', () => {
      set.delete(page);
      if (set.size === 0 && this.pages.get(conversation) === set) this.pages.delete(conversation);
    });
    if (lastEventId !== undefined) this.push(conversation);
  }

  async send(address: unknown, message: OutgoingMessage): Promise<void> {
    const conversation = (address as WebAddress | undefined)?.conversation;
    if (typeof conversation !== 'string' || !conversation)
      throw new SwitchboardError('E_NOT_CONNECTED', 'remote', 'no web chat conversation to send to');
    const event: WebChatEvent = {
      text: message.reply.text,
      from: message.agent ? 'agent' : 'bot',
      ...(message.agent ? { agent_name: message.agent.name, agent_text: message.agent.text } : {}),
      language: message.reply.language,
      ...(message.reply.handoff ? { handoff: true } : {}),
      ...(message.reply.quick_replies ? { quick_replies: message.reply.quick_replies } : {}),
      ...(message.feedback ? { feedback_turn: message.turn } : {}),
      ...(message.offerHuman ? { offer_human: true } : {}),
    };
    // Once per message: a turn handled again after a database fault does not show its reply twice.
    await this.feed.append(streamOf(conversation), JSON.stringify(event), message.turn);
  }

  /** Writes the conversation's new events to each of its pages (one read for all of them; repeats coalesce). */
  private push(conversation: string): void {
    if (this.pushing.has(conversation)) {
      this.pushing.set(conversation, true);
      return;
    }
    this.pushing.set(conversation, false);
    void (async () => {
      try {
        do {
          this.pushing.set(conversation, false);
          const pages = [...(this.pages.get(conversation) ?? [])];
          if (pages.length === 0) break;
          const from = Math.min(...pages.map((p) => p.lastId));
          for (;;) {
            const events = await this.feed.since(streamOf(conversation), from, 100);
            for (const p of pages)
              for (const e of events)
                if (e.id > p.lastId) {
                  p.res.write(`id: ${e.id}\ndata: ${e.data}\n\n`);
                  p.lastId = e.id;
                }
            if (events.length < 100) break;
          }
        } while (this.pushing.get(conversation));
      } catch (e) {
        // The database is away: the pages get the events on the next notification or when they reconnect.
        this.log.warn('web_push_failed', { message: (e as Error).message });
      } finally {
        this.pushing.delete(conversation);
      }
    })();
  }

  close(): void {
    this.unsubscribe();
    for (const set of this.pages.values()) for (const p of set) p.res.end();
    this.pages.clear();
  }
}

const validId = (v: unknown): v is string =>
  typeof v === 'string' && v.length > 0 && v.length <= MAX_CONVERSATION_ID && /^[\w.:-]+$/.test(v);

/** The answer to a request without a valid token (the conversation id alone no longer opens a conversation). */
function noToken(res: ServerResponse): void {
  sendJson(res, 401, {
    error: 'E_CHAT_TOKEN',
    message: 'a web chat token is required (start a conversation with POST /api/chat/conversations)',
  });
}

/** Mounts the web chat channel (always on: it needs no configuration). */
export async function mountWebChat(context: ChannelContext): Promise<ChannelMount> {
  const env = readWebEnv(context.env.vars);
  const sender = new WebChatSender(context.events, context.log);
  const limits = new StreamLimits(env.streamsPerClient, env.streamsMax);
  // What the page shows of the bot (its header): the config's `name`, its languages. Public: no customer data.
  const bot = {
    name: context.config?.name ?? 'switchboard',
    languages: context.config?.languages ?? [],
    default_language: context.config?.default_language,
  };
  return {
    sender,
    summary: `web chat at / (GET /api/chat/bot, POST /api/chat/conversations, POST /api/chat/messages, GET /api/chat/events, GET /api/chat/history; at most ${env.streamsPerClient} streams per client, ${env.streamsMax} in all)`,
    routes: {
      'GET /api/chat/bot': (_req, res) => sendJson(res, 200, bot),
      'POST /api/chat/conversations': (_req, res) => {
        const token = newChatToken();
        sendJson(res, 201, { token, conversation: conversationOfToken(token), bot });
      },
      'GET /api/chat/events': async (req, res) => {
        const conversation = conversationOfRequest(req, new URL(req.url ?? '/', 'http://x').searchParams.get('token'));
        if (!conversation) return noToken(res);
        const client = clientOf(req, env.trustedProxies);
        const release = limits.take(client);
        if (typeof release === 'string') {
          context.log.warn('web_stream_refused', {
            limit: release,
            open: limits.open(),
            client_open: limits.open(client),
          });
          return sendJson(res, 429, {
            error: 'E_TOO_MANY_STREAMS',
            message:
              release === 'client'
                ? `at most ${limits.maxPerClient} open web chat streams per client`
                : `at most ${limits.maxTotal} open web chat streams`,
          });
        }
        res.on('close', release);
        // EventSource's own reconnection sends Last-Event-ID; a page (re)loaded with its kept token asks for its
        // history with `after=0` (the feed keeps a day of it).
        const header = Number(req.headers['last-event-id']);
        const query = new URL(req.url ?? '/', 'http://x').searchParams.get('after');
        const after = query === null || query === '' ? Number.NaN : Number(query);
        const last = Number.isInteger(header) && header >= 0 ? header : after;
        await sender.attach(conversation, res, Number.isInteger(last) && last >= 0 ? last : undefined);
      },
      // The conversation so far, for a page that was reloaded or opened in another tab (the feed keeps a day of it).
      'GET /api/chat/history': async (req, res) => {
        const url = new URL(req.url ?? '/', 'http://x');
        const conversation = conversationOfRequest(req, url.searchParams.get('token'));
        if (!conversation) return noToken(res);
        const after = Number(url.searchParams.get('after') ?? 0);
        if (!Number.isSafeInteger(after) || after < 0)
          return sendJson(res, 400, {
            error: 'E_BAD_REQUEST',
            message: 'after must be an event id (a whole number ≥ 0)',
          });
        const events = await context.events.since(streamOf(conversation), after, HISTORY_LIMIT);
        sendJson(res, 200, {
          events: events.map((e) => ({ ...(JSON.parse(e.data) as object), id: e.id })),
          more: events.length === HISTORY_LIMIT,
        });
      },
      'POST /api/chat/messages': async (req, res) => {
        const body = (await readJson(req)) as Record<string, unknown> | null;
        const conversation = conversationOfRequest(req, body?.token);
        if (!conversation) return noToken(res);
        const action = parseTurnAction(body?.action);
        if (typeof action === 'string') return sendJson(res, 400, { error: 'E_BAD_REQUEST', message: action });
        if (!action && typeof body?.text !== 'string')
          return sendJson(res, 400, { error: 'E_BAD_REQUEST', message: 'text must be a string (or give an action)' });
        // Nothing to understand: no turn (it would open a ticket with no question, or relay a blank line to an agent).
        if (!action && typeof body?.text === 'string' && body.text.trim() === '')
          return sendJson(res, 400, { error: 'E_BAD_REQUEST', message: 'text is empty: there is nothing to send' });
        const id = body?.id === undefined ? randomUUID() : body.id;
        if (!validId(id)) return sendJson(res, 400, { error: 'E_BAD_REQUEST', message: 'id must be an id' });
        const label = body?.label;
        if (label !== undefined && (typeof label !== 'string' || label.length > MAX_LABEL))
          return sendJson(res, 400, {
            error: 'E_BAD_REQUEST',
            message: `label must be a string of at most ${MAX_LABEL} characters`,
          });
        const locale = body?.locale;
        // The customer's line goes into the conversation's history first (once per id), so a reloaded page shows it
        // before its answer. A history that cannot be written loses only that line of history, never the turn.
        const said = action ? label : (body?.text as string);
        if (typeof said === 'string' && said.trim() !== '') {
          const echo: WebChatEcho = { from: 'customer', message: id, text: said };
          await context.events
            .append(streamOf(conversation), JSON.stringify(echo), `customer:${id}`)
            .catch((e) => context.log.warn('web_history_failed', { message: (e as Error).message }));
        }
        const turn: Turn = {
          id,
          channel: 'web',
          conversation: `web:${conversation}`,
          user: visitorName(conversation), // the ticket's customer, as agents see it (never the token)
          text: action ? '' : (body?.text as string),
          // The browser's language says what the device is set to, not what the customer types: a tie-breaker.
          ...(typeof locale === 'string' && locale.length <= 35 ? { hints: { browser: locale } } : {}),
          ...(action ? { action } : {}),
          receivedAt: Date.now(),
        };
        // Recorded before anything else (a retried id is a duplicate); the response waits for the turn to be handled.
        const receipt = await context.receive(turn, { conversation } satisfies WebAddress);
        const outcome = receipt.status === 'duplicate' ? receipt : await receipt.outcome;
        sendJson(res, 200, {
          status: outcome.status,
          ...('decision' in outcome ? { decision: outcome.decision } : {}),
        });
      },
    },
    close: async () => sender.close(),
  };
}

declare module '../../turn.ts' {
  interface ChannelNames {
    web: true;
  }
}

/** The web channel for the registry. */
export const webChannel: ChannelPlugin = {
  name: 'web',
  readEnv: readWebEnv,
  mount: mountWebChat,
  /** A display name from the conversation id (a hash of the token: agents never see the token). */
  customerName(address) {
    const conversation = (address as WebAddress | undefined)?.conversation;
    return typeof conversation === 'string' && conversation ? visitorName(conversation) : undefined;
  },
};
