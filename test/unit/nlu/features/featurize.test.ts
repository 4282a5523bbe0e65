import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { featurize, normalizeText, tokenize } from '../../../../src/nlu/features/featurize.ts';
import { DEFAULT_FEATURIZER } from '../../../../src/nlu/features/featurizer-config.ts';
import { readManifest } from '../../../../src/nlu/intent/intent-manifest.ts';

describe('tokenize', () => {
  it('drops punctuation unless asked; "questions" keeps question and exclamation marks in any script', () => {
    const text = normalizeText('¿Cuánto tarda el PIN? ¡Gracias!, ok.');
    expect(tokenize(text)).toEqual(['cuánto', 'tarda', 'el', 'pin', 'gracias', 'ok']);
    expect(tokenize(text, Number.POSITIVE_INFINITY, 'questions')).toEqual([
      '¿',
      'cuánto',
      'tarda',
      'el',
      'pin',
      '?',
      '¡',
      'gracias',
      '!',
      'ok',
    ]);
    expect(tokenize(text, Number.POSITIVE_INFINITY, 'all')).toContain(',');
    expect(tokenize(text, Number.POSITIVE_INFINITY, 'all')).toContain('.');
    // Arabic and Ethiopic question marks, fullwidth ？ (NFKC makes it ?), a Thai question through the segmenter.
    expect(tokenize(normalizeText('متى؟ መቼ፧ いつ？'), 10, 'questions')).toEqual(['متى', '؟', 'መቼ', '፧', 'いつ', '?']);
    expect(tokenize(normalizeText('เมื่อไหร่?'), 10, 'all')).toContain('?');
  });

  it('keeps words with inner apostrophes whole either way', () => {
    expect(tokenize("what's up?", 10, 'all')).toEqual(["what's", 'up', '?']);
  });
});

describe('featurize', () => {
  it('a question mark changes the features with punctuation tokens, not without (models trained before them)', () => {
    const withMarks = { ...DEFAULT_FEATURIZER, punctuation: 'all' as const };
    const question = featurize('can I change my PIN?', withMarks);
    const statement = featurize('can I change my PIN', withMarks);
    expect(question.ids.length).toBeGreaterThan(statement.ids.length);
    expect(DEFAULT_FEATURIZER.punctuation).toBeUndefined();
    expect(Array.from(featurize('can I change my PIN?', DEFAULT_FEATURIZER).ids)).toEqual(
      Array.from(featurize('can I change my PIN', DEFAULT_FEATURIZER).ids),
    );
  });

  it('the shipped model was trained without punctuation tokens and its manifest says nothing of them', async () => {
    const manifest = await readManifest('models/intent-massive');
    expect(manifest.featurizer.punctuation).toBeUndefined();
    expect(JSON.parse(readFileSync('models/intent-massive/manifest.json', 'utf8')).featurizer).not.toHaveProperty(
      'punctuation',
    );
  });
});
