/**
 * The retraining loop's commands (issue 8):
 * - `switchboard baseline --model DIR --data FILE [--threshold T]`: the model's validation baseline for drift checks
 *   (`DIR/baseline.json`: confidence histogram, language mix, share under the answer threshold);
 * - `switchboard export-training [--since 30d] [--store FILE] --out FILE.jsonl`: what agents labelled — resolved
 *   tickets with an intent label (the customer's first message) and audited wrong answers with the right intent — as
 *   intent JSONL for `switchboard train intent --data old.jsonl new.jsonl`;
 * - `switchboard gate --candidate DIR --current DIR --data FILE [--config bot.yaml] [--behaviour FILE|DIR] [--max-drop 0.005] [--json]`: accept
 *   a retrained model only when every behaviour test passes with it and its accuracy as served (the answer
 *   thresholds the bot would use, per intent where set; a message not answered is right only when out of scope) on a
 *   held-out labelled file (e.g. the validation file the current
 *   model was calibrated on) drops by at most `--max-drop`; exit 0 accepted, 1 refused.
 */
import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { answerThresholds, Bot } from '../bot.ts';
import { type BotConfig, readBotConfig } from '../config/bot-config.ts';
import { readEnvConfig } from '../config/env-config.ts';
import { SwitchboardError } from '../errors.ts';
import { multiLabelMetrics, predictSingleLabel } from '../eval/intent-metrics.ts';
import { parseTime } from '../metrics/automation-report.ts';
import { confidenceHistogram, writeBaseline } from '../metrics/drift.ts';
import { IntentClassifier } from '../nlu/intent/intent-classifier.ts';
import { OUT_OF_SCOPE } from '../nlu/intent/intent-example.ts';
import { asksOnlyForHuman } from '../router/human-request.ts';
import { openStores } from '../server/open-stores.ts';
import { readIntentData } from '../train/read-intent-data.ts';
import { checkCase, readBehaviourFile } from './behaviour-command.ts';
import { boundedFlag, checkFlagFile, parseCommandArgs, required, usageError, writeFlagFile } from './cli-args.ts';

const round = (x: number) => Number(x.toFixed(6));

export async function baselineCommand(args: string[]): Promise<number> {
  const cmd = 'baseline';
  const { values } = parseCommandArgs(
    args,
    { model: { type: 'string' }, data: { type: 'string' }, threshold: { type: 'string' } },
    cmd,
  );
  const dir = required(values.model, 'model DIR', cmd);
  const file = required(values.data, 'data FILE', cmd);
  const clf = await IntentClassifier.load(dir);
  try {
    const threshold =
      boundedFlag(
        values.threshold,
        'threshold',
        (x) => x >= 0 && x <= 1,
        'from 0 to 1',
        clf.manifest.calibration.threshold ?? 0.5,
      ) ?? 0.5;
    const rows = readIntentData(file, { dedupe: false }).examples;
    const probs = await clf.scores(rows.map((r) => r.text));
    const oos = clf.labels.indexOf(OUT_OF_SCOPE);
    const tops = probs.map((p) => {
      let best = 0;
      for (let i = 1; i < p.length; i++) if (p[i] > p[best]) best = i;
      return { score: p[best], oos: best === oos };
    });
    const languages: Record<string, number> = {};
    for (const r of rows) if (r.language) languages[r.language] = (languages[r.language] ?? 0) + 1;
    const withLanguage = Object.values(languages).reduce((a, b) => a + b, 0);
    for (const k of Object.keys(languages)) languages[k] = round(languages[k] / withLanguage);
    const baseline = {
      n: rows.length,
      data: basename(file),
      confidence_histogram: confidenceHistogram(tops.map((t) => t.score)).map(round),
      languages,
      threshold,
      below_threshold: round(tops.filter((t) => t.oos || t.score < threshold).length / Math.max(1, rows.length)),
    };
    writeBaseline(dir, baseline);
    process.stdout.write(`${JSON.stringify(baseline)}\n`);
  } finally {
    await clf.release();
  }
  return 0;
}

