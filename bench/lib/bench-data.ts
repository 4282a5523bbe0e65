/**
 * The benchmark's dataset registry: names on the command line → splits from bench/datasets.ts, the `--quick`
 * subsample, the validation split carved for tuning when a dataset has none, and JSONL export for the python peers.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { IntentExample } from '../../src/nlu/intent/intent-example.ts';
import {
  banking77,
  clinc150,
  type DatasetSplits,
  MULTI3_LANGUAGES,
  MULTILINGUAL_TOD_LANGUAGES,
  massive,
  multi3nlupp,
  multilingualTod,
} from '../datasets.ts';
import { shuffled } from './stats.ts';

const MULTI3 = Object.keys(MULTI3_LANGUAGES) as (keyof typeof MULTI3_LANGUAGES)[];

/** Every dataset `npm run bench` knows, in the order it runs them. */
export const DATASETS: Record<string, () => DatasetSplits> = {
  banking77: () => banking77(),
  clinc150: () => clinc150(true),
  'clinc150-no-oos-train': () => clinc150(false),
  massive: () => massive(),
  ...Object.fromEntries(MULTI3.map((l) => [`multi3nlupp-${l}`, () => multi3nlupp(l)])),
  ...Object.fromEntries(MULTILINGUAL_TOD_LANGUAGES.map((l) => [`multilingual-tod-${l}`, () => multilingualTod(l)])),
};

/** Sizes of the `--quick` subsample (smoke runs only: its numbers mean nothing). */
export const QUICK = { train: 3000, valid: 600, test: 1000 };

/** Loads a dataset by registry name; with `quick`, a seeded random subsample of each split. */
export function loadDataset(name: string, quick: boolean, seed: number): DatasetSplits {
  const load = DATASETS[name];
  if (!load) throw new Error(`unknown dataset ${name}; known: ${Object.keys(DATASETS).join(', ')}`);
  const ds = { ...load(), name };
  if (!quick) return ds;
  const cut = (xs: IntentExample[] | undefined, n: number) => (xs ? shuffled(xs, seed).slice(0, n) : undefined);
  return {
    ...ds,
    train: cut(ds.train, QUICK.train) ?? [],
    valid: cut(ds.valid, QUICK.valid),
    test: cut(ds.test, QUICK.test) ?? [],
  };
}

/** Labels of an example as a list (single-label data: one element). */
export function labelsOf(e: IntentExample): string[] {
  return Array.isArray(e.intent) ? e.intent : [e.intent];
}

/** The single label of an example (throws on multi-label data). */
export function labelOf(e: IntentExample): string {
  if (Array.isArray(e.intent)) throw new Error('expected single-label data');
  return e.intent;
}

/**
 * A split for tuning hyper-parameters: the dataset's own validation split, or else a seeded, stratified 10% of train
 * (`carved`: peers then retrain on all of train with the chosen settings).
 */
export function tuningSplit(
  ds: DatasetSplits,
  seed: number,
): { fit: IntentExample[]; valid: IntentExample[]; carved: boolean } {
  if (ds.valid) return { fit: ds.train, valid: ds.valid, carved: false };
  const byLabel = new Map<string, IntentExample[]>();
  for (const e of shuffled(ds.train, seed)) {
    const key = labelsOf(e).join('|');
    byLabel.set(key, [...(byLabel.get(key) ?? []), e]);
  }
  const fit: IntentExample[] = [];
  const valid: IntentExample[] = [];
  for (const group of byLabel.values()) {
    const n = Math.round(group.length * 0.1);
    valid.push(...group.slice(0, n));
    fit.push(...group.slice(n));
  }
  return { fit: shuffled(fit, seed + 1), valid, carved: true };
}

/** Writes examples as JSONL `{text, intent: string[], language}` (the python peers' input). */
export function writeJsonl(file: string, examples: readonly IntentExample[]): void {
  mkdirSync(dirname(file), { recursive: true });
  const lines = examples.map((e) => JSON.stringify({ text: e.text, intent: labelsOf(e), language: e.language ?? '' }));
  writeFileSync(file, `${lines.join('\n')}\n`);
}

/** Whether the dataset's test split has out-of-scope rows (CLINC150). */
export function hasOos(ds: DatasetSplits): boolean {
  return ds.mode === 'single' && ds.test.some((e) => e.intent === 'out_of_scope');
}
