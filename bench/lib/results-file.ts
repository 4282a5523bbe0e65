/**
 * bench/results/<dataset>.json: every system's latest result on one dataset, each with the run it came from
 * (machine, date, command), so re-running one system replaces only its own entry.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import type { SystemResult } from './result.ts';

/** Where and when a result was measured. */
export interface RunInfo {
  /** Identifies one `npm run bench` invocation (its start time): only ratios within one run are comparable. */
  id: string;
  command: string;
  cpu: string;
  cores: number;
  memory_gb: number;
  node: string;
  python: string;
  git: string;
}

/** A system's result with its run. */
export interface ResultEntry extends SystemResult {
  run: RunInfo;
}

/** The content of bench/results/<dataset>.json. */
export interface DatasetResults {
  dataset: string;
  /** The machine of the latest run that wrote this file. */
  machine: RunInfo;
  updated: string;
  systems: Record<string, ResultEntry>;
}

/** Describes this machine and invocation. */
export function runInfo(command: string): RunInfo {
  const tryRun = (cmd: string, argv: string[]) => {
    try {
      return execFileSync(cmd, argv, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
    } catch {
      return 'unknown';
    }
  };
  return {
    id: new Date().toISOString(),
    command,
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memory_gb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    python: tryRun('/usr/bin/python3', ['--version']).replace('Python ', ''),
    git: tryRun('git', ['describe', '--always', '--dirty']),
  };
}

/** Adds (or replaces) a system's entry in the dataset's results file. */
export function mergeResult(dir: string, entry: ResultEntry): void {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${entry.dataset}.json`);
  const current: DatasetResults = existsSync(file)
    ? JSON.parse(readFileSync(file, 'utf8'))
    : { dataset: entry.dataset, machine: entry.run, updated: '', systems: {} };
  current.systems[entry.system] = entry;
  current.machine = entry.run;
  current.updated = new Date().toISOString();
  writeFileSync(file, `${JSON.stringify(current, null, 2)}\n`);
}

/** Reads every results file of a directory (other JSON files there, e.g. side experiments, are skipped). */
export function readAllResults(dir: string): DatasetResults[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as Partial<DatasetResults>)
    .filter((d): d is DatasetResults => typeof d.dataset === 'string' && !!d.systems && !!d.machine?.id);
}

/** The sentence that says how many `npm run bench` runs a table mixes (costs compare only within one run). */
export function runsSentence(entries: readonly { run: RunInfo }[]): string {
  const runs = [...new Set(entries.map((e) => e.run.id))];
  return runs.length > 1
    ? `Measured in ${runs.length} separate runs (${runs.join(', ')}): compare costs only within one run.`
    : `One run: ${runs[0]}.`;
}

/** The machine line under a table. */
export function machineLine(m: RunInfo): string {
  return `Machine: ${m.cpu}, ${m.cores} cores, ${m.memory_gb} GB, Node ${m.node}, commit ${m.git}.`;
}
