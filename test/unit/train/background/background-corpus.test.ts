import { createHash } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isSwitchboardError } from '../../../../src/errors.ts';
import { DEFAULT_FEATURIZER } from '../../../../src/nlu/features/featurizer-config.ts';
import type { IntentExample } from '../../../../src/nlu/intent/intent-example.ts';
import { baseLanguage } from '../../../../src/nlu/language/languages.ts';
import { loadBackgroundCorpus } from '../../../../src/train/background/background-corpus.ts';
import {
  botLanguages,
  isEvalReserve,
  isQuestion,
  matchPunctuation,
  maxSimilarities,
  punctuatedShare,
  reservedBackground,
  selectBackground,
} from '../../../../src/train/background/background-selection.ts';
import { Random } from '../../../../src/util/random.ts';
import { backgroundDir } from '../../../fixtures/background-dir.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A corpus directory from `text\tlang` lines, removed after the tests. */
function corpusDir(lines: string[], tamper?: (dir: string) => void): string {
  const dir = backgroundDir(lines, tamper);
  dirs.push(dir);
  return dir;
}

const fail = (dir: string, pattern: RegExp) => {
  try {
    loadBackgroundCorpus(dir);
    expect.unreachable();
  } catch (e) {
    expect(isSwitchboardError(e, 'E_BACKGROUND')).toBe(true);
    expect((e as Error).message).toMatch(pattern);
  }
};

describe('loadBackgroundCorpus', () => {
  it('reads the shipped corpus: many languages, every line checked', () => {
    const { manifest, sentences } = loadBackgroundCorpus();
    expect(sentences.length).toBe(manifest.lines);
    expect(Object.keys(manifest.languages).length).toBeGreaterThan(50);
    expect(manifest.license).toMatch(/CC BY 2\.0 FR/);
    expect(sentences.filter((s) => s.language === 'en').length).toBeGreaterThan(1000);
  });

  it('names what is wrong: missing, bad manifest, checksum, not gzip, malformed line, wrong count', () => {
    fail(join(tmpdir(), 'no-such-background-dir'), /background corpus not found: .*--no-background/);
    fail(
      corpusDir(['hello\ten'], (d) => writeFileSync(join(d, 'manifest.json'), '{"kind":"intent"}')),
      /manifest .* is invalid: kind: .*; file: /, // one line per problem, not zod's JSON
    );
    fail(
      corpusDir(['hello\ten'], (d) => writeFileSync(join(d, 'sentences.tsv.gz'), 'x')),
      /is corrupt: sha256/,
    );
    const notGzip = corpusDir(['hello\ten'], (d) => {
      writeFileSync(join(d, 'sentences.tsv.gz'), 'plain text');
      const m = JSON.parse(readFileSync(join(d, 'manifest.json'), 'utf8'));
      m.sha256 = createHash('sha256').update('plain text').digest('hex');
      writeFileSync(join(d, 'manifest.json'), JSON.stringify(m));
    });
    fail(notGzip, /is not gzip/);
    fail(corpusDir(['no tab here']), /sentences\.tsv\.gz:1: expected text<TAB>language/);
    fail(
      corpusDir(['a\ten', 'b\ten'], (d) => {
        const m = JSON.parse(readFileSync(join(d, 'manifest.json'), 'utf8'));
        m.lines = 3;
        writeFileSync(join(d, 'manifest.json'), JSON.stringify(m));
      }),
      /has 2 lines, manifest says 3/,
    );
  });
});

const bot: IntentExample[] = [
  { text: 'I want my money back for the order', intent: 'refund' },
  { text: 'refund my order please', intent: 'refund' },
  { text: 'where is my parcel', intent: 'status' },
  { text: 'track my order', intent: 'status' },
];

