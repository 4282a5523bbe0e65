/**
 * kill -9 right after the acknowledgement, then a restart on the same store: the message is answered (the durable
 * inbox). A short version of bench/kill-after-ack.ts, for Slack and Teams.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { killAfterAck } from '../fixtures/kill-after-ack.ts';

const dir = mkdtempSync(join(tmpdir(), 'switchboard-kill-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('kill -9 after the ack', () => {
  it.each(['slack', 'teams'] as const)(
    '%s: every acknowledged message is answered exactly once after the restart',
    async (channel) => {
      const results = await killAfterAck({ channel, delays: [0, 5], runs: 2, storeFile: join(dir, `${channel}.db`) });
      // Never lost. A kill that lands between the platform's acceptance of the reply and the inbox's done mark (a
      // window of a local write, wider on a busy machine) sends it again: bench/kill-after-ack.ts measures how often.
      for (const r of results) {
        expect(r).toMatchObject({ lost: 0, refused: 0 });
        expect(r.once + r.duplicated).toBe(2);
      }
    },
    170_000,
  );
});
