/**
 * Three instances behind a real nginx (round-robin) on one PostgreSQL under load (issue 15): signed Slack events at
 * `--slack-rate`/s and web-chat messages at `--web-rate`/s for `--seconds`, through the balancer; some ask for a person
 * (tickets), which an agent claims through a random instance. One console per instance records every ticket event.
 * Measures: non-2xx acknowledgements (errors), messages never answered (lost) or answered twice, the spread between
 * the first and the last console to see each ticket event (p99), and each instance's RSS after minute 1 and at the end.
 * Needs TEST_DATABASE_URL and nginx. `--write-docs` writes docs/reliability.md.
 *
 *   TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npx tsx bench/cluster-load.ts [--seconds 300] [--slack-rate 200] [--web-rate 100] [--write-docs]
 *     [--section cluster-load] [--details FILE]
 * `--section` names the docs section written (a second run at another rate goes into its own); `--details FILE` writes every message answered twice with its calls (which channel, when).
 */
import { createWriteStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { consoleOn } from '../test/fixtures/console-client.ts';
import { FakeSlackApi, postSlack } from '../test/fixtures/fake-slack-api.ts';
import { startNginx } from '../test/fixtures/nginx.ts';
import { type RunningServer, spawnServer } from '../test/fixtures/spawn-server.ts';
import { freshPostgresSchema } from '../test/fixtures/test-databases.ts';
import { WebChatClient } from '../test/fixtures/web-chat-client.ts';
import { writeDocSection } from './lib/doc-section.ts';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '300' },
    'slack-rate': { type: 'string', default: '200' },
    'web-rate': { type: 'string', default: '100' },
    'write-docs': { type: 'boolean', default: false },
    /** Writes every message answered twice (which channel, which calls, when) to this JSON file. */
    details: { type: 'string' },
    /** The doc section to write (default `cluster-load`). */
    section: { type: 'string', default: 'cluster-load' },
  },
});
const SECONDS = Number(values.seconds);
const SLACK_RATE = Number(values['slack-rate']);
const WEB_RATE = Number(values['web-rate']);
const url = process.env.TEST_DATABASE_URL;
if (!url) throw new Error('set TEST_DATABASE_URL');
const SECRET = 'cluster-load-secret';
const TOKEN = 'cluster-load-agent';
const TEXTS = [
  'wake me up at 7 tomorrow',
  'what is the weather like today',
  'what time is it now',
  'set an alarm for 6 am',
];
const PERSON = 'I want to talk to a human';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const q = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor(p * s.length))] : Number.NaN;
};

const slackReplies = new Map<string, number>();
/** Every bot reply posted to a thread: when it arrived and the key in its metadata (duplicates are explained with it). */
const slackReplyCalls = new Map<string, { at: number; key: unknown; method?: string; found?: boolean }[]>();
const fake = await FakeSlackApi.start({
  onCall: (call) => {
    // switchboard's lookups of a thread (did a post go through?): when they came and what they found.
    if (call.method === 'conversations.replies' && typeof call.args.ts === 'string') {
      const list = slackReplyCalls.get(call.args.ts) ?? [];
      const messages = (call.response?.messages ?? []) as { metadata?: unknown }[];
      list.push({
        at: Math.round(call.at),
        key: undefined,
        method: call.method,
        found: messages.some((m) => m.metadata),
      });
      slackReplyCalls.set(call.args.ts, list);
    }
    // The bot's reply in the event's thread (an agent's "joined" note in a ticket's thread is not one).
    if (
      call.method === 'chat.postMessage' &&
      call.status === 200 &&
      typeof call.args.thread_ts === 'string' &&
      !/joined the conversation/.test(String(call.args.text ?? ''))
    ) {
      slackReplies.set(call.args.thread_ts, (slackReplies.get(call.args.thread_ts) ?? 0) + 1);
      const list = slackReplyCalls.get(call.args.thread_ts) ?? [];
      const metadata = call.args.metadata as { event_payload?: { key?: unknown } } | undefined;
      list.push({ at: Math.round(call.at), key: metadata?.event_payload?.key });
      slackReplyCalls.set(call.args.thread_ts, list);
    }
  },
});
const schema = await freshPostgresSchema(url);
const servers: RunningServer[] = [];
// Each instance's local files (its spool) in a directory of this run: a spool an earlier run left behind (turns it
// never drained, with the same event ids) must not be replayed into this one.
const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-cluster-load-'));
for (const name of ['a', 'b', 'c'])
  servers.push(
    await spawnServer(['--store', join(dataDir, `${name}.db`)], {
      DATABASE_URL: schema.url,
      SWITCHBOARD_AGENT_TOKEN: TOKEN,
      SWITCHBOARD_INSTANCE_ID: `load-${name}`,
      // nginx (on loopback) appends X-Forwarded-For: each simulated customer is its own client for the stream limits.
      SWITCHBOARD_TRUSTED_PROXIES: '127.0.0.1',
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_BOT_TOKEN: 'xoxb-test',
      SLACK_API_URL: fake.url,
    }),
  );
