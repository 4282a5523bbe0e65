import { describe, expect, it } from 'vitest';
import { prepareIntentData } from '../../../src/train/prepare-intent-data.ts';
import { readIntentData } from '../../../src/train/read-intent-data.ts';

const shop = readIntentData('test/fixtures/data/shop-bot.jsonl').examples;

describe('prepareIntentData: validation warnings', () => {
  it('names labels the training data lacks, and counts validation rows that are training rows', () => {
    const valid = [
      { text: `  ${shop[0].text.toUpperCase()} `, intent: shop[0].intent },
      { text: shop[1].text, intent: shop[1].intent },
      { text: 'play some jazz', intent: 'play_music' },
      { text: 'a message nobody trained on', intent: shop[2].intent },
    ];
    const { warnings } = prepareIntentData(shop, valid, { seed: 1 });
    expect(warnings).toContainEqual(
      expect.stringMatching(/^1 validation examples have labels absent from train \('play_music'\)/),
    );
    expect(warnings).toContainEqual(expect.stringMatching(/^2 of 4 validation examples are also in the training data/));
  });

  it('says nothing when validation is separate from training', () => {
    const { warnings } = prepareIntentData(
      shop.slice(10),
      shop.slice(0, 10).filter((e) => shop.slice(10).some((t) => t.intent === e.intent)),
      { seed: 1 },
    );
    expect(warnings.filter((w) => /validation/.test(w))).toEqual([]);
  });
});
