/**
 * Drift: is the traffic of a recent window still what the model was validated on? Three signals against the model's
 * baseline (`<model dir>/baseline.json`, written by `switchboard baseline` from its validation data):
 * - `confidence_psi`: population stability index of the top-intent confidence histogram (10 bins); above 0.25 is the
 *   usual "significant shift";
 * - `language_tvd`: total variation distance between the window's language mix and the validation mix;
 * - `low_confidence_excess`: the window's share of questions below the answer threshold (handoffs for low confidence
 *   or out of scope) minus the validation share at the same threshold.
 * A signal over its limit raises an alert (log, the `switchboard_drift` gauge, a message to the agents' surfaces)
 * when the state changes, not at every check.
 */

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { SwitchboardError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { OUT_OF_SCOPE } from '../nlu/intent/intent-example.ts';
import { isQuestion } from './automation-rate.ts';
import type { TurnLog, TurnRecord } from './turn-log.ts';

export const BASELINE_FILE = 'baseline.json';

export const BaselineSchema = z.object({
  /** Validation rows it was computed on, and their file. */
  n: z.number().int().positive(),
  data: z.string(),
  /** Share of rows per top-confidence bin [0, 0.1) … [0.9, 1]. */
  confidence_histogram: z.array(z.number().min(0)).length(10),
  /** Share of rows per language. */
  languages: z.record(z.string(), z.number().min(0)),
  /** The answer threshold the shares below were computed at, and the share of rows under it. */
  threshold: z.number().min(0).max(1),
  below_threshold: z.number().min(0).max(1),
});
export type Baseline = z.infer<typeof BaselineSchema>;

export const DRIFT_LIMITS = { confidence_psi: 0.25, language_tvd: 0.25, low_confidence_excess: 0.15 };
export type DriftSignal = keyof typeof DRIFT_LIMITS;

export interface DriftCheck {
  checked: true;
  at: string;
  /** False when the serving model has no baseline.json (nothing to compare with). */
  baseline: boolean;
  limits: typeof DRIFT_LIMITS;
  min_turns: number;
  window_turns: number;
  /** Too few questions in the window to judge. */
  insufficient: boolean;
  /** The signals of the window; empty when there is no baseline or too few questions (a value would mean nothing). */
  signals: Partial<Record<DriftSignal, number>>;
  drifting: DriftSignal[];
}

export function readBaseline(modelDir: string): Baseline | undefined {
  let text: string;
  try {
    text = readFileSync(join(modelDir, BASELINE_FILE), 'utf8');
  } catch {
    return undefined;
  }
  const parsed = BaselineSchema.safeParse(JSON.parse(text));
  if (!parsed.success)
    throw new SwitchboardError(
      'E_MODEL_FILE',
      'input',
      `${join(modelDir, BASELINE_FILE)}: ${parsed.error.issues[0]?.message}`,
    );
  return parsed.data;
}

export function writeBaseline(modelDir: string, b: Baseline): void {
  writeFileSync(join(modelDir, BASELINE_FILE), `${JSON.stringify(BaselineSchema.parse(b), null, 2)}\n`);
}

/** Ten-bin histogram of confidences, as shares. */
export function confidenceHistogram(scores: readonly number[]): number[] {
  const h = new Array(10).fill(0);
  for (const s of scores) h[Math.min(9, Math.max(0, Math.floor(s * 10)))]++;
  return h.map((c) => (scores.length ? c / scores.length : 0));
}

/** Population stability index between two share vectors (ε keeps empty bins finite). */
export function psi(expected: readonly number[], actual: readonly number[], eps = 1e-4): number {
  let sum = 0;
  for (let i = 0; i < expected.length; i++) {
    const e = Math.max(eps, expected[i]);
    const a = Math.max(eps, actual[i] ?? 0);
    sum += (a - e) * Math.log(a / e);
  }
  return sum;
}

/** Total variation distance between two distributions over keys. */
export function tvd(p: Record<string, number>, q: Record<string, number>): number {
  const keys = new Set([...Object.keys(p), ...Object.keys(q)]);
  let sum = 0;
  for (const k of keys) sum += Math.abs((p[k] ?? 0) - (q[k] ?? 0));
  return sum / 2;
}

/** The signals of a window of turns against a baseline (questions only). */
export function driftSignals(
  turns: readonly TurnRecord[],
  b: Baseline,
  threshold: number,
): Record<DriftSignal, number> {
  const q = turns.filter(isQuestion);
  const scores = q.map((t) => t.intents[0]?.score ?? 0);
  const langs: Record<string, number> = {};
  for (const t of q) if (t.language) langs[t.language] = (langs[t.language] ?? 0) + 1 / q.length;
  // As the baseline counts: below the threshold, or out_of_scope on top (a rejection either way).
  const rejected = (t: TurnRecord) => (t.intents[0]?.score ?? 0) < threshold || t.intents[0]?.intent === OUT_OF_SCOPE;
  const below = q.length ? q.filter(rejected).length / q.length : 0;
  return {
    confidence_psi: psi(b.confidence_histogram, confidenceHistogram(scores)),
    language_tvd: tvd(b.languages, langs),
    low_confidence_excess: below - b.below_threshold,
  };
}

export interface DriftMonitorOptions {
  turns: TurnLog;
  baseline: () => Baseline | undefined;
  threshold: () => number;
  log: Logger;
  /** Sets the gauge and tells the agents. */
  onSignals?: (signals: Record<DriftSignal, number>) => void;
  onAlert?: (message: string) => Promise<void>;
  windowMs?: number;
  minTurns?: number;
  now?: () => number;
}

export class DriftMonitor {
  last: DriftCheck | undefined;
  private alerting = new Set<DriftSignal>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly o: DriftMonitorOptions) {}

  async check(): Promise<DriftCheck | undefined> {
    const baseline = this.o.baseline();
    const now = (this.o.now ?? Date.now)();
    const minTurns = this.o.minTurns ?? 200;
    if (!baseline) {
      this.last = {
        checked: true,
        at: new Date(now).toISOString(),
        baseline: false,
        limits: DRIFT_LIMITS,
        min_turns: minTurns,
        window_turns: 0,
        insufficient: true,
        signals: {},
        drifting: [],
      };
      return this.last;
    }
    const turns = await this.o.turns.range(now - (this.o.windowMs ?? 24 * 3_600_000), now + 1, 20_000);
    const questions = turns.filter(isQuestion).length;
    const insufficient = questions < minTurns;
    // Too few questions: no signal is computed (a PSI over an empty or tiny window is noise, not a measurement).
    const signals = insufficient ? undefined : driftSignals(turns, baseline, this.o.threshold());
    const drifting = signals
      ? (Object.keys(DRIFT_LIMITS) as DriftSignal[]).filter((k) => signals[k] > DRIFT_LIMITS[k])
      : [];
    this.last = {
      checked: true,
      at: new Date(now).toISOString(),
      baseline: true,
      limits: DRIFT_LIMITS,
      min_turns: minTurns,
      window_turns: questions,
      insufficient,
      signals: signals ?? {},
      drifting,
    };
    if (signals) this.o.onSignals?.(signals);
    const fresh = drifting.filter((s) => !this.alerting.has(s));
    this.alerting = new Set(drifting);
    if (fresh.length > 0) {
      const detail = fresh.map((s) => `${s} ${signals?.[s]?.toFixed(3)} (limit ${DRIFT_LIMITS[s]})`).join(', ');
      this.o.log.warn('drift_alert', { signals: fresh, questions });
      await this.o.onAlert?.(
        `Drift: the last ${questions} questions differ from the model's validation data: ${detail}.`,
      );
    }
    return this.last;
  }

  /** Checks now and then every `intervalMs` (default 10 minutes). */
  start(intervalMs = 10 * 60_000): void {
    void this.check().catch((e) => this.o.log.warn('drift_check_failed', { message: (e as Error).message }));
    this.timer = setInterval(
      () => void this.check().catch((e) => this.o.log.warn('drift_check_failed', { message: (e as Error).message })),
      intervalMs,
    );
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
