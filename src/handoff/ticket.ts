/**
 * A handoff ticket: a conversation the router handed to a person. Lifecycle: `queued` (waiting for an agent) →
 * `claimed` (one agent talks to the customer through the bot) → `resolved` (the bot takes over again; the agent may
 * label the intent, which becomes a training example), `abandoned` (nobody claimed it in time) or `cancelled` (the
 * customer left the queue and is back with the bot).
 */
import type { EntityMention, IntentGuess } from '../nlu/understanding.ts';
import type { DecisionReason } from '../router/decision.ts';
import type { ChannelName } from '../turn.ts';

export type TicketStatus = 'queued' | 'claimed' | 'resolved' | 'abandoned' | 'cancelled';
export const TICKET_STATUSES: readonly TicketStatus[] = ['queued', 'claimed', 'resolved', 'abandoned', 'cancelled'];

/** Longest agent message accepted (characters), from any agent surface. */
export const MAX_AGENT_TEXT = 4000;

/** Who wrote a transcript line. */
export type TranscriptSender = 'customer' | 'bot' | 'agent';

export interface TranscriptEntry {
  /** Position in the ticket's transcript, from 1. */
  seq: number;
  at: number;
  from: TranscriptSender;
  /** The agent who wrote it (`from: 'agent'`). */
  agent?: string;
  text: string;
  /** Agent lines: delivered to the customer's channel (false until the channel accepted it). */
  delivered?: boolean;
}

export interface Ticket {
  id: string;
  status: TicketStatus;
  /** The conversation (store key) and its channel. */
  conversation: string;
  channel: ChannelName;
  /** The customer (channel user id). */
  customer: string;
  language: string;
  /** Why the router handed off. */
  reason: DecisionReason;
  /** The top intents of the turn that was handed off, with scores. */
  intents: IntentGuess[];
  entities: Pick<EntityMention, 'type' | 'text'>[];
  agent?: string;
  /** The intent the agent labelled at resolve (`new_intent:<name>` for one the model does not know). */
  label?: string;
  created_at: number;
  claimed_at?: number;
  closed_at?: number;
  /** Where each agent surface shows the ticket (e.g. the Slack card's channel and ts), by surface name. */
  surfaces: Record<string, unknown>;
  transcript: TranscriptEntry[];
}

/** A ticket without its transcript: what the queue's sweep decides on (a long queue's transcripts are not read). */
export type TicketHeader = Omit<Ticket, 'transcript'>;

/** What opening a ticket needs. */
export type NewTicket = Pick<
  Ticket,
  'conversation' | 'channel' | 'customer' | 'language' | 'reason' | 'intents' | 'entities'
> & {
  /** The transcript so far (the customer's message that was handed off, the bot's handoff notice). */
  transcript: Omit<TranscriptEntry, 'seq'>[];
};
