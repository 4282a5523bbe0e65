import { SwitchboardError } from '../../errors.ts';

/**
 * The languages switchboard can be configured for: ISO 639-1 code → ISO 639-3 code (franc's), English name and the
 * scripts the language is written in. A script that only one configured language uses decides the language directly.
 */
export type Script =
  | 'Latin'
  | 'Cyrillic'
  | 'Greek'
  | 'Armenian'
  | 'Georgian'
  | 'Hebrew'
  | 'Arabic'
  | 'Devanagari'
  | 'Bengali'
  | 'Gurmukhi'
  | 'Gujarati'
  | 'Oriya'
  | 'Tamil'
  | 'Telugu'
  | 'Kannada'
  | 'Malayalam'
  | 'Sinhala'
  | 'Thai'
  | 'Lao'
  | 'Tibetan'
  | 'Myanmar'
  | 'Khmer'
  | 'Ethiopic'
  | 'Mongolian'
  | 'Hangul'
  | 'Kana'
  | 'Han';

export interface LanguageInfo {
  iso3: string;
  name: string;
  scripts: readonly Script[];
}

const L = (iso3: string, name: string, ...scripts: Script[]): LanguageInfo => ({ iso3, name, scripts });

/**
 * Every supported language (ISO 639-1 keys). Han text is read as Chinese or Japanese; kana makes it Japanese.
 * franc (the fallback when no profile covers a message's candidates) has no trigram model for cy eu ga is la mi om:
 * a bot that must tell those apart from other Latin-script languages needs a profile (`switchboard train language`).
 */
