/**
 * Agent lines under faults (issue 15), two drills; `--write-docs` writes the table into docs/reliability.md.
 *
 * 1. kill -9 in the send path: an agent's line is posted through the agent API (with the console's message id) to a
 *    handed-off customer on the web chat or Slack; `delay` ms later the server is killed and started again on the same
 *    store; the console sends the same request again (its answer was lost). Each line must reach the customer once.
 * 2. Two instances redelivering: two instances on one PostgreSQL; a Slack customer's DM refuses `--lines` agent lines
 *    (they wait in the outbox), then accepts; both instances' outbox rounds run. Each line must arrive once.
 *
 *   TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npx tsx bench/agent-lines-drill.ts [--runs 20] [--delays 0,5] [--lines 40] [--write-docs]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { FakeSlackApi, postSlack } from '../test/fixtures/fake-slack-api.ts';
import { type RunningServer, spawnServer } from '../test/fixtures/spawn-server.ts';
import { freshPostgresSchema } from '../test/fixtures/test-databases.ts';
import { WebChatClient } from '../test/fixtures/web-chat-client.ts';
import { writeDocSection } from './lib/doc-section.ts';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '20' },
    delays: { type: 'string', default: '0,5' },
    lines: { type: 'string', default: '40' },
    'write-docs': { type: 'boolean', default: false },
  },
});
const RUNS = Number(values.runs);
const DELAYS = (values.delays as string).split(',').map(Number);
const LINES = Number(values.lines);
const TOKEN = 'drill-agent';
const SECRET = 'drill-secret';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const fake = await FakeSlackApi.start();
const slackEnv = { SLACK_SIGNING_SECRET: SECRET, SLACK_BOT_TOKEN: 'xoxb-test', SLACK_API_URL: fake.url };
const agentApi = (base: string, path: string, body?: unknown) =>
  fetch(`${base}/api/handoffs${path}`, {
    method: body ? 'POST' : 'GET',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
/** Lines `Ann: <text>` the fake Slack delivered to `channel`. */
const slackLines = (channel: string, text: string) =>
  fake.calls.filter(
    (c) =>
      c.method === 'chat.postMessage' &&
      c.response?.ok === true && // accepted (a refused call is an HTTP 200 with ok: false)
      c.args.channel === channel &&
      String(c.args.text ?? '') === text,
  ).length;

/** A Slack DM that asks for a person; resolves with its ticket id once the ticket is claimed by ann. */
async function slackHandoff(base: string, dm: string): Promise<string> {
  const ts = `${1_900_000_000 + Math.floor(Math.random() * 1e6)}.000001`;
  await postSlack(
    base,
    {
      type: 'event_callback',
      team_id: 'T0DRILL',
      event_id: `Ev${dm}`,
      event_time: Math.floor(Date.now() / 1000),
      event: {
        type: 'message',
        channel_type: 'im',
        channel: dm,
        user: `U${dm}`,
        text: 'I want to talk to a human',
        ts,
      },
    },
    { secret: SECRET },
  );
  for (;;) {
    const tickets = (await (await agentApi(base, '?status=queued')).json()) as { id: string; conversation: string }[];
    const t = tickets.find((x) => x.conversation.includes(dm));
    if (t) {
      await agentApi(base, `/${t.id}/claim`, { agent: 'ann' });
      return t.id;
    }
    await sleep(100);
  }
}

interface Row {
  drill: string;
  runs: number;
  once: number;
  lost: number;
  twice: number;
}
const rows: Row[] = [];

