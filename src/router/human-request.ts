/**
 * Does the customer ask for a person? Phrases per language (folded: lower case, Latin accents removed), matched as
 * whole words anywhere in the message (Turkish: at the start of a word; Thai: anywhere). Every language switchboard
 * ships a language profile for is covered.
 */
const PHRASES: Record<string, string[]> = {
  en: [
    'human',
    'real person',
    'a person',
    'live agent',
    'an agent',
    'speak to someone',
    'talk to someone',
    'representative',
    'customer service',
    'operator',
    'support agent',
    'real human',
  ],
  es: [
    'humano',
    'una persona',
    'persona real',
    'un agente',
    'asesor',
    'operador',
    'representante',
    'hablar con alguien',
  ],
  de: [
    'mensch',
    'menschen',
    'mitarbeiter',
    'mitarbeiterin',
    'echte person',
    'kundenservice',
    'berater',
    'jemandem sprechen',
  ],
  fr: ['humain', 'une personne', 'vraie personne', 'conseiller', 'conseillere', 'un agent', 'operateur', 'quelqu un'],
  tr: ['insan', 'temsilci', 'musteri hizmetleri', 'yetkili', 'gercek kisi', 'operator'],
  hi: ['इंसान', 'किसी व्यक्ति', 'एजेंट', 'प्रतिनिधि', 'कस्टमर केयर', 'ग्राहक सेवा'],
  mr: ['माणूस', 'माणसाशी', 'व्यक्तीशी', 'एजंट', 'प्रतिनिधी', 'ग्राहक सेवा'],
  th: ['พนักงาน', 'เจ้าหน้าที่', 'คุยกับคน', 'แอดมิน'],
  am: ['ሰው', 'ወኪል', 'ሰራተኛ'],
};

const fold = (s: string) =>
  s
    .toLowerCase()
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '') // Latin accents only: Devanagari and Thai vowel signs are letters' parts
    .normalize('NFC')
    .replace(/[^\p{L}\p{M}\p{N}]+/gu, ' ')
    .trim();

const UNSPACED = new Set(['th']);
// Agglutinative: suffixes follow the phrase ("temsilcisi", "insanla"), so a phrase matches the start of a word.
const PREFIX = new Set(['tr']);
const MATCHERS = new Map(
  Object.entries(PHRASES).map(([language, phrases]) => {
    const alternatives = phrases.map(fold).join('|');
    const end = PREFIX.has(language) ? '' : '(?: |$)';
    const re = UNSPACED.has(language)
      ? new RegExp(alternatives, 'u')
      : new RegExp(`(?:^| )(?:${alternatives})${end}`, 'u');
    return [language, re];
  }),
);

/**
 * True when `text` asks for a human in `language`, or in English (customers often switch to English for this).
 * @example asksForHuman('quiero hablar con una persona', 'es') // true
 */
export function asksForHuman(text: string, language: string): boolean {
  if (typeof text !== 'string' || text === '') return false;
  const folded = fold(text.slice(0, 2000));
  for (const l of new Set([language, 'en'])) if (MATCHERS.get(l)?.test(folded)) return true;
  return false;
}

/** Longest message read as nothing but a request for a person ("can I speak to a human please" is 7 words). */
const REQUEST_ONLY_WORDS = 7;

/**
 * True when `text` is a request for a person and little else ("talk to a person", "quiero hablar con una persona"),
 * so it says nothing about what the customer needs; "my parcel never arrived, I want a person" is not.
 * @example asksOnlyForHuman('talk to a person', 'en') // true
 */
export function asksOnlyForHuman(text: string, language: string): boolean {
  if (!asksForHuman(text, language)) return false;
  return fold(text.slice(0, 2000)).split(' ').filter(Boolean).length <= REQUEST_ONLY_WORDS;
}
