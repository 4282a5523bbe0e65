import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { unknownLabels } from '../../../src/cli/eval-command.ts';

describe('eval intent: labels the model does not know', () => {
  it('names them with their rows, most rows first; out_of_scope and known labels are not named', () => {
    const rows = [
      { text: 'a', intent: 'refund' },
      { text: 'b', intent: 'gift_cards' },
      { text: 'c', intent: 'gift_cards' },
      { text: 'd', intent: 'ORDER_STATUS' },
      { text: 'e', intent: 'out_of_scope' },
    ];
    expect(unknownLabels(rows, ['refund', 'order_status', 'out_of_scope'])).toBe(
      'labels the model does not know, counted as errors: "gift_cards" (2 rows), "ORDER_STATUS" (1 row)',
    );
    expect(unknownLabels(rows.slice(0, 1), ['refund'])).toBeUndefined();
    expect(unknownLabels([{ text: 'x', intent: ['refund', 'new'] }], ['refund'])).toMatch(/"new" \(1 row\)/);
  });
});

describe('eval intent: per-intent thresholds', () => {
  it('applies the model’s per-intent thresholds as the bot serves them', () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchboard-eval-thr-'));
    try {
      const model = join(dir, 'model');
      cpSync('models/intent-massive', model, { recursive: true });
      const data = join(dir, 'data.jsonl');
      writeFileSync(
        data,
        [
          { text: 'wake me up at seven tomorrow', intent: 'alarm_set', language: 'en' },
          { text: 'what is the weather like today', intent: 'weather_query', language: 'en' },
          { text: 'write me a poem about the sea', intent: 'out_of_scope', language: 'en' },
        ]
          .map((r) => JSON.stringify(r))
          .join('\n'),
      );
      const run = () =>
        JSON.parse(
          spawnSync(
            process.execPath,
            ['bin/switchboard.js', 'eval', 'intent', '--model', model, '--data', data, '--json'],
            {
              encoding: 'utf8',
            },
          ).stdout,
        );
      expect(run().in_scope_accuracy).toBe(1);
      const m = JSON.parse(readFileSync(join(model, 'manifest.json'), 'utf8'));
      m.calibration.thresholds = { alarm_set: 0.9999, weather_query: 0.9999 };
      writeFileSync(join(model, 'manifest.json'), JSON.stringify(m));
      const strict = run();
      expect(strict.in_scope_accuracy).toBe(0);
      // Per language as well (every row has one): never outside the overall figure's range.
      expect(strict.per_language.en).toBeCloseTo(strict.accuracy, 6);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
