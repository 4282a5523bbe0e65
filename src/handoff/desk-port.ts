/**
 * What the agents' desk (AgentsDesk) and a chat platform say to each other: the platform's port (post a card,
 * update it, post in its thread, tell an agent privately) and the agents' actions it parses from its payloads.
 */
import type { AgentPlatform, AgentRef } from './agent-identity.ts';
import type { AgentProfile } from './agent-routing.ts';
import type { Ticket } from './ticket.ts';

/** What an agent did in an agents' channel, as its platform's port parsed it. */
export type AgentAction = {
  /** Unique per platform event: a retried or doubled event is handled once. */
  event: string;
  by: AgentRef;
  /** The store key of the card (or thread) the action came from; undefined when it did not come from a card here. */
  card?: string;
  /** Where the port tells this agent why nothing happened (its own address); undefined: nobody to tell. */
  replyTo?: unknown;
  /** Ids the port wants in the logs of this action (the channel it came from, the activity id); never text. */
  logged?: Record<string, string>;
} & (
  | { kind: 'claim'; ticket: string }
  | { kind: 'resolve'; ticket: string; label?: string }
  /** Resolve with a new intent: the port asks the agent for its name (`dialog`: what it needs to open the dialog). */
  | { kind: 'ask_label'; ticket: string; dialog: unknown }
  | { kind: 'reply'; text: string }
);

/** What a card shows besides the ticket. */
export interface CardView {
  ticket: Ticket;
  /** The customer's display name when their channel knows one. */
  customerName?: string;
  /** The agents the ticket is routed to. */
  agents: readonly AgentProfile[];
  /** An agent id → its name in the platform's markup (Slack: a mention for an unmapped agent). */
  agentName: (agent: string) => string;
  /** An agent id → its name as plain text. */
  agentPlainName: (agent: string) => string;
}

/** What a platform does for the desk. `Card` is where a card is (Slack `{channel, ts}`, Teams `{conversationId, activityId}`). */
export interface DeskPort<Card> extends AgentPlatform {
  /** The surface name the cards are stored under (`ticket.surfaces[name]`) and the logs' prefix. */
  readonly name: string;
  /** A stored card location, checked (it is JSON from the database); undefined when it is not one. */
  cardOf(stored: unknown): Card | undefined;
  /** The key the store finds the card's ticket by: what inbound actions name as `card`. */
  keyOf(card: Card): string;
  /** Posts a ticket's card; undefined when the channel cannot be reached yet (nothing was posted). */
  postCard(view: CardView): Promise<Card | undefined>;
  updateCard(card: Card, view: CardView): Promise<void>;
  /** A note of the bot in the card's thread (`broadcast`: shown in the channel too). */
  note(card: Card, text: string, broadcast: boolean): Promise<void>;
  /** A transcript line in the card's thread. */
  line(card: Card, who: string, text: string): Promise<void>;
  /** An operational alert, a post of its own in the channel. */
  alert(text: string): Promise<void>;
  /** Tells one agent (at an inbound action's `replyTo`) something only they need to know. */
  tell(replyTo: unknown, text: string): Promise<void>;
  /** Text typed by someone, made safe for the platform's markup. */
  escape(text: string): string;
  /** An agent's name in the platform's markup; default: the plain name, escaped. */
  markupName?(agent: string, plain: string, configured: boolean): string;
  /** Opens the new-intent dialog; false when the action cannot open one (then nothing happens). */
  openLabelDialog?(dialog: unknown, ticket: Ticket): Promise<boolean>;
}
