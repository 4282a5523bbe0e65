import { describe, expect, it } from 'vitest';
import type { SearchReport } from '../../../src/train/intent-search.ts';
import { trainIntentAuto } from '../../../src/train/intent-search.ts';
import { readIntentData } from '../../../src/train/read-intent-data.ts';

const shop = readIntentData('test/fixtures/data/shop-bot.jsonl').examples;

/** A clock that advances an hour every time it is read: every trial "takes" hours. */
function slowClock(): () => number {
  let now = 0;
  return () => {
    now += 3_600_000;
    return now;
  };
}

const ran = (r: SearchReport) => r.trials.map((t) => [t.candidate.name, t.skipped === undefined]);
const scores = (r: SearchReport) => r.trials.map((t) => t.score);

describe('the search budget counts work units, not seconds (issue 13)', () => {
  it('makes the same choice with a clock that runs hours per trial, at a budget that only just fits', async () => {
    const opts = { fixed: { seed: 2 }, workers: 1 };
    // An unbounded budget measures what each trial costs (units come from the data and the shapes).
    const free = (await trainIntentAuto(shop, undefined, { ...opts, budgetUnits: 1e9 })).search;
    expect(free.trials.every((t) => t.skipped === undefined && t.units > 0)).toBe(true);
    const [linear, ...deep] = free.trials.map((t) => t.units);
    // With workers: 1 the candidates run one at a time: the search's cost is the sum of the trials'.
    const needed = linear + deep.reduce((a, b) => a + b, 0);
    expect(free.spentUnits).toBeCloseTo(needed, 6);

    // Just enough budget, and a clock on which the linear trial alone took an hour: the deep pair still runs.
    const fits = (await trainIntentAuto(shop, undefined, { ...opts, budgetUnits: needed * 1.01, clock: slowClock() }))
      .search;
    expect(ran(fits)).toEqual(ran(free));
    expect(fits.chosen).toBe(free.chosen);
    expect(scores(fits)).toEqual(scores(free));
    expect(fits.trials.map((t) => t.units)).toEqual(free.trials.map((t) => t.units));
    expect(fits.seconds).toBeGreaterThan(3600); // the report times trials with the given clock

    // Just too little for the first deep candidate (and so for the larger second): both are skipped on the real
    // clock as on the slow one, and the linear member is chosen.
    expect(deep[1]).toBeGreaterThan(deep[0]);
    for (const clock of [undefined, slowClock()]) {
      const budgetUnits = linear + deep[0] * 0.99;
      const short = (await trainIntentAuto(shop, undefined, { ...opts, budgetUnits, clock })).search;
      expect(short.trials.map((t) => t.skipped === undefined)).toEqual([true, false, false]);
      expect(short.trials[1].skipped).toMatch(/^budget: ~[\d.]+ units more would pass/);
      expect(short.chosen).toBe('linear');
      expect(short.spentUnits).toBeCloseTo(linear, 6);
    }
  }, 240_000);
});
