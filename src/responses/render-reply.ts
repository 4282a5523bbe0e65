/**
 * What the bot says for a decision: the answer in the turn's language with `{entity_type}` slots filled, the clarifying
 * question with quick replies, or the handoff message.
 */
import type { BotConfig } from '../config/bot-config.ts';
import type { EntityMention, Understanding } from '../nlu/understanding.ts';
import type { Decision } from '../router/decision.ts';
import { smalltalkKind } from '../router/smalltalk.ts';

/** What the bot says back: text, quick replies for a clarification, whether a person takes over. */
export interface Reply {
  text: string;
  language: string;
  quick_replies?: { intent: string; label: string }[];
  handoff?: boolean;
}

/** Fills `{type}` slots with the first entity of that type (its text); a slot with no such entity is left out. */
export function fillSlots(template: string, entities: readonly EntityMention[]): string {
  return template
    .replace(/\{([\w-]+)\}/g, (_slot, type: string) => entities.find((e) => e.type === type)?.text ?? '')
    .replace(/ {2,}/g, ' ');
}

/** The reply for a decision, in the decision's language. */
export function renderReply(decision: Decision, u: Understanding, config: BotConfig): Reply {
  const l = decision.language;
  const pick = (texts: Record<string, string> | undefined) => texts?.[l] ?? texts?.[config.default_language] ?? '';
  const small = decision.kind === 'answer' ? smalltalkKind(decision.intent) : undefined;
  if (small) return { text: pick(config.smalltalk?.[small]?.answer), language: l };
  if (decision.kind === 'answer' && decision.intent) {
    return { text: fillSlots(pick(config.answers[decision.intent]), u.entities), language: l };
  }
  if (decision.kind === 'clarify') {
    return {
      text: pick(config.clarify.prompt),
      language: l,
      quick_replies: (decision.choices ?? []).map((c) => ({
        intent: c.intent,
        label: pick(config.intent_labels[c.intent]) || c.intent.replace(/_/g, ' '),
      })),
    };
  }
  return { text: pick(config.handoff.message), language: l, handoff: true };
}
