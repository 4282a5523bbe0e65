import { rmSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isSwitchboardError } from '../../../src/errors.ts';
import { featurize } from '../../../src/nlu/features/featurize.ts';
import { forwardReference } from '../../../src/nlu/intent/forward-reference.ts';
import { crossValidateIntent, effectiveFolds, meanStd } from '../../../src/train/cross-validate-intent.ts';
import {
  dataDefaults,
  defaultBudget,
  estimateModelBytes,
  LINEAR_C_SEARCH_GRID,
  MODEL_BYTES_BUDGET,
  pickCandidate,
  pickLinearC,
  rowPlan,
  rowWorth,
  TOWER_BYTES_SHARE,
} from '../../../src/train/intent-search.ts';
import { readIntentData } from '../../../src/train/read-intent-data.ts';
import {
  BACKGROUND_TRAIN_RATIO,
  BACKGROUND_TRAIN_RATIO_MULTI,
  checkSomethingHeldOut,
  checkTrainable,
  checkValidation,
  DEFAULT_MAX_IN_SCOPE_LOSS,
  featurizerFor,
  LARGE_BOT_INTENTS,
  maxInScopeLossFor,
  PUNCTUATED_MIN,
  SMALL_BOT_INTENTS,
  SMALL_BOT_MAX_IN_SCOPE_LOSS,
  trainIntentDefault,
} from '../../../src/train/train-intent-default.ts';
import type { TrainedIntentModel } from '../../../src/train/train-intent-types.ts';
import { backgroundDir } from '../../fixtures/background-dir.ts';

const shop = readIntentData('test/fixtures/data/shop-bot.jsonl').examples;

function top(model: TrainedIntentModel, text: string): { intent: string; score: number; rejected: boolean } {
  const [p] = forwardReference(model.weights, [model.vocabulary.map(featurize(text, model.featurizer))]);
  let k = 0;
  for (let c = 1; c < p.length; c++) if (p[c] > p[k]) k = c;
  const intent = model.weights.labels[k];
  return { intent, score: p[k], rejected: intent === 'out_of_scope' || p[k] < (model.threshold ?? 0) };
}

