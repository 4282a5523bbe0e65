/**
 * The bot's {@link OutgoingMessage} → a Bot Framework message activity for Teams. Pure. The reply's text is the
 * message's `text` (Teams renders it, notifications show it); buttons — clarify choices, 👍/👎 on an automated answer,
 * "Talk to a person" — are `Action.Submit`s of one Adaptive Card attached below it, whose data comes back as the
 * `value` of a message activity (parsed by `parseSubmit` in `teams-to-turn.ts`). Adaptive Cards rather than suggested
 * actions: Teams shows suggested actions in personal chats only, cards in channels and group chats too.
 */
import type { Activity, Attachment } from 'botbuilder';
import type { OutgoingMessage } from '../../channel-sender.ts';
import { baseLanguage } from '../../nlu/language/languages.ts';

export const ADAPTIVE_CARD_CONTENT_TYPE = 'application/vnd.microsoft.card.adaptive';
/** Adaptive Card version: 1.4 renders on every Teams client (desktop, web, mobile). */
const CARD_VERSION = '1.4';

/** The data of a button of the bot's cards (what {@link parseSubmit} reads back). */
export type SubmitData =
  | { switchboard: 'choice'; intent: string; label?: string }
  | { switchboard: 'feedback'; rating: 'up' | 'down'; turn: string }
  | { switchboard: 'human'; label?: string };

/** An Adaptive Card `Action.Submit`. */
export interface SubmitAction {
  type: 'Action.Submit';
  title: string;
  data: SubmitData;
}

/**
 * The activity for one message of the bot.
 *
 * @example
 * replyToTeams({ reply: { text: 'Alarms are in Settings', language: 'en' }, turn: 'teams:1', feedback: true })
 * // → { type: 'message', text: 'Alarms are in Settings', locale: 'en', attachments: [card with 👍 and 👎] }
 */
export function replyToTeams(message: OutgoingMessage): Partial<Activity> {
  const { reply } = message;
  const actions: SubmitAction[] = [];
  for (const q of reply.quick_replies ?? []) {
    const label = cut(q.label);
    actions.push({ type: 'Action.Submit', title: q.label, data: { switchboard: 'choice', intent: q.intent, label } });
  }
  if (message.feedback) {
    actions.push(
      { type: 'Action.Submit', title: '👍', data: { switchboard: 'feedback', rating: 'up', turn: message.turn } },
      { type: 'Action.Submit', title: '👎', data: { switchboard: 'feedback', rating: 'down', turn: message.turn } },
    );
  }
  if (message.offerHuman) {
    const title = teamsText('talk_to_person', reply.language);
    actions.push({ type: 'Action.Submit', title, data: { switchboard: 'human', label: cut(title) } });
  }
  const activity: Partial<Activity> = { type: 'message', text: reply.text, locale: reply.language };
  if (actions.length) activity.attachments = [actionsCard(actions)];
  return activity;
}

/** An Adaptive Card holding only buttons (the text is the message's own). */
export function actionsCard(actions: SubmitAction[]): Attachment {
  return {
    contentType: ADAPTIVE_CARD_CONTENT_TYPE,
    content: {
      type: 'AdaptiveCard',
      $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
      version: CARD_VERSION,
      body: [],
      actions,
    },
  };
}

/**
 * A pressed card's replacement: what was chosen, in place of the buttons (its message's text is kept by the update).
 *
 * @example pressedCard('✓ See my alarms')
 */
export function pressedCard(note: string): Attachment {
  return {
    contentType: ADAPTIVE_CARD_CONTENT_TYPE,
    content: {
      type: 'AdaptiveCard',
      $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
      version: CARD_VERSION,
      body: [{ type: 'TextBlock', text: escapeCardText(note), wrap: true, isSubtle: true }],
    },
  };
}

/** A button's label as a pressed card shows it back: at most 75 characters. */
function cut(label: string): string {
  return label.length > 75 ? `${label.slice(0, 74)}…` : label;
}

/** Text made inert for a TextBlock (markdown punctuation escaped, `<`/`>` as look-alikes: no link, no mention). */
function escapeCardText(s: string): string {
  return s
    .replace(/\s+/g, ' ')
    .replace(/[\\`*_[\]~]/g, (c) => `\\${c}`)
    .replace(/^([#>+-]|\d+\.)/, '\\$1')
    .replace(/</g, '‹')
    .replace(/>/g, '›');
}

/** A plain text message (welcome, notes). */
export function textActivity(text: string, language?: string): Partial<Activity> {
  return { type: 'message', text, ...(language ? { locale: language } : {}) };
}

/** The few texts the Teams adapter says on its own, per language (English for others). */
const TEAMS_TEXTS = {
  talk_to_person: {
    en: 'Talk to a person',
    de: 'Mit einer Person sprechen',
    es: 'Hablar con una persona',
    fr: 'Parler à une personne',
    hi: 'किसी व्यक्ति से बात करें',
    th: 'คุยกับเจ้าหน้าที่',
  },
  text_only: {
    en: 'I can only read text messages. Please type your question.',
    de: 'Ich kann nur Textnachrichten lesen. Bitte schreiben Sie Ihre Frage.',
    es: 'Solo puedo leer mensajes de texto. Por favor, escribe tu pregunta.',
    fr: 'Je ne lis que les messages texte. Merci d’écrire votre question.',
    hi: 'मैं केवल टेक्स्ट संदेश पढ़ सकता हूँ। कृपया अपना सवाल लिखें।',
    th: 'อ่านได้เฉพาะข้อความตัวอักษรเท่านั้น กรุณาพิมพ์คำถามครับ',
  },
  welcome: {
    en: 'Hi! I am the support bot. Ask me a question: I answer what I can and bring in a person for the rest.',
  },
} satisfies Record<string, Record<string, string> & { en: string }>;

/** One of the adapter's own texts in a language or locale (`es-ES` → es), English when it has none in that language. */
export function teamsText(key: keyof typeof TEAMS_TEXTS, languageOrLocale: string | undefined): string {
  const texts: Record<string, string> = TEAMS_TEXTS[key];
  const language = baseLanguage(languageOrLocale);
  return (language && texts[language]) || texts.en;
}
