/**
 * Where tickets live: one interface, two real implementations (SQLite, the embedded default; PostgreSQL with
 * `DATABASE_URL`) and an in-memory one for tests. State changes are atomic in the database — a claim is one
 * conditional UPDATE — so two server processes on one PostgreSQL never both win a ticket.
 */
import { SwitchboardError } from '../errors.ts';
import type { NewTicket, Ticket, TicketHeader, TicketStatus, TranscriptEntry } from './ticket.ts';

/** Who sends an outbox line: the instance's owner name and when this run of it started. */
export interface DeliverySender {
  owner: string;
  startedAt: number;
}

export interface HandoffStore {
  /** Opens a ticket; when the conversation already has an open one (queued or claimed), returns that one instead. */
  open(ticket: NewTicket, now: number): Promise<{ ticket: Ticket; created: boolean }>;
  /** The open (queued or claimed) ticket of a conversation. */
  openFor(conversation: string): Promise<Ticket | undefined>;
  get(id: string): Promise<Ticket | undefined>;
  /** Tickets by status, oldest first (at most `limit`, default 500; only those created before `before` when given). */
  list(status?: TicketStatus, limit?: number, before?: number): Promise<Ticket[]>;
  /** Queued tickets created before `before`, oldest first, at most `limit`, without their transcripts. */
  queuedBefore(before: number, limit: number): Promise<TicketHeader[]>;
  /** queued → claimed by `agent`. Throws E_TICKET_NOT_FOUND (404) or E_TICKET_STATE (409). */
  claim(id: string, agent: string, now: number): Promise<Ticket>;
  /** claimed → resolved by its agent, with an optional intent label. E_NOT_CLAIMANT (403) for another agent. */
  resolve(id: string, agent: string, now: number, label?: string): Promise<Ticket>;
  /** queued → abandoned (waited too long). */
  abandon(id: string, now: number): Promise<Ticket>;
  /** queued → cancelled (the customer left the queue). E_TICKET_STATE when it is not queued (claimed meanwhile). */
  cancel(id: string, now: number): Promise<Ticket>;
  /** Appends a transcript line (atomic sequence number); returns it. */
  /**
   * Appends a line; with `key` (an agent's client message id, or `turn:<id>` for a customer's line), a second append
   * of the same key to the ticket returns
   * the first line, `repeated: true`, instead of writing it again (a request retried after a lost answer).
   */
  append(
    id: string,
    entry: Omit<TranscriptEntry, 'seq'>,
    key?: string,
  ): Promise<TranscriptEntry & { repeated?: boolean }>;
  /**
   * Takes the right to send an undelivered line for `ms` (true), so that no other instance — nor the redelivery —
   * sends it meanwhile; false when it is delivered or another sender holds it. `sender` names this process: its
   * instance and when it started — a lease a previous run of the same instance held (it stopped mid-send) is taken
   * at once.
   */
  leaseDelivery(id: string, seq: number, ms: number, sender?: DeliverySender): Promise<boolean>;
  /** Gives the right up after a failed send (the redelivery may try again at once). */
  releaseDelivery(id: string, seq: number): Promise<void>;
  /** Marks an agent line delivered to the customer's channel. */
  markDelivered(id: string, seq: number): Promise<void>;
  /** Agent lines not yet delivered (an outbox: re-sent after a restart), oldest first. */
  undelivered(): Promise<{ ticket: string; entry: TranscriptEntry }[]>;
  /** How many tickets are queued and claimed. */
  countOpen(): Promise<{ queued: number; claimed: number }>;
  /** 1-based place of a queued ticket in the queue (0 when not queued). */
  queuePosition(id: string): Promise<number>;
  /** Remembers where an agent surface shows the ticket. */
  setSurface(id: string, surface: string, value: unknown, key?: string): Promise<void>;
  /** The ticket a surface registered under `key` (e.g. the Slack card's `channel:ts` in the agents' channel). */
  findBySurface(surface: string, key: string): Promise<Ticket | undefined>;
}

/** Stable errors of the ticket lifecycle, with the HTTP status the agent API answers. */
export function ticketError(
  code: 'E_TICKET_NOT_FOUND' | 'E_TICKET_STATE' | 'E_NOT_CLAIMANT',
  message: string,
): SwitchboardError {
  const status = code === 'E_TICKET_NOT_FOUND' ? 404 : code === 'E_TICKET_STATE' ? 409 : 403;
  return new SwitchboardError(code, 'input', message, { status });
}
