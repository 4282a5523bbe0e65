import { describe, expect, it } from 'vitest';
import { LanguageDetector } from '../../../src/nlu/language/language-detector.ts';
import { LanguageProfile } from '../../../src/nlu/language/language-profile.ts';
import {
  botWeight,
  DEFAULT_PRIOR_STRENGTH,
  extendLanguageProfile,
  MIN_CALIBRATION_MESSAGES,
  PRIOR_STRENGTHS,
} from '../../../src/train/extend-language-profile.ts';
import { temperatureTowardBase } from '../../../src/train/language-calibration.ts';
import { attributionOf, renderLanguageCard } from '../../../src/train/save-language-profile.ts';

const shipped = LanguageProfile.load('models/language');
const rows = (language: string, texts: string[]) => texts.map((text) => ({ text, language }));

// A small bot of four languages: 7 training and 1 validation message each (the tester's setting, 32 lines).
const train = [
  ...rows('da', [
    'hvor er min pakke',
    'jeg vil have pengene tilbage',
    'mit kort virker ikke',
    'skift min adgangskode',
    'tak for hjælpen',
    'hvornår kommer min ordre',
    'jeg kan ikke logge ind',
  ]),
  ...rows('de', [
    'wo ist mein paket',
    'ich möchte mein geld zurück',
    'meine karte geht nicht',
    'passwort ändern bitte',
    'danke für die hilfe',
    'wann kommt meine bestellung',
    'ich kann mich nicht anmelden',
  ]),
  ...rows('en', [
    'where is my parcel',
    'I need a refund',
    'my card does not work',
    'reset my password',
    'thanks for the help',
    'when will my order arrive',
    'I cannot log in',
  ]),
  ...rows('nl', [
    'waar is mijn pakket',
    'ik wil mijn geld terug',
    'mijn kaart werkt niet',
    'wachtwoord wijzigen',
    'bedankt voor de hulp',
    'wanneer komt mijn bestelling',
    'ik kan niet inloggen',
  ]),
];
const valid = [
  ...rows('da', ['min konto er spærret']),
  ...rows('de', ['mein konto ist gesperrt']),
  ...rows('en', ['my account is blocked']),
  ...rows('nl', ['mijn account is geblokkeerd']),
];
// Messages in languages the bot's data does not cover.
const others = [
  ...rows('tr', [
    'siparişim nerede acaba',
    'şifremi unuttum yardım edin',
    'kartım çalışmıyor',
    'param ne zaman iade edilecek',
  ]),
  ...rows('lt', ['kur yra mano siuntinys', 'pamiršau slaptažodį', 'mano kortelė neveikia', 'noriu grąžinti pinigus']),
  ...rows('id', [
    'di mana paket saya',
    'saya lupa kata sandi',
    'kartu saya tidak berfungsi',
    'saya ingin uang kembali',
  ]),
  ...rows('it', [
    'dove è il mio pacco',
    'ho dimenticato la password',
    'la mia carta non funziona',
    'voglio un rimborso',
  ]),
  ...rows('sr', ['gde je moj paket', 'zaboravio sam lozinku', 'moja kartica ne radi', 'где је мој пакет']),
];
const thirteen = ['ar', 'da', 'de', 'en', 'id', 'it', 'ja', 'kk', 'lt', 'nl', 'sr', 'tr', 'zh'];
const extended = extendLanguageProfile(shipped, train, valid);

describe('extending the shipped profile with a little data', () => {
  it('shrinks toward the base: small bot weights, the base temperature and hint bonuses kept, with warnings', () => {
    for (const w of Object.values(extended.botWeights)) expect(w).toBeLessThan(0.1);
    expect(extended.priorStrength).toBe(DEFAULT_PRIOR_STRENGTH);
    expect(extended.manifest.temperature).toBe(shipped.manifest.temperature);
    expect(extended.manifest.hint_bonus).toBe(shipped.manifest.hint_bonus);
    expect(extended.manifest.hint_bonus_by_script).toEqual(shipped.manifest.hint_bonus_by_script);
    expect(extended.calibration).toEqual({ temperature: 'base', hint_bonus: 'base', prior_strength: 'default' });
    expect(extended.warnings).toHaveLength(1);
    expect(extended.warnings[0]).toMatch(
      /too little data to validate: 4 validation messages.*keeping the base's calibration/,
    );
  });

  it('detects languages outside the bot data exactly as the base does', () => {
    const before = new LanguageDetector({ languages: thirteen, profile: shipped });
    const after = new LanguageDetector({ languages: thirteen, profile: extended.profile });
    for (const e of others) expect(after.detect(e.text).language, e.text).toBe(before.detect(e.text).language);
    const right = others.filter((e) => after.detect(e.text).language === e.language).length;
    expect(right).toBeGreaterThanOrEqual(others.length - 1);
  });

  it('at the smallest κ validation may choose, languages outside the bot data keep their detections', () => {
    const heavy = extendLanguageProfile(shipped, train, valid, {}, Math.min(...PRIOR_STRENGTHS));
    const before = new LanguageDetector({ languages: thirteen, profile: shipped });
    const after = new LanguageDetector({ languages: thirteen, profile: heavy.profile });
    for (const e of others) expect(after.detect(e.text).language, e.text).toBe(before.detect(e.text).language);
  });

  it('keeps the bot languages right and scores unsaturated', () => {
    const d = new LanguageDetector({ languages: thirteen, profile: extended.profile });
    for (const e of [...train, ...valid]) expect(d.detect(e.text).language, e.text).toBe(e.language);
    const r = d.detect('konto gesperrt was tun');
    expect(r.language).toBe('de');
    expect(r.guesses[0].score).toBeLessThan(0.99);
  });

  it('follows a conversation hint on an ambiguous word, as the base does', () => {
    const d = new LanguageDetector({ languages: ['da', 'de', 'en', 'nl'], profile: extended.profile });
    for (const [word, previous] of [
      ['hotel', 'de'],
      ['hotel', 'nl'],
      ['ok', 'da'],
      ['help', 'nl'],
      ['super', 'da'],
    ]) {
      expect(d.detect(word, { previous }).language, `${word} | ${previous}`).toBe(previous);
    }
  });
});