describe('trainIntentDefault (what `train intent` runs with no shape flags)', () => {
  it('a 5-intent bot from 60 examples: answers its intents, refuses other topics, records its choices', async () => {
    const lines: string[] = [];
    const r = await trainIntentDefault(shop, undefined, { fixed: { seed: 1 }, log: (l) => lines.push(l) });
    const m = r.trained;
    // The background corpus trained an out-of-scope class and chose the rejection rule.
    expect(m.weights.labels).toContain('out_of_scope');
    expect(m.threshold).toBeTypeOf('number');
    expect(r.oos.source).toBe('background');
    expect(r.oos.heldOut).toBeGreaterThan(100);
    expect(r.oos.recall).toBeGreaterThan(0.7);
    expect(r.background?.languages).toEqual(['en']);
    // Every candidate tried (small data: no budget skips), the choice logged.
    expect(r.search.trials.map((t) => t.candidate.name)).toEqual([
      'linear',
      'linear + 64-dim bag, hidden 256',
      'linear + 128-dim bag, hidden 256',
    ]);
    expect(r.search.trials.every((t) => t.score !== undefined)).toBe(true);
    expect(lines.some((l) => l.startsWith('search: chose '))).toBe(true);
    // A 5-intent bot: the threshold may cost the small bot's budget of correct held-out answers, and says so.
    expect(lines).toContain(
      'answer threshold: may cost at most 3% of the correct held-out answers (5 intents; 1% from 50, 3% up to 20)',
    );
    // The shop bot writes without punctuation: no punctuation tokens, and the choice is logged.
    expect(m.featurizer.punctuation).toBeUndefined();
    expect(lines.some((l) => /^features: punctuation marks are not tokens/.test(l))).toBe(true);
    // Five towers on five folds: every example was held out once (plus the held-out background lines).
    expect(m.validation.n).toBeGreaterThanOrEqual(shop.length);
    // As served, a rejected in-scope row is wrong: never above the top label's; off-topic rows count when rejected.
    const v = m.validation;
    expect(v.servedInScopeAccuracy).toBeLessThanOrEqual(v.inScopeAccuracy!);
    expect(v.servedInScopeAccuracy).toBeGreaterThan(0.5);
    const rows = v.inScopeRows! + v.oosRows!;
    expect(v.servedAccuracy).toBeCloseTo(
      (v.servedInScopeAccuracy! * v.inScopeRows! + v.oosRecall! * v.oosRows!) / rows,
      6,
    );
    for (const [text, intent] of [
      ['I would like my money back please', 'refund_request'],
      ['where is my package', 'order_status'],
      ['please cancel my purchase', 'cancel_order'],
    ]) {
      const t = top(m, text);
      expect(t.intent).toBe(intent);
      expect(t.rejected).toBe(false);
    }
    // Off-topic messages: those in other languages are refused; English ones mostly (the held-out recall above is the
    // measured rate; a 60-example bot still answers some "what is …" questions with its broadest intent).
    for (const text of ['Ich habe heute keine Zeit', 'Il fait très beau aujourd’hui', 'Mi hermano vive en Madrid']) {
      expect(top(m, text).rejected, text).toBe(true);
    }
    const english = [
      'tell me a joke',
      'what is the capital of France',
      'I love playing the guitar',
      'how tall is the eiffel tower',
      'my cat sleeps all day',
      'what time is the football match tonight',
    ];
    expect(english.filter((t) => top(m, t).rejected).length).toBeGreaterThanOrEqual(2);
  }, 180_000);

  it("the threshold's in-scope budget: larger for a bot with few intents, 1% from 50 intents, linear between", () => {
    expect(maxInScopeLossFor(2)).toBe(SMALL_BOT_MAX_IN_SCOPE_LOSS);
    expect(maxInScopeLossFor(SMALL_BOT_INTENTS)).toBe(SMALL_BOT_MAX_IN_SCOPE_LOSS);
    expect(maxInScopeLossFor(LARGE_BOT_INTENTS)).toBe(DEFAULT_MAX_IN_SCOPE_LOSS);
    expect(maxInScopeLossFor(150)).toBe(DEFAULT_MAX_IN_SCOPE_LOSS);
    const mid = maxInScopeLossFor((SMALL_BOT_INTENTS + LARGE_BOT_INTENTS) / 2);
    expect(mid).toBeCloseTo((SMALL_BOT_MAX_IN_SCOPE_LOSS + DEFAULT_MAX_IN_SCOPE_LOSS) / 2, 10);
    expect(maxInScopeLossFor(30)).toBeGreaterThan(maxInScopeLossFor(40));
  });

  it('punctuation marks become features only when enough of the examples have any', () => {
    const plain = [{ text: 'where is my parcel', intent: 'a' }];
    const asked = [
      { text: 'where is my parcel?', intent: 'a' },
      { text: 'I want a refund.', intent: 'b' },
      { text: 'cancel it', intent: 'c' },
    ];
    expect(featurizerFor(plain).punctuation).toBeUndefined();
    expect(featurizerFor(asked).punctuation).toBe('all');
    expect(PUNCTUATED_MIN).toBeGreaterThan(1 / 10); // CLINC150's 9% stays off
  });

  it('without the background corpus: still a threshold (the least sure answers), marked as not measured', async () => {
    const r = await trainIntentDefault(shop, undefined, { fixed: { seed: 1, ensemble: 0 }, background: false });
    expect(r.trained.weights.labels).not.toContain('out_of_scope');
    expect(r.trained.threshold).toBeGreaterThan(0);
    expect(r.oos).toEqual({ source: 'none', heldOut: 0, maxInScopeLoss: 0.03 });
    // A fixed flag is not searched.
    expect(r.search.trials).toHaveLength(1);
    // The report lists what the flags fixed, and only that: not the product's own settings, and what the data's size
    // set is listed without the keys a flag overrode.
    expect(r.search.fixed).toEqual({ seed: 1, ensemble: 0 });
    expect(r.search.dataDefaults).not.toHaveProperty('ensemble');
    expect(r.search.dataDefaults).toHaveProperty('validFraction');
  }, 120_000);

  it('multi-label data trains with fewer background lines (rows with no label) and measures out-of-scope recall', async () => {
    const multi = shop.map((e) => ({ ...e, intent: [e.intent as string] }));
    const opts = { fixed: { seed: 1, ensemble: 0 } };
    const m = await trainIntentDefault(multi, undefined, opts);
    const s = await trainIntentDefault(shop, undefined, opts);
    // Lines in the bot's language (a few in other languages join them).
    const own = (r: typeof m) => (r.background?.trainLines ?? 0) - (r.background?.otherLanguageLines ?? 0);
    expect(own(m)).toBe(Math.round(BACKGROUND_TRAIN_RATIO_MULTI * shop.length));
    expect(own(s)).toBe(Math.round(BACKGROUND_TRAIN_RATIO * shop.length));
    expect(BACKGROUND_TRAIN_RATIO_MULTI).toBeLessThan(BACKGROUND_TRAIN_RATIO);
    // No out_of_scope label in multi-label models: the held-out background lines measure the threshold's recall.
    expect(m.trained.weights.labels).not.toContain('out_of_scope');
    expect(m.oos.source).toBe('background');
    expect(m.oos.heldOut).toBeGreaterThan(100);
    expect(m.oos.recall).toBeTypeOf('number');
    // An explicit ratio overrides the default.
    const none = await trainIntentDefault(multi, undefined, { ...opts, backgroundTrainRatio: 0 });
    expect(none.background?.trainLines).toBe(0);
  }, 120_000);

  it('reads the data’s language tags as the corpus writes them; no corpus line in the bot’s language is no measurement', async () => {
    const opts = { fixed: { seed: 1, ensemble: 0 } };
    const tagged = await trainIntentDefault(
      shop.map((e) => ({ ...e, language: 'en-US' })),
      undefined,
      opts,
    );
    expect(tagged.background?.languages).toEqual(['en']);
    expect(tagged.oos.source).toBe('background');
    expect(tagged.oos.heldOut).toBeGreaterThan(100);
    // A corpus with German lines only: the English bot's off-topic messages cannot be measured, and it says so.
    const german = backgroundDir(Array.from({ length: 60 }, (_, i) => `Die Katze schläft am Fenster Nummer ${i}.\tde`));
    try {
      const lines: string[] = [];
      const r = await trainIntentDefault(
        shop.map((e) => ({ ...e, language: 'en' })),
        undefined,
        { ...opts, background: german, log: (l) => lines.push(l) },
      );
      expect(r.background?.unmatched).toEqual(['en']);
      expect(r.background?.heldLines).toBe(0);
      expect(r.oos).toEqual({ source: 'none', heldOut: 0, maxInScopeLoss: expect.any(Number) });
      expect(lines.some((l) => /the corpus has no lines in en .*not measured/.test(l))).toBe(true);
    } finally {
      rmSync(german, { recursive: true, force: true });
    }
  });

  it('refuses data no model can learn from, naming the problem', async () => {
    const expectDataError = (f: () => void, pattern: RegExp) => {
      try {
        f();
        expect.unreachable();
      } catch (e) {
        expect(isSwitchboardError(e, 'E_DATA')).toBe(true);
        expect((e as Error).message).toMatch(pattern);
      }
    };
    expectDataError(() => checkTrainable(shop.slice(0, 4)), /only 4 example\(s\): at least 5/);
    expectDataError(() => checkTrainable(shop.slice(0, 12)), /only one intent \('refund_request'\)/);
    expectDataError(
      () => checkTrainable(shop.slice(0, 6).map((e) => ({ ...e, intent: 'out_of_scope' }))),
      /no intent labels/,
    );
    await expect(trainIntentDefault(shop.slice(0, 3), undefined)).rejects.toThrow(/at least 5/);
    // Validation with nothing to keep: only out-of-scope rows, or only intents the training data lacks.
    const offTopic = shop.slice(0, 3).map((e) => ({ ...e, intent: 'out_of_scope' }));
    expectDataError(() => checkValidation(offTopic, shop), /validation data: no in-scope rows \(3 out-of-scope\)/);
    expectDataError(
      () => checkValidation([{ text: 'gift card balance', intent: 'gift_cards' }], shop),
      /no row of an intent the training data has/,
    );
    expect(() => checkValidation([...offTopic, shop[0]], shop)).not.toThrow();
    await expect(trainIntentDefault(shop, offTopic)).rejects.toThrow(/no in-scope rows/);
    // One example per intent and no validation file: nothing to hold out, nothing to measure the model on.
    const singles = [...new Map(shop.map((e) => [e.intent, e])).values()];
    expect(singles.length).toBeGreaterThanOrEqual(2);
    expectDataError(() => checkSomethingHeldOut(singles), /every intent has a single example/);
    await expect(trainIntentDefault(singles, undefined)).rejects.toThrow(/every intent has a single example/);
    expect(() => checkSomethingHeldOut([...singles, { ...singles[0], text: 'another one' }])).not.toThrow();
  });
});

