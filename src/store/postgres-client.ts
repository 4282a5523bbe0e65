/**
 * PostgreSQL for the stores (`DATABASE_URL`): a `pg` pool; transactions on one pooled connection. A database that is
 * down at startup fails `connect` with E_STORE_OPEN naming the host (never the password).
 */
import pg from 'pg';
import { SwitchboardError } from '../errors.ts';
import type { SqlClient, SqlRow } from './sql-client.ts';

/** The URL without its password, for messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable DATABASE_URL)';
  }
}

type Queryable = pg.Pool | pg.PoolClient;

class PgQueries implements SqlClient {
  readonly dialect = 'postgres' as const;
  constructor(protected readonly db: Queryable) {}

  async query<T extends SqlRow = SqlRow>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    return (await this.db.query(sql, params as unknown[])).rows as T[];
  }

  async run(sql: string, params: readonly unknown[] = []): Promise<number> {
    return (await this.db.query(sql, params as unknown[])).rowCount ?? 0;
  }

  async exec(sql: string): Promise<void> {
    await this.db.query(sql);
  }

  async transaction<T>(fn: (client: SqlClient) => Promise<T>): Promise<T> {
    return fn(this); // already inside one (see PostgresClient.transaction)
  }

  async close(): Promise<void> {}
}

export class PostgresClient extends PgQueries {
  private constructor(private readonly pool: pg.Pool) {
    super(pool);
  }

  /** Connects (and checks the connection once); E_STORE_OPEN when the database cannot be reached. */
  static async connect(url: string, options: { max?: number } = {}): Promise<PostgresClient> {
    const pool = new pg.Pool({ connectionString: url, max: options.max ?? 10, connectionTimeoutMillis: 5000 });
    pool.on('error', () => {}); // an idle client's error: the next query reports it
    try {
      await pool.query('SELECT 1');
    } catch (e) {
      await pool.end().catch(() => {});
      throw new SwitchboardError(
        'E_STORE_OPEN',
        'transport',
        `cannot reach PostgreSQL at ${redactUrl(url)}: ${(e as Error).message}`,
        { cause: e },
      );
    }
    return new PostgresClient(pool);
  }

  override async transaction<T>(fn: (client: SqlClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const out = await fn(new PgQueries(client));
      await client.query('COMMIT');
      return out;
    } catch (e) {
      await client.query('ROLLBACK').catch(() => {});
      throw e;
    } finally {
      client.release();
    }
  }

  override async close(): Promise<void> {
    await this.pool.end();
  }
}
