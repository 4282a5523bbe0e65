/**
 * Behaviour tests from the command line: `switchboard test [--config bot.yaml] [FILE.yaml...] [--json]` runs the
 * cases of behaviour files (default: `behaviour.yaml` beside the config) through the whole bot — NLU, small talk,
 * router, reply — and prints each failure; exit 1 when any case fails. The same checks serve `switchboard gate`.
 *
 * A file: `config: bot.yaml` (relative to the file; `--config` wins) and `cases`, each a `text` with any of
 * `language` (detected), `intent` (the model's top intent), `decision`, `reason`, `answered` (the intent answered, e.g.
 * `smalltalk.greet`), `reply_language`, `reply` (a part of the reply text).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { Bot } from '../bot.ts';
import { readBotConfig } from '../config/bot-config.ts';
import { SwitchboardError } from '../errors.ts';
import { parseCommandArgs } from './cli-args.ts';

/** One behaviour case (see the module doc). */
export interface BehaviourCase {
  text: string;
  language?: string;
  intent?: string;
  decision?: string;
  reason?: string;
  answered?: string;
  reply_language?: string;
  reply?: string;
}

/** A behaviour file: its config (relative to the file) and cases. */
export function readBehaviourFile(file: string): { config?: string; cases: BehaviourCase[] } {
  let spec: { config?: unknown; cases?: unknown };
  try {
    spec = parseYaml(readFileSync(file, 'utf8')) ?? {};
  } catch (e) {
    throw new SwitchboardError('E_CONFIG', 'input', `${file}: ${(e as Error).message}`, { cause: e });
  }
  if (!Array.isArray(spec.cases) || spec.cases.some((c) => typeof c?.text !== 'string'))
    throw new SwitchboardError('E_CONFIG', 'input', `${file}: cases must be a list of {text, …}`);
  return {
    ...(typeof spec.config === 'string' ? { config: resolve(dirname(file), spec.config) } : {}),
    cases: spec.cases as BehaviourCase[],
  };
}

/** What is wrong with the bot's handling of one case (empty: it passes). */
export async function checkCase(bot: Bot, c: BehaviourCase): Promise<string[]> {
  const { understanding: u, decision, reply } = await bot.respond(c.text);
  const wrong: (string | false | undefined)[] = [
    c.language && u.language?.language !== c.language && `language ${u.language?.language} (want ${c.language})`,
    c.intent && u.intents[0]?.intent !== c.intent && `top intent ${u.intents[0]?.intent} (want ${c.intent})`,
    c.decision && decision.kind !== c.decision && `decision ${decision.kind} (want ${c.decision})`,
    c.reason && decision.reason !== c.reason && `reason ${decision.reason} (want ${c.reason})`,
    c.answered && decision.intent !== c.answered && `answered ${decision.intent ?? 'nothing'} (want ${c.answered})`,
    c.reply_language &&
      reply.language !== c.reply_language &&
      `reply language ${reply.language} (want ${c.reply_language})`,
    c.reply && !reply.text.includes(c.reply) && `reply without "${c.reply}"`,
  ];
  return wrong.filter((w): w is string => typeof w === 'string');
}

export async function behaviourCommand(args: string[]): Promise<number> {
  const cmd = 'test';
  const files: string[] = [];
  const flags: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i].startsWith('-')) {
      flags.push(args[i]);
      if (args[i] === '--config' && args[i + 1] !== undefined) flags.push(args[++i]);
    } else files.push(args[i]);
  }
  const { values } = parseCommandArgs(flags, { config: { type: 'string' }, json: { type: 'boolean' } }, cmd);
  if (files.length === 0) {
    const beside = values.config ? join(dirname(values.config), 'behaviour.yaml') : undefined;
    if (!beside || !existsSync(beside))
      throw new SwitchboardError(
        'E_USAGE',
        'input',
        `${cmd}: give behaviour files, or --config bot.yaml with a behaviour.yaml beside it`,
      );
    files.push(beside);
  }
  const results: { file: string; text: string; problems: string[] }[] = [];
  for (const file of files) {
    const spec = readBehaviourFile(file);
    const configFile = values.config ?? spec.config;
    if (!configFile)
      throw new SwitchboardError('E_USAGE', 'input', `${cmd}: ${file} names no config: give --config bot.yaml`);
    const bot = await Bot.fromConfig(readBotConfig(configFile), {}, configFile);
    try {
      for (const c of spec.cases) results.push({ file, text: c.text, problems: await checkCase(bot, c) });
    } finally {
      await bot.release();
    }
  }
  const failed = results.filter((r) => r.problems.length > 0);
  if (values.json)
    process.stdout.write(`${JSON.stringify({ cases: results.length, failed: failed.length, failures: failed })}\n`);
  else {
    for (const f of failed) process.stdout.write(`FAIL ${f.file}: "${f.text}": ${f.problems.join('; ')}\n`);
    process.stdout.write(`${results.length - failed.length} of ${results.length} behaviour cases pass\n`);
  }
  return failed.length === 0 ? 0 : 1;
}