describe('search settings', () => {
  it('scale with the data', () => {
    expect(dataDefaults(60, 'single')).toMatchObject({ ensemble: 5, validFraction: 0.2 });
    expect(dataDefaults(10_000, 'single')).toMatchObject({ ensemble: 2, validFraction: 0.1, maxEpochs: 12 });
    expect(dataDefaults(2_000, 'multi')).toMatchObject({ maxEpochs: 40, patience: 5 });
    expect(defaultBudget(0)).toBe(60);
    expect(defaultBudget(10_000)).toBe(260);
    expect(defaultBudget(1e6)).toBe(600);
    const c = { name: 'x', dim: 64, hidden: 256, ensemble: 2 };
    expect(estimateModelBytes(10_000, c, 10, true)).toBe(10_000 * (128 + 10 + 16) + 2 * (64 * 256 + 256 * 10) * 4);
    expect(estimateModelBytes(10_000, c, 10, true, 2_000)).toBe(
      10_000 * (10 + 24) + 2_000 * (128 + 4) + 2 * (64 * 256 + 256 * 10) * 4,
    );
  });

  it('splits the feature rows between the members only when the size budget binds', () => {
    const towers = { name: 'x', dim: 128, hidden: 256, ensemble: 2 };
    const linearOnly = { name: 'linear', dim: 0, hidden: 0, ensemble: 0 };
    // Few features: every member keeps them all.
    expect(rowPlan(towers, 60, true, 20_000)).toEqual({ rows: 20_000 });
    expect(rowPlan(linearOnly, 60, true, 20_000)).toEqual({ rows: 20_000 });
    // Many features (MASSIVE-like: 60 labels, 288,000 features): the towers' tables take their share of the budget,
    // the linear member the rest; the plan fills the budget and never passes it.
    const plan = rowPlan(towers, 60, true, 288_000);
    expect(plan.towerRows).toBeDefined();
    expect(plan.towerRows!).toBeLessThan(plan.rows);
    const bytes = estimateModelBytes(plan.rows, towers, 60, true, plan.towerRows);
    expect(bytes).toBeLessThanOrEqual(MODEL_BYTES_BUDGET);
    expect(bytes).toBeGreaterThan(MODEL_BYTES_BUDGET - 2 * (60 + 24) - 260);
    const towerBytes = plan.towerRows! * (2 * 128 + 4);
    expect(towerBytes).toBeLessThanOrEqual(TOWER_BYTES_SHARE * MODEL_BYTES_BUDGET);
    // Without a linear member there is nothing to split; the linear member alone keeps as many rows as fit.
    expect(rowPlan(towers, 60, false, 288_000).towerRows).toBeUndefined();
    expect(rowPlan(linearOnly, 60, true, 288_000).rows).toBe(Math.floor(MODEL_BYTES_BUDGET / (60 + 16)));
    // The linear member cannot use its share (fewer features than it could keep): the towers get the rest back.
    const onlyShared = Math.floor((MODEL_BYTES_BUDGET - estimateModelBytes(0, towers, 60, true)) / (2 * 128 + 60 + 16));
    expect(plan.rows).toBeGreaterThan(onlyShared); // the split gives the linear member more rows
    const tight = rowPlan(towers, 60, true, 2 * onlyShared);
    expect(tight.rows).toBe(2 * onlyShared);
    expect(tight.towerRows).toBeGreaterThan((TOWER_BYTES_SHARE * MODEL_BYTES_BUDGET) / 260);
    expect(estimateModelBytes(tight.rows, towers, 60, true, tight.towerRows)).toBeGreaterThan(MODEL_BYTES_BUDGET - 300);
    // Fewer than twice the features that fit in every member: no split, the most frequent rows that fit.
    expect(rowPlan(towers, 60, true, 2 * onlyShared - 1)).toEqual({ rows: onlyShared });
    // Thousands of labels: the linear member's floor of rows would leave the towers nothing; no split then.
    const many = rowPlan(towers, 5000, true, 1e6);
    expect(many.towerRows).toBeUndefined();
    expect(many.rows).toBeGreaterThan(0);
    // A fixed --tower-rows: the linear member gets what the budget leaves.
    const fixed = rowPlan(towers, 60, true, 288_000, 5_000);
    expect(fixed.towerRows).toBe(5_000);
    expect(estimateModelBytes(fixed.rows, towers, 60, true, 5_000)).toBeLessThanOrEqual(MODEL_BYTES_BUDGET);
  });

  it("a larger candidate wins only by more than one held-out row's worth in the score's own weights", () => {
    // 608 held-out rows: 77.94 vs 77.85 is half a row — noise; the cheaper (first) candidate stays.
    expect(pickCandidate([{ score: 0.7785 }, { score: 0.7794 }], 1 / 608)).toBe(0);
    expect(pickCandidate([{ score: 0.7785 }, { score: 0.7794 }], 1 / 20_000)).toBe(1);
    expect(pickCandidate([{ score: 0.8 }, { score: undefined }, { score: 0.9 }], 1 / 100)).toBe(2);
    expect(pickCandidate([{ score: undefined }, { score: 0.5 }], 1 / 100)).toBe(1);
    // A small bot: 70 in-scope rows weighted 0.8 and 500 background rows weighted 0.2. One in-scope row is worth
    // 1.14 points, not 1/570 = 0.18: a 0.27-point gain (say 2 in-scope rows more, 50 off-topic rows fewer refused) is
    // noise.
    const v = { n: 570, nll: 0, objective: 0.81, inScopeRows: 70, oosRows: 500 };
    expect(rowWorth(v, 0.2)).toBeCloseTo(0.8 / 70, 12);
    expect(pickCandidate([{ score: 0.8123 }, { score: 0.815 }], rowWorth(v, 0.2))).toBe(0);
    expect(pickCandidate([{ score: 0.8123 }, { score: 0.83 }], rowWorth(v, 0.2))).toBe(1);
    // Multi-label: one of the data's own rows micro-F1 is computed on (background rows are not among them).
    expect(rowWorth({ n: 570, nll: 0, microF1: 0.8, microF1Rows: 70 }, 0.2)).toBe(1 / 70);
    // Single-label data without out-of-scope rows: 1/n.
    expect(rowWorth({ n: 400, nll: 0, accuracy: 0.8 }, 0.2)).toBe(1 / 400);
  });
});

