/**
 * One customer turn from any channel, end to end: refuse a retried event, remember where the conversation's replies go,
 * understand and decide (or take the button the customer pressed), keep the conversation's state, send the reply
 * through the channel's sender. Channel adapters call {@link TurnHandler.handle} after acknowledging the request;
 * nothing here knows Slack or Teams.
 */
import { createHash } from 'node:crypto';
import type { Bot, TurnResult } from './bot.ts';
import type { ChannelSender } from './channel-sender.ts';
import { SwitchboardError } from './errors.ts';
import type { HandoffService } from './handoff/handoff-service.ts';
import { redactText } from './metrics/redact.ts';
import type { TurnLog } from './metrics/turn-log.ts';
import type { Understanding } from './nlu/understanding.ts';
import { type Reply, renderReply } from './responses/render-reply.ts';
import type { Decision } from './router/decision.ts';
import type { ConversationStore } from './store/conversation-store.ts';
import { type ChannelName, MAX_TURN_TEXT, type Turn } from './turn.ts';

/** What became of a turn. */
export type TurnOutcome =
  | { status: 'duplicate' }
  /** The database was down: the turn waits in the spool and is handled when it is back. */
  | { status: 'spooled' }
  | { status: 'feedback'; recorded: boolean; reply?: Reply }
  /** The conversation has an open handoff ticket: the message went to the agents (and a holding message, if queued). */
  | { status: 'relayed'; ticket: string; reply?: Reply }
  | { status: 'replied'; decision: Decision; reply: Reply; understanding?: Understanding; late?: TurnResult['late'] };

export interface TurnHandlerOptions {
  bot: Bot;
  store: ConversationStore;
  senders: Partial<Record<ChannelName, ChannelSender>>;
  /** The human handoff (tickets, relay); without it a handoff decision only says so to the customer. */
  handoffs?: HandoffService;
  /** The turn log (issue 8): every question, its decision and outcomes. */
  turnLog?: TurnLog;
  /** Called after each answered turn (metrics). */
  observe?: (turn: Turn, decision: Decision, u: Understanding | undefined, seconds: number) => void;
}

/** True for the share `rate` of turn ids (a stable draw: the same turn is always in or out). */
export function inSample(id: string, rate: number): boolean {
  if (rate <= 0) return false;
  if (rate >= 1) return true;
  return createHash('sha256').update(id).digest().readUInt32BE(0) / 2 ** 32 < rate;
}

/** The "nothing understood" placeholder for turns that are button presses. */
const NO_TEXT: Understanding = {
  languages: [],
  intents: [],
  entities: [],
  timings: { language_ms: 0, intent_ms: 0, entities_ms: 0, total_ms: 0 },
};

export class TurnHandler {
  constructor(private readonly options: TurnHandlerOptions) {}

  /**
   * Handles one turn. `address` is the channel adapter's address for replies (stored with the conversation, so later
   * messages — an agent's, in the handoff — can be sent there). Rejects only when the reply cannot be sent (the
   * adapter logs it; the turn's state is already saved).
   */
  async handle(turn: Turn, address: unknown): Promise<TurnOutcome> {
    const started = performance.now();
    const { store, bot, turnLog } = this.options;
    if (!(await store.claimEvent(`${turn.channel}:${turn.id}`))) return { status: 'duplicate' };
    await store.setAddress(turn.conversation, { channel: turn.channel, address });
    const state = await store.get(turn.conversation);
    const turnKey = `${turn.channel}:${turn.id}`;
    const language = state.language ?? bot.config.default_language;

    if (turn.action?.kind === 'feedback') {
      const recorded = turnLog
        ? (await turnLog.feedback(turn.action.turn, turn.action.rating, turn.receivedAt, turn.conversation)) ===
          'recorded'
        : await store.recordFeedback(turn.action.turn, turn.action.rating, turn.receivedAt);
      if (!recorded || turn.action.rating === 'up') return { status: 'feedback', recorded };
      // 👎: sorry, and a button to reach a person.
      const reply: Reply = { text: feedbackText(bot, 'sorry', language), language };
      await this.send(turn, address, { reply, turn: turnKey, feedback: false, offerHuman: true });
      return { status: 'feedback', recorded, reply };
    }

    const handoffs = this.options.handoffs;
    if (handoffs && !turn.action) {
      const open = await handoffs.openFor(turn.conversation);
      if (open) {
        const { holding } = await handoffs.customerMessage(open, turn);
        if (holding) await this.send(turn, address, { reply: holding, turn: turnKey, feedback: false });
        return { status: 'relayed', ticket: open.id, ...(holding ? { reply: holding } : {}) };
      }
    }

    let result: { decision: Decision; understanding: Understanding; reply: Reply; late?: TurnResult['late'] };
    if (turn.action?.kind === 'choice') {
      const intent = turn.action.intent;
      const decision: Decision = bot.hasAnswer(intent, language)
        ? { kind: 'answer', reason: 'chosen', intent, language }
        : { kind: 'handoff', reason: 'no_answer', intent, language };
      result = { decision, understanding: NO_TEXT, reply: renderReply(decision, NO_TEXT, bot.config) };
      await store.set(turn.conversation, { ...state, clarifications: 0 });
    } else if (turn.action?.kind === 'human') {
      const decision: Decision = { kind: 'handoff', reason: 'human_requested', language };
      result = { decision, understanding: NO_TEXT, reply: renderReply(decision, NO_TEXT, bot.config) };
      await store.set(turn.conversation, { ...state, clarifications: 0 });
    } else {
      const text = turn.text.length > MAX_TURN_TEXT ? turn.text.slice(0, MAX_TURN_TEXT) : turn.text;
      const r = await bot.respond(text, { ...turn.hints, ...(turn.locale ? { locale: turn.locale } : {}) }, state);
      await store.set(turn.conversation, r.state);
      result = r;
    }
    let { reply } = result;
    if (handoffs && result.decision.kind === 'handoff') {
      const { note } = await handoffs.open(turn, result.understanding, result.decision, reply);
      if (note) reply = { ...reply, text: `${reply.text} ${note}` };
    }
    await this.send(turn, address, { reply, turn: turnKey, feedback: result.decision.kind === 'answer' });
    const elapsed = performance.now() - started;
    this.options.observe?.(
      turn,
      result.decision,
      result.understanding === NO_TEXT ? undefined : result.understanding,
      elapsed / 1000,
    );
    if (turnLog) await this.log(turn, turnKey, result, elapsed);
    return {
      status: 'replied',
      decision: result.decision,
      reply,
      understanding: result.understanding,
      late: result.late,
    };
  }

