/**
 * Tickets and transcripts in SQL (SQLite or PostgreSQL through a {@link SqlClient}). Every state change is one
 * conditional UPDATE … RETURNING, so concurrent claims — in one process or several on one PostgreSQL — have exactly
 * one winner; a partial unique index keeps one open ticket per conversation.
 */
import { randomBytes } from 'node:crypto';
import { lockedTransaction, type SqlClient, type SqlRow } from '../store/sql-client.ts';
import { type DeliverySender, type HandoffStore, ticketError } from './handoff-store.ts';
import type { NewTicket, Ticket, TicketHeader, TicketStatus, TranscriptEntry } from './ticket.ts';

const OPEN = "status IN ('queued', 'claimed')";
/** The first key of the advisory locks that serialize appends to one ticket (the second is the ticket id's hash). */
const APPEND_LOCK = 7391002;
const newId = () => `t_${randomBytes(8).toString('hex')}`;
const num = (v: unknown) => (v === null || v === undefined ? undefined : Number(v));

function parseJson<T>(text: unknown, fallback: T): T {
  try {
    return typeof text === 'string' ? (JSON.parse(text) as T) : fallback;
  } catch {
    return fallback;
  }
}

function toEntry(r: SqlRow): TranscriptEntry {
  return {
    seq: Number(r.seq),
    at: Number(r.at),
    from: r.sender as TranscriptEntry['from'],
    ...(r.agent ? { agent: String(r.agent) } : {}),
    text: String(r.text),
    ...(r.delivered === null || r.delivered === undefined ? {} : { delivered: Number(r.delivered) === 1 }),
  };
}

/** A tickets row → the ticket without its transcript. */
function toHeader(r: SqlRow): TicketHeader {
  return {
    id: String(r.id),
    status: r.status as TicketStatus,
    conversation: String(r.conversation),
    channel: r.channel as Ticket['channel'],
    customer: String(r.customer),
    language: String(r.language),
    reason: r.reason as Ticket['reason'],
    intents: parseJson(r.intents, []),
    entities: parseJson(r.entities, []),
    ...(r.agent ? { agent: String(r.agent) } : {}),
    ...(r.label ? { label: String(r.label) } : {}),
    created_at: Number(r.created_at),
    ...(num(r.claimed_at) !== undefined ? { claimed_at: num(r.claimed_at) } : {}),
    ...(num(r.closed_at) !== undefined ? { closed_at: num(r.closed_at) } : {}),
    surfaces: parseJson(r.surfaces, {}),
  };
}

export class SqlHandoffStore implements HandoffStore {
  constructor(readonly client: SqlClient) {}

  private async transcript(id: string, db: SqlClient = this.client): Promise<TranscriptEntry[]> {
    const rows = await db.query('SELECT * FROM ticket_messages WHERE ticket_id = $1 ORDER BY seq', [id]);
    return rows.map(toEntry);
  }

  private async toTicket(r: SqlRow, db: SqlClient = this.client): Promise<Ticket> {
    return { ...toHeader(r), transcript: await this.transcript(String(r.id), db) };
  }

  async open(t: NewTicket, now: number): Promise<{ ticket: Ticket; created: boolean }> {
    return this.client.transaction(async (db) => {
      const id = newId();
      const inserted = await db.query(
        `INSERT INTO tickets (id, status, conversation, channel, customer, language, reason, intents, entities, created_at)
         VALUES ($1, 'queued', $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING RETURNING *`,
        [
          id,
          t.conversation,
          t.channel,
          t.customer,
          t.language,
          t.reason,
          JSON.stringify(t.intents.slice(0, 3)),
          JSON.stringify(t.entities),
          now,
        ],
      );
      if (inserted.length === 0) {
        const [existing] = await db.query(`SELECT * FROM tickets WHERE conversation = $1 AND ${OPEN}`, [
          t.conversation,
        ]);
        if (!existing) throw ticketError('E_TICKET_STATE', `conversation ${t.conversation} could not open a ticket`);
        return { ticket: await this.toTicket(existing, db), created: false };
      }
      let seq = 0;
      for (const e of t.transcript) {
        await db.run(
          'INSERT INTO ticket_messages (ticket_id, seq, at, sender, agent, text, delivered) VALUES ($1, $2, $3, $4, $5, $6, $7)',
          [id, ++seq, e.at, e.from, e.agent ?? null, e.text, e.delivered === undefined ? null : e.delivered ? 1 : 0],
        );
      }
      return { ticket: await this.toTicket(inserted[0], db), created: true };
    });
  }

