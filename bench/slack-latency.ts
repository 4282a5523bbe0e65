/**
 * `npx tsx bench/slack-latency.ts [--seconds 30] [--rates 50,200] [--texts answered|all] [--write-docs]` (issue 6 targets):
 * end-to-end latency of the Slack adapter — from the scheduled send time of a signed Slack event (a customer's DM) to the arrival of the bot's
 * `chat.postMessage` for it at a fake Slack Web API on loopback (the fake records arrival times; a load tool would only
 * time the ack). The real server (`switchboard start`, demo bot, SQLite store in a temp dir), after its rule recognizers
 * warmed up; events at a fixed rate (open loop: each leaves on schedule whether or not earlier ones were answered), each
 * with its own event_id, DM channel and timestamp (the reply's `thread_ts` identifies it); texts are shuffled MASSIVE
 * test utterances in the demo's six languages (`--texts answered`, the default: those whose gold intent the demo bot
 * answers; `--texts all`: every one), from 50 customers with six Slack locales. Reports p50/p99/max, errors
 * (acks other than 200, replies missing 5 s after the last event), and the server's RSS (VmRSS) after warm-up (10 s at
 * 50/s, then 10 s at the highest rate) and at the end. Targets: p99 ≤ 25 ms at 200 events/s, 0 errors, RSS at the end within 10% of warm-up.
 * `--write-docs` also writes the report into docs/slack.md (its `slack-latency` section).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parse } from 'yaml';
import { Random } from '../src/util/random.ts';
import { FakeSlackApi, nowMs, postSlack } from '../test/fixtures/fake-slack-api.ts';
import { spawnServer } from '../test/fixtures/spawn-server.ts';
import { DATA_ROOT } from './datasets.ts';
import { writeDocSection } from './lib/doc-section.ts';

const DEMO_CONFIG = join(import.meta.dirname, '..', 'config', 'demo.yaml');

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '30' },
    rates: { type: 'string', default: '50,200' },
    texts: { type: 'string', default: 'answered' },
    'write-docs': { type: 'boolean', default: false },
  },
});
const SECONDS = Number(values.seconds);
const RATES = values.rates.split(',').map(Number);
const SECRET = 'bench-signing-secret';
const TEAM = 'T0BENCH';
/** Warm-up: 10 s at 50/s, then 10 s at the highest rate, so that RSS after it is the working set at full load. */
const WARMUP_SECONDS = 10;

const rng = new Random(7);
// `answered`: utterances whose gold intent the demo bot answers (the common path of a deployed bot); `all`: every
// utterance — most go to a person, and with no agent claiming them the handoff queue grows by thousands of tickets.
const answered = new Set(Object.keys((parse(readFileSync(DEMO_CONFIG, 'utf8')) as { answers: object }).answers));
const texts = ['en', 'de', 'es', 'fr', 'hi', 'th'].flatMap((l) =>
  readFileSync(join(DATA_ROOT, 'massive', l, `test_${l}_raw.txt`), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => line.split('\t'))
    .filter(([, intent]) => values.texts === 'all' || answered.has(intent))
    .map(([text]) => text),
);
for (let i = texts.length - 1; i > 0; i--) {
  const j = rng.int(i + 1);
  [texts[i], texts[j]] = [texts[j], texts[i]];
}
const LOCALES = ['en-US', 'de-DE', 'es-ES', 'fr-FR', 'hi-IN', 'th-TH'];
const users = Array.from({ length: 50 }, (_, i) => `U0BENCH${String(i).padStart(2, '0')}`);

/** Arrival time of the reply to each event, by the event's message ts (= the reply's thread_ts). */
const arrivals = new Map<string, number>();
const fake = await FakeSlackApi.start({
  locales: Object.fromEntries(users.map((u, i) => [u, LOCALES[i % LOCALES.length]])),
  onCall: (call) => {
    if (call.method === 'chat.postMessage' && call.status === 200 && typeof call.args.thread_ts === 'string') {
      arrivals.set(call.args.thread_ts, call.at);
    }
  },
});
const storeDir = mkdtempSync(join(tmpdir(), 'switchboard-slack-bench-'));
const server = await spawnServer(['--store', join(storeDir, 'switchboard.db')], {
  SLACK_SIGNING_SECRET: SECRET,
  SLACK_BOT_TOKEN: 'xoxb-test',
  SLACK_API_URL: fake.url,
});
// Drain the server's log so that it never blocks on a full pipe.
server.child.stderr?.resume();
const pid = server.child.pid!;
const rssMb = () => {
  const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+) kB/);
  return m ? Number(m[1]) / 1024 : Number.NaN;
};

const healthy = async () =>
  ((await (await fetch(`${server.base}/healthz`)).json()) as { rule_entities: { ready: boolean } }).rule_entities.ready;
const t0 = Date.now();
while (!(await healthy())) {
  if (Date.now() - t0 > 120_000) throw new Error('rule recognizers did not warm up in 120 s');
  await new Promise((r) => setTimeout(r, 200));
}

let seq = 0;
/** Sends one signed DM event; resolves with the ack's status (0 when the request failed). */
async function sendEvent(text: string, run: string): Promise<{ ts: string; status: number }> {
  seq++;
  const ts = `${1_700_000_000 + seq}.${String(seq % 1_000_000).padStart(6, '0')}`;
  const user = users[seq % users.length];
  const body = JSON.stringify({
    token: 'legacy',
    team_id: TEAM,
    api_app_id: 'A0BENCH',
    type: 'event_callback',
    event_id: `Ev0${run}${seq}`,
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [{ team_id: TEAM, user_id: 'UBOT', is_bot: true, is_enterprise_install: false }],
    event: { type: 'message', channel_type: 'im', channel: `D0${run}${seq}`, user, text, ts, event_ts: ts, team: TEAM },
  });
  try {
    const r = await postSlack(server.base, body, { secret: SECRET });
    await r.arrayBuffer();
    return { ts, status: r.status };
  } catch {
    return { ts, status: 0 };
  }
}

