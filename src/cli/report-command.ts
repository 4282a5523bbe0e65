/**
 * `switchboard report [--since 7d] [--until now] [--store FILE] [--json]`: the automation report over the turn log
 * (PostgreSQL with DATABASE_URL, else the SQLite file, default data/switchboard.db). Without `--json`, a table.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readEnvConfig } from '../config/env-config.ts';
import { SwitchboardError } from '../errors.ts';
import { type AutomationReport, automationReport, parseTime } from '../metrics/automation-report.ts';
import { openStores } from '../server/open-stores.ts';
import { parseCommandArgs } from './cli-args.ts';

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

/** The report as a short text table. */
export function formatReport(r: AutomationReport): string {
  const [lo, hi] = r.automation_rate_ci;
  const lines = [
    `switchboard automation report ${r.since.slice(0, 16)} → ${r.until.slice(0, 16)}`,
    `questions ${r.questions}, automated ${r.automated} (${pct(r.automated_share)}), audited ${r.audited}`,
    r.precision_estimated
      ? `automation rate ${pct(r.automation_rate)} (95% interval ${pct(lo)}–${pct(hi)}); precision ${pct(r.precision)} (${pct(r.precision_ci[0])}–${pct(r.precision_ci[1])})`
      : `automation rate at most ${pct(r.automated_share)} (the automated share); precision not estimated yet — audit ${r.audits_needed} more answers`,
    `${r.precision_estimated ? `wrong answers ${pct(r.wrong_answer_rate)}, ` : ''}handoffs ${pct(r.handoff_rate)}, clarifications ${pct(r.clarify_rate)}`,
    `handoff reasons: ${
      Object.entries(r.handoff_reasons)
        .sort((a, b) => b[1] - a[1])
        .map(([k, v]) => `${k} ${pct(v)}`)
        .join(', ') || '—'
    }`,
    `latency p50 ${r.latency_ms.p50.toFixed(1)} ms, p99 ${r.latency_ms.p99.toFixed(1)} ms`,
    '',
    'by intent (questions, automation rate [95%], or "≤ automated share" while its precision is not estimated):',
    ...r.by_intent
      .slice(0, 20)
      .map(
        (g) =>
          `  ${g.key.padEnd(28)} ${String(g.questions).padStart(6)}  ${
            g.automated === 0
              ? 'no automated answers (handed off or clarified: nothing to audit)'
              : g.precision_estimated
                ? `${pct(g.automation_rate).padStart(6)} [${pct(g.automation_rate_ci[0])}–${pct(g.automation_rate_ci[1])}]`
                : `≤ ${pct(g.automated_share)} (audit ${g.audits_needed} more)`
          }`,
      ),
  ];
  return `${lines.join('\n')}\n`;
}

export async function reportCommand(args: string[]): Promise<number> {
  const { values } = parseCommandArgs(
    args,
    { since: { type: 'string' }, until: { type: 'string' }, store: { type: 'string' }, json: { type: 'boolean' } },
    'report',
  );
  const now = Date.now();
  let since: number;
  let until: number;
  try {
    since = parseTime(values.since ?? '7d', now);
    until = values.until ? parseTime(values.until, now) : now + 1;
  } catch (e) {
    throw new SwitchboardError('E_ARGS', 'input', `report: ${(e as Error).message}`);
  }
  if (until < since)
    throw new SwitchboardError(
      'E_ARGS',
      'input',
      values.until
        ? 'report: --until is before --since'
        : `report: --since ${values.since} is in the future (no turns can be after it yet)`,
    );
  const env = readEnvConfig();
  const file = values.store ?? join('data', 'switchboard.db');
  if (!env.databaseUrl && !existsSync(file))
    throw new SwitchboardError(
      'E_STORE_OPEN',
      'input',
      `report: no store at ${file} (start the server first, or --store)`,
    );
  const stores = await openStores({ databaseUrl: env.databaseUrl, sqliteFile: file });
  try {
    const report = await automationReport(stores.turns, since, until);
    process.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
  } finally {
    await stores.close();
  }
  return 0;
}
