/**
 * The automation report over a period of the turn log: the overall estimate (automation rate with its interval,
 * wrong-answer, handoff and clarify rates, handoff reasons) and the same by intent, language, channel and day, plus
 * latency percentiles and the confidence histogram. Reads the log in pages, so a huge log costs memory per group, not
 * per turn.
 */
import {
  type AutomationCounts,
  type AutomationEstimate,
  countTurn,
  emptyCounts,
  estimateFromCounts,
  isQuestion,
} from './automation-rate.ts';
import type { TurnLog, TurnRecord } from './turn-log.ts';

/** Turns read per page. */
const PAGE = 20_000;
/** Monte Carlo draws of a group's interval (the overall one uses the default). */
const GROUP_DRAWS = 1000;

export interface GroupEstimate extends AutomationEstimate {
  key: string;
}

export interface AutomationReport extends AutomationEstimate {
  since: string;
  until: string;
  by_intent: GroupEstimate[];
  by_language: GroupEstimate[];
  by_channel: GroupEstimate[];
  by_day: GroupEstimate[];
  /** Milliseconds from a turn's arrival to its reply, over questions. */
  latency_ms: { p50: number; p99: number };
  nlu_ms: { p50: number; p99: number };
  /** Top-intent confidence of questions in ten bins [0, 0.1) … [0.9, 1]. */
  confidence_histogram: number[];
  model_versions: Record<string, number>;
}

/** Percentiles from a bounded reservoir (exact below its size). */
class Reservoir {
  private readonly values: number[] = [];
  private seen = 0;
  private state = 12345;
  constructor(private readonly size = 100_000) {}
  add(v: number): void {
    this.seen++;
    if (this.values.length < this.size) this.values.push(v);
    else {
      this.state = (this.state * 1103515245 + 12345) % 2 ** 31;
      const j = this.state % this.seen;
      if (j < this.size) this.values[j] = v;
    }
  }
  quantiles(): { p50: number; p99: number } {
    const s = [...this.values].sort((a, b) => a - b);
    const q = (p: number) => (s.length ? s[Math.min(s.length - 1, Math.floor(p * s.length))] : 0);
    return { p50: q(0.5), p99: q(0.99) };
  }
}

const day = (at: number) => new Date(at).toISOString().slice(0, 10);

/** The report for turns in [since, until). */
export async function automationReport(log: TurnLog, since: number, until: number): Promise<AutomationReport> {
  const overall = emptyCounts();
  const groups: Record<'intent' | 'language' | 'channel' | 'day', Map<string, AutomationCounts>> = {
    intent: new Map(),
    language: new Map(),
    channel: new Map(),
    day: new Map(),
  };
  const add = (kind: keyof typeof groups, key: string | undefined, t: TurnRecord) => {
    const k = key ?? '(none)';
    let c = groups[kind].get(k);
    if (!c) groups[kind].set(k, (c = emptyCounts()));
    countTurn(c, t);
  };
  const latency = new Reservoir();
  const nlu = new Reservoir();
  const histogram = new Array(10).fill(0);
  const versions: Record<string, number> = {};
  let cursor = since;
  let skipIds = new Set<string>();
  for (;;) {
    const raw = await log.range(cursor, until, PAGE);
    const page = raw.filter((t) => !skipIds.has(t.id));
    for (const t of page) {
      countTurn(overall, t);
      add('intent', t.intent ?? t.intents[0]?.intent, t);
      add('language', t.language, t);
      add('channel', t.channel, t);
      add('day', day(t.at), t);
      if (isQuestion(t)) {
        latency.add(t.latency_ms);
        if (t.nlu_ms !== undefined) nlu.add(t.nlu_ms);
        const score = t.intents[0]?.score;
        if (typeof score === 'number') histogram[Math.min(9, Math.max(0, Math.floor(score * 10)))]++;
        if (t.model_version) versions[t.model_version] = (versions[t.model_version] ?? 0) + 1;
      }
    }
    // The last page, or a page with nothing new (more than a page of turns in one millisecond: the rest is skipped).
    if (raw.length < PAGE || page.length === 0) break;
    // Next page from the last timestamp; turns at that same timestamp already read are skipped.
    const last = page[page.length - 1].at;
    skipIds = new Set(page.filter((t) => t.at === last).map((t) => t.id));
    cursor = last;
  }
  const byGroup = (kind: keyof typeof groups) =>
    [...groups[kind].entries()]
      .map(([key, c], i) => ({ key, ...estimateFromCounts(c, i + 2, GROUP_DRAWS) }))
      .sort((a, b) => (kind === 'day' ? a.key.localeCompare(b.key) : b.questions - a.questions));
  return {
    since: new Date(since).toISOString(),
    until: new Date(until).toISOString(),
    ...estimateFromCounts(overall, 1),
    by_intent: byGroup('intent'),
    by_language: byGroup('language'),
    by_channel: byGroup('channel'),
    by_day: byGroup('day'),
    latency_ms: latency.quantiles(),
    nlu_ms: nlu.quantiles(),
    confidence_histogram: histogram,
    model_versions: versions,
  };
}

/** The largest time, in ms from the epoch, a JavaScript Date can represent. */
const MAX_DATE_MS = 8.64e15;

/** `--since` / `--until`: an ISO date or time, or a duration back from now (`7d`, `24h`, `30m`). */
export function parseTime(value: string, now = Date.now()): number {
  const rel = /^(\d+(?:\.\d+)?)([dhm])$/.exec(value.trim());
  const t = rel
    ? now - Number(rel[1]) * { d: 86_400_000, h: 3_600_000, m: 60_000 }[rel[2] as 'd' | 'h' | 'm']
    : Date.parse(value);
  // A time a Date can hold (±8.64e15 ms, about 273,000 years): `99999999999999999999d` is refused, not a crash later.
  if (!Number.isFinite(t) || Math.abs(t) > MAX_DATE_MS)
    throw new Error(`not a time: ${JSON.stringify(value.slice(0, 100))} (use 2026-11-01, 2026-11-01T09:00Z, 7d, 24h)`);
  return t;
}
