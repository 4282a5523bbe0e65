import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { behaviourFiles } from '../../../src/cli/measure-commands.ts';
import { readBotConfig } from '../../../src/config/bot-config.ts';
import { readIntentData } from '../../../src/train/read-intent-data.ts';

const dir = mkdtempSync(join(tmpdir(), 'switchboard-init-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the real `switchboard` bin in a child process. */
function cli(args: string[]) {
  const r = spawnSync(process.execPath, ['bin/switchboard.js', ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('switchboard init', () => {
  it('writes a valid starter config with the name given (quoted, whatever it contains) and its data', () => {
    const target = join(dir, 'acme');
    const r = cli(['init', target, '--name', 'Acme: "help" #1']);
    expect(r.code, r.stderr).toBe(0);
    const config = readBotConfig(join(target, 'bot.yaml'));
    expect(config.name).toBe('Acme: "help" #1');
    expect(config.languages).toEqual(['en', 'es']);
    expect(config.models.intent).toBe(join(target, 'model'));
    const data = readIntentData(join(target, 'data', 'intents.jsonl')).examples;
    const per = new Map<string, number>();
    for (const e of data) per.set(`${e.intent}/${e.language}`, (per.get(`${e.intent}/${e.language}`) ?? 0) + 1);
    // Eight intents (and out_of_scope) × 15 examples in each of the two languages.
    expect(per.size).toBe(18);
    expect([...per.values()].every((n) => n === 15)).toBe(true);
    // Every intent but talk_to_person has an answer: that one goes to a person.
    const intents = [...new Set(data.map((e) => e.intent as string))].filter((i) => i !== 'out_of_scope');
    expect(intents.filter((i) => !config.answers[i])).toEqual(['talk_to_person']);
    expect(cli(['init', target]).code).toBe(1);
    expect(cli(['init', target, '--force']).code).toBe(0);
    expect(cli(['init', join(dir, 'x'), '--name', 'a\nb']).stderr).toMatch(/--name must be 1–80 printable/);
    writeFileSync(join(dir, 'a-file'), 'x');
    expect(cli(['init', join(dir, 'a-file')]).stderr).toMatch(
      /a-file is a file; give a directory for the bot \[E_USAGE\]/,
    );
  });
});

describe('switchboard test', () => {
  it('runs behaviour cases through the bot; a failing case is named and the exit code is 1', () => {
    const file = join(dir, 'behaviour.yaml');
    writeFileSync(
      file,
      `config: ${join(process.cwd(), 'config', 'demo.yaml')}\ncases:\n  - text: Hallo\n    answered: smalltalk.greet\n    reply_language: de\n  - text: Bonjour\n    answered: smalltalk.bye\n`,
    );
    const r = cli(['test', file]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('FAIL');
    expect(r.stdout).toContain('"Bonjour": answered smalltalk.greet (want smalltalk.bye)');
    expect(r.stdout).toContain('1 of 2 behaviour cases pass');
    expect(cli(['test']).stderr).toMatch(/give behaviour files, or --config bot\.yaml/);
  });
});

describe('switchboard eval route with small talk in the config', () => {
  it('counts small talk apart: not an answer the model could get right or wrong', () => {
    const file = join(dir, 'route.jsonl');
    writeFileSync(
      file,
      `${JSON.stringify({ text: 'Hallo', intent: 'general_greet' })}\n${JSON.stringify({ text: 'wake me up at seven tomorrow', intent: 'alarm_set' })}\n`,
    );
    const r = cli(['eval', 'route', '--config', 'config/demo.yaml', '--data', file, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ n: 2, smalltalk: 0.5, answered: 0.5, precision: 1 });
  });
});

describe('switchboard gate: which behaviour files', () => {
  it('takes a file, the suites in a directory (not its bot.yaml), the one beside --config, else the demo bot’s', () => {
    const bot = join(dir, 'gatebot');
    mkdirSync(bot, { recursive: true });
    writeFileSync(join(bot, 'bot.yaml'), 'name: x\n');
    writeFileSync(join(bot, 'behaviour.yaml'), 'config: bot.yaml\ncases:\n  - text: hi\n');
    expect(behaviourFiles(join(bot, 'behaviour.yaml'), undefined)).toEqual([join(bot, 'behaviour.yaml')]);
    expect(behaviourFiles(bot, undefined)).toEqual([join(bot, 'behaviour.yaml')]);
    expect(behaviourFiles(undefined, join(bot, 'bot.yaml'))).toEqual([join(bot, 'behaviour.yaml')]);
    expect(() => behaviourFiles(join(bot, 'missing.yaml'), undefined)).toThrow(/no behaviour tests at .*missing\.yaml/);
    // A directory with no suite at all (a typo'd key) is refused, not gated on nothing.
    const typo = join(dir, 'typo');
    mkdirSync(typo, { recursive: true });
    writeFileSync(join(typo, 'tests.yaml'), 'case:\n  - text: hi\n');
    expect(() => behaviourFiles(typo, undefined)).toThrow(/no behaviour file \(YAML with cases\) in .*typo/);
    const demo = behaviourFiles(undefined, undefined);
    expect(demo.length).toBeGreaterThan(0);
    expect(demo.every((f) => f.includes(join('test', 'behaviour')))).toBe(true);
  });
});