describe('linear C (opt-in search)', () => {
  it('leaves C = 1 only for more than one held-out row', () => {
    const t = (c: number, score: number) => ({ c, score });
    // 100 rows: 0.5 of a row better is noise; 2 rows better wins.
    expect(pickLinearC([t(1, 0.8), t(0.25, 0.805), t(0.5, 0.8), t(2, 0.79)], 1 / 100)).toBe(1);
    expect(pickLinearC([t(1, 0.8), t(0.25, 0.82), t(0.5, 0.8), t(2, 0.79)], 1 / 100)).toBe(0.25);
    // The best of those that clear the margin; on a tie, the one nearer 1.
    expect(pickLinearC([t(1, 0.8), t(0.25, 0.83), t(0.5, 0.84), t(2, 0.84)], 1 / 100)).toBe(0.5);
    expect(pickLinearC([t(1, 0.8), t(0.25, 0.85), t(0.5, 0.84), t(2, 0.85)], 1 / 100)).toBe(2);
    // Only C = 1 measured (the others skipped), or nothing.
    expect(pickLinearC([t(1, 0.5), { c: 2, score: undefined }], 1 / 10)).toBe(1);
    expect(pickLinearC([{ c: 1, score: undefined }, t(0.5, 0.5)], 1 / 10)).toBe(0.5);
    expect(pickLinearC([], 1 / 10)).toBe(1);
    expect(LINEAR_C_SEARCH_GRID).toEqual([1, 0.5, 2]);
  });

  it('default training fits C = 1 and does not search it', async () => {
    const lines: string[] = [];
    const r = await trainIntentDefault(shop, undefined, {
      fixed: { seed: 3, ensemble: 0 },
      background: false,
      log: (l) => lines.push(l),
    });
    expect(r.search.linearC).toEqual({ chosen: 1, fixed: false, trials: [], comparedOn: 0, seconds: 0 });
    expect(r.trained.options.linearC).toBe(1);
    expect(lines.some((l) => l.startsWith('search: linear C'))).toBe(false);
  }, 60_000);

  it('tries the grid on held-out rows, trains the model with the chosen C, and a fixed C is not searched', async () => {
    const lines: string[] = [];
    const bg = { fixed: { seed: 3, ensemble: 0 }, background: false as const };
    const grid = LINEAR_C_SEARCH_GRID;
    const r = await trainIntentDefault(shop, undefined, { ...bg, linearCGrid: grid, log: (l) => lines.push(l) });
    const lc = r.search.linearC!;
    expect(lc.fixed).toBe(false);
    expect(lc.trials.map((x) => x.c)).toEqual([...grid]);
    // Compared on the same held-out rows as the candidates.
    expect(lc.comparedOn).toBe(r.search.comparedOn);
    expect(lc.comparedOn).toBeGreaterThan(0);
    expect(lc.chosen).toBe(pickLinearC(lc.trials, lc.comparedOn));
    expect(lc.trials.every((x) => x.score !== undefined && x.score > 0.5 && x.score <= 1)).toBe(true);
    expect(r.trained.options.linearC).toBe(lc.chosen);
    expect(lines.some((l) => /^search: linear C 1: .* chose C /.test(l))).toBe(true);
    // The same model as training with that C fixed (the search's fits are reused, not retrained differently).
    const f = await trainIntentDefault(shop, undefined, { ...bg, fixed: { ...bg.fixed, linearC: lc.chosen } });
    expect(f.search.linearC).toMatchObject({ chosen: lc.chosen, fixed: true, trials: [] });
    expect(Array.from(f.trained.weights.linear!.weights)).toEqual(Array.from(r.trained.weights.linear!.weights));
    // A different C gives a different linear member.
    const other = grid.find((c) => c !== lc.chosen)!;
    const g = await trainIntentDefault(shop, undefined, { ...bg, fixed: { ...bg.fixed, linearC: other } });
    expect(Array.from(g.trained.weights.linear!.weights)).not.toEqual(Array.from(r.trained.weights.linear!.weights));
  }, 120_000);

  it('a binding budget skips the larger C (recorded), never C = 1 and 0.5', async () => {
    const lines: string[] = [];
    const r = await trainIntentDefault(shop, undefined, {
      fixed: { seed: 3, ensemble: 0 },
      background: false,
      budgetUnits: 0.001,
      linearCGrid: LINEAR_C_SEARCH_GRID,
      log: (l) => lines.push(l),
    });
    const lc = r.search.linearC!;
    expect(lc.trials.map((x) => [x.c, x.score === undefined])).toEqual([
      [1, false],
      [0.5, false],
      [2, true],
    ]);
    expect(lc.trials[2].skipped).toMatch(/^budget: /);
    expect(lines.some((l) => /linear C .*2: skipped \(budget/.test(l))).toBe(true);
  }, 60_000);
});

describe('crossValidateIntent', () => {
  it('reduces K to the smallest intent, reports mean ± std per fold and per intent', async () => {
    expect(effectiveFolds(shop, 5)).toEqual({ k: 5 });
    const reduced = effectiveFolds(
      [...shop, { text: 'a rare one', intent: 'rare' }, { text: 'a rarer', intent: 'rare' }],
      5,
    );
    expect(reduced.k).toBe(2);
    expect(reduced.warning).toMatch(/--cv 5 reduced to 2: intent 'rare' has only 2/);
    // An intent with one example is never held out: it does not bound K, and the warning says so.
    const single = effectiveFolds([...shop, { text: 'gift card balance', intent: 'gift_cards' }], 5);
    expect(single.k).toBe(5);
    expect(single.warning).toMatch(/intent 'gift_cards' has a single example: never held out/);
    // Multi-label: a row with a single-example label stays in training with its other labels: every label bounds K.
    const multi = [
      ...shop.slice(0, 10).map((e) => ({ ...e, intent: [e.intent as string] })),
      { text: 'refund and the invoice', intent: ['refund_request', 'rare_label'] },
    ];
    expect(effectiveFolds(multi, 5)).toMatchObject({
      k: 2,
      warning: expect.stringMatching(/label 'rare_label' has only 1/),
    });
    // Nothing to hold out at all: an error, not folds of nothing.
    expect(() =>
      effectiveFolds(
        shop.slice(0, 5).map((e, i) => ({ ...e, intent: `intent_${i}` })),
        5,
      ),
    ).toThrow(/every intent has a single example \(5\)/);
    expect(meanStd([1, 3])).toEqual({ mean: 2, std: Math.SQRT2 });
    const r = await crossValidateIntent(shop, 3, { fixed: { seed: 2, ensemble: 0 } });
    expect(r.k).toBe(3);
    expect(r.folds).toHaveLength(3);
    expect(r.folds.reduce((a, f) => a + f.n, 0)).toBe(shop.length);
    expect(r.accuracy.mean).toBeGreaterThan(0.6);
    expect(r.per_intent.map((p) => p.intent).sort()).toEqual([
      'cancel_order',
      'change_address',
      'invoice_request',
      'order_status',
      'refund_request',
    ]);
    expect(r.oos_source).toBe('background');
    expect(r.oos_recall!.mean).toBeGreaterThan(0.5);
    // All folds' lines together: n is their sum, the recall their weighted mean.
    const n = r.folds.reduce((a, f) => a + (f.oos_n ?? 0), 0);
    expect(r.oos_pooled?.n).toBe(n);
    expect(r.oos_pooled?.recall).toBeCloseTo(
      r.folds.reduce((a, f) => a + (f.oos_recall ?? 0) * (f.oos_n ?? 0), 0) / n,
      9,
    );
    expect(r.probs.filter(Boolean)).toHaveLength(shop.length);
  }, 180_000);
});
