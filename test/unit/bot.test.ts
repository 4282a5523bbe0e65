import { afterAll, describe, expect, it } from 'vitest';
import { Bot } from '../../src/bot.ts';
import { BotConfigSchema } from '../../src/config/bot-config.ts';
import { DEFAULT_INTENT_MODEL_DIR } from '../../src/nlu/default-model.ts';

const bots: Bot[] = [];
afterAll(async () => {
  for (const b of bots) await b.release();
});

const config = (budget: number) =>
  BotConfigSchema.parse({
    languages: ['en'],
    default_language: 'en',
    models: { intent: DEFAULT_INTENT_MODEL_DIR, language: null, ner: null },
    policy: { threshold: 0.3 },
    answers: { alarm_set: { en: 'Alarm noted for {datetime}.' }, weather_query: { en: 'Sunny.' } },
    handoff: { message: { en: 'A person will help.' } },
    clarify: { prompt: { en: 'Which one?' } },
    entities: { rule_budget_ms: budget, slot_wait_ms: 5000 },
  });

describe('Bot with the rule recognizers in their thread', () => {
  it('an answer whose template needs a slot waits for the late rule entities', async () => {
    const bot = await Bot.fromConfig(config(0), { ruleThread: true, now: () => new Date('2026-11-20T10:00:00') });
    bots.push(bot);
    await bot.nlu.entities.warmUp();
    const turn = await bot.respond('wake me up tomorrow at 7am please set an alarm');
    expect(turn.decision).toMatchObject({ kind: 'answer', intent: 'alarm_set' });
    expect(turn.reply.text).toBe('Alarm noted for tomorrow at 7am.');
    expect(turn.understanding.pending).toBeUndefined();
    expect(turn.understanding.entities.map((e) => e.type)).toContain('datetime');
  });

  it('an answer without slots does not wait: its rule entities are pending and arrive with `late`', async () => {
    const bot = await Bot.fromConfig(config(0), { ruleThread: true });
    bots.push(bot);
    await bot.nlu.entities.warmUp();
    const turn = await bot.respond('what is the weather like tomorrow in paris');
    expect(turn.decision).toMatchObject({ kind: 'answer', intent: 'weather_query' });
    // A budget of 0 ms never waits; on a busy machine the worker may still finish before the turn is decided, in
    // which case the entities are simply there. Either way nothing is lost.
    if (turn.understanding.pending) {
      expect(turn.understanding.pending).toEqual(['rule_entities']);
      expect(turn.understanding.entities).toEqual([]);
      const complete = await turn.late;
      expect(complete?.pending).toBeUndefined();
      expect(complete?.entities.map((e) => e.text)).toContain('tomorrow');
    } else {
      expect(turn.understanding.entities.map((e) => e.text)).toContain('tomorrow');
    }
  });
});