for (const [i, s] of servers.entries()) {
  // CLUSTER_LOG=dir keeps each instance's log (dir/instance-0.log …); else it is drained.
  const dir = process.env.CLUSTER_LOG;
  if (dir) s.child.stderr?.pipe(createWriteStream(join(dir, `instance-${i}.log`)));
  else s.child.stderr?.resume();
  s.child.once('exit', (code, signal) => {
    if (!stopping) process.stderr.write(`instance ${i} exited: ${code ?? signal}\n`);
  });
}
let stopping = false;
const rss = (s: RunningServer) => {
  try {
    return Number(readFileSync(`/proc/${s.child.pid}/status`, 'utf8').match(/VmRSS:\s+(\d+) kB/)?.[1]) / 1024;
  } catch {
    return Number.NaN; // the instance is gone
  }
};
for (const s of servers) {
  const t0 = Date.now();
  for (;;) {
    const h = (await (await fetch(`${s.base}/healthz`)).json()) as { rule_entities: { ready: boolean } };
    if (h.rule_entities.ready) break;
    if (Date.now() - t0 > 600_000) throw new Error('rule recognizers did not warm up');
    await sleep(500);
  }
}
const nginx = await startNginx(servers.map((s) => s.base));
const consoles = await Promise.all(servers.map((s) => consoleOn(s.base, TOKEN)));
// Customers who ask questions, and others who each ask for a person once (their later lines would go to the agent).
/** A distinct address per simulated customer (they would not share one in a real deployment). */
const addressOf = (n: number) => `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
const customers = Array.from(
  { length: 50 },
  (_, i) => new WebChatClient(nginx.base, `load${i}`, undefined, addressOf(i + 1)),
);
const askers: WebChatClient[] = [];
for (const c of customers) await c.connect();

let errors = 0;
let seq = 0;
const slackSent: string[] = [];
const webSent: { client: WebChatClient; id: string; person: boolean }[] = [];
const inflight: Promise<void>[] = [];

async function slackEvent(): Promise<void> {
  const n = ++seq;
  const ts = `${1_800_000_000 + n}.${String(n).padStart(6, '0')}`;
  const person = n % 100 === 0;
  const body = JSON.stringify({
    type: 'event_callback',
    team_id: 'T0LOAD',
    event_id: `Ev0LOAD${n}`,
    event_time: Math.floor(Date.now() / 1000),
    event: {
      type: 'message',
      channel_type: 'im',
      channel: `D0LOAD${n}`,
      user: `U0LOAD${n % 500}`,
      text: person ? PERSON : TEXTS[n % TEXTS.length],
      ts,
      event_ts: ts,
      team: 'T0LOAD',
    },
  });
  slackSent.push(ts);
  try {
    const r = await postSlack(nginx.base, body, { secret: SECRET });
    await r.arrayBuffer();
    if (r.status !== 200) errors++;
  } catch {
    errors++;
  }
}

async function webMessage(): Promise<void> {
  const n = ++seq;
  const person = n % 97 === 0;
  let client = customers[n % customers.length];
  if (person) {
    client = new WebChatClient(nginx.base, `person${n}`, undefined, addressOf(1000 + n));
    askers.push(client);
    await client.connect().catch(() => {
      errors++;
    });
  }
  const id = `load-${n}`;
  webSent.push({ client, id, person });
  try {
    const r = person
      ? await client.post({ action: { kind: 'human' }, id })
      : await client.say(TEXTS[n % TEXTS.length], id);
    await r.arrayBuffer();
    if (r.status !== 200) errors++;
  } catch {
    errors++;
  }
}

// Agents claim new tickets through a random instance.
const claimed = new Set<string>();
const claimer = setInterval(() => {
  for (const e of consoles[0].events)
    if (e.kind === 'opened' && !claimed.has(e.ticket.id)) {
      claimed.add(e.ticket.id);
      const base = servers[claimed.size % servers.length].base;
      void fetch(`${base}/api/handoffs/${e.ticket.id}/claim`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ agent: 'ann' }),
      }).catch(() => {});
    }
}, 500);

const rssMinute1: number[] = [];
const start = Date.now();
const total = SLACK_RATE + WEB_RATE;
for (let i = 0; i < SECONDS * total; i++) {
  const at = start + (i * 1000) / total;
  const wait = at - Date.now();
  if (wait > 1) await sleep(wait);
  inflight.push(i % total < SLACK_RATE ? slackEvent() : webMessage());
  if (rssMinute1.length === 0 && Date.now() - start >= 60_000) rssMinute1.push(...servers.map(rss));
}
await Promise.all(inflight);
const sentSeconds = (Date.now() - start) / 1000;
const rssEnd = servers.map(rss);
const slackCount = (ts: string) => slackReplies.get(ts) ?? 0;
const webCount = (w: (typeof webSent)[number]) =>
  w.person
    ? w.client.events.filter((e) => e.handoff).length
    : w.client.events.filter((e) => e.feedback_turn === `web:${w.id}`).length;
const drainUntil = Date.now() + 60_000;
while (
  Date.now() < drainUntil &&
  (slackSent.some((t) => slackCount(t) === 0) || webSent.some((w) => webCount(w) === 0))
)
  await sleep(500);
await sleep(3000);
clearInterval(claimer);
const counts = [...slackSent.map(slackCount), ...webSent.map(webCount)];
const lost = counts.filter((k) => k === 0).length;
const duplicated = counts.filter((k) => k > 1).length;
const slackTwice = slackSent.filter((t) => slackCount(t) > 1);
const webTwice = webSent.filter((w) => webCount(w) > 1);
console.log(
  `answered twice: slack ${slackTwice.length}, web ${webTwice.length}; lost: slack ${slackSent.filter((t) => slackCount(t) === 0).length}, web ${webSent.filter((w) => webCount(w) === 0).length}`,
);
if (values.details)
  writeFileSync(
    values.details,
    JSON.stringify(
      {
        slack: slackTwice.map((ts) => ({ ts, calls: slackReplyCalls.get(ts) })),
        web: webTwice.map((w) => ({ id: w.id, person: w.person, events: w.client.events.length })),
      },
      null,
      1,
    ),
  );
// The spread of each ticket event over the three consoles: the last console's arrival minus the first's.
const spreads: number[] = [];
let unseen = 0;
const keys = new Set(consoles[0].events.map((e) => `${e.kind}:${e.ticket.id}`));
for (const c of consoles) for (const e of c.events) keys.add(`${e.kind}:${e.ticket.id}`);
for (const key of keys) {
  const arrivals = consoles.map((c) => c.events.find((e) => `${e.kind}:${e.ticket.id}` === key)?.at);
  if (arrivals.some((a) => a === undefined)) unseen++;
  else spreads.push(Math.max(...(arrivals as number[])) - Math.min(...(arrivals as number[])));
}
for (const c of consoles) c.close();
for (const c of [...customers, ...askers]) c.disconnect();
stopping = true;
const crashed = servers.filter((s) => s.child.exitCode !== null || s.child.signalCode !== null).length;
await nginx.stop();
for (const s of servers) s.stop();
await fake.close();
await sleep(1000);
await schema.drop().catch(() => {});
rmSync(dataDir, { recursive: true, force: true });

const growth = rssEnd.map((r, i) => (rssMinute1[i] ? ((r - rssMinute1[i]) / rssMinute1[i]) * 100 : Number.NaN));
const table = [
  '| seconds | instances that died | Slack events | web-chat messages | achieved rate /s | errors | lost | answered twice (Slack / web) | ticket events | seen by every console | console spread p50 / p99 | RSS minute 1 → end (growth) |',
  '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  `| ${SECONDS} | **${crashed}** | ${slackSent.length} | ${webSent.length} | ${((slackSent.length + webSent.length) / sentSeconds).toFixed(0)} | **${errors}** | **${lost}** | **${duplicated}** (${slackTwice.length} / ${webTwice.length}) | ${keys.size} | ${keys.size - unseen} | ${q(spreads, 0.5)} / **${q(spreads, 0.99)} ms** | ${rssMinute1.map((r, i) => `${r.toFixed(0)} → ${rssEnd[i].toFixed(0)} MB (${growth[i] >= 0 ? '+' : ''}${growth[i].toFixed(0)}%)`).join('; ')} |`,
].join('\n');
console.log(table);
if (values['write-docs'])
  writeDocSection(
    join(import.meta.dirname, '..', 'docs', 'reliability.md'),
    values.section,
    `TEST_DATABASE_URL=… npx tsx bench/cluster-load.ts --seconds ${SECONDS} --slack-rate ${SLACK_RATE} --web-rate ${WEB_RATE}${values.section === 'cluster-load' ? '' : ` --section ${values.section}`} --write-docs`,
    table,
  );
process.exit(0);