// 1. kill -9 in the send path.
for (const channel of ['web', 'slack'] as const) {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-lines-'));
  const store = join(dir, 'switchboard.db');
  const start = async () => {
    const s = await spawnServer(['--store', store], { SWITCHBOARD_AGENT_TOKEN: TOKEN, ...slackEnv });
    s.child.stderr?.resume();
    return s;
  };
  let server: RunningServer = await start();
  let customer: WebChatClient | undefined;
  const seen: WebChatClient[] = [];
  let ticket: string;
  const dm = `D0LINES${channel}`;
  if (channel === 'web') {
    customer = new WebChatClient(server.base, 'lines');
    seen.push(customer);
    await customer.connect();
    await customer.post({ action: { kind: 'human' } });
    await customer.waitFor((e) => e.handoff === true);
    const [t] = (await (await agentApi(server.base, '?status=queued')).json()) as { id: string }[];
    ticket = t.id;
    await agentApi(server.base, `/${ticket}/claim`, { agent: 'ann' });
  } else ticket = await slackHandoff(server.base, dm);
  const count = (text: string) =>
    channel === 'web'
      ? seen.flatMap((c) => c.events).filter((e) => e.text === `Ann: ${text}`).length
      : slackLines(dm, `Ann: ${text}`);
  for (const delay of DELAYS) {
    const row: Row = {
      drill: `kill -9 ${delay} ms into an agent's line, ${channel}`,
      runs: RUNS,
      once: 0,
      lost: 0,
      twice: 0,
    };
    const texts: string[] = [];
    for (let run = 0; run < RUNS; run++) {
      const text = `line ${delay}-${run}`;
      texts.push(text);
      const body = { agent: 'ann', text, id: `console-${delay}-${run}` };
      const first = agentApi(server.base, `/${ticket}/messages`, body).catch(() => undefined);
      if (delay > 0) await sleep(delay);
      const exited = new Promise((r) => server.child.once('exit', r));
      server.child.kill('SIGKILL');
      await exited;
      await first;
      server = await start();
      if (customer) {
        const next = new WebChatClient(server.base, 'lines', customer.token);
        next.lastEventId = customer.lastEventId;
        customer = next;
        seen.push(next);
        await next.connect();
      }
      // The console did not get its answer: it sends the same request again.
      await agentApi(server.base, `/${ticket}/messages`, body);
      const until = Date.now() + 30_000;
      while (count(text) === 0 && Date.now() < until) await sleep(50);
      process.stderr.write(`${row.drill} #${run + 1}: ${count(text)}\n`);
    }
    await sleep(12_000); // an outbox round after the last restart: nothing arrives again
    for (const t of texts) {
      const k = count(t);
      if (k === 1) row.once++;
      else if (k === 0) row.lost++;
      else row.twice++;
    }
    rows.push(row);
  }
  for (const c of seen) c.disconnect();
  server.child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
}

// 2. Two instances redelivering the outbox.
const url = process.env.TEST_DATABASE_URL;
if (url) {
  const schema = await freshPostgresSchema(url);
  const env = { DATABASE_URL: schema.url, SWITCHBOARD_AGENT_TOKEN: TOKEN, ...slackEnv };
  const a = await spawnServer([], { ...env, SWITCHBOARD_INSTANCE_ID: 'lines-a' });
  const b = await spawnServer([], { ...env, SWITCHBOARD_INSTANCE_ID: 'lines-b' });
  for (const s of [a, b]) s.child.stderr?.resume();
  const dm = 'D0LINESTWO';
  const ticket = await slackHandoff(a.base, dm);
  for (let i = 0; i < LINES; i++) fake.failNext('chat.postMessage', 'channel_not_found', (args) => args.channel === dm);
  for (let i = 0; i < LINES; i++)
    await agentApi(i % 2 ? b.base : a.base, `/${ticket}/messages`, { agent: 'ann', text: `queued ${i}` });
  const until = Date.now() + 120_000;
  const count = (i: number) => slackLines(dm, `Ann: queued ${i}`);
  while (Date.now() < until && Array.from({ length: LINES }, (_, i) => count(i)).some((k) => k === 0)) await sleep(500);
  await sleep(12_000); // another round on each instance
  const counts = Array.from({ length: LINES }, (_, i) => count(i));
  rows.push({
    drill: 'two instances redelivering the outbox, Slack',
    runs: LINES,
    once: counts.filter((k) => k === 1).length,
    lost: counts.filter((k) => k === 0).length,
    twice: counts.filter((k) => k > 1).length,
  });
  a.stop();
  b.stop();
  await sleep(1000);
  await schema.drop().catch(() => {});
}
await fake.close();

const table = [
  '| drill | lines | delivered once | lost | delivered twice |',
  '| --- | --- | --- | --- | --- |',
  ...rows.map((r) => `| ${r.drill} | ${r.runs} | ${r.once} | **${r.lost}** | **${r.twice}** |`),
].join('\n');
console.log(table);
if (values['write-docs'])
  writeDocSection(
    join(import.meta.dirname, '..', 'docs', 'reliability.md'),
    'agent-lines',
    `TEST_DATABASE_URL=… npx tsx bench/agent-lines-drill.ts --runs ${RUNS} --delays ${DELAYS.join(',')} --lines ${LINES} --write-docs`,
    table,
  );
process.exit(0);
