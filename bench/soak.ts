/**
 * The soak (issue 15, a benchmark, not CI): one instance (`switchboard start`, demo bot, its default SQLite store in a
 * temp dir) under signed Slack events at `--rate`/s for `--minutes`, open loop (each event leaves on schedule whatever
 * became of the earlier ones), from `--customers` customers each in their own DM; texts are the demo bot's questions
 * (MASSIVE test utterances whose intent it answers, when ../shared/data is there; else a few fixed questions). Replies
 * arrive at a fake Slack Web API on loopback. A support desk works the queue as agents would (every `--desk-seconds`,
 * through the agent API: each queued ticket is claimed and resolved), so customers who were handed to a person come
 * back to the bot, as in a staffed deployment; `--desk-seconds 0` leaves every ticket waiting (customers in the queue
 * get the holding reply). Measures: errors (acks other than 200, replies missing 30 s after the last
 * event, error lines in the server's log), replies posted twice, reply latency (scheduled send → reply at the fake),
 * the server's CPU time per event (user + system, every thread: what one event costs, for capacity planning),
 * and the server's RSS (VmRSS, every 5 s; the median of the first minute against the median of the last). Targets: 0
 * errors, RSS growth ≤ 10%.
 * `--write-docs` writes the table into docs/reliability.md (its `--section`: `soak-desk` by default).
 *
 *   npx tsx bench/soak.ts [--minutes 30] [--rate 200] [--customers 2000] [--desk-seconds 1] [--write-docs] [--section soak-desk]
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parse } from 'yaml';
import { FakeSlackApi, nowMs, postSlack } from '../test/fixtures/fake-slack-api.ts';
import { DATA_ROOT } from './datasets.ts';
import { writeDocSection } from './lib/doc-section.ts';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '30' },
    rate: { type: 'string', default: '200' },
    customers: { type: 'string', default: '2000' },
    'desk-seconds': { type: 'string', default: '1' },
    /** The doc section to write (default `soak-desk`; `soak` is the run without a desk). */
    section: { type: 'string', default: 'soak-desk' },
    'write-docs': { type: 'boolean', default: false },
  },
});
const MINUTES = Number(values.minutes);
const RATE = Number(values.rate);
const CUSTOMERS = Number(values.customers);
const DESK_SECONDS = Number(values['desk-seconds']);
if (!(MINUTES > 0 && RATE > 0 && CUSTOMERS > 0)) throw new Error('--minutes, --rate and --customers must be positive');
if (!(DESK_SECONDS >= 0)) throw new Error('--desk-seconds must be 0 or more');
const AGENT_TOKEN = 'soak-agent-token';
const SECRET = 'soak-signing-secret';
const TEAM = 'T0SOAK';
const DEMO_CONFIG = join(import.meta.dirname, '..', 'config', 'demo.yaml');
const FALLBACK_TEXTS = ['wake me up at 7 tomorrow', 'what is the weather like today', 'what time is it now'];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const q = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor(p * s.length))] : Number.NaN;
};

/** The demo bot's questions in six languages, or the fallback when the datasets are not there. */
function loadTexts(): string[] {
  const answered = new Set(Object.keys((parse(readFileSync(DEMO_CONFIG, 'utf8')) as { answers: object }).answers));
  const out: string[] = [];
  for (const l of ['en', 'de', 'es', 'fr', 'hi', 'th']) {
    const file = join(DATA_ROOT, 'massive', l, `test_${l}_raw.txt`);
    if (!existsSync(file)) continue;
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      const [text, intent] = line.split('\t');
      if (text && answered.has(intent)) out.push(text);
    }
  }
  return out.length ? out : FALLBACK_TEXTS;
}
const texts = loadTexts();