describe("the extended profile's model card", () => {
  const card = renderLanguageCard(extended.manifest);

  it('describes the bot data, the base, the bot weights and the inherited attribution and licence', () => {
    expect(card).not.toMatch(/Not described/);
    expect(card).toMatch(/The bot's own messages: 28 training messages/);
    expect(card).toMatch(/## Base profile/);
    expect(card).toMatch(/Extends the base profile \(138 languages/);
    expect(card).toMatch(/w = N \/ \(N \+ κ\) .*κ = 20000/);
    expect(card).toMatch(/\| da \| \d+ \| 0\.0\d\d \|/);
    expect(card).toMatch(/Temperature 11\.600 \(the base's: too little validation data/);
    expect(card).toMatch(/### Attribution and licence/);
    expect(card).toMatch(/Tatoeba contributors, CC BY 2\.0 FR/);
    expect(card).toMatch(/distributed under CC BY-SA 4\.0 as well/);
    expect(card.match(/Tatoeba contributors/g)).toHaveLength(1);
  });

  it('keeps the attribution when an extended profile is extended again', () => {
    const again = extendLanguageProfile(extended.profile, train.slice(0, 4), []);
    expect(attributionOf(again.manifest.training)).toBe(attributionOf(shipped.manifest.training));
    expect(renderLanguageCard(again.manifest)).toMatch(/distributed under CC BY-SA 4\.0 as well/);
  });
});

describe('calibration toward the base', () => {
  it('bot weights grow with the data: N / (N + κ)', () => {
    expect(botWeight(0, 1000)).toBe(0);
    expect(botWeight(1000, 1000)).toBe(0.5);
    expect(botWeight(100, 1000)).toBeLessThan(botWeight(10_000, 1000));
  });

  it('a temperature stays near the base with few messages and within the range with many', () => {
    const separable = Array.from({ length: 5 }, () => ({ logits: [-10, -40], gold: 0, script: 'Latin' as const }));
    expect(temperatureTowardBase(separable, 10, 4)).toBeGreaterThan(5);
    const many = Array.from({ length: 5000 }, () => ({ logits: [-10, -40], gold: 0, script: 'Latin' as const }));
    const down = temperatureTowardBase(many, 10, 4); // driven down by many confident messages, never below base / 4
    expect(down).toBeLessThan(temperatureTowardBase(separable, 10, 4));
    expect(down).toBeGreaterThanOrEqual(2.5 - 1e-9);
    const noisy = Array.from({ length: 400 }, (_, i) => ({
      logits: i % 4 === 0 ? [-40, -10] : [-10, -40],
      gold: 0,
      script: 'Latin' as const,
    }));
    const t = temperatureTowardBase(noisy, 10, 4);
    expect(t).toBeGreaterThan(10);
    expect(t).toBeLessThanOrEqual(40 + 1e-9);
  });

  it('chooses κ and the temperature on validation data once there is enough of it', () => {
    const words = ['konto', 'karte', 'paket', 'bestellung', 'passwort', 'geld', 'hilfe', 'rechnung'];
    const big = thirteenFree(MIN_CALIBRATION_MESSAGES, words);
    const r = extendLanguageProfile(shipped, train, big);
    expect(r.calibration.temperature).toBe('validation');
    expect(r.calibration.prior_strength).toBe('validation');
    expect(r.manifest.temperature).toBeGreaterThanOrEqual(shipped.manifest.temperature / 4);
    expect(r.manifest.temperature).toBeLessThanOrEqual(shipped.manifest.temperature * 4);
  });
});

/** `n` German and English validation messages built from a few words. */
function thirteenFree(n: number, words: string[]) {
  const out = [];
  for (let i = 0; out.length < n; i++) {
    out.push({ text: `wo ist meine ${words[i % words.length]} ${words[(i * 3 + 1) % words.length]}`, language: 'de' });
    out.push({ text: `where is my ${['card', 'order', 'parcel', 'refund', 'invoice'][i % 5]} now`, language: 'en' });
  }
  return out;
}
