/**
 * The languages switchboard knows: their ISO codes, names and scripts, and the errors for a language it does not.
 */
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
  ak: L('aka', 'Akan', 'Latin'),
  am: L('amh', 'Amharic', 'Ethiopic'),
  ar: L('arb', 'Arabic', 'Arabic'),
  as: L('asm', 'Assamese', 'Bengali'),
  ay: L('ayr', 'Aymara', 'Latin'),
  az: L('azj', 'Azerbaijani', 'Latin'),
  ba: L('bak', 'Bashkir', 'Cyrillic'),
  be: L('bel', 'Belarusian', 'Cyrillic'),
  bg: L('bul', 'Bulgarian', 'Cyrillic'),
  bm: L('bam', 'Bambara', 'Latin'),
  bn: L('ben', 'Bengali', 'Bengali'),
  bo: L('bod', 'Tibetan', 'Tibetan'),
  br: L('bre', 'Breton', 'Latin'),
  bs: L('bos', 'Bosnian', 'Latin'),
  ca: L('cat', 'Catalan', 'Latin'),
  cs: L('ces', 'Czech', 'Latin'),
  cy: L('cym', 'Welsh', 'Latin'),
  da: L('dan', 'Danish', 'Latin'),
  de: L('deu', 'German', 'Latin'),
  dz: L('dzo', 'Dzongkha', 'Tibetan'),
  ee: L('ewe', 'Ewe', 'Latin'),
  el: L('ell', 'Greek', 'Greek'),
  en: L('eng', 'English', 'Latin'),
  eo: L('epo', 'Esperanto', 'Latin'),
  es: L('spa', 'Spanish', 'Latin'),
  et: L('ekk', 'Estonian', 'Latin'),
  eu: L('eus', 'Basque', 'Latin'),
  fa: L('pes', 'Persian', 'Arabic'),
  fi: L('fin', 'Finnish', 'Latin'),
  fj: L('fij', 'Fijian', 'Latin'),
  fo: L('fao', 'Faroese', 'Latin'),
  fr: L('fra', 'French', 'Latin'),
  ga: L('gle', 'Irish', 'Latin'),
  gd: L('gla', 'Scottish Gaelic', 'Latin'),
  gl: L('glg', 'Galician', 'Latin'),
  gn: L('gug', 'Guarani', 'Latin'),
  gu: L('guj', 'Gujarati', 'Gujarati'),
  ha: L('hau', 'Hausa', 'Latin'),
  he: L('heb', 'Hebrew', 'Hebrew'),
  hi: L('hin', 'Hindi', 'Devanagari'),
  hr: L('hrv', 'Croatian', 'Latin'),
  ht: L('hat', 'Haitian Creole', 'Latin'),
  hu: L('hun', 'Hungarian', 'Latin'),
  hy: L('hye', 'Armenian', 'Armenian'),
  ia: L('ina', 'Interlingua', 'Latin'),
  id: L('ind', 'Indonesian', 'Latin'),
  ie: L('ile', 'Interlingue', 'Latin'),
  ig: L('ibo', 'Igbo', 'Latin'),
  io: L('ido', 'Ido', 'Latin'),
  is: L('isl', 'Icelandic', 'Latin'),
  it: L('ita', 'Italian', 'Latin'),
  ja: L('jpn', 'Japanese', 'Kana', 'Han'),
  jv: L('jav', 'Javanese', 'Latin'),
  ka: L('kat', 'Georgian', 'Georgian'),
  kg: L('kng', 'Kongo', 'Latin'),
  ki: L('kik', 'Kikuyu', 'Latin'),
  kk: L('kaz', 'Kazakh', 'Cyrillic'),
  km: L('khm', 'Khmer', 'Khmer'),
  kn: L('kan', 'Kannada', 'Kannada'),
  ko: L('kor', 'Korean', 'Hangul'),
  ks: L('kas', 'Kashmiri', 'Arabic'),
  ku: L('kmr', 'Kurdish (Kurmanji)', 'Latin'),
  kw: L('cor', 'Cornish', 'Latin'),
  ky: L('kir', 'Kyrgyz', 'Cyrillic'),
  la: L('lat', 'Latin', 'Latin'),
  lb: L('ltz', 'Luxembourgish', 'Latin'),
  lg: L('lug', 'Ganda', 'Latin'),
  li: L('lim', 'Limburgish', 'Latin'),
  ln: L('lin', 'Lingala', 'Latin'),
  lo: L('lao', 'Lao', 'Lao'),
  lt: L('lit', 'Lithuanian', 'Latin'),
  lv: L('lvs', 'Latvian', 'Latin'),
  mg: L('plt', 'Malagasy', 'Latin'),
  mi: L('mri', 'Maori', 'Latin'),
  mk: L('mkd', 'Macedonian', 'Cyrillic'),
  ml: L('mal', 'Malayalam', 'Malayalam'),
  mn: L('khk', 'Mongolian', 'Cyrillic', 'Mongolian'),
  mr: L('mar', 'Marathi', 'Devanagari'),
  ms: L('zlm', 'Malay', 'Latin'),
  mt: L('mlt', 'Maltese', 'Latin'),
  my: L('mya', 'Burmese', 'Myanmar'),
  nb: L('nob', 'Norwegian Bokmål', 'Latin'),
  ne: L('npi', 'Nepali', 'Devanagari'),
  nl: L('nld', 'Dutch', 'Latin'),
  nn: L('nno', 'Norwegian Nynorsk', 'Latin'),
  ny: L('nya', 'Chichewa', 'Latin'),
  oc: L('oci', 'Occitan', 'Latin'),
  om: L('gax', 'Oromo', 'Latin'),
  or: L('ory', 'Odia', 'Oriya'),
  pa: L('pan', 'Punjabi', 'Gurmukhi'),
  pl: L('pol', 'Polish', 'Latin'),
  ps: L('pbu', 'Pashto', 'Arabic'),
  pt: L('por', 'Portuguese', 'Latin'),
  qu: L('quy', 'Quechua', 'Latin'),
  rn: L('run', 'Kirundi', 'Latin'),
  ro: L('ron', 'Romanian', 'Latin'),
  ru: L('rus', 'Russian', 'Cyrillic'),
  rw: L('kin', 'Kinyarwanda', 'Latin'),
  sa: L('san', 'Sanskrit', 'Devanagari'),
  sc: L('srd', 'Sardinian', 'Latin'),
  sd: L('snd', 'Sindhi', 'Arabic'),
  sg: L('sag', 'Sango', 'Latin'),
  si: L('sin', 'Sinhala', 'Sinhala'),
  sk: L('slk', 'Slovak', 'Latin'),
  sl: L('slv', 'Slovenian', 'Latin'),
  sm: L('smo', 'Samoan', 'Latin'),
  sn: L('sna', 'Shona', 'Latin'),
  so: L('som', 'Somali', 'Latin'),
  sq: L('als', 'Albanian', 'Latin'),
  sr: L('srp', 'Serbian', 'Cyrillic', 'Latin'),
  ss: L('ssw', 'Swati', 'Latin'),
  st: L('sot', 'Sotho', 'Latin'),
  su: L('sun', 'Sundanese', 'Latin'),
  sv: L('swe', 'Swedish', 'Latin'),
  sw: L('swh', 'Swahili', 'Latin'),
  ta: L('tam', 'Tamil', 'Tamil'),
  te: L('tel', 'Telugu', 'Telugu'),
  tg: L('tgk', 'Tajik', 'Cyrillic'),
  th: L('tha', 'Thai', 'Thai'),
  ti: L('tir', 'Tigrinya', 'Ethiopic'),
  tk: L('tuk', 'Turkmen', 'Latin'),
  tl: L('tgl', 'Tagalog', 'Latin'),
  tn: L('tsn', 'Tswana', 'Latin'),
  tr: L('tur', 'Turkish', 'Latin'),
  ts: L('tso', 'Tsonga', 'Latin'),
  tt: L('tat', 'Tatar', 'Cyrillic'),
  ug: L('uig', 'Uyghur', 'Arabic'),
  uk: L('ukr', 'Ukrainian', 'Cyrillic'),
  ur: L('urd', 'Urdu', 'Arabic'),
  uz: L('uzn', 'Uzbek', 'Latin', 'Cyrillic'),
  vi: L('vie', 'Vietnamese', 'Latin'),
  wo: L('wol', 'Wolof', 'Latin'),
  xh: L('xho', 'Xhosa', 'Latin'),
  yi: L('ydd', 'Yiddish', 'Hebrew'),
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
 * Three-letter codes people write for a language whose code in {@link LANGUAGES} is another one: ISO 639-2
 * bibliographic codes (`fre`, `ger`), and macrolanguage codes where the table keeps franc's individual language
 * (`ara` for `arb`, `zho` for `cmn`).
 */
