import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SwitchboardError } from '../../../src/errors.ts';
import { memoryLogger } from '../../../src/log.ts';
import { sendError } from '../../../src/server/http-errors.ts';

const errors: Record<string, unknown> = {
  busy: new SwitchboardError('E_STORE_BUSY', 'transport', 'PostgreSQL busy: no free connection within 5 s'),
  down: new SwitchboardError('E_STORE_UNAVAILABLE', 'transport', 'PostgreSQL unavailable: Connection terminated'),
  bug: new Error('boom'),
};
let server: Server;
let base: string;
beforeAll(async () => {
  const log = memoryLogger();
  server = createServer((req, res) => sendError(res, errors[req.url?.slice(1) ?? ''], log, req.url));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('sendError', () => {
  it('a busy database is 503 E_STORE_BUSY with Retry-After (the web chat page sends the message again)', async () => {
    const res = await fetch(`${base}/busy`);
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('1');
    expect(((await res.json()) as { error: string }).error).toBe('E_STORE_BUSY');
  });

  it('a database outage is 503 E_STORE_UNAVAILABLE; anything else 500 E_INTERNAL', async () => {
    const down = await fetch(`${base}/down`);
    expect([down.status, ((await down.json()) as { error: string }).error]).toEqual([503, 'E_STORE_UNAVAILABLE']);
    const bug = await fetch(`${base}/bug`);
    expect([bug.status, ((await bug.json()) as { error: string }).error]).toEqual([500, 'E_INTERNAL']);
  });
});
