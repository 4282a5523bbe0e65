/**
 * The bot's reply as a Slack message (pure): a section with the text, Block Kit buttons for a clarification's choices,
 * 👍/👎 under an automated answer, "Talk to a person" after a 👎, and always a plain `text` fallback (notifications,
 * screen readers, clients without blocks). {@link markClicked} turns the buttons a customer pressed into a note.
 */
import type { types } from '@slack/bolt';
import type { OutgoingMessage } from '../../channel-sender.ts';

type KnownBlock = types.KnownBlock;
type Button = types.Button;

/** `action_id`s of the bot's buttons; a choice's id carries its index (ids must be unique within a block). */
export const SLACK_ACTION = {
  choicePrefix: 'switchboard_choice_',
  feedbackUp: 'switchboard_feedback_up',
  feedbackDown: 'switchboard_feedback_down',
  human: 'switchboard_human',
} as const;

/** `block_id`s of the bot's blocks (unique within a message). */
export const SLACK_BLOCK = {
  text: 'switchboard_text',
  choices: 'switchboard_choices',
  feedback: 'switchboard_feedback',
  human: 'switchboard_human',
} as const;

/** Block Kit limits (Slack's reference): section text, button text, button value, elements of an actions block. */
const MAX_SECTION_TEXT = 3000;
const MAX_BUTTON_TEXT = 75;
const MAX_BUTTON_VALUE = 2000;
const MAX_ACTIONS = 25;
/** chat.postMessage truncates `text` beyond 40,000 characters; stay well under. */
const MAX_FALLBACK_TEXT = 39_000;

/** Button labels in the languages the bot most often speaks (English otherwise). */
const LABELS: Record<string, { human: string; helpful: string; notHelpful: string }> = {
  en: { human: 'Talk to a person', helpful: 'This helped', notHelpful: 'This did not help' },
  de: { human: 'Mit einem Menschen sprechen', helpful: 'Hat geholfen', notHelpful: 'Hat nicht geholfen' },
  es: { human: 'Hablar con una persona', helpful: 'Me ha ayudado', notHelpful: 'No me ha ayudado' },
  fr: { human: 'Parler à une personne', helpful: "Ça m'a aidé", notHelpful: "Ça ne m'a pas aidé" },
  it: { human: 'Parla con una persona', helpful: 'Utile', notHelpful: 'Non utile' },
  pt: { human: 'Falar com uma pessoa', helpful: 'Ajudou', notHelpful: 'Não ajudou' },
  hi: { human: 'किसी व्यक्ति से बात करें', helpful: 'मददगार', notHelpful: 'मददगार नहीं' },
  th: { human: 'คุยกับเจ้าหน้าที่', helpful: 'มีประโยชน์', notHelpful: 'ไม่มีประโยชน์' },
};

/** A message for chat.postMessage / chat.update: fallback text and blocks. */
export interface SlackMessage {
  text: string;
  blocks: KnownBlock[];
}

/**
 * Renders an outgoing message as Slack blocks.
 *
 * @example
 * replyToSlack({ reply: { text: 'Which one?', language: 'en', quick_replies: [{ intent: 'alarm_set', label: 'Set an alarm' }] },
 *   turn: 'slack:Ev1', feedback: false });
 * // → section "Which one?" + actions [button "Set an alarm" (action_id switchboard_choice_0, value alarm_set)]
 */
export function replyToSlack(message: OutgoingMessage): SlackMessage {
  const { reply } = message;
  const labels = LABELS[reply.language.split('-')[0]] ?? LABELS.en;
  const body = reply.text.trim() || '…';
  const blocks: KnownBlock[] = [
    {
      type: 'section',
      block_id: SLACK_BLOCK.text,
      text: { type: 'mrkdwn', text: cut(escapeMrkdwn(body), MAX_SECTION_TEXT) },
    },
  ];
  const choices = (reply.quick_replies ?? []).slice(0, MAX_ACTIONS);
  if (choices.length) {
    blocks.push({
      type: 'actions',
      block_id: SLACK_BLOCK.choices,
      elements: choices.map((c, i) => button(`${SLACK_ACTION.choicePrefix}${i}`, c.label || c.intent, c.intent)),
    });
  }
  if (message.feedback) {
    blocks.push({
      type: 'actions',
      block_id: SLACK_BLOCK.feedback,
      elements: [
        button(SLACK_ACTION.feedbackUp, '👍', encodeFeedback('up', message.turn), labels.helpful),
        button(SLACK_ACTION.feedbackDown, '👎', encodeFeedback('down', message.turn), labels.notHelpful),
      ],
    });
  }
  if (message.offerHuman) {
    const human = button(SLACK_ACTION.human, labels.human, 'human');
    blocks.push({ type: 'actions', block_id: SLACK_BLOCK.human, elements: [{ ...human, style: 'primary' }] });
  }
  const options = choices.length ? ` (${choices.map((c) => c.label || c.intent).join(' / ')})` : '';
  return { text: cut(`${body}${options}`, MAX_FALLBACK_TEXT), blocks };
}

/**
 * The blocks of a message after a customer pressed one of its buttons: the actions block `blockId` becomes a context
 * line with `note` (what was chosen), so the same buttons cannot be pressed again. Other blocks are kept as they were.
 *
 * @example markClicked(message.blocks, 'switchboard_feedback', '👍')
 */
export function markClicked(blocks: readonly unknown[], blockId: string, note: string): KnownBlock[] {
  return blocks.map((b) =>
    isBlock(b) && b.type === 'actions' && b.block_id === blockId
      ? { type: 'context', block_id: blockId, elements: [{ type: 'mrkdwn', text: cut(escapeMrkdwn(note), 300) }] }
      : (b as KnownBlock),
  );
}

/** A feedback button's value: the rating and the id of the turn the answer replied to (`up:slack:Ev1`). */
export function encodeFeedback(rating: 'up' | 'down', turn: string): string {
  return cut(`${rating}:${turn}`, MAX_BUTTON_VALUE);
}

/** The rating and turn of a feedback button's value; undefined when it is not one. */
export function decodeFeedback(value: unknown): { rating: 'up' | 'down'; turn: string } | undefined {
  if (typeof value !== 'string') return undefined;
  const i = value.indexOf(':');
  const rating = value.slice(0, i);
  const turn = value.slice(i + 1);
  if (i < 0 || (rating !== 'up' && rating !== 'down') || !turn) return undefined;
  return { rating, turn };
}

/** Escapes the three characters Slack's mrkdwn reserves for its own markup (`&`, `<`, `>`). */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function button(actionId: string, label: string, value: string, accessibility?: string): Button {
  return {
    type: 'button',
    action_id: actionId,
    text: { type: 'plain_text', text: cut(label, MAX_BUTTON_TEXT), emoji: true },
    value: cut(value, MAX_BUTTON_VALUE),
    ...(accessibility ? { accessibility_label: accessibility } : {}),
  };
}

/** At most `max` UTF-16 units, never splitting a surrogate pair. */
function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max - 1;
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end -= 1;
  return `${text.slice(0, end)}…`;
}

function isBlock(b: unknown): b is { type: unknown; block_id?: unknown } {
  return typeof b === 'object' && b !== null && 'type' in b;
}
