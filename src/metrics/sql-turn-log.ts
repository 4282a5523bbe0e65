/** The turn log in SQL (SQLite or PostgreSQL through a {@link SqlClient}); see turn-log.ts. */
import { SwitchboardError } from '../errors.ts';
import type { SqlClient, SqlRow } from '../store/sql-client.ts';
import type { AuditVerdict, FeedbackStatus, NewTurnRecord, TurnLog, TurnRecord } from './turn-log.ts';

const opt = <T>(v: unknown, f: (x: unknown) => T): T | undefined => (v === null || v === undefined ? undefined : f(v));

function toRecord(r: SqlRow): TurnRecord {
  let intents = [];
  try {
    intents = JSON.parse(String(r.intents));
  } catch {
    intents = [];
  }
  const out: TurnRecord = {
    id: String(r.id),
    at: Number(r.at),
    channel: r.channel as TurnRecord['channel'],
    conversation: String(r.conversation),
    intents,
    decision: r.decision as TurnRecord['decision'],
    reason: r.reason as TurnRecord['reason'],
    latency_ms: Number(r.latency_ms ?? 0),
    escalated: Number(r.escalated) === 1,
    recontact: Number(r.recontact) === 1,
    audit_sampled: Number(r.audit_sampled) === 1,
  };
  const optional: Partial<TurnRecord> = {
    language: opt(r.language, String),
    intent: opt(r.intent, String),
    nlu_ms: opt(r.nlu_ms, Number),
    model_version: opt(r.model_version, String),
    text: opt(r.text, String),
    feedback: opt(r.feedback, (x) => x as 'up' | 'down'),
    audit: opt(r.audit, (x) => x as AuditVerdict),
    audit_intent: opt(r.audit_intent, String),
    audit_agent: opt(r.audit_agent, String),
  };
  for (const [k, v] of Object.entries(optional))
    if (v !== undefined) (out as unknown as Record<string, unknown>)[k] = v;
  return out;
}

export class SqlTurnLog implements TurnLog {
  constructor(readonly client: SqlClient) {}

  async record(r: NewTurnRecord): Promise<void> {
    await this.client.run(
      `INSERT INTO turns (id, at, channel, conversation, language, intents, top_intent, top_score, decision, reason, intent,
        latency_ms, nlu_ms, model_version, text, audit_sampled)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) ON CONFLICT DO NOTHING`,
      [
        r.id,
        r.at,
        r.channel,
        r.conversation,
        r.language ?? null,
        JSON.stringify(r.intents.slice(0, 3)),
        r.intents[0]?.intent ?? null,
        r.intents[0]?.score ?? null,
        r.decision,
        r.reason,
        r.intent ?? null,
        r.latency_ms,
        r.nlu_ms ?? null,
        r.model_version ?? null,
        r.text ?? null,
        r.audit_sampled ? 1 : 0,
      ],
    );
  }

  async updateText(id: string, text: string): Promise<void> {
    await this.client.run('UPDATE turns SET text = $2 WHERE id = $1', [id, text]);
  }

  async feedback(id: string, rating: 'up' | 'down', at: number, conversation: string): Promise<FeedbackStatus> {
    const changed = await this.client.run(
      "UPDATE turns SET feedback = $2, feedback_at = $3 WHERE id = $1 AND conversation = $4 AND feedback IS NULL AND decision = 'answer'",
      [id, rating, at, conversation],
    );
    if (changed === 1) return 'recorded';
    const [row] = await this.client.query<{ decision: string; feedback: string | null; feedback_at: unknown }>(
      'SELECT decision, feedback, feedback_at FROM turns WHERE id = $1 AND conversation = $2',
      [id, conversation],
    );
    if (!row || row.decision !== 'answer') return 'unknown';
    // The same rating at the same time: most likely this feedback turn, handled again after a crash.
    return row.feedback === rating && Number(row.feedback_at) === at ? 'repeat' : 'duplicate';
  }

  private async lastAnswer(conversation: string, at: number, windowMs: number): Promise<SqlRow | undefined> {
    const [row] = await this.client.query(
      // Small talk ("hello") is not the answer a request for a person or a repeated question speaks about.
      "SELECT id, intent FROM turns WHERE conversation = $1 AND decision = 'answer' AND reason <> 'smalltalk' AND at < $2 AND at >= $3 ORDER BY at DESC LIMIT 1",
      [conversation, at, at - windowMs],
    );
    return row;
  }

  async markEscalation(conversation: string, at: number, windowMs: number): Promise<string | undefined> {
    const row = await this.lastAnswer(conversation, at, windowMs);
    if (!row) return undefined;
    await this.client.run('UPDATE turns SET escalated = 1 WHERE id = $1', [row.id]);
    return String(row.id);
  }

  async markRecontact(conversation: string, intent: string, at: number, windowMs: number): Promise<string | undefined> {
    const row = await this.lastAnswer(conversation, at, windowMs);
    if (!row || row.intent !== intent) return undefined;
    await this.client.run('UPDATE turns SET recontact = 1 WHERE id = $1', [row.id]);
    return String(row.id);
  }

  async audits(status: 'pending' | 'done', limit = 200): Promise<TurnRecord[]> {
    const rows = await this.client.query(
      `SELECT * FROM turns WHERE audit_sampled = 1 AND audit IS ${status === 'pending' ? '' : 'NOT '}NULL ORDER BY at LIMIT $1`,
      [limit],
    );
    return rows.map(toRecord);
  }

  async audit(
    id: string,
    verdict: AuditVerdict,
    agent: string,
    at: number,
    intent?: string,
    replace = false,
  ): Promise<TurnRecord> {
    const [row] = await this.client.query(
      `UPDATE turns SET audit = $2, audit_agent = $3, audit_at = $4, audit_intent = $5 WHERE id = $1 AND audit_sampled = 1 AND (audit IS NULL${replace ? ' OR audit_agent = $3' : ''}) RETURNING *`,
      [id, verdict, agent, at, intent ?? null],
    );
    if (row) return toRecord(row);
    const current = await this.get(id);
    if (!current) throw new SwitchboardError('E_TURN_NOT_FOUND', 'input', `no turn ${id}`, { status: 404 });
    if (!current.audit_sampled)
      throw new SwitchboardError('E_NOT_SAMPLED', 'input', `turn ${id} is not in the audit sample`, { status: 409 });
    if (replace)
      throw new SwitchboardError(
        'E_NOT_YOUR_AUDIT',
        'input',
        `turn ${id} was audited by ${current.audit_agent}: only they can change the verdict`,
        { status: 403 },
      );
    throw new SwitchboardError(
      'E_ALREADY_AUDITED',
      'input',
      `turn ${id} was already audited (${current.audit} by ${current.audit_agent}); send replace: true to change the verdict`,
      { status: 409 },
    );
  }

  async range(since: number, until: number, limit = 1_000_000): Promise<TurnRecord[]> {
    const rows = await this.client.query('SELECT * FROM turns WHERE at >= $1 AND at < $2 ORDER BY at, id LIMIT $3', [
      since,
      until,
      limit,
    ]);
    return rows.map(toRecord);
  }

  async get(id: string): Promise<TurnRecord | undefined> {
    const [row] = await this.client.query('SELECT * FROM turns WHERE id = $1', [id]);
    return row ? toRecord(row) : undefined;
  }
}
