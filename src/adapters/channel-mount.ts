/**
 * How a channel adapter plugs into the server: given the environment, the turn handler, the store and the log, it
 * returns the routes it serves on the server's one port, the sender the turn handler (and later the handoff relay)
 * uses, and how to stop. `undefined` when the channel is not configured.
 */

import type { ChannelSender } from '../channel-sender.ts';
import type { BotConfig } from '../config/bot-config.ts';
import type { EnvConfig, EnvVars } from '../config/env-config.ts';
import type { HandoffService } from '../handoff/handoff-service.ts';
import type { RouteHandler } from '../http/http-utils.ts';
import type { Logger } from '../log.ts';
import type { ConversationStore } from '../store/conversation-store.ts';
import type { EventFeed } from '../store/event-feed.ts';
import type { ChannelName, Turn } from '../turn.ts';
import type { PrepareTurn, Receipt } from '../turn-intake.ts';

export interface ChannelContext {
  env: EnvConfig;
  /**
   * The door for one normalized turn: records it durably (a retried `turn.id` is a `duplicate`), then handles it;
   * `address` is where its replies go, `prepare` runs between the two (a channel's lookups). Acknowledge the channel's
   * request once it resolves; `outcome` settles when the turn is handled.
   */
  receive: (turn: Turn, address: unknown, prepare?: PrepareTurn) => Promise<Receipt>;
  store: ConversationStore;
  /** The durable event feed shared by the instances (what a channel pushes to browsers). */
  events: EventFeed;
  log: Logger;
  /**
   * The bot's greeting for a conversation it was just added to, in the language of `locale` when the bot speaks it,
   * else its default language (e.g. the config's `general_greet` answer); undefined when the config has none.
   */
  welcome?: (locale: string | undefined) => string | undefined;
  /**
   * The human handoff: an adapter with an agents' channel configured adds its {@link AgentSurface} here
   * (`handoffs.addSurface`) and turns agents' actions in that channel (claim, reply in the ticket's thread, resolve)
   * into `handoffs.claim / agentMessage / resolve`.
   */
  handoffs?: HandoffService;
  /**
   * Runs a chore only where no other instance sharing the database runs it now; false when another does (catch-up
   * cards of an agents' desk).
   */
  exclusive: (name: string, work: () => Promise<void>) => Promise<boolean>;
  /** The bot config (agent profiles map channel users to agent ids). */
  config?: BotConfig;
}

export interface ChannelMount {
  /** `'POST /slack/events'` → handler. */
  routes: Record<string, RouteHandler>;
  sender: ChannelSender;
  /** One line for the startup message (what is served, whether requests are verified). */
  summary: string;
  close(): Promise<void>;
}

/** A channel as the server knows it: its name and how to mount it (`undefined` when it is not configured). */
export interface ChannelPlugin {
  readonly name: ChannelName;
  /**
   * Reads and validates the channel's own environment variables from those read at startup (E_CONFIG naming the
   * variable when one is invalid); the server calls it before anything else starts.
   */
  readEnv?(vars: EnvVars): unknown;
  mount(context: ChannelContext): Promise<ChannelMount | undefined>;
  /** The customer's display name from the address this channel stored for them, when it carries one. */
  customerName?(address: unknown): string | undefined;
}