  /** The turn into the log, and what it says about the conversation's previous automated answer. */
  private async log(
    turn: Turn,
    id: string,
    result: { decision: Decision; understanding: Understanding; late?: TurnResult['late'] },
    latencyMs: number,
  ): Promise<void> {
    const turnLog = this.options.turnLog as TurnLog;
    const m = this.options.bot.config.measurement;
    const windowMs = m.escalation_window_minutes * 60_000;
    const { decision, understanding: u } = result;
    // What this turn says about the previous automated answer in the conversation.
    // Asking for a person after an automated answer is an escalation of it (a handoff because the bot cannot answer a
    // new question is not).
    if (decision.kind === 'handoff' && decision.reason === 'human_requested')
      await turnLog.markEscalation(turn.conversation, turn.receivedAt, windowMs);
    else if (decision.kind === 'answer' && decision.intent && !turn.action)
      await turnLog.markRecontact(turn.conversation, decision.intent, turn.receivedAt, windowMs);
    const text = (entities: Understanding['entities']) =>
      !turn.text || m.store_text === 'none'
        ? undefined
        : m.store_text === 'raw'
          ? turn.text
          : redactText(turn.text, entities);
    await turnLog.record({
      id,
      at: turn.receivedAt,
      channel: turn.channel,
      conversation: turn.conversation,
      language: decision.language,
      intents: u.intents.slice(0, 3),
      decision: decision.kind,
      reason: decision.reason,
      ...(decision.intent ? { intent: decision.intent } : {}),
      latency_ms: Number(latencyMs.toFixed(3)),
      ...(u === NO_TEXT ? {} : { nlu_ms: u.timings.total_ms }),
      model_version: this.options.bot.modelVersion,
      ...(text(u.entities) !== undefined ? { text: text(u.entities) } : {}),
      audit_sampled: decision.kind === 'answer' && inSample(id, m.audit_sample),
    });
    // Rule entities that arrive after the reply redact the stored text again (off the reply path).
    if (result.late && m.store_text === 'redacted' && turn.text) {
      void result.late.then((full) => turnLog.updateText(id, redactText(turn.text, full.entities))).catch(() => {});
    }
  }

  private async send(turn: Turn, address: unknown, message: Parameters<ChannelSender['send']>[1]): Promise<void> {
    const sender = this.options.senders[turn.channel];
    if (!sender) throw new SwitchboardError('E_NO_SENDER', 'internal', `no sender for channel ${turn.channel}`);
    await sender.send(address, message);
  }
}

/** The bot config's feedback texts, else English. */
function feedbackText(bot: Bot, key: 'sorry', language: string): string {
  const texts = bot.config.feedback?.[key];
  return texts?.[language] ?? texts?.[bot.config.default_language] ?? DEFAULT_FEEDBACK[key];
}

const DEFAULT_FEEDBACK = { sorry: 'Sorry that did not help. Would you like to talk to a person?' };
