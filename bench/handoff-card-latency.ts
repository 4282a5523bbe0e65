/**
 * `npx tsx bench/handoff-card-latency.ts [--channels teams] [--handoffs 200] [--rate 20] [--write-docs]` (issue 7 target: "Handoff
 * card posted ≤ 50 ms p99 after the customer's message on loopback"). For each channel: the real server
 * (`switchboard start`, demo bot, SQLite store in a temp dir) with that channel's agents' channel configured, against
 * the channel's fake API on loopback, after its rule recognizers warmed up and a few warm-up handoffs. Customers (one
 * conversation each) ask for a person at a fixed rate (open loop: each message leaves on schedule); the latency of a
 * handoff is from just before its message is POSTed to the arrival of its ticket card at the fake API (the fake records
 * arrival times; one machine, one clock). Also reported: the latency of the customer's own handoff reply, and cards
 * missing 5 s after the last message. `--write-docs` writes the table into docs/handoff.md (its `card-latency`
 * section).
 *
 * Structure: shared helpers (pacing, summary), then one `measure<Channel>` function per channel, registered in
 * {@link MEASUREMENTS}. Each channel's function is owned by that channel's adapter.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { FakeBotFramework } from '../test/fixtures/fake-bot-framework.ts';
import { FakeSlackApi, nowMs, postSlack } from '../test/fixtures/fake-slack-api.ts';
import { type RunningServer, spawnServer } from '../test/fixtures/spawn-server.ts';
import { writeDocSection } from './lib/doc-section.ts';
import { percentile } from './lib/stats.ts';

// ---------------------------------------------------------------------------------------------------------------------
// Shared

/** What one channel's measurement reports. */
export interface CardLatencyResult {
  channel: string;
  handoffs: number;
  rate: number;
  /** Milliseconds from the customer's message to its card, for the handoffs whose card arrived. */
  cardMs: number[];
  /** Milliseconds from the customer's message to the bot's handoff reply to the customer. */
  replyMs: number[];
  /** Handoffs without a card 5 s after the last message. */
  missing: number;
  /** Requests the server did not acknowledge with 200. */
  errors: number;
}

export interface MeasureOptions {
  handoffs: number;
  rate: number;
}

/** Texts asking for a person (the router hands these off whatever the model's scores). */
export const PERSON_REQUESTS = [
  'I want to talk to a person',
  'can I speak to a human please',
  'I need a real person to help me',
  'let me talk to an agent',
  'get me a human',
  'I would like to speak to someone from support',
];

/** Calls `send(i)` for i = 0…n-1 at `rate` per second on a fixed schedule (open loop); resolves when all finished. */
export async function paced(n: number, rate: number, send: (i: number) => Promise<void>): Promise<void> {
  const start = performance.now();
  const pending: Promise<void>[] = [];
  for (let i = 0; i < n; i++) {
    const wait = start + (i * 1000) / rate - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    pending.push(send(i));
  }
  await Promise.all(pending);
}