export const LANGUAGES: Readonly<Record<string, LanguageInfo>> = {
  af: L('afr', 'Afrikaans', 'Latin'),
  am: L('amh', 'Amharic', 'Ethiopic'),
  ar: L('arb', 'Arabic', 'Arabic'),
  az: L('azj', 'Azerbaijani', 'Latin'),
  be: L('bel', 'Belarusian', 'Cyrillic'),
  bg: L('bul', 'Bulgarian', 'Cyrillic'),
  bn: L('ben', 'Bengali', 'Bengali'),
  bs: L('bos', 'Bosnian', 'Latin'),
  ca: L('cat', 'Catalan', 'Latin'),
  cs: L('ces', 'Czech', 'Latin'),
  cy: L('cym', 'Welsh', 'Latin'),
  da: L('dan', 'Danish', 'Latin'),
  de: L('deu', 'German', 'Latin'),
  el: L('ell', 'Greek', 'Greek'),
  en: L('eng', 'English', 'Latin'),
  eo: L('epo', 'Esperanto', 'Latin'),
  es: L('spa', 'Spanish', 'Latin'),
  et: L('ekk', 'Estonian', 'Latin'),
  eu: L('eus', 'Basque', 'Latin'),
  fa: L('pes', 'Persian', 'Arabic'),
  fi: L('fin', 'Finnish', 'Latin'),
  fr: L('fra', 'French', 'Latin'),
  ga: L('gle', 'Irish', 'Latin'),
  gl: L('glg', 'Galician', 'Latin'),
  gu: L('guj', 'Gujarati', 'Gujarati'),
  ha: L('hau', 'Hausa', 'Latin'),
  he: L('heb', 'Hebrew', 'Hebrew'),
  hi: L('hin', 'Hindi', 'Devanagari'),
  hr: L('hrv', 'Croatian', 'Latin'),
  hu: L('hun', 'Hungarian', 'Latin'),
  hy: L('hye', 'Armenian', 'Armenian'),
  id: L('ind', 'Indonesian', 'Latin'),
  ig: L('ibo', 'Igbo', 'Latin'),
  is: L('isl', 'Icelandic', 'Latin'),
  it: L('ita', 'Italian', 'Latin'),
  ja: L('jpn', 'Japanese', 'Kana', 'Han'),
  jv: L('jav', 'Javanese', 'Latin'),
  ka: L('kat', 'Georgian', 'Georgian'),
  kk: L('kaz', 'Kazakh', 'Cyrillic'),
  km: L('khm', 'Khmer', 'Khmer'),
  kn: L('kan', 'Kannada', 'Kannada'),
  ko: L('kor', 'Korean', 'Hangul'),
  ky: L('kir', 'Kyrgyz', 'Cyrillic'),
  la: L('lat', 'Latin', 'Latin'),
  lg: L('lug', 'Ganda', 'Latin'),
  lo: L('lao', 'Lao', 'Lao'),
  lt: L('lit', 'Lithuanian', 'Latin'),
  lv: L('lvs', 'Latvian', 'Latin'),
  mi: L('mri', 'Maori', 'Latin'),
  mk: L('mkd', 'Macedonian', 'Cyrillic'),
  ml: L('mal', 'Malayalam', 'Malayalam'),
  mn: L('khk', 'Mongolian', 'Cyrillic', 'Mongolian'),
  mr: L('mar', 'Marathi', 'Devanagari'),
  ms: L('zlm', 'Malay', 'Latin'),
  my: L('mya', 'Burmese', 'Myanmar'),
  nb: L('nob', 'Norwegian Bokmål', 'Latin'),
  ne: L('npi', 'Nepali', 'Devanagari'),
  nl: L('nld', 'Dutch', 'Latin'),
  nn: L('nno', 'Norwegian Nynorsk', 'Latin'),
  om: L('gax', 'Oromo', 'Latin'),
  or: L('ory', 'Odia', 'Oriya'),
  pa: L('pan', 'Punjabi', 'Gurmukhi'),
  pl: L('pol', 'Polish', 'Latin'),
  pt: L('por', 'Portuguese', 'Latin'),
  ro: L('ron', 'Romanian', 'Latin'),
  ru: L('rus', 'Russian', 'Cyrillic'),
  si: L('sin', 'Sinhala', 'Sinhala'),
  sk: L('slk', 'Slovak', 'Latin'),
  sl: L('slv', 'Slovenian', 'Latin'),
  sn: L('sna', 'Shona', 'Latin'),
  so: L('som', 'Somali', 'Latin'),
  sq: L('als', 'Albanian', 'Latin'),
  sr: L('srp', 'Serbian', 'Cyrillic', 'Latin'),
  st: L('sot', 'Sotho', 'Latin'),
  sv: L('swe', 'Swedish', 'Latin'),
  sw: L('swh', 'Swahili', 'Latin'),
  ta: L('tam', 'Tamil', 'Tamil'),
  te: L('tel', 'Telugu', 'Telugu'),
  th: L('tha', 'Thai', 'Thai'),
  ti: L('tir', 'Tigrinya', 'Ethiopic'),
  tl: L('tgl', 'Tagalog', 'Latin'),
  tn: L('tsn', 'Tswana', 'Latin'),
  tr: L('tur', 'Turkish', 'Latin'),
  ts: L('tso', 'Tsonga', 'Latin'),
  uk: L('ukr', 'Ukrainian', 'Cyrillic'),
  ur: L('urd', 'Urdu', 'Arabic'),
  uz: L('uzn', 'Uzbek', 'Latin', 'Cyrillic'),
  vi: L('vie', 'Vietnamese', 'Latin'),
  xh: L('xho', 'Xhosa', 'Latin'),
  yo: L('yor', 'Yoruba', 'Latin'),
  zh: L('cmn', 'Chinese', 'Han'),
  zu: L('zul', 'Zulu', 'Latin'),
};

/**
 * Configured languages (ISO 639-1 codes or BCP 47 tags) as ISO 639-1 codes, in order, without repeats. An unknown one
 * is an `E_LANGUAGE_UNKNOWN` error that lists the codes switchboard knows.
 * @example normalizeLanguages(['en-US', 'en-GB', 'pt_BR']) // ['en', 'pt']
 */
export function normalizeLanguages(tags: readonly string[]): string[] {
  const languages: string[] = [];
  for (const tag of tags) {
    const code = baseLanguage(tag);
    if (!code) {
      throw new SwitchboardError(
        'E_LANGUAGE_UNKNOWN',
        'input',
        `unknown language '${tag}': use an ISO 639-1 code switchboard knows (${Object.keys(LANGUAGES).join(' ')})`,
      );
    }
    if (!languages.includes(code)) languages.push(code);
  }
  return languages;
}

/**
 * The ISO 639-1 code of a language code or BCP 47 tag, if switchboard knows it: `es-ES` → `es`, `pt_BR` → `pt`,
 * `zh-Hant` → `zh`, `nb-NO` → `nb`; `no` (macrolanguage) → `nb`. Returns undefined for anything else.
 */
export function baseLanguage(tag: string | undefined): string | undefined {
  if (!tag) return undefined;
  const base = tag.trim().toLowerCase().split(/[-_]/)[0];
  const code = base === 'no' ? 'nb' : base;
  return Object.hasOwn(LANGUAGES, code) ? code : undefined;
}
