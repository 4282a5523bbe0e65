import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
let holder: Server;
let port: number;

beforeAll(async () => {
  holder = createServer();
  await new Promise<void>((r) => holder.listen(0, '127.0.0.1', r));
  port = (holder.address() as { port: number }).port;
});
afterAll(() => new Promise<void>((r) => holder.close(() => r())));

/** `switchboard start ARGS` expected to fail: its exit code and stderr (code 0 if it did not fail). */
function startFailure(args: string[], port: string): Promise<{ code: number; stderr: string }> {
  return run(process.execPath, ['bin/switchboard.js', 'start', ...args], {
    env: { ...process.env, PORT: port, HOST: '127.0.0.1', DATABASE_URL: '' },
    timeout: 120_000,
  }).then(
    () => ({ code: 0, stderr: '' }),
    (e: { code: number; stderr: string }) => e,
  );
}

describe('switchboard start: errors a person understands', () => {
  it('a port in use says so and what to do, without a Node stack', async () => {
    const r = await startFailure([], String(port));
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(`port ${port} is already in use`);
    expect(r.stderr).toContain(`PORT=${port + 1}`);
    expect(r.stderr).toContain('[E_LISTEN]');
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('a bot whose intent model was never trained says how to train it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchboard-untrained-'));
    try {
      const bot = join(dir, 'my bot');
      const init = await run(process.execPath, ['bin/switchboard.js', 'init', bot]);
      expect(init.stdout).toContain(`--config '${join(relative(process.cwd(), bot), 'bot.yaml')}'`);
      const r = await startFailure(['--config', join(bot, 'bot.yaml'), '--store', join(dir, 's.db')], '0');
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(
        /model directory not found: .*train the bot's intent model first \(switchboard train intent --config '.*my bot\/bot\.yaml'\)/,
      );
      expect(r.stderr).toContain('[E_MODEL_MISSING]');
      // Another model missing (here the NER model's directory) is not the intent model: no training advice.
      const demo = readFileSync('config/demo.yaml', 'utf8')
        .replace('../models/intent-massive', join(process.cwd(), 'models', 'intent-massive'))
        .replace('../models/language', join(process.cwd(), 'models', 'language'))
        .replace('../models/ner-en', 'ner-typo');
      writeFileSync(join(dir, 'demo.yaml'), demo);
      const ner = await startFailure(['--config', join(dir, 'demo.yaml'), '--store', join(dir, 's2.db')], '0');
      expect(ner.code).not.toBe(0);
      expect(ner.stderr).toMatch(/ner-typo/);
      expect(ner.stderr).not.toMatch(/train the bot's intent model/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