  async openFor(conversation: string): Promise<Ticket | undefined> {
    const [r] = await this.client.query(`SELECT * FROM tickets WHERE conversation = $1 AND ${OPEN}`, [conversation]);
    return r ? this.toTicket(r) : undefined;
  }

  async get(id: string): Promise<Ticket | undefined> {
    const [r] = await this.client.query('SELECT * FROM tickets WHERE id = $1', [id]);
    return r ? this.toTicket(r) : undefined;
  }

  /** The tickets rows of {@link list}: by status when given, created before `before`, oldest first. */
  private rows(status: TicketStatus | undefined, limit: number, before: number): Promise<SqlRow[]> {
    return status
      ? this.client.query(
          'SELECT * FROM tickets WHERE status = $1 AND created_at < $2 ORDER BY created_at, id LIMIT $3',
          [status, before, limit],
        )
      : this.client.query('SELECT * FROM tickets WHERE created_at < $1 ORDER BY created_at, id LIMIT $2', [
          before,
          limit,
        ]);
  }

  async list(status?: TicketStatus, limit = 500, before = Number.MAX_SAFE_INTEGER): Promise<Ticket[]> {
    return Promise.all((await this.rows(status, limit, before)).map((r) => this.toTicket(r)));
  }

  async queuedBefore(before: number, limit: number): Promise<TicketHeader[]> {
    return (await this.rows('queued', limit, before)).map(toHeader);
  }

  /** Why a conditional update changed nothing: unknown ticket (404) or the wrong state (409). */
  private async refuse(id: string, wanted: string): Promise<never> {
    const [r] = await this.client.query<{ status: string }>('SELECT status FROM tickets WHERE id = $1', [id]);
    if (!r) throw ticketError('E_TICKET_NOT_FOUND', `no ticket ${id}`);
    throw ticketError('E_TICKET_STATE', `ticket ${id} is ${r.status}, not ${wanted}`);
  }

  async claim(id: string, agent: string, now: number): Promise<Ticket> {
    const [r] = await this.client.query(
      "UPDATE tickets SET status = 'claimed', agent = $2, claimed_at = $3 WHERE id = $1 AND status = 'queued' RETURNING *",
      [id, agent, now],
    );
    return r ? this.toTicket(r) : this.refuse(id, 'queued');
  }

  async resolve(id: string, agent: string, now: number, label?: string): Promise<Ticket> {
    const [r] = await this.client.query(
      "UPDATE tickets SET status = 'resolved', closed_at = $3, label = $4 WHERE id = $1 AND status = 'claimed' AND agent = $2 RETURNING *",
      [id, agent, now, label ?? null],
    );
    if (r) return this.toTicket(r);
    const current = await this.get(id);
    if (current?.status === 'claimed') throw ticketError('E_NOT_CLAIMANT', `ticket ${id} is claimed by another agent`);
    return this.refuse(id, 'claimed');
  }

  async abandon(id: string, now: number): Promise<Ticket> {
    const [r] = await this.client.query(
      "UPDATE tickets SET status = 'abandoned', closed_at = $2 WHERE id = $1 AND status = 'queued' RETURNING *",
      [id, now],
    );
    return r ? this.toTicket(r) : this.refuse(id, 'queued');
  }

  async cancel(id: string, now: number): Promise<Ticket> {
    const [r] = await this.client.query(
      "UPDATE tickets SET status = 'cancelled', closed_at = $2 WHERE id = $1 AND status = 'queued' RETURNING *",
      [id, now],
    );
    return r ? this.toTicket(r) : this.refuse(id, 'queued');
  }

