import { createInterface } from 'node:readline';
import { DEFAULT_INTENT_MODEL_DIR } from '../nlu/default-model.ts';
import { IntentClassifier } from '../nlu/intent/intent-classifier.ts';
import type { Understanding } from '../nlu/understanding.ts';
import { parseCommandArgs } from './cli-args.ts';

const ms = (t0: number) => Number((performance.now() - t0).toFixed(3));

/**
 * `switchboard predict [--model DIR] [--top K]`: one text per stdin line → one JSON Understanding per stdout line, in
 * order. Blank lines are answered too (the model's prior); nothing is dropped.
 */
export async function predictCommand(args: string[]): Promise<number> {
  const { values } = parseCommandArgs(args, { model: { type: 'string' }, top: { type: 'string' } }, 'predict');
  const clf = await IntentClassifier.load(values.model ?? DEFAULT_INTENT_MODEL_DIR);
  const top = values.top ? Math.max(1, Number(values.top)) : undefined;
  const lines = createInterface({ input: process.stdin, crlfDelay: Number.POSITIVE_INFINITY });
  for await (const line of lines) {
    const t0 = performance.now();
    const intents = await clf.classifyOne(line);
    const intentMs = ms(t0);
    const understanding: Understanding = {
      languages: [],
      intents: top ? intents.slice(0, top) : intents,
      entities: [],
      timings: { language_ms: 0, intent_ms: intentMs, entities_ms: 0, total_ms: ms(t0) },
    };
    if (!process.stdout.write(`${JSON.stringify(understanding)}\n`)) {
      await new Promise((resolve) => process.stdout.once('drain', resolve));
    }
  }
  await clf.release();
  return 0;
}
