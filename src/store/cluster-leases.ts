/**
 * Chores that must run once per cluster, not once per instance (the handoff outbox's redelivery, the queue sweep, the
 * agents' desks' catch-up cards): a named lease in the database, taken by one instance at a time. A lease runs out by
 * itself when its holder dies; its holder renews it by taking it again.
 */
import type { SqlClient } from './sql-client.ts';

export interface ClusterLeases {
  /** True when `owner` holds the lease `name` for the next `ms` (taken now, or renewed); false when another does. */
  acquire(name: string, owner: string, ms: number): Promise<boolean>;
  /** Gives the lease up (when `owner` holds it). */
  release(name: string, owner: string): Promise<void>;
}

export class SqlClusterLeases implements ClusterLeases {
  constructor(private readonly client: SqlClient) {}

  async acquire(name: string, owner: string, ms: number): Promise<boolean> {
    const now = Date.now();
    const changed = await this.client.run(
      `INSERT INTO cluster_leases (name, owner, until) VALUES ($1, $2, $3)
       ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, until = excluded.until
       WHERE cluster_leases.until < $4 OR cluster_leases.owner = excluded.owner`,
      [name, owner, now + ms, now],
    );
    return changed === 1;
  }

  async release(name: string, owner: string): Promise<void> {
    await this.client.run('UPDATE cluster_leases SET until = 0 WHERE name = $1 AND owner = $2', [name, owner]);
  }
}

/** Every lease is always this process's (one instance, tests). */
export class LocalLeases implements ClusterLeases {
  async acquire(): Promise<boolean> {
    return true;
  }
  async release(): Promise<void> {}
}

/**
 * Runs `work` when this instance can take the lease `name`, holding it (renewed every third of `ms`) until the work
 * is done; returns false, without running it, when another instance holds it.
 */
export async function runExclusive(
  leases: ClusterLeases,
  name: string,
  owner: string,
  work: () => Promise<void>,
  ms = 60_000,
): Promise<boolean> {
  if (!(await leases.acquire(name, owner, ms))) return false;
  const renew = setInterval(() => void leases.acquire(name, owner, ms).catch(() => {}), ms / 3);
  renew.unref();
  try {
    await work();
  } finally {
    clearInterval(renew);
    await leases.release(name, owner).catch(() => {});
  }
  return true;
}
