/**
 * The little SQL the stores need, over either database: statements written once with PostgreSQL's `$1` placeholders,
 * run by {@link SqliteClient} (better-sqlite3, synchronous underneath) or `PostgresClient` (pg). Both support
 * `RETURNING`, partial unique indexes and `ON CONFLICT DO NOTHING`, which is all the stores use.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { SwitchboardError } from '../errors.ts';

export type SqlRow = Record<string, unknown>;

export interface SqlClient {
  readonly dialect: 'sqlite' | 'postgres';
  /** Rows of a statement (SELECT, or a write with RETURNING). */
  query<T extends SqlRow = SqlRow>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  /** Rows changed by a write. */
  run(sql: string, params?: readonly unknown[]): Promise<number>;
  /** Runs a script of several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
  /** Runs `fn` in one transaction (committed when it resolves, rolled back when it throws). */
  transaction<T>(fn: (client: SqlClient) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/**
 * Runs `fn` in a transaction that first takes the PostgreSQL advisory lock (`space`, hash of `name`) held until the
 * commit, so writers of one `name` take turns (SQLite has one writer already). For rows numbered in the INSERT or by
 * a sequence, whose readers must never see a later number committed before an earlier one.
 */
export function lockedTransaction<T>(
  client: SqlClient,
  space: number,
  name: string,
  fn: (db: SqlClient) => Promise<T>,
): Promise<T> {
  return client.transaction(async (db) => {
    if (db.dialect === 'postgres') await db.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [space, name]);
    return fn(db);
  });
}

/** `$1 … $n` → `?` with the parameters in order of appearance (a `$n` may repeat). */
export function toPositional(sql: string, params: readonly unknown[]): { sql: string; params: unknown[] } {
  const out: unknown[] = [];
  const text = sql.replace(/\$(\d+)/g, (_m, n: string) => {
    out.push(params[Number(n) - 1]);
    return '?';
  });
  return { sql: text, params: out };
}

/** SQLite in a file (WAL) or `:memory:`; statements are prepared once and cached. */
export class SqliteClient implements SqlClient {
  readonly dialect = 'sqlite' as const;
  readonly db: Database.Database;
  private readonly statements = new Map<string, { statement: Database.Statement; reader: boolean }>();
  /** Transactions run one after another (one connection: SQLite serializes writers anyway). */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(readonly file: string) {
    try {
      if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
      this.db = new Database(file);
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('busy_timeout = 5000');
    } catch (e) {
      throw new SwitchboardError(
        'E_STORE_OPEN',
        'transport',
        `cannot open the SQLite store ${file}: ${(e as Error).message}`,
        {
          cause: e,
        },
      );
    }
  }

  private prepare(sql: string, params: readonly unknown[]) {
    const p = toPositional(sql, params);
    let s = this.statements.get(p.sql);
    if (!s) {
      const statement = this.db.prepare(p.sql);
      s = { statement, reader: statement.reader };
      this.statements.set(p.sql, s);
    }
    return { ...s, params: p.params.map(toSqliteValue) };
  }

  async query<T extends SqlRow = SqlRow>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    const s = this.prepare(sql, params);
    return (s.reader ? s.statement.all(...s.params) : (s.statement.run(...s.params), [])) as T[];
  }

  async run(sql: string, params: readonly unknown[] = []): Promise<number> {
    const s = this.prepare(sql, params);
    return s.statement.run(...s.params).changes;
  }

  async exec(sql: string): Promise<void> {
    this.db.exec(sql);
  }

  async transaction<T>(fn: (client: SqlClient) => Promise<T>): Promise<T> {
    const run = async () => {
      this.db.exec('BEGIN IMMEDIATE');
      try {
        const out = await fn(this);
        this.db.exec('COMMIT');
        return out;
      } catch (e) {
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
        throw e;
      }
    };
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => {});
    return result;
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}

function toSqliteValue(v: unknown): unknown {
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (v === undefined) return null;
  return v;
}
