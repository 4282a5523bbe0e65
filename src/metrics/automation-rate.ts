/**
 * The automation rate — correct automated answers ÷ all customer questions — with an honest 95% interval.
 *
 * Not every wrong answer is reported, so "not contradicted" is not "correct". The precision of automated answers is
 * estimated from the **audit sample** (a random share of automated answers that agents mark right or wrong), stratified
 * by what the customers said: answers with a negative signal (👎, an escalation to a person, or the same question again
 * within the window) and answers without one are estimated separately — negative signals are informative, but a 👎
 * on a right answer exists too, so they are not taken as proof. Audited answers count with their verdict; the rest of
 * each stratum with the stratum's estimated precision.
 *
 * Uncertainty: the automated share ~ Beta(A + ½, Q − A + ½) (Jeffreys), each stratum's precision ~ Beta(c + ½, w + ½)
 * from its audits, the unaudited answers' correct count binomial around it; the interval is the 2.5–97.5 percentiles
 * of {@link DRAWS} seeded Monte Carlo draws of share × precision. With no audits at all the interval is honest and wide.
 */
import { Random } from '../util/random.ts';
import type { TurnRecord } from './turn-log.ts';

/** The precision reported before there is anything to estimate it from: the Jeffreys prior's mean. */
const PRIOR_PRECISION = 0.5;
/** Monte Carlo draws per estimate. */
export const DRAWS = 4000;

/**
 * Audits needed before precision counts as estimated: with fewer, the prior (½ correct) weighs as much as the
 * evidence — 20 audits all correct still leave a 95% interval reaching down to about 0.88.
 */
export const MIN_AUDITS = 20;

export interface AutomationEstimate {
  /** Customer questions (text turns; a quick-reply choice continues its question). */
  questions: number;
  /** Automated answers (answers to questions plus quick-reply choices answered). */
  automated: number;
  automated_share: number;
  audited: number;
  audited_correct: number;
  /** Automated answers with 👎, an escalation or a re-contact. */
  negative_signals: number;
  /**
   * Whether the audits are enough to estimate precision ({@link MIN_AUDITS} or more). Until then `precision` (and the
   * automation and wrong-answer rates derived from it) rests on the prior, not on evidence: show "not estimated yet".
   */
  precision_estimated: boolean;
  /** Audits still needed before precision is estimated (0 once it is). */
  audits_needed: number;
  /** Estimated precision of automated answers and its 95% interval. */
  precision: number;
  precision_ci: [number, number];
  automation_rate: number;
  automation_rate_ci: [number, number];
  /** Automated share × (1 − precision): wrong automated answers per question. */
  wrong_answer_rate: number;
  handoff_rate: number;
  clarify_rate: number;
  /** Handoffs by reason, as shares of questions. */
  handoff_reasons: Record<string, number>;
}

/** True for a turn that is a customer's question (not a button press: those carry no NLU timing). */
export const isQuestion = (t: TurnRecord) => t.nlu_ms !== undefined;
export const isAutomated = (t: TurnRecord) => t.decision === 'answer';
export const hasNegativeSignal = (t: TurnRecord) => t.feedback === 'down' || t.escalated || t.recontact;

/** A Gamma(shape, 1) draw (Marsaglia–Tsang; shape < 1 boosted). */
function gamma(rng: Random, shape: number): number {
  if (shape < 1) return gamma(rng, shape + 1) * rng.next() ** (1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = rng.normal();
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = rng.next();
    if (u < 1 - 0.0331 * x ** 4 || Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}

function beta(rng: Random, a: number, b: number): number {
  const x = gamma(rng, a);
  return x / (x + gamma(rng, b));
}

const quantile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.floor(p * (sorted.length - 1) + 0.5)))];

/** Automated answers of one stratum and their audits. */
export interface Stratum {
  size: number;
  audited: number;
  correct: number;
}

/** What the estimate needs of a set of turns: counts, so that a huge log can be read in pages and by group. */
export interface AutomationCounts {
  questions: number;
  automated: number;
  /** [without a negative signal, with one]. */
  strata: [Stratum, Stratum];
  clarified: number;
  handoffs: Record<string, number>;
}