  async append(
    id: string,
    entry: Omit<TranscriptEntry, 'seq'>,
    key?: string,
  ): Promise<TranscriptEntry & { repeated?: boolean }> {
    // Appends to one ticket take turns: each is a transaction that first takes the ticket's append lock
    // (PostgreSQL: an advisory lock on the ticket id; SQLite has one writer), so the next sequence number computed in
    // the INSERT never collides and a repeated client key is seen. (Retrying on a collision lost to ten concurrent
    // appends on a busy machine: one of them collided six times.)
    return lockedTransaction(this.client, APPEND_LOCK, id, async (db) => {
      if (key !== undefined) {
        const [seen] = await db.query('SELECT * FROM ticket_messages WHERE ticket_id = $1 AND client_key = $2', [
          id,
          key,
        ]);
        if (seen) return { ...toEntry(seen), repeated: true };
      }
      const rows = await db.query(
        `INSERT INTO ticket_messages (ticket_id, seq, at, sender, agent, text, delivered, client_key)
         SELECT $1, COALESCE(MAX(seq), 0) + 1, $2, $3, $4, $5, $6, $7 FROM ticket_messages WHERE ticket_id = $1
         RETURNING *`,
        [
          id,
          entry.at,
          entry.from,
          entry.agent ?? null,
          entry.text,
          entry.delivered === undefined ? null : entry.delivered ? 1 : 0,
          key ?? null,
        ],
      );
      return toEntry(rows[0]);
    });
  }

  async leaseDelivery(id: string, seq: number, ms: number, sender?: DeliverySender): Promise<boolean> {
    const now = Date.now();
    const owner = sender?.owner ?? null;
    const boot = sender?.startedAt ?? now;
    const changed = await this.client.run(
      `UPDATE ticket_messages SET send_lease = $3, send_owner = $5, send_boot = $6
       WHERE ticket_id = $1 AND seq = $2 AND delivered = 0
       AND (send_lease IS NULL OR send_lease < $4 OR (send_owner = $5 AND send_boot < $6))`,
      [id, seq, now + ms, now, owner, boot],
    );
    return changed === 1;
  }

  async releaseDelivery(id: string, seq: number): Promise<void> {
    await this.client.run('UPDATE ticket_messages SET send_lease = NULL WHERE ticket_id = $1 AND seq = $2', [id, seq]);
  }

  async markDelivered(id: string, seq: number): Promise<void> {
    await this.client.run('UPDATE ticket_messages SET delivered = 1 WHERE ticket_id = $1 AND seq = $2', [id, seq]);
  }

  async undelivered(): Promise<{ ticket: string; entry: TranscriptEntry }[]> {
    const rows = await this.client.query('SELECT * FROM ticket_messages WHERE delivered = 0 ORDER BY at, seq');
    return rows.map((r) => ({ ticket: String(r.ticket_id), entry: toEntry(r) }));
  }

  async countOpen(): Promise<{ queued: number; claimed: number }> {
    const rows = await this.client.query<{ status: string; n: number | string }>(
      `SELECT status, COUNT(*) AS n FROM tickets WHERE ${OPEN} GROUP BY status`,
    );
    const n = (s: string) => Number(rows.find((r) => r.status === s)?.n ?? 0);
    return { queued: n('queued'), claimed: n('claimed') };
  }

  async queuePosition(id: string): Promise<number> {
    const [r] = await this.client.query<{ n: number | string }>(
      `SELECT COUNT(*) AS n FROM tickets q, tickets t WHERE t.id = $1 AND t.status = 'queued' AND q.status = 'queued'
       AND (q.created_at < t.created_at OR (q.created_at = t.created_at AND q.id <= t.id))`,
      [id],
    );
    return Number(r?.n ?? 0);
  }

  async setSurface(id: string, surface: string, value: unknown, key?: string): Promise<void> {
    await this.client.transaction(async (db) => {
      const [r] = await db.query<{ surfaces: string }>('SELECT surfaces FROM tickets WHERE id = $1', [id]);
      if (!r) throw ticketError('E_TICKET_NOT_FOUND', `no ticket ${id}`);
      const surfaces = { ...parseJson<Record<string, unknown>>(r.surfaces, {}), [surface]: value };
      await db.run('UPDATE tickets SET surfaces = $2 WHERE id = $1', [id, JSON.stringify(surfaces)]);
      if (key !== undefined)
        await db.run(
          'INSERT INTO ticket_surfaces (surface, key, ticket_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING',
          [surface, key, id],
        );
    });
  }

  async findBySurface(surface: string, key: string): Promise<Ticket | undefined> {
    const [r] = await this.client.query<{ ticket_id: string }>(
      'SELECT ticket_id FROM ticket_surfaces WHERE surface = $1 AND key = $2',
      [surface, key],
    );
    return r ? this.get(r.ticket_id) : undefined;
  }
}
