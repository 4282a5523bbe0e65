import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isSwitchboardError } from '../../../src/errors.ts';
import { LanguageDetector } from '../../../src/nlu/language/language-detector.ts';
import { LanguageProfile } from '../../../src/nlu/language/language-profile.ts';
import { extendLanguageProfile, mixGrams } from '../../../src/train/extend-language-profile.ts';
import { readLanguageData } from '../../../src/train/read-language-data.ts';
import { saveLanguageProfile } from '../../../src/train/save-language-profile.ts';
import { trainLanguageProfile } from '../../../src/train/train-language.ts';

const data = 'test/fixtures/data';
const dir = mkdtempSync(join(tmpdir(), 'switchboard-language-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const train = readLanguageData(`${data}/language-train.tsv`);
const valid = readLanguageData(`${data}/language-valid.tsv`);
const test = readLanguageData(`${data}/language-test.tsv`);

describe('trainLanguageProfile', () => {
  const trained = trainLanguageProfile(train, valid);

  it('learns the languages of its data and detects unseen messages in them', () => {
    expect(trained.manifest.languages).toEqual(['de', 'en', 'es']);
    const detector = new LanguageDetector({ languages: ['en', 'es', 'de'], profile: trained.profile });
    for (const e of test) expect(detector.detect(e.text).language).toBe(e.language);
  });

  it('calibrates on validation data and records what it measured', () => {
    expect(trained.manifest.temperature).toBeGreaterThan(0);
    expect(trained.manifest.hint_bonus).toBeGreaterThanOrEqual(0);
    expect(trained.validation.messages).toBe(valid.length);
    expect(trained.validation.accuracy).toBeGreaterThan(0.8);
    // A correct hint can only help; a wrong one can only hurt.
    expect(trained.validation.words_correct_hint).toBeGreaterThanOrEqual(trained.validation.words_accuracy);
    expect(trained.validation.words_wrong_hint).toBeLessThanOrEqual(trained.validation.words_accuracy);
  });

  it('is deterministic', () => {
    const again = trainLanguageProfile(train, valid);
    expect(again.manifest.sha256).toBe(trained.manifest.sha256);
    expect(again.manifest.temperature).toBe(trained.manifest.temperature);
  });

  it('saves and loads to the same scores', async () => {
    const out = join(dir, 'profile');
    await saveLanguageProfile(out, trained, 'fixture');
    const loaded = LanguageProfile.load(out);
    const words = ['wo', 'ist', 'meine', 'karte'];
    expect(Array.from(loaded.logLikelihoods(words).scores)).toEqual(
      Array.from(trained.profile.logLikelihoods(words).scores),
    );
    expect(readFileSync(join(out, 'MODEL_CARD.md'), 'utf8')).toContain('# Language profile: de en es');
  });

  it('restricted to some languages, scores them exactly as the whole profile does', () => {
    const view = trained.profile.restrictTo(['en', 'es']);
    expect(view.languages).toEqual(['en', 'es']);
    expect(view.manifest.rows).toBeLessThanOrEqual(trained.manifest.rows);
    const words = ['mi', 'pedido', 'never', 'arrived'];
    const full = trained.profile.logLikelihoods(words).scores;
    const part = view.logLikelihoods(words).scores;
    expect(part[0]).toBeCloseTo(full[1], 4);
    expect(part[1]).toBeCloseTo(full[2], 4);
  });

  it('needs two languages and validation languages it has seen', () => {
    expect(() =>
      trainLanguageProfile(
        train.filter((e) => e.language === 'en'),
        [],
      ),
    ).toThrow(/at least two languages/);
    expect(() => trainLanguageProfile(train, [{ text: 'bonjour', language: 'fr' }])).toThrow(/'fr' has no training/);
  });
});

describe('extendLanguageProfile', () => {
  const base = trainLanguageProfile(train, valid).profile; // de en es
  const fr = [
    'ma carte est bloquée',
    'je voudrais annuler ma réservation',
    'où est ma commande',
    'je ne peux pas me connecter',
    'envoyez-moi une nouvelle carte',
    'quel est le solde de mon compte',
    'merci beaucoup pour votre aide',
    'comment changer mon mot de passe',
  ].map((text) => ({ text, language: 'fr' }));
  const en = train.filter((e) => e.language === 'en').slice(0, 8);
  const extended = extendLanguageProfile(
    base,
    [...fr.slice(0, 6), ...en.slice(0, 6)],
    [...fr.slice(6), ...en.slice(6)],
  );

  it("adds the bot's languages, keeps the base's others, and defaults to the bot's", () => {
    expect([...extended.profile.covered].sort()).toEqual(['de', 'en', 'es', 'fr']);
    expect(extended.profile.defaultLanguages).toEqual(['en', 'fr']);
    expect(Object.keys(extended.botWeights).sort()).toEqual(['en', 'fr']);
    expect(extended.botWeights.fr).toBe(1); // not in the base: the bot's data alone
    const d = new LanguageDetector({ languages: ['en', 'es', 'de', 'fr'], profile: extended.profile });
    expect(d.detect('je voudrais une nouvelle carte').language).toBe('fr');
    expect(d.detect('meine bestellung ist nie angekommen').language).toBe('de');
  });

  it('mixes a language present in both as w · bot + (1 − w) · base (the bot at its maximum likelihood)', () => {
    // Two n-grams counted twice each, α = 0.1: D = 4 + 0.1 · 3, each stored as (2 + 0.1) / D; p_bot = 1/2 each.
    const d = 4 + 0.1 * 3;
    const bot = { hashes: Uint32Array.of(1, 3), logProbs: Float64Array.of(Math.log(2.1 / d), Math.log(2.1 / d)) };
    const mixed = mixGrams(
      { ...bot, unseen: Math.log(0.1 / d), total: 4, seen: 2, words: new Set() },
      { hashes: Uint32Array.of(2, 3), logProbs: Float64Array.of(Math.log(0.4), Math.log(0.2)), unseen: Math.log(0.02) },
      0.5,
    );
    expect(Array.from(mixed.hashes)).toEqual([1, 2, 3]);
    expect(Array.from(mixed.logProbs, Math.exp).map((p) => Number(p.toFixed(6)))).toEqual([0.26, 0.2, 0.35]);
    expect(Math.exp(mixed.unseen)).toBeCloseTo(0.01, 9);
  });
});

describe('profile keys', () => {
  it('learns a second script of a language as its own form (Serbian in Latin letters → sr-Latin)', () => {
    const rows = [
      ['Где је моја картица', 'sr'],
      ['Хвала вам много', 'sr'],
      ['Gde je moja kartica', 'sr'],
      ['Hvala vam mnogo', 'sr'],
      ['where is my card', 'en'],
      ['thank you very much', 'en'],
    ].map(([text, language]) => ({ text, language }));
    const t = trainLanguageProfile(rows, rows);
    expect(t.manifest.languages).toEqual(['en', 'sr', 'sr-Latin']);
    expect([...t.profile.covered]).toEqual(['en', 'sr']);
    expect(t.profile.indexFor('sr', 'Latin')).toBe(2);
    expect(t.profile.indexFor('sr', 'Cyrillic')).toBe(1);
    expect(new LanguageDetector({ languages: ['en', 'sr'], profile: t.profile }).detect('gde je moja').language).toBe(
      'sr',
    );
  });
});

describe('LanguageProfile.load', () => {
  it('reports a missing directory, a tampered profile and a foreign manifest with coded errors', async () => {
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return isSwitchboardError(e) ? e.code : 'other';
      }
      return 'none';
    };
    expect(code(() => LanguageProfile.load(join(dir, 'nope')))).toBe('E_LANGUAGE_PROFILE_MISSING');
    const out = join(dir, 'tampered');
    await saveLanguageProfile(out, trainLanguageProfile(train, valid));
    const bin = readFileSync(join(out, 'profile.bin'));
    bin[bin.length - 1] ^= 0xff;
    writeFileSync(join(out, 'profile.bin'), bin);
    expect(code(() => LanguageProfile.load(out))).toBe('E_LANGUAGE_PROFILE_CORRUPT');
    writeFileSync(join(out, 'manifest.json'), JSON.stringify({ kind: 'intent' }));
    expect(code(() => LanguageProfile.load(out))).toBe('E_LANGUAGE_PROFILE_CORRUPT');
    writeFileSync(join(out, 'manifest.json'), '{not json');
    expect(code(() => LanguageProfile.load(out))).toBe('E_LANGUAGE_PROFILE_CORRUPT');
  });
});