/** Replies per event (by the event's ts = the reply's thread_ts) and when the first arrived. */
const replies = new Map<string, { n: number; at: number }>();
const LOCALES = ['en-US', 'de-DE', 'es-ES', 'fr-FR', 'hi-IN', 'th-TH'];
const fake = await FakeSlackApi.start({
  // Every customer has a locale (users.info answers): no per-event warning in the server's log.
  locales: Object.fromEntries(Array.from({ length: CUSTOMERS }, (_, i) => [`U0SOAK${i}`, LOCALES[i % LOCALES.length]])),
  onCall: (call) => {
    if (call.method !== 'chat.postMessage' || call.status !== 200 || typeof call.args.thread_ts !== 'string') return;
    // A turn's reply carries the turn's key (`slack:<event>`); the desk's lines (joined, closing) carry a ticket line's.
    const key = (call.args.metadata as { event_payload?: { key?: unknown } } | undefined)?.event_payload?.key;
    if (typeof key === 'string' && !key.startsWith('slack:')) return;
    const r = replies.get(call.args.thread_ts);
    if (r) r.n++;
    else replies.set(call.args.thread_ts, { n: 1, at: call.at });
  },
});
const storeDir = mkdtempSync(join(tmpdir(), 'switchboard-soak-'));
// The server's log goes to a file, not a pipe: a load generator too busy to read a pipe would block the server's
// writes to it (and so the server). SOAK_LOG keeps the file.
const logFile = process.env.SOAK_LOG ?? join(storeDir, 'server.log');
const logFd = openSync(logFile, 'w');
const child = spawn(
  process.execPath,
  [join(import.meta.dirname, '..', 'bin', 'switchboard.js'), 'start', '--store', join(storeDir, 'switchboard.db')],
  {
    cwd: join(import.meta.dirname, '..'),
    env: {
      ...process.env,
      PORT: '0',
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_BOT_TOKEN: 'xoxb-test',
      SLACK_API_URL: fake.url,
      SWITCHBOARD_AGENT_TOKEN: AGENT_TOKEN,
    },
    stdio: ['ignore', 'ignore', logFd],
  },
);
closeSync(logFd);
let died = false;
child.once('exit', () => {
  died = true;
});
let base = '';
while (!base) {
  if (died) throw new Error(`the server exited: ${readFileSync(logFile, 'utf8').slice(-2000)}`);
  base = readFileSync(logFile, 'utf8').match(/listening on (http:\/\/localhost:\d+)/)?.[1] ?? '';
  if (!base) await sleep(200);
}
const server = { base, child, stop: () => child.kill('SIGTERM') };
const pid = child.pid as number;
const rssMb = () => {
  try {
    return Number(readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+) kB/)?.[1]) / 1024;
  } catch {
    return Number.NaN;
  }
};
/** The server's CPU time so far (user + system, all threads), in seconds; /proc counts in clock ticks (100 per s). */
const cpuSeconds = () => {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
};
const t0 = Date.now();
for (;;) {
  const h = (await (await fetch(`${server.base}/healthz`)).json()) as { rule_entities: { ready: boolean } };
  if (h.rule_entities.ready) break;
  if (Date.now() - t0 > 600_000) throw new Error('rule recognizers did not warm up');
  await sleep(500);
}

let seq = 0;
let badAcks = 0;
const sent: { ts: string; due: number; channel: string }[] = [];
async function sendEvent(due: number): Promise<void> {
  const n = ++seq;
  const ts = `${1_700_000_000 + n}.${String(n % 1_000_000).padStart(6, '0')}`;
  const customer = n % CUSTOMERS;
  const body = JSON.stringify({
    type: 'event_callback',
    team_id: TEAM,
    event_id: `Ev0SOAK${n}`,
    event_time: Math.floor(Date.now() / 1000),
    event: {
      type: 'message',
      channel_type: 'im',
      channel: `D0SOAK${customer}`,
      user: `U0SOAK${customer}`,
      text: texts[n % texts.length],
      ts,
      event_ts: ts,
      team: TEAM,
    },
  });
  sent.push({ ts, due, channel: `D0SOAK${customer}` });
  try {
    // Slack gives up after 3 s; a server that hangs must show as errors
    const r = await postSlack(server.base, body, { secret: SECRET, signal: AbortSignal.timeout(30_000) });
    await r.arrayBuffer();
    if (r.status !== 200) badAcks++;
  } catch {
    badAcks++;
  }
}

// The desk: every queued ticket is claimed and resolved (one pass at a time; a failed call is counted, not fatal).
let deskTickets = 0;
let deskErrors = 0;
/**
 * When each customer's ticket was with the desk (claim sent → resolve answered): a message that reaches the server in
 * that window goes to the agent, and the bot does not answer it (not an error).
 */
const withDesk = new Map<string, { from: number; to: number }[]>();
async function agentCall(path: string, body?: object): Promise<unknown> {
  const r = await fetch(`${server.base}${path}`, {
    method: body ? 'POST' : 'GET',
    headers: { authorization: `Bearer ${AGENT_TOKEN}`, 'content-type': 'application/json' },
    ...(body ? { body: JSON.stringify(body) } : {}),
    signal: AbortSignal.timeout(30_000),
  });
  const out = await r.json();
  if (!r.ok) throw new Error(`${path}: ${r.status} ${JSON.stringify(out)}`);
  return out;
}
let deskBusy = false;
const desk =
  DESK_SECONDS > 0
    ? setInterval(async () => {
        if (deskBusy) return;
        deskBusy = true;
        try {
          const queued = (await agentCall('/api/handoffs?status=queued')) as { id: string; conversation: string }[];
          for (const t of queued) {
            const window = { from: nowMs(), to: Number.POSITIVE_INFINITY };
            const channel = t.conversation.slice(t.conversation.lastIndexOf(':') + 1);
            withDesk.set(channel, [...(withDesk.get(channel) ?? []), window]);
            try {
              await agentCall(`/api/handoffs/${t.id}/claim`, { agent: 'soak-desk' });
              await agentCall(`/api/handoffs/${t.id}/resolve`, { agent: 'soak-desk' });
              window.to = nowMs();
              deskTickets++;
            } catch {
              deskErrors++; // e.g. the customer left the queue meanwhile (409)
            }
          }
        } catch {
          deskErrors++;
        } finally {
          deskBusy = false;
        }
      }, DESK_SECONDS * 1000)
    : undefined;

