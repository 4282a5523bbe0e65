import { describe, expect, it } from 'vitest';
import { isSwitchboardError } from '../../../../src/errors.ts';
import { DEFAULT_LANGUAGE_PROFILE_DIR } from '../../../../src/nlu/default-model.ts';
import { LanguageDetector } from '../../../../src/nlu/language/language-detector.ts';
import { LanguageProfile } from '../../../../src/nlu/language/language-profile.ts';
import { MAX_LANGUAGE_CHARS } from '../../../../src/nlu/language/text-evidence.ts';
import { readLanguageData } from '../../../../src/train/read-language-data.ts';
import { trainLanguageProfile } from '../../../../src/train/train-language.ts';

// The shipped broad profile (models/language): 138 languages; its default languages are en de es fr hi th mr tr am.
const profile = LanguageProfile.load(DEFAULT_LANGUAGE_PROFILE_DIR);
const detector = new LanguageDetector({ languages: [...profile.defaultLanguages], profile });
// A bot of 13 languages in five scripts (issue 16).
const mixed = new LanguageDetector({
  languages: ['ar', 'da', 'de', 'en', 'id', 'it', 'ja', 'kk', 'lt', 'nl', 'sr', 'tr', 'zh'],
  profile,
});

describe('LanguageDetector with the shipped profile', () => {
  it.each([
    ['gracias', 'es'],
    ['card blocked pls', 'en'],
    ['merci beaucoup', 'fr'],
    ['meine Karte ist gesperrt', 'de'],
    ['kartımı kaybettim', 'tr'],
    ['मुझे मदद चाहिए', 'hi'],
    ['मला मदत हवी आहे', 'mr'],
    ['मेरी jogging playlist में से music open करो', 'hi'],
  ])('%s → %s', (text, language) => {
    const r = detector.detect(text);
    expect(r.language).toBe(language);
    expect(r.reason).toBe('text');
  });

  it('decides unambiguous scripts directly', () => {
    expect(detector.detect('ยกเลิกการจอง')).toEqual({
      language: 'th',
      guesses: [{ language: 'th', score: 1 }],
      reason: 'script',
      script: 'Thai',
    });
    expect(detector.detect('ካርዴ ጠፍቷል').language).toBe('am');
    expect(detector.detect('เปิด super mario')).toMatchObject({ language: 'th', reason: 'script' });
  });

  it('applies script and orthography rules: kana → ja, Hangul → ko, Han without kana → zh', () => {
    expect(mixed.detect('カードをなくしました')).toMatchObject({ language: 'ja', reason: 'script' });
    expect(mixed.detect('東京に行きます')).toMatchObject({ language: 'ja', reason: 'script' });
    expect(mixed.detect('我的卡丢了')).toMatchObject({ language: 'zh', reason: 'script' });
    expect(mixed.detect('工')).toMatchObject({ language: 'zh', reason: 'script' });
    const korean = new LanguageDetector({ languages: ['ko', 'ja', 'zh', 'en'], profile });
    expect(korean.detect('카드를 잃어버렸어요')).toMatchObject({ language: 'ko', reason: 'script' });
    // Without zh configured, Han alone is Japanese (the only Han language left).
    expect(new LanguageDetector({ languages: ['ja', 'en'], profile }).detect('東京').language).toBe('ja');
  });

  it('reads Serbian in Cyrillic and in Latin letters', () => {
    expect(mixed.detect('Где је моја картица?').language).toBe('sr');
    expect(mixed.detect('Gde je moja kartica?').language).toBe('sr');
    expect(mixed.detect('Картамды жоғалтып алдым').language).toBe('kk');
  });

  it('tells apart the 13 languages of a mixed bot on short messages', () => {
    for (const [text, language] of [
      ['where is my card', 'en'],
      ['hvor er mit kort', 'da'],
      ['waar is mijn kaart', 'nl'],
      ['wo ist meine Karte', 'de'],
      ['dov’è la mia carta', 'it'],
      ['di mana kartu saya', 'id'],
      ['kur yra mano kortelė', 'lt'],
      ['kartım nerede', 'tr'],
      ['أين بطاقتي', 'ar'],
    ]) {
      expect(mixed.detect(text).language, text).toBe(language);
    }
  });

  it('ranks every candidate of the script with probabilities summing to 1', () => {
    const r = detector.detect('hotel');
    expect(r.guesses.map((g) => g.language).sort()).toEqual(['de', 'en', 'es', 'fr', 'tr']);
    expect(r.guesses.reduce((s, g) => s + g.score, 0)).toBeCloseTo(1, 9);
    for (let i = 1; i < r.guesses.length; i++)
      expect(r.guesses[i - 1].score).toBeGreaterThanOrEqual(r.guesses[i].score);
  });

  it('lets a hint break a tie on an ambiguous word', () => {
    expect(detector.detect('hotel', { previous: 'de' }).language).toBe('de');
    expect(detector.detect('hotel', { previous: 'en' }).language).toBe('en');
    expect(detector.detect('ok', { previous: 'es-ES' }).language).toBe('es');
  });

  it('never lets a hint override clear evidence', () => {
    const text = 'I would like to cancel my booking for tomorrow night';
    for (const previous of ['es', 'de', 'fr', 'tr']) {
      expect(detector.detect(text, { previous, locale: previous, default: previous }).language).toBe('en');
    }
    expect(detector.detect('ยกเลิกการจอง', { previous: 'en' }).language).toBe('th');
  });

  it('weights hints: the conversation outranks the channel locale', () => {
    const r = detector.detect('hotel', { previous: 'de', locale: 'fr-FR' });
    expect(r.language).toBe('de');
  });

  it('takes the browser language as a tie-breaker only: "Hallo" from an en-US browser is German', () => {
    expect(detector.detect('Hallo', { locale: 'en-US' }).language).toBe('en'); // a channel's user locale may tip it
    expect(detector.detect('Hallo', { browser: 'en-US' }).language).toBe('de');
    expect(detector.detect('Guten Morgen', { browser: 'en-US' }).language).toBe('de');
    expect(detector.detect('12345', { browser: 'fr-FR' }).language).toBe('fr'); // no letters: the hint is all there is
  });

  it('ignores hints for languages the bot is not configured for, or unknown tags', () => {
    const plain = detector.detect('hotel');
    expect(detector.detect('hotel', { previous: 'it', locale: 'xx-YY', default: '' })).toEqual(plain);
  });

  it.each([
    ['', 'empty'],
    ['   \n\t', 'empty'],
    ['https://example.com/a/b?c=d', 'empty'],
    ['<@U024BE7LH> <#C1|general>', 'empty'],
    ['12345 678', 'no_letters'],
    ['👍🎉🙏', 'no_letters'],
    ['!!!???', 'no_letters'],
    ['\u0301\u0301', 'no_letters'],
  ])('gives a defined result without letters: %j → und (%s)', (text, reason) => {
    expect(detector.detect(text)).toEqual({ language: 'und', guesses: [], reason });
  });

  it('falls back to a configured hint when there are no letters', () => {
    expect(detector.detect('12345', { locale: 'de-DE' })).toEqual({
      language: 'de',
      guesses: [{ language: 'de', score: 1 }],
      reason: 'hint',
    });
  });

  it('says und for a script no configured language uses', () => {
    expect(detector.detect('Привет, моя карта заблокирована')).toMatchObject({
      language: 'und',
      reason: 'unsupported_script',
      script: 'Cyrillic',
    });
  });

  it('reads code and URLs out of mixed messages', () => {
    expect(detector.detect('mi tarjeta no funciona, ver https://bank.example.com/help `err 42`').language).toBe('es');
  });

  it('never throws: binary, lone surrogates, non-strings, huge messages', () => {
    for (const junk of [
      '\u0000\u0001\ud800\udfff\uffff',
      String.fromCharCode(...Array.from({ length: 300 }, (_, i) => i)),
    ]) {
      expect(() => detector.detect(junk)).not.toThrow();
    }
    expect(detector.detect(undefined as unknown as string).language).toBe('und');
    expect(detector.detect(42 as unknown as string).reason).toBe('empty');
    const huge = 'please cancel my order '.repeat(50_000);
    // Relative, not wall-clock: the 1.15 MB text costs about what its first MAX_LANGUAGE_CHARS cost (reading all of
    // it would be ~500× that); a busy machine slows both.
    const ms = (f: () => void) => {
      const t0 = performance.now();
      f();
      return performance.now() - t0;
    };
    const head = huge.slice(0, MAX_LANGUAGE_CHARS);
    detector.detect(head); // warm up
    const clipped = Math.min(
      ms(() => detector.detect(head)),
      ms(() => detector.detect(head)),
    );
    let language = '';
    const once = () =>
      ms(() => {
        language = detector.detect(huge).language;
      });
    // The least of three runs: a run the scheduler paused is not the code's cost.
    const whole = Math.min(once(), once(), once());
    expect(language).toBe('en');
    expect(whole).toBeLessThan(20 * clipped + 50);
  });
});