export async function exportTrainingCommand(args: string[]): Promise<number> {
  const cmd = 'export-training';
  const { values } = parseCommandArgs(
    args,
    { since: { type: 'string' }, store: { type: 'string' }, out: { type: 'string' }, force: { type: 'boolean' } },
    cmd,
  );
  const out = required(values.out, 'out FILE.jsonl', cmd);
  let since: number;
  try {
    since = parseTime(values.since ?? '30d');
  } catch (e) {
    throw new SwitchboardError('E_ARGS', 'input', `${cmd}: ${(e as Error).message}`);
  }
  const env = readEnvConfig();
  const file = values.store ?? join('data', 'switchboard.db');
  if (!env.databaseUrl && !existsSync(file))
    throw new SwitchboardError('E_STORE_OPEN', 'input', `${cmd}: no store at ${file} (or set DATABASE_URL)`);
  // The file is often next to the bot's training data: writing over an existing one would lose it (and the store,
  // which this command reads, is never written over, --force or not).
  // SQLite's side files sit next to the real file, wherever a link to it points.
  const real = env.databaseUrl ? undefined : realpathSync(file);
  const outRules = {
    existing: values.force ? 'any' : 'never',
    forceFlag: '--force',
    inputs: real ? [file, `${real}-wal`, `${real}-shm`] : [],
  } as const;
  checkFlagFile('--out', out, outRules);
  const stores = await openStores({ databaseUrl: env.databaseUrl, sqliteFile: file });
  const lines: string[] = [];
  let tickets = 0;
  let audits = 0;
  let skipped = 0; // tickets of a bare request for a person with no question after it
  try {
    for (const t of await stores.handoffs.list('resolved', 1_000_000)) {
      if (!t.label || (t.closed_at ?? 0) < since) continue;
      // A ticket opened by a bare request for a person ("talk to a person") starts with that, not with what the label
      // is about: the customer's next message is the question, if they wrote one.
      const said = t.transcript.filter((e) => e.from === 'customer' && e.text.trim());
      const bare = said[0] !== undefined && asksOnlyForHuman(said[0].text, t.language ?? 'en');
      const first = bare ? said[1] : said[0];
      if (!first) {
        if (bare) skipped++;
        continue;
      }
      lines.push(JSON.stringify({ text: first.text, intent: t.label, language: t.language, source: `ticket:${t.id}` }));
      tickets++;
    }
    for (const t of await stores.turns.audits('done', 1_000_000)) {
      if (t.at < since || t.audit !== 'wrong' || !t.audit_intent || !t.text) continue;
      lines.push(
        JSON.stringify({ text: t.text, intent: t.audit_intent, language: t.language, source: `audit:${t.id}` }),
      );
      audits++;
    }
  } finally {
    await stores.close();
  }
  await writeFlagFile('--out', out, lines.length ? `${lines.join('\n')}\n` : '', outRules);
  process.stdout.write(
    `${JSON.stringify({ out, examples: lines.length, from_tickets: tickets, from_audits: audits, skipped_person_requests: skipped })}\n`,
  );
  return 0;
}

/**
 * The behaviour files to gate on: `--behaviour FILE` itself; in `--behaviour DIR`, its YAML files that hold `cases`
 * (a bot.yaml beside them is skipped); with only `--config bot.yaml`, the behaviour.yaml beside it; with neither, the
 * demo bot's (`test/behaviour/`).
 */
export function behaviourFiles(behaviour: string | undefined, config: string | undefined): string[] {
  const target =
    behaviour ??
    (config
      ? join(dirname(config), 'behaviour.yaml')
      : join(dirname(dirname(import.meta.dirname)), 'test', 'behaviour'));
  if (!existsSync(target)) {
    if (behaviour || config)
      throw new SwitchboardError('E_USAGE', 'input', `gate: no behaviour tests at ${target} (--behaviour FILE|DIR)`);
    return [];
  }
  if (!statSync(target).isDirectory()) return [target];
  const yaml = readdirSync(target)
    .filter((f) => f.endsWith('.yaml') || f.endsWith('.yml'))
    .sort()
    .map((f) => join(target, f));
  const files = yaml.filter((f) => {
    try {
      const doc = parseYaml(readFileSync(f, 'utf8'));
      return typeof doc === 'object' && doc !== null && 'cases' in doc;
    } catch {
      return true; // readBehaviourFile reports it
    }
  });
  // A bot config beside the tests is expected; anything else without `cases` may be a suite with a typo: say so.
  for (const f of yaml)
    if (!files.includes(f) && !/^(bot|config)\b/.test(basename(f)))
      process.stderr.write(`gate: ${f} has no cases: not a behaviour file, skipped\n`);
  if (files.length === 0)
    throw new SwitchboardError('E_USAGE', 'input', `gate: no behaviour file (YAML with cases) in ${target}`);
  return files;
}

/** Runs behaviour files with `modelDir` as the intent model (and `config`, if given, as the bot); returns the failures. */
async function behaviourFailures(files: string[], modelDir: string, config: string | undefined): Promise<string[]> {
  const failures: string[] = [];
  for (const file of files) {
    const f = basename(file);
    const spec = readBehaviourFile(file);
    let bot: Bot;
    try {
      const botConfig = config ?? spec.config;
      if (!botConfig) throw new Error('the file names no config (give --config bot.yaml)');
      bot = await Bot.fromConfig(readBotConfig(botConfig), { intentModelDir: modelDir });
    } catch (e) {
      failures.push(`${f}: the bot does not load with this model: ${(e as Error).message}`);
      continue;
    }
    try {
      for (const c of spec.cases) {
        const wrong = await checkCase(bot, c);
        if (wrong.length) failures.push(`${f}: "${c.text}": ${wrong.join(', ')}`);
      }
    } finally {
      await bot.release();
    }
  }
  return failures;
}

