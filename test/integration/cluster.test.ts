/**
 * Three instances behind a real nginx (round-robin) on one PostgreSQL behave as one: web-chat customers whose streams
 * and messages land on different instances get every reply once; agent consoles on every instance see every ticket
 * any instance opens; an agent claiming and writing through another instance reaches the customer wherever the
 * customer's stream is. Runs when TEST_DATABASE_URL is set and nginx is installed (`.ci/run` installs it).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { consoleOn } from '../fixtures/console-client.ts';
import { NGINX, type RunningNginx, startNginx } from '../fixtures/nginx.ts';
import { type RunningServer, spawnServer } from '../fixtures/spawn-server.ts';
import { freshPostgresSchema, TEST_DATABASE_URL } from '../fixtures/test-databases.ts';
import { WAIT_MS } from '../fixtures/wait.ts';
import { WebChatClient } from '../fixtures/web-chat-client.ts';

const TOKEN = 'cluster-agent';
const servers: RunningServer[] = [];
let nginx: RunningNginx | undefined;
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups) await c().catch(() => {});
  await nginx?.stop();
  for (const s of servers) s.stop();
});

describe.skipIf(!TEST_DATABASE_URL || !NGINX)('three instances behind nginx on one PostgreSQL', () => {
  it('behave as one: replies, tickets and agent lines cross instances, each once', async () => {
    const schema = await freshPostgresSchema(TEST_DATABASE_URL as string);
    cleanups.push(schema.drop);
    for (const name of ['a', 'b', 'c'])
      servers.push(
        await spawnServer([], {
          DATABASE_URL: schema.url,
          SWITCHBOARD_AGENT_TOKEN: TOKEN,
          SWITCHBOARD_INSTANCE_ID: `cluster-${name}`,
        }),
      );
    for (const s of servers) s.child.stderr?.resume();
    nginx = await startNginx(servers.map((s) => s.base));
    const consoles = await Promise.all(
      servers.map(async (s) => {
        const c = await consoleOn(s.base, TOKEN);
        cleanups.push(async () => c.close());
        return c.events;
      }),
    );

    // Customers through the balancer: streams and messages spread over the instances.
    const customers = Array.from({ length: 9 }, (_, i) => new WebChatClient(nginx!.base, `cluster${i}`));
    for (const c of customers) await c.connect();
    for (const [i, c] of customers.entries()) {
      const r = await c.say('wake me up at 7 tomorrow', `alarm-${i}`);
      expect(r.status).toBe(200);
    }
    for (const [i, c] of customers.entries()) await c.waitFor((e) => e.feedback_turn === `web:alarm-${i}`, WAIT_MS);
    // Each answer once, whichever instance handled it and whichever holds the stream.
    for (const [i, c] of customers.entries())
      expect(c.events.filter((e) => e.feedback_turn === `web:alarm-${i}`)).toHaveLength(1);

    // Every customer asks for a person: a ticket each, seen by the consoles on all three instances.
    for (const [i, c] of customers.entries()) {
      const r = await c.post({ action: { kind: 'human' }, id: `human-${i}` });
      expect(r.status).toBe(200);
    }
    const tickets = async () => {
      const r = await fetch(`${nginx!.base}/api/handoffs?status=queued`, {
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      return (await r.json()) as { id: string; conversation: string }[];
    };
    await expect.poll(async () => (await tickets()).length, { timeout: WAIT_MS }).toBe(customers.length);
    const open = await tickets();
    for (const events of consoles)
      await expect
        .poll(() => new Set(events.filter((e) => e.kind === 'opened').map((e) => e.ticket.id)).size, {
          timeout: WAIT_MS,
        })
        .toBe(customers.length);

    // Agents claim and write through the balancer (other instances than the tickets' and the streams').
    for (const t of open) {
      const claim = await fetch(`${nginx.base}/api/handoffs/${t.id}/claim`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ agent: 'ana' }),
      });
      expect(claim.status).toBe(200);
      const line = await fetch(`${nginx.base}/api/handoffs/${t.id}/messages`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ agent: 'ana', text: `hello from the desk ${t.id}` }),
      });
      expect(line.status).toBe(200);
    }
    for (const t of open) {
      const c = customers.find((x) => t.conversation === `web:${x.conversation}`);
      expect(c).toBeDefined();
      await c!.waitFor((e) => e.text.includes(`hello from the desk ${t.id}`), WAIT_MS);
    }
    await new Promise((r) => setTimeout(r, 2500)); // a sweep or two: nothing arrives twice
    for (const t of open) {
      const c = customers.find((x) => t.conversation === `web:${x.conversation}`) as WebChatClient;
      expect(c.events.filter((e) => e.text.includes(`hello from the desk ${t.id}`))).toHaveLength(1);
    }
    for (const events of consoles)
      expect(new Set(events.filter((e) => e.kind === 'claimed').map((e) => e.ticket.id)).size).toBe(open.length);
    for (const s of servers) expect(s.child.exitCode).toBeNull();
  }, 180_000);
});