describe('LanguageDetector configuration', () => {
  it('rejects unknown languages with a coded error', () => {
    expect(() => new LanguageDetector({ languages: ['en', 'klingon'] })).toThrow(/unknown language 'klingon'/);
    try {
      new LanguageDetector({ languages: [] });
    } catch (e) {
      expect(isSwitchboardError(e, 'E_LANGUAGE_UNKNOWN')).toBe(true);
    }
  });

  it('accepts BCP 47 tags and removes duplicates', () => {
    expect(new LanguageDetector({ languages: ['en-US', 'en-GB', 'pt_BR'] }).languages).toEqual(['en', 'pt']);
  });

  it('answers a single configured language of a script without weighing anything', () => {
    const d = new LanguageDetector({ languages: ['es', 'th'] });
    expect(d.detect('hello there')).toMatchObject({ language: 'es', reason: 'script' });
  });

  it('uses the fallback for configured languages no profile covers', () => {
    expect(new LanguageDetector({ languages: ['en', 'de'] }).detect('the weather is lovely today').language).toBe('en');
    const franc = new LanguageDetector({ languages: ['en', 'de', 'it'], fallback: 'franc' });
    expect(franc.detect('questo è un bel giorno e sono molto felice').language).toBe('it');
  });

  it('splits the decision per language: the profile weighs the languages it covers, the fallback the rest', () => {
    const small = trainLanguageProfile(
      readLanguageData('test/fixtures/data/language-train.tsv'),
      readLanguageData('test/fixtures/data/language-valid.tsv'),
    ).profile; // en es de only
    const d = new LanguageDetector({ languages: ['en', 'es', 'de', 'it'], profile: small });
    expect(d.detect('questo è un bel giorno e sono molto felice').language).toBe('it');
    expect(d.detect('mi pedido nunca llegó').language).toBe('es');
    expect(d.detect('meine bestellung ist nie angekommen').language).toBe('de');
    const r = d.detect('my order never arrived');
    expect(r.language).toBe('en');
    expect(r.guesses.map((g) => g.language).sort()).toEqual(['de', 'en', 'es', 'it']);
    expect(r.guesses.reduce((a, g) => a + g.score, 0)).toBeCloseTo(1, 9);
  });

  it('says no_evidence (or follows a hint) when the fallback cannot place the letters', () => {
    const d = new LanguageDetector({ languages: ['en', 'de'], fallback: 'franc' });
    expect(d.detect('ok')).toEqual({ language: 'und', guesses: [], reason: 'no_evidence', script: 'Latin' });
    expect(d.detect('ok', { default: 'de' })).toMatchObject({ language: 'de', reason: 'hint' });
  });
});
