/**
 * The turn log: every customer question with what the bot did and what became of it (feedback, escalation,
 * re-contact, an agent's audit). The automation rate and every report are computed from it. Customer text is stored
 * redacted by default (`redact.ts`).
 */
import type { IntentGuess } from '../nlu/understanding.ts';
import type { DecisionKind, DecisionReason } from '../router/decision.ts';
import type { ChannelName } from '../turn.ts';

export type AuditVerdict = 'correct' | 'wrong';
/** What recording a 👍/👎 did (see {@link TurnLog.feedback}). */
export type FeedbackStatus = 'recorded' | 'duplicate' | 'repeat' | 'unknown';

export interface TurnRecord {
  /** `<channel>:<turn id>`: what feedback buttons refer to. */
  id: string;
  at: number;
  channel: ChannelName;
  conversation: string;
  language?: string;
  /** Top three intents with scores. */
  intents: IntentGuess[];
  decision: DecisionKind;
  reason: DecisionReason;
  /** The intent answered (or chosen, or the best guess of a handoff). */
  intent?: string;
  /** From the turn's arrival to its reply being sent. */
  latency_ms: number;
  nlu_ms?: number;
  model_version?: string;
  /** Redacted unless configured otherwise; absent for button presses. */
  text?: string;
  feedback?: 'up' | 'down';
  /** The customer asked for a person (words or the button) within the window after this automated answer. */
  escalated: boolean;
  /** The customer asked the same intent again within the window after this automated answer. */
  recontact: boolean;
  /** Drawn into the audit sample. */
  audit_sampled: boolean;
  audit?: AuditVerdict;
  /** The intent the auditor says was right (when wrong). */
  audit_intent?: string;
  audit_agent?: string;
}

export type NewTurnRecord = Omit<
  TurnRecord,
  'feedback' | 'escalated' | 'recontact' | 'audit' | 'audit_intent' | 'audit_agent'
>;

export interface TurnLog {
  record(r: NewTurnRecord): Promise<void>;
  /** Replaces the stored text (redaction with the entities that arrived late). */
  updateText(id: string, text: string): Promise<void>;
  /**
   * 👍/👎 from `conversation` on an automated answer: `unknown` turn (or a turn of another conversation: a button only
   * counts for its own conversation's turns), `duplicate` (the first counts), `repeat` (the same rating at the same
   * time was recorded before: the feedback turn handled again after a crash, if the caller knows it was resumed) or
   * `recorded`.
   */
  feedback(id: string, rating: 'up' | 'down', at: number, conversation: string): Promise<FeedbackStatus>;
  /**
   * Marks the conversation's last automated answer before `at` (within `windowMs`) as escalated / re-contacted (only
   * when its intent is `intent`); returns its id.
   */
  markEscalation(conversation: string, at: number, windowMs: number): Promise<string | undefined>;
  markRecontact(conversation: string, intent: string, at: number, windowMs: number): Promise<string | undefined>;
  /** Sampled automated answers waiting for (`pending`) or having (`done`) an audit, oldest first. */
  audits(status: 'pending' | 'done', limit?: number): Promise<TurnRecord[]>;
  /**
   * An agent's verdict on a sampled answer: E_TURN_NOT_FOUND (404), E_NOT_SAMPLED / E_ALREADY_AUDITED (409). With
   * `replace`, the same agent's earlier verdict is replaced (a mis-click corrected; the turn keeps the latest verdict
   * and time); another agent's verdict stands (E_NOT_YOUR_AUDIT, 403).
   */
  audit(
    id: string,
    verdict: AuditVerdict,
    agent: string,
    at: number,
    intent?: string,
    replace?: boolean,
  ): Promise<TurnRecord>;
  /** Turns in [since, until), oldest first (at most `limit`). */
  range(since: number, until: number, limit?: number): Promise<TurnRecord[]>;
  get(id: string): Promise<TurnRecord | undefined>;
}