describe('readLanguageData', () => {
  const file = (name: string, text: string) => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };

  it('reads TSV with or without a header, and JSONL intent data with a language field', () => {
    expect(readLanguageData(file('a.tsv', 'hola\tes\nhello there\ten-US\n\n'))).toEqual([
      { text: 'hola', language: 'es' },
      { text: 'hello there', language: 'en' },
    ]);
    expect(readLanguageData(`${data}/language-test.tsv`)[0]).toEqual({
      text: 'my order never arrived',
      language: 'en',
    });
    expect(readLanguageData(file('b.jsonl', '{"text":"hallo","intent":"greet","language":"de"}\n'))).toEqual([
      { text: 'hallo', language: 'de' },
    ]);
  });

  it('names the file and line of bad rows', () => {
    expect(() => readLanguageData(file('c.tsv', 'hola\tes\nno tab here\n'))).toThrow(
      /c\.tsv:2: expected text<TAB>language/,
    );
    expect(() => readLanguageData(file('d.tsv', 'hola\tklingon\n'))).toThrow(/d\.tsv:1: unknown language 'klingon'/);
    expect(() => readLanguageData(file('e.jsonl', '{"text":"hi"}\n'))).toThrow(/e\.jsonl:1: missing language/);
    expect(() => readLanguageData(file('f.tsv', '\n\n'))).toThrow(/no examples/);
    expect(() => readLanguageData(join(dir, 'missing.tsv'))).toThrow(/cannot read/);
  });
});