/**
 * Held-out accuracy as the bot serves the model: a single-label message is answered with its top label when that is
 * not out_of_scope and its score reaches the answer threshold for that intent (the config's policy when `--config`
 * sets one, else the model's calibration: {@link answerThresholds}); a message not answered is right only when its
 * gold label is out_of_scope. Multi-label data is scored by exact match at the model's threshold.
 */
async function servedAccuracy(
  modelDir: string,
  file: string,
  policy: BotConfig['policy'] | undefined,
): Promise<{ accuracy: number; labels: readonly string[] }> {
  const clf = await IntentClassifier.load(modelDir);
  try {
    const data = readIntentData(file, { dedupe: false });
    if (data.mode !== clf.manifest.mode) {
      usageError('gate', `${modelDir} is a ${clf.manifest.mode}-label model but ${file} is ${data.mode}-label`);
    }
    const probs = await clf.scores(data.examples.map((r) => r.text));
    if (data.mode === 'multi') {
      const gold = data.examples.map((r) => r.intent as string[]);
      return {
        accuracy: multiLabelMetrics(gold, probs, clf.labels, clf.threshold ?? 0.5).exact_match,
        labels: clf.labels,
      };
    }
    const { threshold, intent_thresholds } = answerThresholds(policy, clf.manifest.calibration);
    const predicted = predictSingleLabel(probs, clf.labels, threshold, intent_thresholds);
    const right = data.examples.filter((r, i) => predicted[i] === r.intent).length;
    return { accuracy: right / Math.max(1, data.examples.length), labels: clf.labels };
  } finally {
    await clf.release();
  }
}

/**
 * Intents the candidate has that the current model has not and the config answers nothing for: a new intent without
 * an answer yet, or a label an agent mistyped (intents left unanswered on purpose, like a "talk to a person" intent,
 * are in both models and not named).
 */
function newIntentsWithoutAnswer(
  candidate: readonly string[],
  current: readonly string[],
  config: BotConfig,
): string[] {
  return candidate.filter((l) => l !== OUT_OF_SCOPE && !current.includes(l) && !config.answers[l]);
}

export async function gateCommand(args: string[]): Promise<number> {
  const cmd = 'gate';
  const { values } = parseCommandArgs(
    args,
    {
      candidate: { type: 'string' },
      current: { type: 'string' },
      data: { type: 'string' },
      behaviour: { type: 'string' },
      config: { type: 'string' },
      'max-drop': { type: 'string' },
      json: { type: 'boolean' },
    },
    cmd,
  );
  const candidate = required(values.candidate, 'candidate DIR', cmd);
  const current = required(values.current, 'current DIR', cmd);
  const data = required(values.data, 'data FILE (held-out labelled data)', cmd);
  const maxDrop = boundedFlag(values['max-drop'], 'max-drop', (x) => x >= 0 && x <= 1, 'from 0 to 1', 0.005) ?? 0.005;
  const files = behaviourFiles(values.behaviour, values.config);
  const config = values.config ? readBotConfig(values.config) : undefined;
  const policy = config?.policy;
  const was = await servedAccuracy(current, data, policy);
  const now = await servedAccuracy(candidate, data, policy);
  const [before, after] = [was.accuracy, now.accuracy];
  const failures = await behaviourFailures(files, candidate, values.config);
  const accepted = failures.length === 0 && before - after <= maxDrop;
  // Intents the candidate has and the config answers nothing for (a new intent, or a label an agent mistyped).
  const unanswered = config ? newIntentsWithoutAnswer(now.labels, was.labels, config) : [];
  const result = {
    accepted,
    held_out: basename(data),
    accuracy_current: round(before),
    accuracy_candidate: round(after),
    drop: round(before - after),
    max_drop: maxDrop,
    behaviour_files: files.map((f) => relative(process.cwd(), f) || f),
    behaviour_failures: failures,
    ...(unanswered.length ? { new_intents_without_answer: unanswered } : {}),
  };
  if (unanswered.length && !values.json)
    process.stderr.write(
      `warning: the candidate has new intents ${values.config} has no answer for (they are handed off; a new intent ` +
        `to answer, or a mistyped label?): ${unanswered.map((l) => `'${l}'`).join(', ')}\n`,
    );
  if (values.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  else
    process.stdout.write(
      `${accepted ? 'ACCEPTED' : 'REFUSED'}: held-out accuracy as served (answer thresholds applied) ${before.toFixed(4)} → ${after.toFixed(4)} (max drop ${maxDrop}); behaviour failures ${failures.length}\n${failures.map((f) => `  ${f}\n`).join('')}`,
    );
  return accepted ? 0 : 1;
}
