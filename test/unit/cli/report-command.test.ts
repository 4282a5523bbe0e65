import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { formatReport } from '../../../src/cli/report-command.ts';
import { automationReport } from '../../../src/metrics/automation-report.ts';
import { openStores } from '../../../src/server/open-stores.ts';

const stores = await openStores({ sqliteFile: ':memory:' });
afterAll(() => stores.close());

describe('switchboard report text', () => {
  it('says an intent with no automated answers has nothing to audit, instead of asking for audits', async () => {
    const now = Date.UTC(2026, 11, 7, 12);
    const turn = (i: number, intent: string, answered: boolean) =>
      stores.turns.record({
        id: `web:r${i}`,
        at: now - 1000 * (i + 1),
        channel: 'web',
        conversation: `r${i}`,
        language: 'en',
        intents: [{ intent, score: 0.9 }],
        decision: answered ? 'answer' : 'handoff',
        reason: answered ? 'confident' : 'out_of_scope',
        latency_ms: 1,
        nlu_ms: 1,
        audit_sampled: false,
      });
    for (let i = 0; i < 5; i++) await turn(i, 'refund', true);
    for (let i = 5; i < 8; i++) await turn(i, 'out_of_scope', false);
    const text = formatReport(await automationReport(stores.turns, now - 3_600_000, now + 1));
    expect(text).toMatch(/out_of_scope +3 +no automated answers/);
    expect(text).toMatch(/refund +5 +≤ 100\.0% \(audit 20 more\)/);
  });
});

describe('switchboard report flags', () => {
  it('says a --since in the future is in the future', () => {
    const r = spawnSync(process.execPath, ['bin/switchboard.js', 'report', '--since', '2030-01-01'], {
      encoding: 'utf8',
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/--since 2030-01-01 is in the future/);
  });
});