const ISO3_ALIASES: Readonly<Record<string, string>> = {
  alb: 'sq',
  ara: 'ar',
  arm: 'hy',
  aze: 'az',
  baq: 'eu',
  bur: 'my',
  chi: 'zh',
  cze: 'cs',
  dut: 'nl',
  est: 'et',
  fas: 'fa',
  fre: 'fr',
  geo: 'ka',
  ger: 'de',
  gre: 'el',
  ice: 'is',
  lav: 'lv',
  mac: 'mk',
  mao: 'mi',
  may: 'ms',
  msa: 'ms',
  nor: 'nb',
  per: 'fa',
  rum: 'ro',
  slo: 'sk',
  swa: 'sw',
  tib: 'bo',
  uzb: 'uz',
  wel: 'cy',
  zho: 'zh',
  sqi: 'sq',
  yid: 'yi',
  nep: 'ne',
  mon: 'mn',
  pus: 'ps',
  kur: 'ku',
  ori: 'or',
};

/** ISO 639-3 code (as in {@link LANGUAGES}, and the aliases) → ISO 639-1 code. */
const FROM_ISO3: ReadonlyMap<string, string> = new Map([
  ...Object.entries(LANGUAGES).map(([code, info]) => [info.iso3, code] as const),
  ...Object.entries(ISO3_ALIASES),
]);

