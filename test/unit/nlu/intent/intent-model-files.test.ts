import { describe, expect, it } from 'vitest';
import { featurize } from '../../../../src/nlu/features/featurize.ts';
import { rowMapper } from '../../../../src/nlu/intent/intent-model-files.ts';
import { tinyIntentModel } from '../../../fixtures/tiny-intent-model.ts';

describe('rowMapper', () => {
  it('maps buckets to rows exactly as FeatureVocabulary.map does', () => {
    const { vocabulary, featurizer } = tinyIntentModel({ seed: 71 });
    const toRows = rowMapper(vocabulary, featurizer.buckets);
    for (const text of ['', 'my card was blocked', 'où est mon colis ?', '🙂 thanks', 'x'.repeat(500)]) {
      const bag = featurize(text, featurizer);
      const got = toRows(bag);
      const want = vocabulary.map(bag);
      expect([...got.ids]).toEqual([...want.ids]);
      expect([...got.counts]).toEqual([...want.counts]);
    }
  });

  it('passes bags through without a vocabulary', () => {
    const bag = { ids: Int32Array.of(3, 9), counts: Float32Array.of(1, 2) };
    expect(rowMapper(undefined, 16)(bag)).toBe(bag);
  });
});
