/**
 * `npx tsx bench/route-latency.ts [N]` (issue 5 targets): the latency of one turn through the demo bot —
 * (a) in process, `Bot.respond` (NLU + router + reply), one message at a time over MASSIVE test utterances of all six
 * demo languages (shuffled, after a warm-up); (b) over HTTP, `POST /api/nlu/parse` to `switchboard start` on loopback
 * at a fixed 200 requests per second (open loop: requests leave on schedule whether or not earlier ones returned).
 * Prints medians and p99s, per stage too. Shared 2-core machine: compare within one run.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Bot } from '../src/bot.ts';
import { DEFAULT_BOT_CONFIG } from '../src/nlu/default-model.ts';
import { Random } from '../src/train/random.ts';
import { DATA_ROOT } from './datasets.ts';
import { ROOT } from './lib/child-args.ts';

const N = Number(process.argv[2] ?? 3000);
const rng = new Random(7);
const texts = ['en', 'de', 'es', 'fr', 'hi', 'th'].flatMap((l) =>
  readFileSync(join(DATA_ROOT, 'massive', l, `test_${l}_raw.txt`), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => line.split('\t')[0]),
);
for (let i = texts.length - 1; i > 0; i--) {
  const j = rng.int(i + 1);
  [texts[i], texts[j]] = [texts[j], texts[i]];
}
const q = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))];
};
const fmt = (xs: number[]) => `p50 ${q(xs, 0.5).toFixed(3)} ms, p99 ${q(xs, 0.99).toFixed(3)} ms`;

// (a) in process
const bot = await Bot.load(DEFAULT_BOT_CONFIG);
bot.nlu.entities.rules.warmUp();
for (let i = 0; i < 300; i++) await bot.respond(texts[i % texts.length]);
const total: number[] = [];
const stages: Record<string, number[]> = { language_ms: [], intent_ms: [], entities_ms: [] };
for (let i = 0; i < N; i++) {
  const t0 = performance.now();
  const r = await bot.respond(texts[(i + 300) % texts.length]);
  total.push(performance.now() - t0);
  for (const k of Object.keys(stages))
    stages[k].push(r.understanding.timings[k as keyof typeof r.understanding.timings]);
}
await bot.release();
console.log(`in process, ${N} turns: ${fmt(total)}`);
for (const [k, xs] of Object.entries(stages)) console.log(`  ${k.replace('_ms', '')}: ${fmt(xs)}`);

// (b) HTTP at 200 req/s
const server = spawn(process.execPath, [join(ROOT, 'bin', 'switchboard.js'), 'start', '--store', ':memory:'], {
  env: { ...process.env, PORT: '0' },
});
const base = await new Promise<string>((resolve, reject) => {
  let err = '';
  server.stderr?.on('data', (d: Buffer) => {
    err += d.toString();
    const m = err.match(/listening on (http:\/\/localhost:\d+)/);
    if (m) resolve(m[1]);
  });
  server.once('exit', (code) => reject(new Error(`server exited ${code}: ${err}`)));
});
const post = (text: string) =>
  fetch(`${base}/api/nlu/parse`, { method: 'POST', body: JSON.stringify({ text }) }).then((r) => r.arrayBuffer());
for (let i = 0; i < 200; i++) await post(texts[i]);
const rate = 200;
const seconds = Math.max(5, Math.round(N / rate));
const latencies: number[] = [];
const started = performance.now();
const pending: Promise<void>[] = [];
for (let i = 0; i < rate * seconds; i++) {
  const due = started + (i * 1000) / rate;
  const wait = due - performance.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  pending.push(post(texts[i % texts.length]).then(() => void latencies.push(performance.now() - due)));
}
await Promise.all(pending);
server.kill('SIGTERM');
console.log(
  `HTTP, ${latencies.length} requests at ${rate}/s over ${seconds} s: ${fmt(latencies)} (from the scheduled send time)`,
);