/**
 * The ISO 639-1 code of a language code or BCP 47 tag, if switchboard knows it, in any case: `es-ES` → `es`,
 * `pt_BR` → `pt`, `zh-Hant` → `zh`, `nb-NO` → `nb`, `EN` → `en`; `no` (macrolanguage) → `nb`; three-letter codes
 * too: `eng` → `en`, `fre` → `fr`. Returns undefined for anything else.
 */
export function baseLanguage(tag: string | undefined): string | undefined {
  if (!tag) return undefined;
  const base = tag.trim().toLowerCase().split(/[-_]/)[0];
  const code = base === 'no' ? 'nb' : base.length === 3 ? (FROM_ISO3.get(base) ?? base) : base;
  return Object.hasOwn(LANGUAGES, code) ? code : undefined;
}

/**
 * The profile key of a language written in a script: the language itself in its first script, `language-Script` in
 * another (Serbian in Latin letters is `sr-Latin`, Uzbek in Cyrillic `uz-Cyrillic`). A profile learns each written
 * form separately, so Serbian's Cyrillic news text does not drown its Latin chat, and the script of a message picks
 * the form it is scored against.
 * @example profileKey('sr', 'Latin') // 'sr-Latin'
 */
export function profileKey(language: string, script: Script | undefined): string {
  const scripts = LANGUAGES[language]?.scripts ?? [];
  return script && scripts.length > 1 && scripts.includes(script) && scripts[0] !== script
    ? `${language}-${script}`
    : language;
}

/** The language of a profile key: `sr-Latin` → `sr`. */
export const keyLanguage = (key: string): string => key.split('-')[0];