interface RunResult {
  rate: number;
  sent: number;
  latencies: number[];
  acks: number[];
  badAcks: number;
  missing: number;
}

/** Open loop at `rate` events/s for `seconds`: event i is due at start + i/rate, whatever happened to the others. */
async function run(rate: number, seconds: number, label: string): Promise<RunResult> {
  const n = Math.round(rate * seconds);
  const due: number[] = [];
  const sends: Promise<{ ts: string; status: number; ack: number }>[] = [];
  const start = nowMs() + 50;
  for (let i = 0; i < n; i++) {
    const at = start + (i * 1000) / rate;
    const wait = at - nowMs();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    due.push(at);
    sends.push(sendEvent(texts[(seq + i) % texts.length], label).then((r) => ({ ...r, ack: nowMs() - at })));
  }
  const results = await Promise.all(sends);
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline && results.some((r) => r.status === 200 && !arrivals.has(r.ts))) {
    await new Promise((r) => setTimeout(r, 50));
  }
  const latencies: number[] = [];
  let missing = 0;
  results.forEach((r, i) => {
    const at = arrivals.get(r.ts);
    if (at === undefined) missing += r.status === 200 ? 1 : 0;
    else latencies.push(at - due[i]);
  });
  return {
    rate,
    sent: n,
    latencies,
    acks: results.map((r) => r.ack),
    badAcks: results.filter((r) => r.status !== 200).length,
    missing,
  };
}

const q = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor(p * s.length))] : Number.NaN;
};
const ms = (x: number) => `${x.toFixed(1)} ms`;

// Warm-up: the first turns of each language, the locale cache, bolt's and the Web API client's first calls; then the
// peak rate once (the heap's young generation and the allocators grow to what that load needs, and stay).
await run(50, WARMUP_SECONDS, 'W');
await new Promise((r) => setTimeout(r, 1000));
const rssWarmLow = rssMb();
await run(Math.max(...RATES), WARMUP_SECONDS, 'X');
await new Promise((r) => setTimeout(r, 1000));
const rssWarm = rssMb();
// RSS every second through the measured runs: a garbage-collected heap saws up and down; a leak only goes up.
const rssSamples: number[] = [];
const sampler = setInterval(() => rssSamples.push(rssMb()), 1000);
const results: RunResult[] = [];
for (const rate of RATES) {
  results.push(await run(rate, SECONDS, `R${rate}`));
  await new Promise((r) => setTimeout(r, 1000));
}
const rssEnd = rssMb();
clearInterval(sampler);
const metrics = await (await fetch(`${server.base}/metrics`)).text();
const queued = metrics.match(/switchboard_open_handoffs\{status="queued"\} (\d+)/)?.[1] ?? '?';

const exited = new Promise((r) => server.child.once('exit', r));
server.stop();
await exited;
await fake.close();
rmSync(storeDir, { recursive: true, force: true });

const report: string[] = [];
report.push(`${texts.length} texts (--texts ${values.texts}); handoff tickets queued at the end: ${queued}\n`);
report.push(`| rate | events | p50 | p99 | max | ack p99 | errors (non-200 acks, missing replies) |`);
report.push('|---|---|---|---|---|---|---|');
for (const r of results) {
  const errors = r.badAcks + r.missing;
  report.push(
    `| ${r.rate}/s for ${SECONDS} s | ${r.sent} | ${ms(q(r.latencies, 0.5))} | ${ms(q(r.latencies, 0.99))} | ` +
      `${ms(Math.max(...r.latencies))} | ${ms(q(r.acks, 0.99))} | ${errors} (${r.badAcks}, ${r.missing}) |`,
  );
}
const growth = ((rssEnd - rssWarm) / rssWarm) * 100;
report.push(
  `\nserver RSS: ${rssWarmLow.toFixed(1)} MB after ${WARMUP_SECONDS} s at 50/s, ${rssWarm.toFixed(1)} MB after ` +
    `${WARMUP_SECONDS} s more at ${Math.max(...RATES)}/s (warm-up), ${rssEnd.toFixed(1)} MB at the end ` +
    `(${growth >= 0 ? '+' : ''}${growth.toFixed(1)}% from warm-up); during the runs ${Math.min(...rssSamples).toFixed(1)}` +
    `–${Math.max(...rssSamples).toFixed(1)} MB, every 5 s: ${rssSamples
      .filter((_, i) => i % 5 === 4)
      .map((x) => x.toFixed(0))
      .join(' ')}`,
);
const top = results.find((r) => r.rate === 200);
if (top) {
  const p99 = q(top.latencies, 0.99);
  const errors = top.badAcks + top.missing;
  report.push(
    `targets: p99 ${ms(p99)} at 200/s ${p99 <= 25 ? 'met' : 'MISSED'} (≤ 25 ms); errors ${errors} ` +
      `${errors === 0 ? 'met' : 'MISSED'} (0); RSS ${Math.abs(growth) <= 10 ? 'met' : 'MISSED'} (within 10%)`,
  );
}
const text = report.join('\n');
console.log(text);
if (values['write-docs']) {
  const args = process.argv.slice(2).filter((a) => a !== '--write-docs');
  const command = ['npx tsx bench/slack-latency.ts', ...args].join(' ');
  writeDocSection(join(import.meta.dirname, '..', 'docs', 'slack.md'), 'slack-latency', command, text);
}
