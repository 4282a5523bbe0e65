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

/** SQLSTATE classes and socket errors that mean the database cannot be reached, not that the statement is wrong. */
const UNAVAILABLE_SQLSTATE = /^(08|53|57)/;
const UNAVAILABLE_SOCKET = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND']);

/** True for an error that says the database is down or unreachable (the turn should wait and retry). */
export function isUnavailable(e: unknown): boolean {
  const code = (e as { code?: unknown })?.code;
  if (code === 'E_STORE_UNAVAILABLE') return true;
  if (typeof code === 'string' && (UNAVAILABLE_SQLSTATE.test(code) || UNAVAILABLE_SOCKET.has(code))) return true;
  return /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(
    (e as Error)?.message ?? '',
  );
}

/** True for {@link rethrow}'s E_STORE_BUSY: the database is up and every pool connection stayed in use. */
export function isBusy(e: unknown): boolean {
  return (e as { code?: unknown })?.code === 'E_STORE_BUSY';
}

/**
 * True when the database cannot serve the work now — down ({@link isUnavailable}) or every connection busy
 * ({@link isBusy}) — so the work waits and is tried again (a turn stays pending, a spooled turn stays spooled).
 */
export function isStoreFault(e: unknown): boolean {
  return isUnavailable(e) || isBusy(e);
}

/** How long a query waits for a pool connection before it fails (pg-pool's `connectionTimeoutMillis`). */
const CONNECTION_WAIT_MS = 5000;
const POOL_WAIT_TIMEOUT = /timeout exceeded when trying to connect/i;
/** An answer this recent says the database is up (a saturated pool answers every few milliseconds). */
const RECENT_ANSWER_MS = 2000;

/**
 * When the pool last heard from the database (a query answered, even with an SQL error): a wait for a connection that
 * times out while the database is still answering others (within the last {@link RECENT_ANSWER_MS}) means every
 * connection is busy — overload, not an outage. A database cut mid-wait answers nothing more, so the waits that time out
 * two seconds or more after the cut count as an outage (and their turns are spooled).
 */
class PoolHealth {
  lastAnswer = 0;
  answered(): void {
    this.lastAnswer = Date.now();
  }
  /** True when `e` is a timed-out wait for a connection while the database is still answering. */
  busy(e: unknown): boolean {
    return POOL_WAIT_TIMEOUT.test((e as Error)?.message ?? '') && Date.now() - this.lastAnswer <= RECENT_ANSWER_MS;
  }
}

/**
 * Rethrows a database-down error as E_STORE_UNAVAILABLE (kind transport) — except a pool wait that timed out while the
 * database kept answering, which is E_STORE_BUSY: the database is up and every connection is in use, so a turn is
 * not spooled (the spool drains one turn at a time and would make an overload worse) but refused with a 5xx, and the
 * platform (or the web chat page) sends it again. Other errors unchanged.
 */
function rethrow(e: unknown, health?: PoolHealth): never {
  if (health?.busy(e))
    throw new SwitchboardError(
      'E_STORE_BUSY',
      'transport',
      `PostgreSQL busy: no free connection within ${CONNECTION_WAIT_MS / 1000} s`,
      { cause: e },
    );
  if (isUnavailable(e))
    throw new SwitchboardError('E_STORE_UNAVAILABLE', 'transport', `PostgreSQL unavailable: ${(e as Error).message}`, {
      cause: e,
    });
  throw e;
}

class PgQueries implements SqlClient {
  readonly dialect = 'postgres' as const;
  constructor(
    protected readonly db: Queryable,
    protected readonly health: PoolHealth,
  ) {}

  async query<T extends SqlRow = SqlRow>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    return (await this.send(sql, params)).rows as T[];
  }

  async run(sql: string, params: readonly unknown[] = []): Promise<number> {
    return (await this.send(sql, params)).rowCount ?? 0;
  }

  private async send(sql: string, params: readonly unknown[]): Promise<pg.QueryResult> {
    try {
      const r = (await this.db.query(sql, params as unknown[])) as pg.QueryResult;
      this.health.answered();
      return r;
    } catch (e) {
      // An SQL error (SQLSTATE class 22, 23, 42…) is an answer: the database is up.
      const code = (e as { code?: unknown })?.code;
      if (
        typeof code === 'string' &&
        /^[0-9A-Z]{5}$/.test(code) &&
        !UNAVAILABLE_SQLSTATE.test(code) &&
        !UNAVAILABLE_SOCKET.has(code)
      ) {
        this.health.answered();
      }
      return rethrow(e, this.health);
    }
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
  private constructor(
    private readonly pool: pg.Pool,
    /** The connection URL (for connections of their own: LISTEN). */
    readonly url: string,
  ) {
    super(pool, new PoolHealth());
  }

  /** Connects (and checks the connection once); E_STORE_OPEN when the database cannot be reached. */
  static async connect(url: string, options: { max?: number } = {}): Promise<PostgresClient> {
    const pool = new pg.Pool({
      connectionString: url,
      max: options.max ?? 10,
      connectionTimeoutMillis: CONNECTION_WAIT_MS,
    });
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
    return new PostgresClient(pool, url);
  }

  override async transaction<T>(fn: (client: SqlClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect().catch((e) => rethrow(e, this.health));
    let failure: unknown;
    // A connection cut while the client is checked out is an `error` event on it: without a listener it would crash
    // the process. The statement in flight fails too, and the transaction rolls back below.
    const onError = (e: Error) => {
      failure ??= e;
    };
    client.on('error', onError);
    try {
      await client.query('BEGIN');
      const out = await fn(new PgQueries(client, this.health));
      await client.query('COMMIT');
      return out;
    } catch (e) {
      failure = e;
      await client.query('ROLLBACK').catch(() => {});
      return rethrow(e, this.health);
    } finally {
      // A connection that failed is destroyed rather than returned to the pool.
      client.off('error', onError);
      client.release(failure !== undefined && isUnavailable(failure) ? (failure as Error) : undefined);
    }
  }

  override async close(): Promise<void> {
    await this.pool.end();
  }
}

/**
 * LISTENs on `channel` on a connection of its own (notifications need one that stays open), made again every second
 * while it is down; `onLost` is called once it is back (notifications sent meanwhile were missed). Never throws into
 * the process: a dropped connection is an `error` and an `end`, both handled here.
 */
export async function listenPostgres(
  url: string,
  channel: string,
  onNotify: (payload: string) => void,
  onLost: () => void,
): Promise<{ close(): Promise<void> }> {
  if (!/^\w+$/.test(channel)) throw new SwitchboardError('E_CONFIG', 'internal', `not a LISTEN channel: ${channel}`);
  let current: pg.Client | undefined;
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  const schedule = () => {
    if (closed || timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      void connect().then(onLost, schedule);
    }, 1000);
    timer.unref();
  };
  const connect = async () => {
    const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
    c.on('error', () => {}); // followed by 'end'
    c.on('end', () => {
      if (current === c) current = undefined;
      schedule();
    });
    c.on('notification', (m) => {
      if (m.channel === channel && m.payload) onNotify(m.payload);
    });
    try {
      await c.connect();
      await c.query(`LISTEN ${channel}`);
    } catch (e) {
      await c.end().catch(() => {});
      throw e;
    }
    if (closed) await c.end().catch(() => {});
    else current = c;
  };
  await connect().catch(schedule);
  return {
    close: async () => {
      closed = true;
      clearTimeout(timer);
      await current?.end().catch(() => {});
    },
  };
}
