import { afterAll, describe, expect, it } from 'vitest';
import { EntityExtractor } from '../../../../src/nlu/entities/entity-extractor.ts';
import { RuleEntityRecognizer } from '../../../../src/nlu/entities/rule-entities.ts';
import { RuleEntityThread } from '../../../../src/nlu/entities/rule-entity-thread.ts';

const now = new Date('2026-11-20T10:00:00');
const closers: { close?: () => Promise<void>; release?: () => Promise<void> }[] = [];
afterAll(async () => {
  for (const c of closers) await (c.close?.() ?? c.release?.());
});

describe('RuleEntityThread', () => {
  it('finds what the inline recognizer finds, with the reference time it is given', async () => {
    // Unwarmed, the first jobs compile the expressions: on a busy machine that can pass the default 5 s limits.
    const thread = new RuleEntityThread({
      languages: ['en', 'es'],
      warmUp: false,
      hardLimitMs: 120_000,
      staleMs: 120_000,
    });
    closers.push(thread);
    const inline = new RuleEntityRecognizer({ languages: ['en', 'es'] });
    const cases: [string, string][] = [
      ['call me tomorrow at 5pm about the $20 refund', 'en'],
      ['mi correo es ana@example.com y pagué 30 euros', 'es'],
      ['nothing to see here', 'en'],
    ];
    for (const [text, language] of cases) {
      const threaded = await thread.recognize(text, language, now);
      expect(threaded).toEqual(inline.recognize(text, language, now));
    }
    const [tomorrow] = await thread.recognize('tomorrow', 'en', now);
    expect(tomorrow.value).toMatchObject({ timex: '2026-11-21' });
    expect(thread.stats.done).toBe(4);
  });

  it('replaces a worker whose job overruns the hard limit; the jobs behind it are answered by the new one', async () => {
    // Unwarmed French numbers in words take far longer than 150 ms on their first run.
    const thread = new RuleEntityThread({ languages: ['fr'], warmUp: false, hardLimitMs: 150 });
    closers.push(thread);
    await thread.ready;
    const slow = thread.recognize('rapport météo pour trente-trois mille sept cent soixante quatorze', 'fr', now);
    const next = thread.recognize('write to marie@example.fr', 'und', now);
    expect(await slow).toEqual([]);
    expect((await next).map((e) => e.type)).toEqual(['email']);
    expect(thread.stats.restarts).toBeGreaterThanOrEqual(1);
    expect(thread.stats.lost).toBeGreaterThanOrEqual(1);
  });

  it('after close, resolves every job to no entities', async () => {
    const thread = new RuleEntityThread({ languages: ['en'], warmUp: false });
    const pending = thread.recognize('pay $5 tomorrow', 'en', now);
    await thread.close();
    expect(await pending).toEqual([]);
    expect(await thread.recognize('pay $5', 'en', now)).toEqual([]);
  });
});

describe('EntityExtractor with the rule thread', () => {
  it('returns what arrived within the budget and delivers every entity later', async () => {
    const extractor = await EntityExtractor.load({
      languages: ['en'],
      nerModelDir: null,
      ruleThread: { warmUp: false },
      patterns: [{ type: 'order', pattern: 'ORD-\\d+' }],
      now: () => now,
    });
    closers.push(extractor);
    await extractor.warmUp();
    const text = 'order ORD-123 was charged $40 on 3 March';
    const quick = await extractor.begin(text, 'en').finish(0);
    // A zero budget: only the patterns (inline) are in; the rule entities come with `late`.
    expect(quick.entities.map((e) => e.type)).toEqual(['order']);
    expect(quick.late).toBeDefined();
    const all = (await quick.late)?.map((e) => e.type);
    expect(all).toEqual(expect.arrayContaining(['order', 'money', 'datetime']));
    const waited = await extractor.begin(text, 'en').finish(Number.POSITIVE_INFINITY);
    expect(waited.late).toBeUndefined();
    expect(waited.entities.map((e) => e.type)).toEqual(all);
  });
});
