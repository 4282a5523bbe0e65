/**
 * Prometheus metrics (`GET /metrics`, prom-client): turns by channel and decision, NLU latency per stage, turn latency,
 * open handoffs, handoff wait time, the model version, drift signals. Observed in process; open handoffs are counted
 * in the store at scrape time (right across several server processes on one database).
 */
import client from 'prom-client';
import type { AgentSurface, TicketEvent } from '../handoff/handoff-service.ts';
import type { HandoffStore } from '../handoff/handoff-store.ts';
import type { Understanding } from '../nlu/understanding.ts';
import type { Decision } from '../router/decision.ts';
import type { Turn } from '../turn.ts';

const MS_BUCKETS = [0.25, 0.5, 1, 2, 5, 10, 25, 50, 100, 250, 1000].map((ms) => ms / 1000);

export class Metrics implements AgentSurface {
  readonly name = 'metrics';
  readonly registry = new client.Registry();
  private readonly turns: client.Counter<'channel' | 'decision' | 'reason'>;
  private readonly stage: client.Histogram<'stage'>;
  private readonly turnSeconds: client.Histogram<'channel'>;
  private readonly wait: client.Histogram;
  private readonly model: client.Gauge<'version'>;
  readonly drift: client.Gauge<'signal'>;
  private openCounts: { queued: number; claimed: number } = { queued: 0, claimed: 0 };

  constructor(handoffs?: HandoffStore) {
    const registers = [this.registry];
    this.turns = new client.Counter({
      name: 'switchboard_turns_total',
      help: 'Customer turns by channel, decision and reason',
      labelNames: ['channel', 'decision', 'reason'],
      registers,
    });
    this.stage = new client.Histogram({
      name: 'switchboard_nlu_stage_seconds',
      help: 'NLU latency per stage (language, intent, entities, total)',
      labelNames: ['stage'],
      buckets: MS_BUCKETS,
      registers,
    });
    this.turnSeconds = new client.Histogram({
      name: 'switchboard_turn_seconds',
      help: 'From a turn reaching the handler to its reply being sent',
      labelNames: ['channel'],
      buckets: MS_BUCKETS,
      registers,
    });
    this.wait = new client.Histogram({
      name: 'switchboard_handoff_wait_seconds',
      help: 'How long tickets waited in the queue before an agent claimed them',
      buckets: [5, 15, 30, 60, 120, 300, 600, 1800, 3600],
      registers,
    });
    this.model = new client.Gauge({
      name: 'switchboard_model_info',
      help: 'The intent model serving (1 for the current version)',
      labelNames: ['version'],
      registers,
    });
    this.drift = new client.Gauge({
      name: 'switchboard_drift',
      help: 'Drift signals of the last window against the model baseline (see docs/measurement.md)',
      labelNames: ['signal'],
      registers,
    });
    const self = this;
    new client.Gauge({
      name: 'switchboard_open_handoffs',
      help: 'Open handoff tickets by status',
      labelNames: ['status'],
      registers,
      async collect() {
        if (handoffs) {
          try {
            self.openCounts = await handoffs.countOpen();
          } catch {
            // the database is down: keep the last counts (the health check says it)
          }
        }
        this.set({ status: 'queued' }, self.openCounts.queued);
        this.set({ status: 'claimed' }, self.openCounts.claimed);
      },
    });
  }

  /** The version now serving (the previous one's series drops to 0). */
  setModel(version: string): void {
    this.model.reset();
    this.model.set({ version }, 1);
  }

  observeTurn(turn: Turn, decision: Decision, u: Understanding | undefined, seconds: number): void {
    this.turns.inc({ channel: turn.channel, decision: decision.kind, reason: decision.reason });
    this.turnSeconds.observe({ channel: turn.channel }, seconds);
    if (u && u.timings.total_ms > 0) {
      const t = u.timings;
      this.stage.observe({ stage: 'language' }, t.language_ms / 1000);
      this.stage.observe({ stage: 'intent' }, t.intent_ms / 1000);
      this.stage.observe({ stage: 'entities' }, t.entities_ms / 1000);
      this.stage.observe({ stage: 'total' }, t.total_ms / 1000);
    }
  }

  async notify(event: TicketEvent): Promise<void> {
    if (event.kind === 'claimed' && event.ticket.claimed_at !== undefined)
      this.wait.observe(Math.max(0, (event.ticket.claimed_at - event.ticket.created_at) / 1000));
  }

  async scrape(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