describe('background selection', () => {
  const corpus = [
    ...[
      'Where is the station?',
      'I like green tea.',
      'My order is late and I want my money back.',
      'The cat sleeps.',
      'Is it raining?',
      'We went home early.',
    ].map((text) => ({ text, language: 'en' })),
    ...['¿Dónde está la estación?', 'Me gusta el té verde.', 'El gato duerme.'].map((text) => ({
      text,
      language: 'es',
    })),
    ...['Die Katze schläft.', 'Wo ist der Bahnhof?'].map((text) => ({ text, language: 'de' })),
  ];

  it('finds the bot’s languages from its words, or from the data’s language fields', () => {
    const byWords = botLanguages(bot, corpus, DEFAULT_FEATURIZER);
    expect(byWords).toEqual({ languages: ['en'], source: 'word overlap', unmatched: [] });
    const labelled = bot.map((e, i) => ({ ...e, language: i < 2 ? 'de' : 'es' }));
    expect(botLanguages(labelled, corpus, DEFAULT_FEATURIZER)).toEqual({
      languages: ['de', 'es'],
      source: 'data',
      unmatched: [],
    });
  });

  it('finds the language of a handful of examples from the real corpus, where few words match', () => {
    const shipped = loadBackgroundCorpus().sentences;
    const tiny = [
      'hello, where is my order',
      'I want to return, please',
      'where is my stuff',
      'return this',
      'parcel location',
      'send it back',
    ].map((text) => ({ text, intent: 'x' }));
    expect(botLanguages(tiny, shipped, DEFAULT_FEATURIZER).languages).toEqual(['en']);
    // Fewer shared words still: the language identifier reads the examples.
    const fewer = (texts: string[]) => texts.map((text) => ({ text, intent: 'x' }));
    expect(
      botLanguages(
        fewer(['where is my order', 'has my parcel shipped yet', 'track my package please', 'I want my money back']),
        shipped,
        DEFAULT_FEATURIZER,
      ),
    ).toMatchObject({ languages: ['en'], source: 'language id' });
    expect(
      botLanguages(fewer(['hola', 'quiero mi dinero', 'dónde está mi pedido', 'gracias']), shipped, DEFAULT_FEATURIZER)
        .languages,
    ).toEqual(['es']);
    // Words of no corpus language: nothing is guessed.
    const made = ['zorp blick', 'flarn quix', 'blick zorp flarn'].map((text) => ({ text, intent: 'x' }));
    expect(botLanguages(made, shipped, DEFAULT_FEATURIZER).languages).toEqual([]);
  });

  it('reads language tags as the corpus writes them (en-US, EN, eng → en)', () => {
    for (const [tag, code] of [
      ['eng', 'en'],
      ['fre', 'fr'],
      ['zho', 'zh'],
      ['sqi', 'sq'],
      ['pt_BR', 'pt'],
      ['no', 'nb'],
    ])
      expect(baseLanguage(tag), tag).toBe(code);
    expect(baseLanguage('und')).toBeUndefined();
    expect(baseLanguage('xyz')).toBeUndefined();
    for (const tag of ['en-US', 'EN', 'eng', 'en_GB']) {
      const tagged = bot.map((e) => ({ ...e, language: tag }));
      expect(botLanguages(tagged, corpus, DEFAULT_FEATURIZER), tag).toEqual({
        languages: ['en'],
        source: 'data',
        unmatched: [],
      });
    }
  });

  it('falls back to the words when the corpus has no line in any language the data names, and says which', () => {
    const yoruba = bot.map((e) => ({ ...e, language: 'yo' }));
    expect(botLanguages(yoruba, corpus, DEFAULT_FEATURIZER)).toEqual({
      languages: ['en'],
      source: 'word overlap',
      unmatched: ['yo'],
    });
    const mixed = bot.map((e, i) => ({ ...e, language: i < 2 ? 'en' : 'yo' }));
    expect(botLanguages(mixed, corpus, DEFAULT_FEATURIZER)).toEqual({
      languages: ['en', 'yo'],
      source: 'data',
      unmatched: ['yo'],
    });
  });

  it('scores a line by its closest training example (word TF-IDF cosine)', () => {
    const sims = maxSimilarities(['refund my order please', 'The cat sleeps.'], bot, DEFAULT_FEATURIZER);
    expect(sims[0]).toBeCloseTo(1, 5);
    expect(sims[1]).toBeLessThan(0.2);
  });

  it('with questionsFirst, a bot that trains on few lines gets the questions among them first', () => {
    const lines = [
      ...Array.from({ length: 30 }, (_, i) => ({ text: `The cat number ${i} sleeps.`, language: 'en' })),
      ...Array.from({ length: 12 }, (_, i) => ({ text: `Is the shop number ${i} open late?`, language: 'en' })),
    ];
    const opts = { trainLines: 4, heldLines: 2, maxSimilarity: 0.9, seed: 3, otherLanguages: false };
    const plain = selectBackground(lines, bot, DEFAULT_FEATURIZER, opts);
    const first = selectBackground(lines, bot, DEFAULT_FEATURIZER, { ...opts, questionsFirst: true });
    expect(first.train).toHaveLength(4);
    expect(first.questionLines).toBe(4);
    expect(plain.questionLines).toBeLessThan(4);
    // A bot that trains on every line keeps them in the order it had (its model unchanged).
    const all = { ...opts, trainLines: 1000 };
    expect(selectBackground(lines, bot, DEFAULT_FEATURIZER, { ...all, questionsFirst: true }).train).toEqual(
      selectBackground(lines, bot, DEFAULT_FEATURIZER, all).train,
    );
    // The held-out lines are drawn the same way either way: only the training lines' order changes.
    expect(first.held).toEqual(plain.held);
    expect(isQuestion('¿Dónde está?')).toBe(true);
    expect(isQuestion('Où est la gare ?')).toBe(true);
    expect(isQuestion('هل أنت بخير؟')).toBe(true);
    expect(isQuestion('The cat sleeps.')).toBe(false);
    expect(isQuestion('Τι ώρα είναι;', 'el')).toBe(true);
    expect(isQuestion('Ինչպե՞ս ես', 'hy')).toBe(true);
    expect(isQuestion('ደህና ነህ፧', 'am')).toBe(true);
    expect(isQuestion('One; two;', 'en')).toBe(false);
    // Two languages: the questions come first within each, and the languages stay balanced.
    const bilingual = [
      ...lines,
      ...Array.from({ length: 36 }, (_, i) => ({ text: `Die Katze Nummer ${i} schläft.`, language: 'de' })),
    ];
    const labelled = bot.map((e, i) => ({ ...e, language: i % 2 ? 'en' : 'de' }));
    const both = selectBackground(bilingual, labelled, DEFAULT_FEATURIZER, {
      ...opts,
      trainLines: 10,
      questionsFirst: true,
    });
    const count = (l: string) => both.train.filter((s) => s.language === l).length;
    expect(count('en')).toBe(5);
    expect(count('de')).toBe(5);
    expect(both.questionLines).toBe(5);
  });

  it('drops lines too close to the bot’s examples and the evaluation reserve, then splits held and train', () => {
    const sel = selectBackground(corpus, bot, DEFAULT_FEATURIZER, {
      trainLines: 10,
      heldLines: 1,
      maxSimilarity: 0.3,
      seed: 1,
    });
    const mine = [...sel.train.slice(0, sel.train.length - sel.otherLanguageLines), ...sel.held];
    const used = mine.map((s) => s.text);
    expect(used).not.toContain('My order is late and I want my money back.');
    expect(sel.dropped).toBe(1);
    expect(mine.every((s) => s.language === 'en')).toBe(true);
    // Every other-language line not in the evaluation reserve (line 10, "Wo ist der Bahnhof?", is one): the other four.
    const others = sel.train.slice(sel.train.length - sel.otherLanguageLines);
    // The bot writes without punctuation, so its background lines lose theirs (matchPunctuation).
    expect(sel.punctuatedShare).toBe(0);
    expect(others.map((s) => s.text).sort()).toEqual(
      ['Dónde está la estación', 'Me gusta el té verde', 'El gato duerme', 'Die Katze schläft'].sort(),
    );
    expect(isEvalReserve(10)).toBe(true);
    // Lines 0 and 5 are the evaluation reserve: never trained on.
    expect([0, 5].every(isEvalReserve)).toBe(true);
    expect(used).not.toContain(corpus[0].text);
    expect(used).not.toContain(corpus[5].text);
    expect(sel.held).toHaveLength(1);
    expect(sel.train.length - sel.otherLanguageLines).toBe(sel.candidates - sel.dropped - 1);
    // The reserve, minus lines too close to the evaluated examples ('Where is …' shares 'where is' with the bot).
    const reserve = reservedBackground(corpus, ['en'], bot, DEFAULT_FEATURIZER, 0.3);
    expect(reserve.map((s) => s.text)).toEqual(['We went home early.']);
  });

  it('writes background lines like the bot: punctuation kept at the rate the bot uses it (apostrophes always)', () => {
    const punctuated = [
      { text: 'Where is my parcel?', intent: 'status' },
      { text: "I can't log in!", intent: 'login' },
      { text: 'track my order', intent: 'status' },
      { text: 'refund please', intent: 'refund' },
    ];
    expect(punctuatedShare(punctuated)).toBe(0.5);
    expect(punctuatedShare([{ text: "don't know", intent: 'x' }])).toBe(0); // an apostrophe is part of a word
    const lines = Array.from({ length: 400 }, (_, i) => ({ text: `It's line ${i}, isn't it?`, language: 'en' }));
    const kept = matchPunctuation(lines, 0.5, new Random(3)).filter((s) => s.text.endsWith('?')).length;
    expect(kept).toBeGreaterThan(150);
    expect(kept).toBeLessThan(250);
    expect(matchPunctuation(lines.slice(0, 1), 0, new Random(3))[0].text).toBe("It's line 0 isn't it");
    expect(matchPunctuation(lines.slice(0, 1), 1, new Random(3))[0].text).toBe("It's line 0, isn't it?");
    expect(matchPunctuation([{ text: '?!', language: 'en' }], 0, new Random(1))[0].text).toBe('?!'); // never emptied
  });
});