/** Waits until the server's rule recognizers have warmed up (so that the first messages are not the slow ones). */
export async function warmedUp(server: RunningServer): Promise<void> {
  const ready = async () =>
    ((await (await fetch(`${server.base}/healthz`)).json()) as { rule_entities: { ready: boolean } }).rule_entities
      .ready;
  const t0 = Date.now();
  while (!(await ready())) {
    if (Date.now() - t0 > 120_000) throw new Error('rule recognizers did not warm up in 120 s');
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** One line per channel: p50 / p99 / max of the card and of the customer's reply. */
export function summarize(r: CardLatencyResult): string {
  const f = (xs: number[], p: number) => percentile(xs, p).toFixed(1);
  return [
    `${r.channel}: ${r.handoffs} handoffs at ${r.rate}/s`,
    `card p50 ${f(r.cardMs, 50)} ms, p99 ${f(r.cardMs, 99)} ms, max ${Math.max(...r.cardMs).toFixed(1)} ms`,
    `customer reply p50 ${f(r.replyMs, 50)} ms, p99 ${f(r.replyMs, 99)} ms`,
    `missing cards ${r.missing}, errors ${r.errors}`,
  ].join('; ');
}

// ---------------------------------------------------------------------------------------------------------------------
// Teams: the agents' channel (SWITCHBOARD_TEAMS_AGENTS_*) against the fake Bot Framework Connector.

const TEAMS_AGENTS = '19:bench-agents@thread.tacv2';
const TEAMS_BOT = { id: '28:bench-bot', name: 'Switchboard' };

/** Teams: a customer's message POSTed to /api/messages → the ticket card POSTed to the agents' channel. */
export async function measureTeams(o: MeasureOptions): Promise<CardLatencyResult> {
  const fake = await FakeBotFramework.start();
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-card-bench-teams-'));
  const server = await spawnServer(['--store', join(dir, 'switchboard.db')], {
    MicrosoftAppId: '',
    SWITCHBOARD_TEAMS_AGENTS_CONVERSATION: TEAMS_AGENTS,
    SWITCHBOARD_TEAMS_AGENTS_SERVICE_URL: fake.serviceUrl,
  });
  server.child.stderr?.resume(); // drain the log
  try {
    await warmedUp(server);
    const sentAt = new Map<string, number>(); // customer name → send time (Date.now, the fake's clock)
    let errors = 0;
    let seq = 0;
    const send = async (run: string, i: number) => {
      const name = `Bench Customer ${run}-${i}`;
      const activity = {
        type: 'message',
        id: `bench-${run}-${++seq}`,
        channelId: 'msteams',
        serviceUrl: fake.serviceUrl,
        from: { id: `29:bench-${run}-${i}`, name },
        recipient: TEAMS_BOT,
        conversation: { id: `a:bench-${run}-${i}`, conversationType: 'personal' },
        locale: 'en-US',
        text: PERSON_REQUESTS[i % PERSON_REQUESTS.length],
      };
      sentAt.set(name, Date.now());
      const r = await fetch(`${server.base}/api/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(activity),
      });
      await r.text();
      if (r.status !== 200) errors++;
    };
    await paced(20, 10, (i) => send('warm', i));
    await new Promise((r) => setTimeout(r, 1000));
    errors = 0;
    await paced(o.handoffs, o.rate, (i) => send('run', i));
    const cards = () => fake.callsTo(TEAMS_AGENTS).filter((c) => c.activity.attachments?.length);
    const runCards = () => cards().filter((c) => JSON.stringify(c.activity).includes('Bench Customer run-'));
    const deadline = Date.now() + 5000;
    while (runCards().length < o.handoffs && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const cardMs: number[] = [];
    for (const call of runCards()) {
      const facts = call.activity.attachments[0].content.body[1].facts as { title: string; value: string }[];
      const name = facts.find((f) => f.title === 'Customer')?.value ?? '';
      const at = sentAt.get(name);
      if (at !== undefined) cardMs.push(call.at - at);
    }
    const replyMs: number[] = [];
    for (let i = 0; i < o.handoffs; i++) {
      const reply = fake.callsTo(`a:bench-run-${i}`)[0];
      const at = sentAt.get(`Bench Customer run-${i}`);
      if (reply && at !== undefined) replyMs.push(reply.at - at);
    }
    return {
      channel: 'teams',
      handoffs: o.handoffs,
      rate: o.rate,
      cardMs,
      replyMs,
      missing: o.handoffs - cardMs.length,
      errors,
    };
  } finally {
    server.stop();
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// Slack: the agents' channel (SWITCHBOARD_SLACK_AGENTS_CHANNEL) against the fake Slack Web API.

const SLACK_AGENTS = 'C0BENCHAGENTS';
const SLACK_SECRET = 'bench-signing-secret';

/**
 * Slack: a customer's DM event, signed, POSTed to /slack/events → the ticket card's `chat.postMessage` in the agents'
 * channel (times on the fake's clock, `nowMs`). Each customer has their own user id (shown on the card), DM channel and
 * Slack locale (so the locale lookup is the real one: a users.info per new customer).
 */
export async function measureSlack(o: MeasureOptions): Promise<CardLatencyResult> {
  const fake = await FakeSlackApi.start();
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-card-bench-slack-'));
  const server = await spawnServer(['--store', join(dir, 'switchboard.db')], {
    SLACK_SIGNING_SECRET: SLACK_SECRET,
    SLACK_BOT_TOKEN: 'xoxb-test',
    SLACK_API_URL: fake.url,
    SWITCHBOARD_SLACK_AGENTS_CHANNEL: SLACK_AGENTS,
  });
  server.child.stderr?.resume(); // drain the log
  try {
    await warmedUp(server);
    const sentAt = new Map<string, number>(); // customer user id → send time (the fake's clock)
    const user = (run: string, i: number) => `U0${run.toUpperCase()}${i}`;
    const dmChannel = (run: string, i: number) => `D0${run.toUpperCase()}${i}`;
    let errors = 0;
    let seq = 0;
    const send = async (run: string, i: number) => {
      const id = user(run, i);
      fake.locales.set(id, 'en-US');
      const ts = `${1_713_000_000 + ++seq}.000100`;
      const body = {
        type: 'event_callback',
        team_id: fake.team,
        api_app_id: 'A0BENCH',
        event_id: `Ev0BENCH${run}${seq}`,
        event_time: Math.floor(Date.now() / 1000),
        authorizations: [{ team_id: fake.team, user_id: fake.botUserId, is_bot: true }],
        event: {
          type: 'message',
          channel_type: 'im',
          channel: dmChannel(run, i),
          user: id,
          text: PERSON_REQUESTS[i % PERSON_REQUESTS.length],
          ts,
          event_ts: ts,
          team: fake.team,
        },
      };
      sentAt.set(id, nowMs());
      const r = await postSlack(server.base, body, { secret: SLACK_SECRET });
      await r.text();
      if (r.status !== 200) errors++;
    };
    await paced(20, 10, (i) => send('warm', i));
    await new Promise((r) => setTimeout(r, 1000));
    errors = 0;
    await paced(o.handoffs, o.rate, (i) => send('run', i));
    /** The customer on each card posted for the run (its "Customer" field). */
    const runCards = () =>
      fake
        .delivered()
        .filter((c) => c.args.channel === SLACK_AGENTS && !c.args.thread_ts && Array.isArray(c.args.blocks))
        .map((c) => ({ at: c.at, customer: /U0RUN\d+/.exec(JSON.stringify(c.args.blocks))?.[0] }))
        .filter((c) => c.customer !== undefined);
    const deadline = Date.now() + 5000;
    while (runCards().length < o.handoffs && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const cardMs: number[] = [];
    for (const card of runCards()) {
      const at = sentAt.get(card.customer as string);
      if (at !== undefined) cardMs.push(card.at - at);
    }
    const replyMs: number[] = [];
    for (let i = 0; i < o.handoffs; i++) {
      const reply = fake.delivered().find((c) => c.args.channel === dmChannel('run', i));
      const at = sentAt.get(user('run', i));
      if (reply && at !== undefined) replyMs.push(reply.at - at);
    }
    return {
      channel: 'slack',
      handoffs: o.handoffs,
      rate: o.rate,
      cardMs,
      replyMs,
      missing: o.handoffs - cardMs.length,
      errors,
    };
  } finally {
    server.stop();
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// Main

/** The measured channels by name. */
export const MEASUREMENTS: Record<string, (o: MeasureOptions) => Promise<CardLatencyResult>> = {
  teams: measureTeams,
  slack: measureSlack,
};

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      channels: { type: 'string', default: Object.keys(MEASUREMENTS).join(',') },
      handoffs: { type: 'string', default: '200' },
      rate: { type: 'string', default: '20' },
      'write-docs': { type: 'boolean', default: false },
    },
  });
  const options = { handoffs: Number(values.handoffs), rate: Number(values.rate) };
  const results: CardLatencyResult[] = [];
  for (const channel of values.channels.split(',')) {
    const measure = MEASUREMENTS[channel];
    if (!measure) throw new Error(`unknown channel ${channel} (have ${Object.keys(MEASUREMENTS).join(', ')})`);
    const result = await measure(options);
    process.stdout.write(`${summarize(result)}\n`);
    results.push(result);
  }
  if (values['write-docs']) {
    const args = process.argv.slice(2).filter((a) => a !== '--write-docs');
    const command = ['npx tsx bench/handoff-card-latency.ts', ...args].join(' ');
    writeDocSection(join(import.meta.dirname, '..', 'docs', 'handoff.md'), 'card-latency', command, table(results));
  }
}

/** The docs' table of the measured channels. */
function table(results: readonly CardLatencyResult[]): string {
  const f = (xs: number[], p: number) => `${percentile(xs, p).toFixed(1)} ms`;
  return [
    "| channel | handoffs | rate | card p50 | card p99 (target ≤ 50 ms) | card max | customer's reply p50 / p99 | missing cards | errors |",
    '|---|---|---|---|---|---|---|---|---|',
    ...results.map(
      (r) =>
        `| ${r.channel} | ${r.handoffs} | ${r.rate}/s | ${f(r.cardMs, 50)} | ${f(r.cardMs, 99)} ` +
        `(${percentile(r.cardMs, 99) <= 50 ? 'met' : 'MISSED'}) | ${Math.max(...r.cardMs).toFixed(1)} ms | ` +
        `${f(r.replyMs, 50)} / ${f(r.replyMs, 99)} | ${r.missing} | ${r.errors} |`,
    ),
  ].join('\n');
}
