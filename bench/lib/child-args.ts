/**
 * Command line of a system child: `tsx bench/systems/<system>.ts --dataset NAME --out FILE [--quick] [--seed N]`.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

/** What every system child is told by bench/run.ts. */
export interface ChildArgs {
  dataset: string;
  out: string;
  quick: boolean;
  seed: number;
  /** Scratch directory of this system and dataset (under the git-ignored bench/work/). */
  work: string;
}

/** The repository root. */
export const ROOT = resolve(import.meta.dirname, '..', '..');

/** Parses the child command line and creates its work directory. */
export function parseChildArgs(system: string, argv = process.argv.slice(2)): ChildArgs {
  const { values } = parseArgs({
    args: argv,
    options: {
      dataset: { type: 'string' },
      out: { type: 'string' },
      quick: { type: 'boolean', default: false },
      seed: { type: 'string', default: '13' },
    },
  });
  if (!values.dataset || !values.out) {
    throw new Error(`usage: tsx bench/systems/${system}.ts --dataset NAME --out FILE [--quick] [--seed N]`);
  }
  const work = join(ROOT, 'bench', 'work', values.quick ? 'quick' : 'full', values.dataset, system);
  mkdirSync(work, { recursive: true });
  return { dataset: values.dataset, out: resolve(values.out), quick: values.quick, seed: Number(values.seed), work };
}

/** The command line of a child that measures one system of a benchmark with its own systems (language, NER). */
export interface SystemChildArgs {
  system: string;
  out: string;
  quick: boolean;
  seed: number;
}

/** Parses `tsx <script> --system NAME --out FILE [--quick] [--seed N]`; NAME must be one of `systems`. */
export function parseSystemChildArgs(
  script: string,
  systems: readonly string[],
  argv = process.argv.slice(2),
): SystemChildArgs {
  const { values } = parseArgs({
    args: argv,
    options: {
      system: { type: 'string' },
      out: { type: 'string' },
      quick: { type: 'boolean', default: false },
      seed: { type: 'string', default: '13' },
    },
  });
  if (!values.system || !systems.includes(values.system) || !values.out) {
    throw new Error(`usage: tsx ${script} --system (${systems.join('|')}) --out FILE [--quick] [--seed N]`);
  }
  return { system: values.system, out: resolve(values.out), quick: values.quick, seed: Number(values.seed) };
}
