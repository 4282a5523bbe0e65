import { createInterface } from 'node:readline';
import { Nlu } from '../nlu/analyze.ts';
import { parseCommandArgs } from './cli-args.ts';

/**
 * `switchboard predict [--model DIR] [--language-model DIR|none] [--languages en,es] [--top K]`: one text per stdin
 * line → one JSON Understanding per stdout line, in order. Blank lines are answered too (the model's prior); nothing
 * is dropped.
 */
export async function predictCommand(args: string[]): Promise<number> {
  const { values } = parseCommandArgs(
    args,
    {
      model: { type: 'string' },
      'language-model': { type: 'string' },
      languages: { type: 'string' },
      top: { type: 'string' },
    },
    'predict',
  );
  const nlu = await Nlu.load(nluOptions(values));
  const top = values.top ? Math.max(1, Number(values.top)) : undefined;
  const lines = createInterface({ input: process.stdin, crlfDelay: Number.POSITIVE_INFINITY });
  for await (const line of lines) {
    const understanding = await nlu.analyze(line);
    if (top) understanding.intents = understanding.intents.slice(0, top);
    if (!process.stdout.write(`${JSON.stringify(understanding)}\n`)) {
      await new Promise((resolve) => process.stdout.once('drain', resolve));
    }
  }
  await nlu.release();
  return 0;
}

/** NLU options from the shared `--model`, `--language-model` and `--languages` flags. */
export function nluOptions(values: { model?: string; 'language-model'?: string; languages?: string }) {
  const lm = values['language-model'];
  return {
    intentModelDir: values.model,
    languageProfileDir: lm === 'none' ? null : lm,
    languages: values.languages
      ?.split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  };
}
