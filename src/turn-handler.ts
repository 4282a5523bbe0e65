/**
 * One customer turn from any channel, end to end, readable in {@link TurnHandler.handle}:
 *
 *   (dedupe — done before, by the durable inbox at the door: server/turn-intake.ts)
 *   begin → feedback? → leave the queue? → relay to the agent? → button or understand → decide → handoff → log → send
 *
 * Each step reads and writes one per-turn {@link TurnContext}. Channel adapters bring turns to the door after
 * recording them; nothing here knows Slack or Teams.
 */
import { createHash } from 'node:crypto';
import type { Bot, TurnResult } from './bot.ts';
import type { ChannelSender, OutgoingMessage } from './channel-sender.ts';
import { SwitchboardError } from './errors.ts';
import { CANCEL_QUEUE_CHOICE, type HandoffService } from './handoff/handoff-service.ts';
import { redactText } from './metrics/redact.ts';
import type { TurnLog } from './metrics/turn-log.ts';
import type { Understanding } from './nlu/understanding.ts';
import { type Reply, renderReply } from './responses/render-reply.ts';
import type { Decision } from './router/decision.ts';
import type { ConversationStore, StoredConversation } from './store/conversation-store.ts';
import { type ChannelName, MAX_TURN_TEXT, type Turn } from './turn.ts';

/** What became of a turn. */
export type TurnOutcome =
  /** A retry of an event already recorded (refused at the door). */
  | { status: 'duplicate' }
  /** The database was down: the turn waits (spool or inbox) and is handled when it is back. */
  | { status: 'spooled' }
  | { status: 'feedback'; recorded: boolean; reply?: Reply }
  /** The conversation has an open handoff ticket: the message went to the agents (and a holding message, if queued). */
  | { status: 'relayed'; ticket: string; reply?: Reply }
  /** The customer left the handoff queue ("cancel", the button): the ticket is cancelled, the bot answers again. */
  | { status: 'left_queue'; ticket?: string; reply: Reply }
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

/** One turn on its way through {@link TurnHandler.handle}: what it is, where replies go, and what each step found. */
export interface TurnContext {
  readonly turn: Turn;
  /** The channel adapter's address for replies. */
  readonly address: unknown;
  /** `<channel>:<event id>`: the turn's id in the log and on its feedback buttons. */
  readonly key: string;
  readonly started: number;
  /** Taken up again after a crash or a database fault: its reply may have gone out already (asked before sending). */
  readonly resumed: boolean;
  /** Awaited right before a message is sent: throws when this instance no longer holds the turn (see TurnIntake). */
  readonly fence?: () => Promise<void>;
  /** The conversation's state before this turn. */
  readonly state: StoredConversation;
  /** The conversation's language so far (else the bot's default): the language of texts sent before understanding. */
  readonly language: string;
  understanding: Understanding;
  decision?: Decision;
  reply?: Reply;
  /** The understanding with every rule entity, when some missed the turn's budget. */
  late?: TurnResult['late'];
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
   * Handles one recorded turn. `address` is the channel adapter's address for replies (stored with the conversation,
   * so later messages — an agent's, in the handoff — can be sent there). Rejects only when the reply cannot be sent
   * (the turn's state is already saved). `fence` (the inbox's) is awaited right before the reply is sent: a turn
   * another instance took meanwhile is not answered twice.
   */
  async handle(turn: Turn, address: unknown, resumed = false, fence?: () => Promise<void>): Promise<TurnOutcome> {
    const t = await this.begin(turn, address, resumed, fence);
    if (turn.action?.kind === 'feedback') return this.feedback(t, turn.action);
    const left = await this.leaveQueue(t);
    if (left) return left;
    const relayed = await this.relayToAgent(t);
    if (relayed) return relayed;
    if (turn.action) await this.button(t, turn.action);
    else await this.understandAndDecide(t);
    const decision = t.decision as Decision;
    const ticket = await this.handoff(t);
    try {
      // Every database write of the turn comes before the send: a turn handled again after a database fault repeats
      // only writes that are idempotent, and sends once.
      await this.record(t);
      // Small talk ("hello", "thanks") is answered without 👍/👎: there is nothing to rate.
      const rated = decision.kind === 'answer' && decision.reason !== 'smalltalk';
      await this.send(t, { reply: t.reply as Reply, turn: t.key, feedback: rated });
    } finally {
      if (ticket) this.options.handoffs?.replied(ticket);
    }
    this.options.observe?.(
      turn,
      decision,
      t.understanding === NO_TEXT ? undefined : t.understanding,
      (performance.now() - t.started) / 1000,
    );
    return {
      status: 'replied',
      decision,
      reply: t.reply as Reply,
      understanding: t.understanding,
      late: t.late,
    };
  }

