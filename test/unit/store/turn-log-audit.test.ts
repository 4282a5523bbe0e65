import { afterEach, describe, expect, it } from 'vitest';
import { testDatabases } from '../../fixtures/test-databases.ts';
import { turnRecord } from '../../fixtures/turn-record.ts';

const rec = (id: string, sampled: boolean) => turnRecord({ id, audit_sampled: sampled });

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

const code = (p: Promise<unknown>) =>
  p.then(
    () => 'ok',
    (e: { code?: string }) => e.code,
  );

describe.each(testDatabases())('turn log audits on $name', (database) => {
  it('one verdict per turn; the same agent may replace theirs, keeping the latest; another agent may not', async () => {
    const stores = await database.open();
    cleanups.push(stores.cleanup);
    const { turns } = stores;
    await turns.record(rec('web:1', true));
    await turns.record(rec('web:2', false));
    expect(await code(turns.audit('web:2', 'correct', 'ann', 1))).toBe('E_NOT_SAMPLED');
    expect(await code(turns.audit('web:nope', 'correct', 'ann', 1, undefined, true))).toBe('E_TURN_NOT_FOUND');
    // replace on a turn with no verdict yet is a first verdict.
    expect(await turns.audit('web:1', 'correct', 'ann', 1, undefined, true)).toMatchObject({ audit: 'correct' });
    await expect(turns.audit('web:1', 'wrong', 'ann', 2)).rejects.toThrow(/already audited \(correct by ann\)/);
    const fixed = await turns.audit('web:1', 'wrong', 'ann', 3, 'alarm_query', true);
    expect(fixed).toMatchObject({ audit: 'wrong', audit_agent: 'ann', audit_intent: 'alarm_query' });
    expect(await code(turns.audit('web:1', 'correct', 'bob', 4, undefined, true))).toBe('E_NOT_YOUR_AUDIT');
    expect(await turns.get('web:1')).toMatchObject({ audit: 'wrong', audit_agent: 'ann', audit_intent: 'alarm_query' });
    expect((await turns.audits('done')).map((t) => t.id)).toEqual(['web:1']);
    expect(await turns.audits('pending')).toEqual([]);
  });
});