// The fake keeps every call; they are not needed here (replies are counted as they come).
const forget = setInterval(() => fake.reset(), 10_000);
const start = nowMs();
const cpuAtStart = cpuSeconds();
const rss: { minute: number; mb: number }[] = [];
const sampler = setInterval(() => rss.push({ minute: (nowMs() - start) / 60_000, mb: rssMb() }), 5_000);
const total = Math.round(MINUTES * 60 * RATE);
const inflight = new Set<Promise<void>>();
for (let i = 0; i < total && !died; i++) {
  const due = start + (i * 1000) / RATE;
  const wait = due - nowMs();
  if (wait > 1) await sleep(wait);
  const p = sendEvent(due).finally(() => inflight.delete(p));
  inflight.add(p);
}
await Promise.all(inflight);
const sentSeconds = (nowMs() - start) / 1000;
clearInterval(sampler);
if (desk) clearInterval(desk);
const cpuPerEventMs = ((cpuSeconds() - cpuAtStart) * 1000) / sent.length;
// RSS moves in a sawtooth of a few hundred MB (garbage collection): one sample at minute 1 and one at the end compare
// two random points of it. Each is the median of the samples (every 5 s) of that minute.
const median = (xs: number[]) => q(xs, 0.5);
const loadMinutes = rss.at(-1)?.minute ?? 0;
const rssMinute1 = median(rss.filter((r) => r.minute <= 1).map((r) => r.mb));
const rssEnd = median(rss.filter((r) => r.minute > loadMinutes - 1).map((r) => r.mb));
const drainUntil = Date.now() + 30_000;
while (Date.now() < drainUntil && sent.some((s) => !replies.has(s.ts))) await sleep(500);
await sleep(2000);
clearInterval(forget);
// Sent up to 5 s before a claim (on its way to the server), or while the ticket was with the desk: the agent's.
const toAgent = (s: (typeof sent)[number]) =>
  (withDesk.get(s.channel) ?? []).some((w) => s.due >= w.from - 5000 && s.due <= w.to);
const unanswered = sent.filter((s) => !replies.has(s.ts));
const relayed = unanswered.filter(toAgent).length;
const missing = unanswered.length - relayed;
const twice = sent.filter((s) => (replies.get(s.ts)?.n ?? 0) > 1).length;
const latencies = sent.flatMap((s) => {
  const r = replies.get(s.ts);
  return r ? [r.at - s.due] : [];
});
const diedUnderLoad = died;
const exited = new Promise((r) => server.child.once('exit', r));
if (!died) server.stop();
await exited;
await fake.close();
const logErrors = readFileSync(logFile, 'utf8')
  .split('\n')
  .filter((l) => l.includes('"level":"error"')).length;
rmSync(storeDir, { recursive: true, force: true });

const growth = ((rssEnd - rssMinute1) / rssMinute1) * 100;
const errors = badAcks + missing + logErrors;
const rssMax = Math.max(...rss.map((r) => r.mb).filter((x) => !Number.isNaN(x)));
const table = [
  '| minutes | rate /s (achieved) | events | tickets worked by the desk (failed calls) | died | errors (non-200 acks, missing replies, error log lines) | answered twice | reply p50 / p99 | server CPU per event | RSS first minute → last minute, medians (growth) | RSS max |',
  '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  `| ${MINUTES} | ${RATE} (${(sent.length / sentSeconds).toFixed(0)}) | ${sent.length} | ${DESK_SECONDS > 0 ? `${deskTickets} (${deskErrors}); ${relayed} messages to the agent` : 'no desk'} | ${diedUnderLoad ? '**yes**' : 'no'} | **${errors}** (${badAcks}, ${missing}, ${logErrors}) | **${twice}** | ${q(latencies, 0.5).toFixed(0)} / ${q(latencies, 0.99).toFixed(0)} ms | ${cpuPerEventMs.toFixed(2)} ms | ${rssMinute1.toFixed(0)} → ${rssEnd.toFixed(0)} MB (**${growth >= 0 ? '+' : ''}${growth.toFixed(1)}%**) | ${rssMax.toFixed(0)} MB |`,
].join('\n');
console.log(`${texts.length} texts; RSS every 5 s: ${rss.map((r) => r.mb.toFixed(0)).join(' ')}`);
console.log(table);
if (values['write-docs'])
  writeDocSection(
    join(import.meta.dirname, '..', 'docs', 'reliability.md'),
    values.section as string,
    `npx tsx bench/soak.ts --minutes ${MINUTES} --rate ${RATE} --customers ${CUSTOMERS} --desk-seconds ${DESK_SECONDS} --section ${values.section} --write-docs`,
    table,
  );
process.exit(0);
