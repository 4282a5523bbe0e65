import { describe, expect, it } from 'vitest';
import { describeThresholds } from '../../src/bot.ts';
import { BotConfigSchema } from '../../src/config/bot-config.ts';

const config = (policy: Record<string, unknown>) =>
  BotConfigSchema.parse({
    languages: ['en'],
    default_language: 'en',
    policy,
    handoff: { message: { en: 'A person will help.' } },
    clarify: { prompt: { en: 'Which?' } },
  });

describe('describeThresholds (printed at start)', () => {
  it('says when a config threshold overrides the calibrated one, and how to use the calibration', () => {
    const lines = describeThresholds(
      config({ threshold: 0.6 }),
      { threshold: 0.42, target: { precision: 0.9 } },
      'bot.yaml',
    );
    expect(lines).toEqual([
      "answer threshold 0.6 — bot.yaml policy.threshold, overriding the model's calibrated 0.42 for precision 0.9 (delete policy.threshold to use it)",
    ]);
  });

  it('names the model calibration when the config sets nothing, and the default when neither does', () => {
    expect(describeThresholds(config({}), { threshold: 0.42 }, 'bot.yaml')[0]).toBe(
      "answer threshold 0.42 — the intent model's calibration",
    );
    expect(describeThresholds(config({}), {}, 'bot.yaml')[0]).toMatch(/^answer threshold 0\.5 — the default/);
  });

  it('per-intent thresholds: calibrated ones still apply beside a config threshold; config ones replace them', () => {
    const both = describeThresholds(config({ threshold: 0.6 }), { thresholds: { refund: 0.7 } }, 'bot.yaml');
    expect(both[1]).toBe(
      "per-intent thresholds: 1 from the intent model's calibration (refund 0.7); they apply to those intents instead of bot.yaml's policy.threshold",
    );
    const own = describeThresholds(
      config({ intent_thresholds: { refund: 0.8, invoice: 0.5 } }),
      { threshold: 0.3, thresholds: { refund: 0.7 } },
      'bot.yaml',
    );
    expect(own).toEqual([
      "answer threshold 0.3 — the intent model's calibration",
      "per-intent thresholds: 2 from bot.yaml policy.intent_thresholds, replacing the model's 1 calibrated ones",
    ]);
  });
});
