/**
 * The `switchboard` command. Subcommands live in their own files; this one only dispatches and reports errors.
 *
 * @example
 * switchboard train intent --data train.jsonl --out models/my-intents
 * switchboard eval intent --model models/my-intents --data test.jsonl --json
 * echo "my card is blocked" | switchboard predict
 */
import { readEnvConfig } from '../config/env-config.ts';
import { SwitchboardError } from '../errors.ts';

/** `SWITCHBOARD_DEBUG` is set (false when the environment itself is invalid: that error is the one shown). */
function debugging(): boolean {
  try {
    return readEnvConfig().debug;
  } catch {
    return false;
  }
}

const USAGE = `switchboard — customer-support NLU, routing and handoff

Usage:
  switchboard init [DIR] [--name NAME] [--force]      a starter bot in DIR (default mybot): bot.yaml, data, behaviour tests
  switchboard start [--config bot.yaml] [--store FILE]   the server (HOST:PORT, default 127.0.0.1:3978; config/demo.yaml;
                     state in DATABASE_URL's PostgreSQL, else the SQLite FILE, default data/switchboard.db)
  switchboard test [--config bot.yaml] [FILE.yaml...] [--json]   behaviour tests (default: behaviour.yaml beside the config)
  switchboard train intent --config bot.yaml [flags]  data/intents.jsonl (+ data/validation.jsonl) beside it → its models.intent
  switchboard train intent --data FILE... [--valid FILE] --out DIR [--seed N] [--budget UNITS] [--no-background]
                     [--background DIR] [--dim D] [--hidden H] [--ensemble K] [--epochs E] [--max-rows R]
                     [--tower-rows R] [--linear-c C] [--quantize auto|on|off] [--describe TEXT] [--json]   no shape flag: searches on validation
                     --budget: work units of the search (1 unit ≈ 1 s of training on a quiet 2-core machine, counted
                     from the model sizes, not timed: the choice never depends on load; default 60 + 20 per 1,000 examples, ≤ 600)
  switchboard eval intent --model DIR --data FILE [--json] [--report FILE.html] [--record NAME]
  switchboard eval intent --cv K --data FILE [--json] [--report FILE.html] [--seed N] [--budget UNITS] [--no-background]
  switchboard train ner --data FILE.conll [--valid FILE] --out DIR [--seed N] [--epochs E] [--lowercase-rate P]
                     [--quantize auto|on|off] [--word-vectors PATH|wink [--cluster-words N] [--cluster-levels 16,16,8] [--no-dense]]
  switchboard eval ner --model DIR --data FILE.conll [--lowercase] [--json] [--record NAME]
  switchboard train language --data FILE... [--valid FILE...] --out DIR [--base DIR|none] [--max-n N] [--alpha A]
                     [--min-count C] [--describe TEXT] [--json]   extends the shipped profile unless --base none
  switchboard eval language --data FILE [--languages en,es,…] [--model DIR|none] [--json] [--record NAME]
  switchboard eval route --model DIR --data FILE [--config bot.yaml] [--json]   offline automation rate
  switchboard calibrate --model DIR --data FILE --precision P [--min-support N] [--oos-share S] [--json]
  switchboard predict [NLU flags] [--top K]           one text per stdin line → one JSON per stdout line
  switchboard report [--since 7d] [--until T] [--store FILE] [--json]   automation rate with its 95% interval
  switchboard export-training [--since 30d] [--store FILE] --out FILE.jsonl [--force]   agent-labelled turns as intent data
  switchboard gate --candidate DIR --current DIR --data FILE [--config bot.yaml] [--behaviour FILE|DIR] [--max-drop 0.005] [--json]
  switchboard baseline --model DIR --data FILE [--threshold T]   validation baseline for drift checks
  switchboard backup --out FILE [--store FILE]        a consistent copy of the SQLite store, safe while it runs
  switchboard agent hash-password                     reads a password (stdin), prints its hash for bot.yaml
                     agents[].password_hash or SWITCHBOARD_AGENT_PASSWORD_HASHES (id=hash,id=hash)
  switchboard help

NLU flags (predict): --model DIR (intent) --language-model DIR|none --languages en,es,… --ner-model DIR|none
           --patterns FILE.json (regex entities: [{"type":"order_id","pattern":"ORD-\\d{6}"}])

Data: JSONL {"text","intent"} (intent a label, or a list of labels for multi-label data), or CSV/TSV with a
header containing text and intent. The label out_of_scope marks examples the bot must not answer.
Language data: TSV text<TAB>language (ISO 639-1), or JSONL with a language field (intent data works as is).`;

