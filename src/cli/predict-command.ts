/**
 * `switchboard predict`: one text per stdin line → one JSON Understanding per stdout line; also the NLU flags
 * (`--model`, `--language-model`, `--ner-model`, `--patterns`, `--languages`) shared with `start`.
 */
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { readEnvConfig } from '../config/env-config.ts';
import { SwitchboardError } from '../errors.ts';
import { Nlu, type NluOptions } from '../nlu/analyze.ts';
import type { EntityPattern } from '../nlu/entities/pattern-entities.ts';
import { integerFlag, parseCommandArgs } from './cli-args.ts';

/**
 * `switchboard predict [--model DIR] [--language-model DIR|none] [--languages en,es] [--top K]`: one text per stdin
 * line → one JSON Understanding per stdout line, in order. Blank lines are answered too (the model's prior); nothing
 * is dropped.
 */
export async function predictCommand(args: string[]): Promise<number> {
  const { values } = parseCommandArgs(
    args,
    {
      ...NLU_FLAGS,
      top: { type: 'string' },
    },
    'predict',
  );
  const nlu = await Nlu.load(nluOptions(values));
  const top = integerFlag(values.top, 'top', { min: 1 });
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

/** The flags `predict` and `start` share to configure the NLU. */
export const NLU_FLAGS = {
  model: { type: 'string' },
  'language-model': { type: 'string' },
  languages: { type: 'string' },
  'ner-model': { type: 'string' },
  patterns: { type: 'string' },
} as const;

/**
 * NLU options from the shared flags: `--model`, `--language-model DIR|none`, `--languages en,es`, `--ner-model
 * DIR|none`, `--patterns FILE.json` (a JSON array of `{"type", "pattern", "flags"?}` regex entities).
 */
export function nluOptions(values: {
  model?: string;
  'language-model'?: string;
  languages?: string;
  'ner-model'?: string;
  patterns?: string;
}): NluOptions {
  const lm = values['language-model'];
  const ner = values['ner-model'];
  let patterns: EntityPattern[] | undefined;
  if (values.patterns) {
    try {
      patterns = JSON.parse(readFileSync(values.patterns, 'utf8'));
    } catch (e) {
      throw new SwitchboardError('E_PATTERN', 'input', `--patterns ${values.patterns}: ${(e as Error).message}`);
    }
    if (!Array.isArray(patterns)) {
      throw new SwitchboardError('E_PATTERN', 'input', `--patterns ${values.patterns}: expected a JSON array`);
    }
  }
  return {
    intentModelDir: values.model,
    languageProfileDir: lm === 'none' ? null : lm,
    nerModelDir: ner === 'none' ? null : ner,
    patterns,
    languages:
      values.languages
        ?.split(',')
        .map((s) => s.trim())
        .filter(Boolean) ?? readEnvConfig().languages,
  };
}
