/**
 * bench/results/language.json: every language-ID system's latest result, each with the run it came from, so
 * re-running one system replaces only its own entry. It has no `dataset` field, so the intent renderer's
 * `readAllResults` skips it.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LanguageMetrics } from '../../src/eval/language-metrics.ts';
import type { LanguageSet } from '../language-data.ts';
import type { RunInfo } from '../lib/results-file.ts';

/** The metrics of one system on one set, plus how many answers were `und` (all counted as wrong). */
export interface LanguageSetResult extends LanguageMetrics {
  und: number;
}

/** Everything one child reports (`bench/language/child.ts --out FILE`). */
export interface LanguageSystemResult {
  system: string;
  description: string;
  quick: boolean;
  seed: number;
  /** The 9 core languages (LANGUAGE_CONFIGS.core). */
  sets: Record<LanguageSet, LanguageSetResult>;
  /** The 13 languages of mixed scripts (LANGUAGE_CONFIGS.mixed); absent in results from before issue 16. */
  mixed?: Record<LanguageSet, LanguageSetResult>;
  /** Single `detect` calls on the chat set (shuffled, cycled if short), after `latency_warmup` untimed calls. */
  latency_p50_ms: number;
  latency_p99_ms: number;
  latency_mean_ms: number;
  latency_n: number;
  latency_warmup: number;
  /** Milliseconds to import the library (through tsx for switchboard's TypeScript) and construct the detector. */
  load_ms: number;
  /** Resident set size just before the system was loaded (node + tsx + the benchmark sets), in MiB. */
  rss_before_load_mb: number;
  /** Resident set size right after loading, in MiB. */
  rss_after_load_mb: number;
  /** Peak RSS of the child process after everything, in MiB (`process.resourceUsage().maxRSS / 1024`). */
  peak_rss_mb: number;
  settings: Record<string, unknown>;
  notes: string[];
  date: string;
}

/** A system's result with its run. */
export interface LanguageEntry extends LanguageSystemResult {
  run: RunInfo;
}

/** The content of bench/results/language.json. */
export interface LanguageResults {
  benchmark: 'language';
  languages: string[];
  /** Rows per set in the latest run. */
  set_sizes: Partial<Record<LanguageSet, number>>;
  /** Rows per set of the 13-language configuration in the latest run. */
  mixed_set_sizes?: Partial<Record<LanguageSet, number>>;
  machine: RunInfo;
  updated: string;
  systems: Record<string, LanguageEntry>;
}

/** The file name inside a results directory. */
export const LANGUAGE_RESULTS_FILE = 'language.json';

/** Reads `DIR/language.json`, if there is one. */
export function readLanguageResults(dir: string): LanguageResults | undefined {
  const file = join(dir, LANGUAGE_RESULTS_FILE);
  if (!existsSync(file)) return undefined;
  const data = JSON.parse(readFileSync(file, 'utf8')) as Partial<LanguageResults>;
  return data.benchmark === 'language' && data.systems ? (data as LanguageResults) : undefined;
}

/** Adds (or replaces) a system's entry in `DIR/language.json`. */
export function mergeLanguageResult(dir: string, entry: LanguageEntry, languages: readonly string[]): void {
  mkdirSync(dir, { recursive: true });
  const current: LanguageResults = readLanguageResults(dir) ?? {
    benchmark: 'language',
    languages: [...languages],
    set_sizes: {},
    machine: entry.run,
    updated: '',
    systems: {},
  };
  current.systems[entry.system] = entry;
  current.languages = [...languages];
  for (const [set, r] of Object.entries(entry.sets)) current.set_sizes[set as LanguageSet] = r.n;
  if (entry.mixed) {
    current.mixed_set_sizes = {};
    for (const [set, r] of Object.entries(entry.mixed)) current.mixed_set_sizes[set as LanguageSet] = r.n;
  }
  current.machine = entry.run;
  current.updated = new Date().toISOString();
  writeFileSync(join(dir, LANGUAGE_RESULTS_FILE), `${JSON.stringify(current, null, 2)}\n`);
}
