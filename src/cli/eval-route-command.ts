/**
 * `switchboard eval route`: the offline automation rate — every labelled row through the NLU and the router of a bot
 * config (a clarify counts as not answered).
 */
import { Bot } from '../bot.ts';
import { BotConfigSchema } from '../config/bot-config.ts';
import { DEFAULT_LANGUAGE_PROFILE_DIR } from '../nlu/default-model.ts';
import { OUT_OF_SCOPE } from '../nlu/intent/intent-example.ts';
import { readLanguageManifest } from '../nlu/language/language-profile.ts';
import { readIntentData } from '../train/read-intent-data.ts';
import { parseCommandArgs, required } from './cli-args.ts';
import { unknownLabels } from './eval-command.ts';
import { ProgressBar } from './progress-bar.ts';

const round = (x: number) => Number(x.toFixed(6));

/**
 * `switchboard eval route --model DIR --data FILE [--config bot.yaml] [--json]`: the offline automation rate. Every
 * labelled message goes through the NLU and the router as a fresh conversation; a clarify counts as not answered.
 * Prints shares in 0..1: `answered`, `precision` (of the answers, the right intent), `clarified`, `handed_off`,
 * `oos_answered` (of the `out_of_scope` rows, the share answered by mistake), `smalltalk` (answered by the config's small
 * talk: not scored), `automation` (answered correctly / n).
 * Without `--config`, every intent counts as having an answer and the thresholds come from the model's manifest.
 */
export async function evalRouteCommand(args: string[]): Promise<number> {
  const cmd = 'eval route';
  const { values } = parseCommandArgs(
    args,
    { model: { type: 'string' }, data: { type: 'string' }, config: { type: 'string' }, json: { type: 'boolean' } },
    cmd,
  );
  const data = readIntentData(required(values.data, 'data', cmd), { dedupe: false });
  if (data.mode !== 'single') required(undefined, 'data with one intent per row', cmd);
  let bot: Bot;
  if (values.config) bot = await Bot.load(values.config, { intentModelDir: values.model });
  else {
    const manifest = readLanguageManifest(DEFAULT_LANGUAGE_PROFILE_DIR);
    const languages = manifest.default_languages ?? manifest.languages;
    const message = Object.fromEntries(languages.map((l) => [l, '-']));
    const config = BotConfigSchema.parse({
      languages,
      default_language: languages.includes('en') ? 'en' : languages[0],
      handoff: { message },
      clarify: { prompt: message },
    });
    bot = await Bot.fromConfig(config, { intentModelDir: required(values.model, 'model', cmd), answerAll: true });
  }
  const unknown = unknownLabels(data.examples, bot.nlu.intents.labels);
  if (unknown) process.stderr.write(`warning: ${unknown}\n`);
  const bar = new ProgressBar('routing', process.stderr, process.stderr.isTTY === true && !values.json);
  let answered = 0;
  let right = 0;
  let clarified = 0;
  let handedOff = 0;
  let oos = 0;
  let oosAnswered = 0;
  // Small talk the config answers itself ("hello") has no model intent to be right or wrong about: counted apart.
  let smalltalk = 0;
  const reasons: Record<string, number> = {};
  for (const [i, e] of data.examples.entries()) {
    const { decision } = await bot.respond(e.text, e.language ? { default: e.language } : {});
    const gold = e.intent as string;
    if (gold === OUT_OF_SCOPE) oos++;
    reasons[decision.reason] = (reasons[decision.reason] ?? 0) + 1;
    if (decision.kind === 'answer' && decision.reason === 'smalltalk') smalltalk++;
    else if (decision.kind === 'answer') {
      answered++;
      if (decision.intent === gold) right++;
      if (gold === OUT_OF_SCOPE) oosAnswered++;
    } else if (decision.kind === 'clarify') clarified++;
    else handedOff++;
    if (i % 100 === 0) bar.update(i / data.examples.length, `${i}/${data.examples.length}`);
  }
  bar.done();
  await bot.release();
  const n = data.examples.length;
  const out = {
    n,
    answered: round(answered / n),
    precision: round(answered ? right / answered : 0),
    clarified: round(clarified / n),
    handed_off: round(handedOff / n),
    oos_answered: round(oos ? oosAnswered / oos : 0),
    smalltalk: round(smalltalk / n),
    automation: round(right / n),
    reasons,
  };
  if (values.json) process.stdout.write(`${JSON.stringify(out)}\n`);
  else {
    process.stdout.write(
      `n ${n}: answered ${(100 * out.answered).toFixed(1)}% (precision ${(100 * out.precision).toFixed(1)}%), ` +
        `clarified ${(100 * out.clarified).toFixed(1)}%, handed off ${(100 * out.handed_off).toFixed(1)}%; ` +
        `automation ${(100 * out.automation).toFixed(1)}%; out-of-scope answered ${(100 * out.oos_answered).toFixed(1)}%` +
        `${smalltalk ? `; small talk ${(100 * out.smalltalk).toFixed(1)}% (not scored)` : ''}\n`,
    );
  }
  return 0;
}
