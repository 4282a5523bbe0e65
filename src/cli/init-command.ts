/**
 * `switchboard init [DIR] [--name NAME] [--force]`: writes a starter bot into DIR (default `mybot`) from
 * `templates/starter/`: bot.yaml (its `name`, eight customer-support intents' answers in English and Spanish, small
 * talk, the handoff), data/intents.jsonl (15 examples per intent and language, plus out-of-scope ones),
 * data/validation.jsonl (held out: the model's search and calibration choose on it) and behaviour.yaml; then prints
 * the commands that train it and start it. Refuses to overwrite an existing bot.yaml without `--force`.
 */
import { cpSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { SwitchboardError } from '../errors.ts';
import { parseCommandArgs, shellQuote } from './cli-args.ts';

/** The starter bot's files in the repository. */
export const STARTER_DIR = join(import.meta.dirname, '..', '..', 'templates', 'starter');

/** A YAML-safe name: printable, no line breaks, at most 80 characters (the config's limit). */
function checkName(name: string): string {
  const trimmed = name.trim();
  if (!trimmed || trimmed.length > 80 || /[\p{Cc}]/u.test(trimmed))
    throw new SwitchboardError('E_USAGE', 'input', 'init: --name must be 1–80 printable characters');
  return trimmed;
}

export async function initCommand(args: string[]): Promise<number> {
  const cmd = 'init';
  let positional: string | undefined;
  const rest = [...args];
  if (rest[0] !== undefined && !rest[0].startsWith('-')) positional = rest.shift();
  const { values } = parseCommandArgs(rest, { name: { type: 'string' }, force: { type: 'boolean' } }, cmd);
  const dir = positional ?? 'mybot';
  const target = resolve(dir);
  const config = join(target, 'bot.yaml');
  if (existsSync(target) && !statSync(target).isDirectory())
    throw new SwitchboardError('E_USAGE', 'input', `${cmd}: ${dir} is a file; give a directory for the bot`);
  if (existsSync(config) && !values.force)
    throw new SwitchboardError(
      'E_USAGE',
      'input',
      `${cmd}: ${join(dir, 'bot.yaml')} exists already (use another directory, or --force to overwrite it)`,
    );
  const name = checkName(values.name ?? `${basename(target)} support`);
  cpSync(STARTER_DIR, target, { recursive: true, force: true });
  // JSON strings are YAML strings: the name goes in quoted, whatever it contains.
  writeFileSync(config, readFileSync(config, 'utf8').replace('__NAME__', JSON.stringify(name)));
  const shown = relative(process.cwd(), target) || '.';
  const file = shellQuote(join(shown, 'bot.yaml'));
  process.stdout.write(
    [
      `wrote a starter bot "${name}" in ${shown}/:`,
      `  bot.yaml                answers, small talk and the handoff (English and Spanish)`,
      `  data/intents.jsonl      training examples: 8 intents × 15 per language, plus out-of-scope ones`,
      `  data/validation.jsonl   held-out examples (the training search and calibration choose on them)`,
      `  behaviour.yaml          what the bot must do (npx switchboard test)`,
      '',
      'next:',
      `  npx switchboard train intent --config ${file}     # about half a minute`,
      `  npx switchboard start --config ${file}            # then open http://localhost:3978`,
      `  npx switchboard test --config ${file}             # the behaviour tests`,
      '',
      'docs/your-own-bot.md walks the rest: evaluate, calibrate, report.',
      '',
    ].join('\n'),
  );
  return 0;
}