type Command = (args: string[]) => Promise<number>;

const commands: Record<string, () => Promise<Command>> = {
  'train intent': async () => (await import('./train-command.ts')).trainIntentCommand,
  'eval intent': async () => (await import('./eval-command.ts')).evalIntentCommand,
  'train ner': async () => (await import('./ner-commands.ts')).trainNerCommand,
  'eval ner': async () => (await import('./ner-commands.ts')).evalNerCommand,
  'train language': async () => (await import('./language-commands.ts')).trainLanguageCommand,
  'eval language': async () => (await import('./language-commands.ts')).evalLanguageCommand,
  'eval route': async () => (await import('./eval-route-command.ts')).evalRouteCommand,
  calibrate: async () => (await import('./calibrate-command.ts')).calibrateCommand,
  predict: async () => (await import('./predict-command.ts')).predictCommand,
  start: async () => (await import('./start-command.ts')).startCommand,
  init: async () => (await import('./init-command.ts')).initCommand,
  test: async () => (await import('./behaviour-command.ts')).behaviourCommand,
  report: async () => (await import('./report-command.ts')).reportCommand,
  'export-training': async () => (await import('./measure-commands.ts')).exportTrainingCommand,
  gate: async () => (await import('./measure-commands.ts')).gateCommand,
  baseline: async () => (await import('./measure-commands.ts')).baselineCommand,
  backup: async () => (await import('./backup-command.ts')).backupCommand,
  'agent hash-password': async () => (await import('./agent-commands.ts')).hashPasswordCommand,
};

/** The usage lines of one command (its line in {@link USAGE} and the indented lines that continue it). */
export function commandUsage(key: string): string {
  const lines = USAGE.split('\n');
  const out: string[] = [];
  let inside = false;
  for (const line of lines) {
    if (line.startsWith('  switchboard '))
      inside = line.startsWith(`  switchboard ${key} `) || line === `  switchboard ${key}`;
    else if (!line.startsWith('                     ')) inside = false;
    if (inside) out.push(line.slice(2));
  }
  const nlu =
    key === 'predict' ? `\n\n${USAGE.slice(USAGE.indexOf('\nNLU flags') + 1, USAGE.indexOf('\n\nData:'))}` : '';
  const intentData = /^(train intent|eval intent|eval route|calibrate|gate|baseline)$/.test(key);
  const languageData = /^(train language|eval language)$/.test(key);
  const dataHelp = USAGE.slice(USAGE.indexOf('Data:'));
  const data = intentData
    ? `\n\n${dataHelp.slice(0, dataHelp.indexOf('\nLanguage data:'))}`
    : languageData
      ? `\n\n${dataHelp.slice(dataHelp.indexOf('Language data:'))}`
      : '';
  return `Usage:\n  ${out.join('\n  ')}${nlu}${data}`;
}

/** Runs the CLI with `argv` (without node and script); resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  const two = argv.slice(0, 2).join(' ');
  const key = commands[two] ? two : argv[0];
  if (!key || key === 'help' || key === '--help' || key === '-h') {
    process.stdout.write(`${USAGE}\n`);
    return key ? 0 : 1;
  }
  const load = commands[key];
  const kinds = Object.keys(commands)
    .filter((c) => c.startsWith(`${argv[0]} `))
    .map((c) => c.split(' ')[1]);
  if (!load && kinds.length > 0 && argv.slice(1).some((a) => a === '--help' || a === '-h')) {
    process.stdout.write(
      `${kinds.map((k) => commandUsage(`${argv[0]} ${k}`).replace(/\n\nData:[\s\S]*$/, '')).join('\n\n')}\n`,
    );
    return 0;
  }
  if (!load && kinds.length > 0) {
    process.stderr.write(
      `switchboard: '${argv[0]}' needs a subcommand: ${kinds.map((k) => `'${argv[0]} ${k}'`).join(', ')}` +
        ` (see 'switchboard help')\n`,
    );
    return 2;
  }
  if (!load) {
    process.stderr.write(`switchboard: unknown command '${argv.slice(0, 2).join(' ')}'\n\n${USAGE}\n`);
    return 2;
  }
  const rest = argv.slice(key.split(' ').length);
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`${commandUsage(key)}\n`);
    return 0;
  }
  try {
    return await (await load())(rest);
  } catch (err) {
    const code = err instanceof SwitchboardError ? ` [${err.code}]` : '';
    process.stderr.write(`switchboard: ${err instanceof Error ? err.message : String(err)}${code}\n`);
    if (err instanceof Error && debugging()) process.stderr.write(`${err.stack}\n`);
    return 1;
  }
}
