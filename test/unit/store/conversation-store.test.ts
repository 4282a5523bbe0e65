import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { isSwitchboardError } from '../../../src/errors.ts';
import { MemoryConversationStore } from '../../../src/store/conversation-store.ts';
import { SqliteConversationStore } from '../../../src/store/sqlite-conversation-store.ts';

const dir = mkdtempSync(join(tmpdir(), 'switchboard-store-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.each([
  ['memory', () => new MemoryConversationStore()],
  ['sqlite', () => new SqliteConversationStore(join(dir, `s-${Math.random()}.db`))],
])('%s conversation store', (_name, make) => {
  it('starts fresh, keeps what was set, per conversation', async () => {
    const store = make();
    expect(await store.get('a')).toEqual({ clarifications: 0 });
    await store.set('a', { clarifications: 1, language: 'es' });
    await store.set('b', { clarifications: 0, language: 'de' });
    expect(await store.get('a')).toEqual({ clarifications: 1, language: 'es' });
    expect(await store.get('b')).toEqual({ clarifications: 0, language: 'de' });
    await store.set('a', { clarifications: 0, language: 'es' });
    expect(await store.get('a')).toEqual({ clarifications: 0, language: 'es' });
    await store.close();
  });

  it('claims each channel event once', async () => {
    const store = make();
    expect(await store.claimEvent('slack:Ev1')).toBe(true);
    expect(await store.claimEvent('slack:Ev1')).toBe(false);
    expect(await store.claimEvent('teams:Ev1')).toBe(true);
    const both = await Promise.all([store.claimEvent('slack:Ev2'), store.claimEvent('slack:Ev2')]);
    expect(both.filter(Boolean)).toHaveLength(1);
    await store.close();
  });

  it('keeps a conversation address and the first feedback on a turn', async () => {
    const store = make();
    expect(await store.getAddress('teams:c1')).toBeUndefined();
    const reference = { serviceUrl: 'http://127.0.0.1:1/', conversation: { id: 'c1' }, bot: { id: 'b' } };
    await store.setAddress('teams:c1', { channel: 'teams', address: reference });
    expect(await store.getAddress('teams:c1')).toEqual({ channel: 'teams', address: reference });
    await store.setAddress('teams:c1', { channel: 'teams', address: { ...reference, serviceUrl: 'http://x/' } });
    expect((await store.getAddress('teams:c1'))?.address).toMatchObject({ serviceUrl: 'http://x/' });
    expect(await store.recordFeedback('slack:Ev1', 'down', 1)).toBe('recorded');
    expect(await store.recordFeedback('slack:Ev1', 'up', 2)).toBe('duplicate');
    // The same feedback again (its turn handled a second time): a repeat, not a new rating.
    expect(await store.recordFeedback('slack:Ev1', 'down', 1)).toBe('repeat');
    await store.close();
  });
});

describe('SqliteConversationStore', () => {
  it('persists across restarts and survives a damaged row', async () => {
    const file = join(dir, 'nested', 'dir', 'switchboard.db');
    const a = new SqliteConversationStore(file);
    await a.set('c', { clarifications: 1, language: 'fr' });
    await a.close();
    const raw = new Database(file);
    raw.prepare("INSERT INTO conversations VALUES ('broken', '{not json', 0)").run();
    raw.close();
    const b = new SqliteConversationStore(file);
    expect(await b.get('c')).toEqual({ clarifications: 1, language: 'fr' });
    expect(await b.get('broken')).toEqual({ clarifications: 0 });
    await b.close();
  });

  it('still refuses an event claimed before a restart', async () => {
    const file = join(dir, 'events.db');
    const a = new SqliteConversationStore(file);
    expect(await a.claimEvent('slack:EvR')).toBe(true);
    await a.setAddress('slack:T:C', { channel: 'slack', address: { channel: 'C', thread_ts: '1.2' } });
    await a.close();
    const b = new SqliteConversationStore(file);
    expect(await b.claimEvent('slack:EvR')).toBe(false);
    expect(await b.getAddress('slack:T:C')).toEqual({ channel: 'slack', address: { channel: 'C', thread_ts: '1.2' } });
    await b.close();
  });

  it('fails to open with a coded error naming the file', () => {
    const notADb = join(dir, 'not-a-db');
    writeFileSync(notADb, 'this is not a database file at all, it is text '.repeat(100));
    try {
      new SqliteConversationStore(notADb);
      expect.unreachable();
    } catch (e) {
      expect(isSwitchboardError(e, 'E_STORE_OPEN')).toBe(true);
      expect((e as Error).message).toContain(notADb);
    }
  });
});
