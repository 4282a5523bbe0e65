/**
 * docs/your-own-bot.md, run for real: every `npx switchboard …` line of the page, in its order, on what
 * `switchboard init` writes (in a temporary directory, as the working directory). `start` is run as a server: the
 * test waits for its banner, checks the thresholds it names, chats through the web chat API, then stops it.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { WAIT_MS } from '../fixtures/wait.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'switchboard.js');
const cwd = mkdtempSync(join(tmpdir(), 'switchboard-own-bot-'));
let server: ChildProcess | undefined;
afterAll(() => {
  server?.kill('SIGTERM');
  rmSync(cwd, { recursive: true, force: true });
});

/** The page's commands: `npx switchboard …` lines of its sh blocks, in order. */
const doc = readFileSync(join(ROOT, 'docs', 'your-own-bot.md'), 'utf8');
const commands = [...doc.matchAll(/```sh\n([\s\S]*?)```/g)]
  .flatMap((m) => m[1].split('\n'))
  .map((l) => l.trim())
  .filter((l) => l.startsWith('npx switchboard '))
  .map((l) => l.slice('npx switchboard '.length).split(/\s+/));

// The page's defaults: the SQLite store in the working directory (never a database this machine's environment names).
const { DATABASE_URL: _unused, ...inherited } = process.env;
const env = { ...inherited, PORT: '0' };

const run = (args: string[]) => {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', env });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

/** `start`, until it has printed its banner (the thresholds line comes after "listening"). */
function start(args: string[]): Promise<{ base: string; banner: () => string }> {
  const child = spawn(process.execPath, [BIN, ...args], { cwd, env });
  server = child;
  let err = '';
  return new Promise((resolve, reject) => {
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
      const m = err.match(/listening on (http:\/\/localhost:\d+)/);
      if (m && /answer threshold/.test(err)) resolve({ base: m[1], banner: () => err });
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${err}`)));
  });
}

describe('docs/your-own-bot.md, every command on the starter bot', () => {
  it('the page lists init, train, eval --cv, calibrate, start, test and report, in that order', () => {
    expect(commands.map((c) => c.slice(0, c[0] === 'train' || c[0] === 'eval' ? 2 : 1).join(' '))).toEqual([
      'init',
      'train intent',
      'start',
      'eval intent',
      'calibrate',
      'start',
      'test',
      'report',
    ]);
    expect(commands[3]).toContain('--cv');
  });

  it(
    'runs them: the starter trains, is evaluated and calibrated, answers in the web chat, passes its behaviour tests, and the report counts its turns',
    async () => {
      const seen = new Set<string>();
      for (const args of commands) {
        const key = args.slice(0, 2).join(' ');
        if (args[0] === 'start') {
          if (seen.has('start')) continue; // the second start is the same command after calibrating: run once, below
          seen.add('start');
          continue;
        }
        const r = run(args);
        expect(r.code, `switchboard ${args.join(' ')}\n${r.err}`).toBe(0);
        if (args[0] === 'init') {
          for (const f of ['bot.yaml', 'data/intents.jsonl', 'data/validation.jsonl', 'behaviour.yaml'])
            expect(existsSync(join(cwd, 'mybot', f)), f).toBe(true);
          expect(r.out).toContain('npx switchboard train intent --config mybot/bot.yaml');
          expect(r.out).toContain('npx switchboard start --config mybot/bot.yaml');
          // A second init into the same directory refuses to overwrite the bot.
          const again = run(args);
          expect(again.code).toBe(1);
          expect(again.err).toMatch(/exists already/);
        }
        if (key === 'train intent') expect(existsSync(join(cwd, 'mybot', 'model', 'manifest.json'))).toBe(true);
        if (key === 'eval intent') {
          expect(r.out).toMatch(/3-fold cross-validation of 270 examples/);
          // Out-of-scope recall is either measured or not, never both.
          expect(r.out.match(/^oos_recall /gm)).toHaveLength(1);
        }
        if (args[0] === 'calibrate') {
          const manifest = JSON.parse(readFileSync(join(cwd, 'mybot', 'model', 'manifest.json'), 'utf8'));
          expect(manifest.calibration.target.precision).toBe(0.9);
          // Now the server the page starts (after calibrating) — then its chat is exercised.
          const startArgs = commands.find((c) => c[0] === 'start') as string[];
          const s = await start(startArgs);
          expect(s.banner()).toMatch(/answer threshold [\d.]+ — the intent model's calibration for precision 0\.9/);
          const bot = await (await fetch(`${s.base}/api/chat/bot`)).json();
          expect(bot).toEqual({ name: 'mybot support', languages: ['en', 'es'], default_language: 'en' });
          const conv = await (await fetch(`${s.base}/api/chat/conversations`, { method: 'POST' })).json();
          expect(conv.bot.name).toBe('mybot support');
          const say = async (text: string) => {
            const res = await fetch(`${s.base}/api/chat/messages`, {
              method: 'POST',
              headers: { 'content-type': 'application/json', authorization: `Bearer ${conv.token}` },
              body: JSON.stringify({ text }),
            });
            return (await res.json()) as { status: string; decision?: { kind: string; intent?: string } };
          };
          expect(await say('where is my order?')).toMatchObject({
            decision: { kind: 'answer', intent: 'order_status' },
          });
          expect(await say('Hola')).toMatchObject({ decision: { kind: 'answer', intent: 'smalltalk.greet' } });
          expect(await say('olvidé mi contraseña')).toMatchObject({
            decision: { kind: 'answer', intent: 'password_reset' },
          });
          server?.kill('SIGTERM');
          await new Promise((resolve) => server?.once('exit', resolve));
          server = undefined;
        }
        if (args[0] === 'test') expect(r.out).toMatch(/(\d+) of \1 behaviour cases pass/);
        if (args[0] === 'report') expect(r.out).toMatch(/question/i);
      }
      // The report as JSON: the three chat turns are its questions.
      const json = run(['report', '--json']);
      expect(json.code, json.err).toBe(0);
      expect(JSON.parse(json.out)).toMatchObject({ questions: 3 });
    },
    20 * WAIT_MS,
  );
});