export function emptyCounts(): AutomationCounts {
  const s = () => ({ size: 0, audited: 0, correct: 0 });
  return { questions: 0, automated: 0, strata: [s(), s()], clarified: 0, handoffs: {} };
}

/** Adds one turn to the counts. */
export function countTurn(c: AutomationCounts, t: TurnRecord): void {
  const question = isQuestion(t);
  if (question) {
    c.questions++;
    if (t.decision === 'clarify') c.clarified++;
    if (t.decision === 'handoff') c.handoffs[t.reason] = (c.handoffs[t.reason] ?? 0) + 1;
  }
  if (isAutomated(t) && (question || t.reason === 'chosen')) {
    c.automated++;
    const s = c.strata[hasNegativeSignal(t) ? 1 : 0];
    s.size++;
    if (t.audit !== undefined) {
      s.audited++;
      if (t.audit === 'correct') s.correct++;
    }
  }
}

/** The estimate over a period's turns (see the module doc); `seed` makes the interval reproducible. */
export function estimateAutomation(turns: readonly TurnRecord[], seed = 1): AutomationEstimate {
  const c = emptyCounts();
  for (const t of turns) countTurn(c, t);
  return estimateFromCounts(c, seed);
}

/** The estimate from counts; `draws` Monte Carlo draws (default {@link DRAWS}). */
export function estimateFromCounts(c: AutomationCounts, seed = 1, draws = DRAWS): AutomationEstimate {
  const Q = c.questions;
  const A = Math.min(c.automated, Q);
  const strata = c.strata;
  const auditedN = strata[0].audited + strata[1].audited;
  const auditedCorrect = strata[0].correct + strata[1].correct;
  const total = strata[0].size + strata[1].size;

  // Point estimate: audited answers as judged, the rest at their stratum's posterior mean.
  const expectedCorrect = strata.reduce(
    (sum, s) => sum + s.correct + (s.size - s.audited) * ((s.correct + 0.5) / (s.audited + 1)),
    0,
  );
  // No automated answer: nothing to be right or wrong about, so the prior (½), as when audits are too few.
  const precision = total > 0 ? expectedCorrect / total : PRIOR_PRECISION;
  const share = Q > 0 ? A / Q : 0;

  const rng = new Random(seed);
  const precisions: number[] = [];
  const rates: number[] = [];
  for (let i = 0; i < draws && Q > 0; i++) {
    let correct = 0;
    for (const s of strata) {
      const p = beta(rng, s.correct + 0.5, s.audited - s.correct + 0.5);
      const rest = s.size - s.audited;
      const noise = Math.sqrt(Math.max(0, rest * p * (1 - p))) * rng.normal();
      correct += s.correct + Math.min(rest, Math.max(0, rest * p + noise));
    }
    const prec = total > 0 ? correct / total : 0;
    precisions.push(prec);
    rates.push(beta(rng, A + 0.5, Q - A + 0.5) * prec);
  }
  precisions.sort((a, b) => a - b);
  rates.sort((a, b) => a - b);
  const ci = (xs: number[]): [number, number] => (xs.length ? [quantile(xs, 0.025), quantile(xs, 0.975)] : [0, 0]);
  const precisionCi: [number, number] = total > 0 ? ci(precisions) : [0, 1];

  const handoffCount = Object.values(c.handoffs).reduce((a, b) => a + b, 0);
  const reasons: Record<string, number> = {};
  for (const [k, v] of Object.entries(c.handoffs)) reasons[k] = v / Q;

  return {
    questions: Q,
    automated: A,
    automated_share: share,
    audited: auditedN,
    audited_correct: auditedCorrect,
    negative_signals: strata[1].size,
    precision_estimated: auditedN >= MIN_AUDITS,
    audits_needed: Math.max(0, MIN_AUDITS - auditedN),
    precision,
    precision_ci: precisionCi,
    automation_rate: share * precision,
    automation_rate_ci: ci(rates),
    wrong_answer_rate: share * (1 - precision),
    handoff_rate: Q ? handoffCount / Q : 0,
    clarify_rate: Q ? c.clarified / Q : 0,
    handoff_reasons: reasons,
  };
}
