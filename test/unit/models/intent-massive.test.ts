import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_INTENT_MODEL_DIR } from '../../../src/nlu/default-model.ts';
import { IntentClassifier } from '../../../src/nlu/intent/intent-classifier.ts';

// The shipped default model (models/intent-massive): one model for six MASSIVE locales. The sentences below were
// written for this test (they are not MASSIVE rows), one per locale and script.
const cases: [string, string][] = [
  ['please wake me up at six tomorrow morning', 'alarm_set'],
  ['pon una alarma a las siete de la mañana', 'alarm_set'],
  ['wie wird das wetter morgen in berlin', 'weather_query'],
  ['mets de la musique jazz s’il te plaît', 'play_music'],
  ['कल मौसम कैसा रहेगा', 'weather_query'],
  ['ปลุกฉันตอนหกโมงเช้าพรุ่งนี้', 'alarm_set'],
];

let clf: IntentClassifier;
beforeAll(async () => {
  clf = await IntentClassifier.load(DEFAULT_INTENT_MODEL_DIR);
});
afterAll(async () => clf?.release());

describe('models/intent-massive', () => {
  it('loads with a valid manifest: 60 MASSIVE intents and out_of_scope, int8, within the 15 MB budget', () => {
    expect(clf.labels).toHaveLength(61);
    expect(clf.labels).toContain('out_of_scope');
    const protection = clf.manifest.calibration.oos_protection as { source: string; recall: number } | undefined;
    expect(protection?.source).toBe('background');
    expect(clf.manifest.onnx.quantized).toBe(true);
    expect(clf.manifest.onnx.bytes + (clf.manifest.features?.bytes ?? 0)).toBeLessThan(15_000_000);
    const perLanguage = (clf.manifest.metrics.test as { per_language: Record<string, number> }).per_language;
    expect(Object.keys(perLanguage).sort()).toEqual(['de', 'en', 'es', 'fr', 'hi', 'th']);
  });

  it.each(cases)('understands "%s" as %s', async (text, intent) => {
    const [first] = await clf.classifyOne(text);
    expect(first.intent).toBe(intent);
  });

  it('refuses an everyday line that belongs to no intent (the background class)', async () => {
    const [first] = await clf.classifyOne('The cat is sleeping on the sofa.');
    expect(first.intent).toBe('out_of_scope');
  });

  it('returns every label, ranked and summing to 1, for odd input', async () => {
    for (const text of ['', '   ', '🙂🙂🙂', 'x'.repeat(100_000), '\u0000\u0007\u001b[31m', 'hola 你好 สวัสดี']) {
      const ranked = await clf.classifyOne(text);
      expect(ranked).toHaveLength(61);
      expect(ranked.reduce((s, r) => s + r.score, 0)).toBeCloseTo(1, 4);
      for (let i = 1; i < ranked.length; i++) expect(ranked[i - 1].score).toBeGreaterThanOrEqual(ranked[i].score);
    }
  });
});