  /** Remembers where the conversation's replies go and reads its state. */
  private async begin(
    turn: Turn,
    address: unknown,
    resumed: boolean,
    fence?: () => Promise<void>,
  ): Promise<TurnContext> {
    const { store, bot } = this.options;
    const started = performance.now();
    await store.setAddress(turn.conversation, { channel: turn.channel, address });
    const state = await store.get(turn.conversation);
    return {
      turn,
      address,
      key: `${turn.channel}:${turn.id}`,
      started,
      resumed,
      ...(fence ? { fence } : {}),
      state,
      language: state.language ?? bot.config.default_language,
      understanding: NO_TEXT,
    };
  }

  /** 👍/👎 on an earlier answer: recorded once; 👎 says sorry and offers a person. */
  private async feedback(
    t: TurnContext,
    action: Extract<NonNullable<Turn['action']>, { kind: 'feedback' }>,
  ): Promise<TurnOutcome> {
    const { turnLog, store, bot } = this.options;
    const at = t.turn.receivedAt;
    const status = turnLog
      ? await turnLog.feedback(action.turn, action.rating, at, t.turn.conversation)
      : await store.recordFeedback(action.turn, action.rating, at);
    // This feedback turn handled again after a crash (or by the instance that took its lease): its first handling
    // recorded it, and may have died before the apology was sent — send it (the sender does not repeat a sent one).
    const recorded = status === 'recorded' || (t.resumed && status === 'repeat');
    if (!recorded || action.rating === 'up') return { status: 'feedback', recorded };
    const reply: Reply = { text: feedbackText(bot, 'sorry', t.language), language: t.language };
    await this.send(t, { reply, turn: t.key, feedback: false, offerHuman: true });
    return { status: 'feedback', recorded, reply };
  }

  /**
   * A queued customer who writes "cancel" (or the like: see `HandoffService.isCancel`) or presses the button leaves the
   * queue: the ticket is cancelled and the bot is back. A claimed ticket is not left this way (the message goes to the
   * agent); the button pressed after the ticket closed only says the bot is back (it never opens a ticket).
   */
  private async leaveQueue(t: TurnContext): Promise<TurnOutcome | undefined> {
    const handoffs = this.options.handoffs;
    const action = t.turn.action;
    const button = action?.kind === 'choice' && action.intent === CANCEL_QUEUE_CHOICE;
    if (!handoffs || (action && !button)) return undefined;
    if (!button && !handoffs.isCancel(t.turn.text)) return undefined;
    const open = await handoffs.openFor(t.turn.conversation);
    const queued = open && open.status === 'queued' && open.created_at < t.turn.receivedAt ? open : undefined;
    const left = queued ? await handoffs.cancelByCustomer(queued, t.turn) : undefined;
    if (!left) {
      if (open && !button) return undefined; // claimed: the words go on to the agent
      if (open) return { status: 'relayed', ticket: open.id }; // claimed meanwhile: the agent is there
      if (!button) {
        // Nothing is waiting: a bare "cancel" is not a question to hand to a person (the queue message taught it).
        const language = handoffs.cancelLanguage(t.turn.text, t.language) ?? t.language;
        const reply: Reply = { text: handoffs.customerText('nothing_to_cancel', language), language };
        await this.send(t, { reply, turn: t.key, feedback: false });
        return { status: 'left_queue', reply };
      }
      const reply: Reply = { text: handoffs.customerText('cancelled', t.language), language: t.language };
      await this.send(t, { reply, turn: t.key, feedback: false });
      return { status: 'left_queue', reply };
    }
    await this.options.store.set(t.turn.conversation, { ...t.state, clarifications: 0 });
    await this.send(t, { reply: left.reply, turn: t.key, feedback: false });
    return { status: 'left_queue', ticket: left.ticket.id, reply: left.reply };
  }

  /** A conversation with an open ticket: the message goes to the agents (a holding message back, if queued). */
  private async relayToAgent(t: TurnContext): Promise<TurnOutcome | undefined> {
    const handoffs = this.options.handoffs;
    if (!handoffs || t.turn.action) return undefined;
    const open = await handoffs.openFor(t.turn.conversation);
    // A ticket opened at or after this turn arrived is this turn's own (handled again after a database fault): the
    // turn goes on to its handoff reply, which finds the ticket instead of opening another.
    if (!open || open.created_at >= t.turn.receivedAt) return undefined;
    const { holding } = await handoffs.customerMessage(open, t.turn);
    if (holding) await this.send(t, { reply: holding, turn: t.key, feedback: false });
    return { status: 'relayed', ticket: open.id, ...(holding ? { reply: holding } : {}) };
  }

