/**
 * Claims are atomic across processes: two processes on one PostgreSQL race to claim the same 1000 tickets at the same
 * moment; every ticket must have exactly one winner (issue 7). Runs when TEST_DATABASE_URL is set.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { openStores } from '../../src/server/open-stores.ts';
import { freshPostgresSchema, TEST_DATABASE_URL } from '../fixtures/test-databases.ts';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '..', '..');

describe.skipIf(!TEST_DATABASE_URL)('PostgreSQL claims across two processes', () => {
  it('1000 tickets, both processes claim all of them at once: one winner each', async () => {
    const schema = await freshPostgresSchema(TEST_DATABASE_URL as string);
    const dir = mkdtempSync(join(tmpdir(), 'switchboard-race-'));
    try {
      const stores = await openStores({ databaseUrl: schema.url, sqliteFile: '' });
      const ids: string[] = [];
      for (let i = 0; i < 1000; i++) {
        const { ticket } = await stores.handoffs.open(
          {
            conversation: `race:${i}`,
            channel: 'teams',
            customer: 'u',
            language: 'en',
            reason: 'low_confidence',
            intents: [],
            entities: [],
            transcript: [],
          },
          i,
        );
        ids.push(ticket.id);
      }
      const file = join(dir, 'ids.json');
      writeFileSync(file, JSON.stringify(ids));
      const startAt = String(Date.now() + 5000);
      // One racer claims from the first ticket, the other from the last: they meet somewhere in between.
      const racer = (agent: string, order: 'forward' | 'reverse') =>
        run(
          process.execPath,
          ['--import', 'tsx', join(ROOT, 'test/fixtures/claim-racer.ts'), schema.url, file, startAt, agent, order],
          {
            cwd: ROOT,
          },
        ).then(
          (r) => JSON.parse(r.stdout) as { won: string[]; lost: number; late: boolean; began: number; ended: number },
        );
      const [a, b] = await Promise.all([racer('agent-a', 'forward'), racer('agent-b', 'reverse')]);
      expect(a.won.length + b.won.length).toBe(1000);
      expect(a.won.filter((id) => new Set(b.won).has(id))).toEqual([]);
      expect(a.lost + b.lost).toBe(1000);
      const claimed = await stores.handoffs.list('claimed', 2000);
      expect(claimed).toHaveLength(1000);
      const winners = new Map(claimed.map((t) => [t.id, t.agent]));
      for (const id of a.won) expect(winners.get(id)).toBe('agent-a');
      for (const id of b.won) expect(winners.get(id)).toBe('agent-b');
      // Both really raced: each won some — when their claiming overlapped for at least half of the shorter run (on a
      // busy machine one racer may connect after the start, or get no CPU until the other is done; the checks above
      // hold either way). Claiming from opposite ends, each wins the tickets it reaches before the other does.
      const overlap = Math.min(a.ended, b.ended) - Math.max(a.began, b.began);
      const shorter = Math.min(a.ended - a.began, b.ended - b.began);
      if (!a.late && !b.late && overlap >= shorter / 2) expect(Math.min(a.won.length, b.won.length)).toBeGreaterThan(0);
      await stores.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await schema.drop();
    }
  }, 120_000);
});
