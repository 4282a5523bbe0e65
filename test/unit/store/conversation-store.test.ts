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