  /** A pressed button: a clarify choice answers that intent (or hands off); "talk to a person" hands off. */
  private async button(t: TurnContext, action: Exclude<NonNullable<Turn['action']>, { kind: 'feedback' }>) {
    const { bot, store } = this.options;
    const language = t.language;
    if (action.kind === 'choice') {
      const intent = action.intent;
      t.decision = bot.hasAnswer(intent, language)
        ? { kind: 'answer', reason: 'chosen', intent, language }
        : { kind: 'handoff', reason: 'no_answer', intent, language };
    } else {
      t.decision = { kind: 'handoff', reason: 'human_requested', language };
    }
    t.reply = renderReply(t.decision, NO_TEXT, bot.config);
    await store.set(t.turn.conversation, { ...t.state, clarifications: 0 });
  }

  /** The text through the NLU and the router (the bot), and the conversation's new state saved. */
  private async understandAndDecide(t: TurnContext): Promise<void> {
    const { bot, store } = this.options;
    const { turn } = t;
    const text = turn.text.length > MAX_TURN_TEXT ? turn.text.slice(0, MAX_TURN_TEXT) : turn.text;
    const r = await bot.respond(text, { ...turn.hints, ...(turn.locale ? { locale: turn.locale } : {}) }, t.state);
    await store.set(turn.conversation, r.state);
    t.understanding = r.understanding;
    t.decision = r.decision;
    t.reply = r.reply;
    t.late = r.late;
  }

  /** A handoff decision opens a ticket (its id is returned); the reply says where the customer is in the queue. */
  private async handoff(t: TurnContext): Promise<string | undefined> {
    const { handoffs } = this.options;
    if (!handoffs || t.decision?.kind !== 'handoff') return undefined;
    const { ticket, note } = await handoffs.open(t.turn, t.understanding, t.decision, t.reply as Reply, {
      replyFollows: true,
    });
    if (note)
      t.reply = { ...(t.reply as Reply), ...handoffs.withCancelButton(ticket, `${(t.reply as Reply).text} ${note}`) };
    return ticket.id;
  }

  /**
   * The turn into the log (idempotent: one row per turn id) with what it says about the conversation's previous
   * automated answer; its latency is up to the send.
   */
  private async record(t: TurnContext): Promise<void> {
    const { turn, key: id } = t;
    const decision = t.decision as Decision;
    const u = t.understanding;
    const latencyMs = performance.now() - t.started;
    const turnLog = this.options.turnLog;
    if (!turnLog) return;
    const m = this.options.bot.config.measurement;
    const windowMs = m.escalation_window_minutes * 60_000;
    // Asking for a person after an automated answer is an escalation of it (a handoff because the bot cannot answer a
    // new question is not).
    if (decision.kind === 'handoff' && decision.reason === 'human_requested')
      await turnLog.markEscalation(turn.conversation, turn.receivedAt, windowMs);
    else if (decision.kind === 'answer' && decision.reason !== 'smalltalk' && decision.intent && !turn.action)
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
      // Small talk is an automated answer, but not one worth an agent's audit.
      audit_sampled: decision.kind === 'answer' && decision.reason !== 'smalltalk' && inSample(id, m.audit_sample),
    });
    // Rule entities that arrive after the reply redact the stored text again (off the reply path).
    if (t.late && m.store_text === 'redacted' && turn.text) {
      void t.late.then((full) => turnLog.updateText(id, redactText(turn.text, full.entities))).catch(() => {});
    }
  }

  /**
   * A message to the customer through the channel's sender — unless the turn was taken up again and the channel can
   * tell that the message went out before the crash.
   */
  private async send(t: TurnContext, message: OutgoingMessage): Promise<void> {
    const sender = this.options.senders[t.turn.channel];
    if (!sender) throw new SwitchboardError('E_NO_SENDER', 'internal', `no sender for channel ${t.turn.channel}`);
    await t.fence?.();
    if (t.resumed && (await sender.wasSent?.(t.address, message, t.turn.receivedAt))) return;
    await sender.send(t.address, message);
  }
}

/** The bot config's feedback texts, else English. */
function feedbackText(bot: Bot, key: 'sorry', language: string): string {
  const texts = bot.config.feedback?.[key];
  return texts?.[language] ?? texts?.[bot.config.default_language] ?? DEFAULT_FEEDBACK[key];
}

const DEFAULT_FEEDBACK = { sorry: 'Sorry that did not help. Would you like to talk to a person?' };
