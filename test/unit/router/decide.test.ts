import { describe, expect, it } from 'vitest';
import type { Understanding } from '../../../src/nlu/understanding.ts';
import { decide, type RouterContext } from '../../../src/router/decide.ts';
import { asksForHuman, asksOnlyForHuman } from '../../../src/router/human-request.ts';
import { type Policy, PolicySchema } from '../../../src/router/policy.ts';

const policy: Policy = PolicySchema.parse({
  threshold: 0.6,
  intent_thresholds: { card_blocked: 0.9 },
  clarify_margin: 0.15,
  languages: ['en', 'es'],
  default_language: 'en',
});
const answers = new Set(['balance', 'card_lost', 'card_blocked', 'refund']);
const ctx: RouterContext = { hasAnswer: (intent) => answers.has(intent) };
const fresh = { clarifications: 0 };

function u(intents: [string, number][], language = 'en', extra: Partial<Understanding> = {}): Understanding {
  return {
    languages: [{ language, score: 1 }],
    language: { language, reason: 'text' },
    intents: intents.map(([intent, score]) => ({ intent, score })),
    entities: [],
    timings: { language_ms: 0, intent_ms: 0, entities_ms: 0, total_ms: 0 },
    ...extra,
  };
}

describe('decide', () => {
  it('answers a confident intent that has an answer', () => {
    expect(
      decide(
        'what is my balance',
        u([
          ['balance', 0.92],
          ['refund', 0.03],
        ]),
        policy,
        fresh,
        ctx,
      ),
    ).toEqual({
      kind: 'answer',
      reason: 'confident',
      intent: 'balance',
      score: 0.92,
      language: 'en',
    });
  });

  it('applies per-intent thresholds', () => {
    expect(
      decide(
        'x',
        u([
          ['card_blocked', 0.85],
          ['balance', 0.05],
        ]),
        policy,
        fresh,
        ctx,
      ),
    ).toMatchObject({
      kind: 'handoff',
      reason: 'low_confidence',
    });
    expect(
      decide(
        'x',
        u([
          ['card_blocked', 0.95],
          ['balance', 0.02],
        ]),
        policy,
        fresh,
        ctx,
      ).kind,
    ).toBe('answer');
  });

  it('hands off an intent with no answer configured', () => {
    expect(
      decide(
        'x',
        u([
          ['weather', 0.95],
          ['balance', 0.01],
        ]),
        policy,
        fresh,
        ctx,
      ),
    ).toMatchObject({
      kind: 'handoff',
      reason: 'no_answer',
      intent: 'weather',
    });
  });

  it('clarifies between close intents, and hands off a second miss', () => {
    const close = u([
      ['card_lost', 0.46],
      ['card_blocked', 0.41],
      ['refund', 0.05],
    ]);
    const d = decide('my card', close, policy, fresh, ctx);
    expect(d).toMatchObject({ kind: 'clarify', reason: 'close_scores' });
    expect(d.choices?.map((c) => c.intent)).toEqual(['card_lost', 'card_blocked', 'refund']);
    expect(decide('my card', close, policy, { clarifications: 1 }, ctx)).toMatchObject({
      kind: 'handoff',
      reason: 'second_miss',
    });
    expect(
      decide(
        'hmm',
        u([
          ['balance', 0.3],
          ['refund', 0.02],
        ]),
        policy,
        { clarifications: 1 },
        ctx,
      ).reason,
    ).toBe('second_miss');
  });

  it('does not offer a choice when the out-of-scope class scores as high as the second choice ("hi" on a shop bot)', () => {
    const hi = u([
      ['card_lost', 0.3],
      ['out_of_scope', 0.28],
      ['card_blocked', 0.25],
    ]);
    expect(decide('hi', hi, policy, fresh, ctx)).toMatchObject({ kind: 'handoff', reason: 'low_confidence' });
    // The out-of-scope class below both choices: still a clarify question.
    const card = u([
      ['card_lost', 0.4],
      ['card_blocked', 0.35],
      ['out_of_scope', 0.1],
    ]);
    expect(decide('my card', card, policy, fresh, ctx)).toMatchObject({ kind: 'clarify', reason: 'close_scores' });
  });

  it('clarifies even above the threshold when the runner-up is within the margin', () => {
    expect(
      decide(
        'x',
        u([
          ['card_lost', 0.62],
          ['refund', 0.5],
        ]),
        policy,
        fresh,
        ctx,
      ).kind,
    ).toBe('clarify');
  });

  it('answers a confident top intent when the close runner-up has no answer to offer', () => {
    expect(
      decide(
        'x',
        u([
          ['balance', 0.7],
          ['weather', 0.65],
        ]),
        policy,
        fresh,
        ctx,
      ).kind,
    ).toBe('answer');
  });

  it('hands off low confidence, out of scope, unsupported languages, NLU errors and requests for a person', () => {
    expect(
      decide(
        'x',
        u([
          ['balance', 0.3],
          ['refund', 0.02],
        ]),
        policy,
        fresh,
        ctx,
      ).reason,
    ).toBe('low_confidence');
    expect(
      decide(
        'x',
        u([
          ['out_of_scope', 0.8],
          ['balance', 0.1],
        ]),
        policy,
        fresh,
        ctx,
      ).reason,
    ).toBe('out_of_scope');
    expect(decide('x', u([['balance', 0.99]], 'de'), policy, fresh, ctx)).toMatchObject({
      reason: 'unsupported_language',
      language: 'en',
    });
    const cyrillic = u([['balance', 0.99]], 'und', { language: { language: 'und', reason: 'unsupported_script' } });
    expect(decide('Привет', cyrillic, policy, fresh, ctx).reason).toBe('unsupported_language');
    const failed = u([], 'en', { errors: [{ stage: 'intent', code: 'E_ONNX_RUN', message: 'x' }] });
    expect(decide('x', failed, policy, fresh, ctx).reason).toBe('nlu_error');
    expect(decide('I want to talk to a real person', u([['balance', 0.99]]), policy, fresh, ctx).reason).toBe(
      'human_requested',
    );
    expect(decide('quiero hablar con una persona', u([['balance', 0.99]], 'es'), policy, fresh, ctx)).toMatchObject({
      reason: 'human_requested',
      language: 'es',
    });
  });

  it('replies in the default language when the turn has none, and still answers', () => {
    const emoji = u([['balance', 0.9]], 'und', { languages: [], language: { language: 'und', reason: 'no_letters' } });
    expect(decide('👍', emoji, policy, fresh, ctx)).toMatchObject({ kind: 'answer', language: 'en' });
  });
});

describe('asksOnlyForHuman', () => {
  it('is a bare request for a person, not a question that also asks for one', () => {
    expect(asksOnlyForHuman('talk to a person', 'en')).toBe(true);
    expect(asksOnlyForHuman('can I speak to a human please', 'en')).toBe(true);
    expect(asksOnlyForHuman('quiero hablar con una persona', 'es')).toBe(true);
    expect(asksOnlyForHuman('my parcel never arrived, I want a person', 'en')).toBe(false);
    expect(asksOnlyForHuman('where is my refund', 'en')).toBe(false);
  });
});

describe('asksForHuman', () => {
  it.each([
    ['can I speak to a human please', 'en'],
    ['REAL PERSON NOW', 'en'],
    ['necesito un asesor', 'es'],
    ['ich möchte mit einem Mitarbeiter sprechen', 'de'],
    ['je veux parler à un conseiller', 'fr'],
    ['müşteri temsilcisi lütfen', 'tr'],
    ['मुझे किसी इंसान से बात करनी है', 'hi'],
    ['ขอคุยกับพนักงานหน่อย', 'th'],
    ['talk to a human', 'es'],
  ])('%s (%s) → true', (text, language) => {
    expect(asksForHuman(text, language)).toBe(true);
  });

  it.each([
    ['what is my balance', 'en'],
    ['humanitarian aid donation', 'en'],
    ['mi tarjeta no funciona', 'es'],
    ['', 'en'],
  ])('%s (%s) → false', (text, language) => {
    expect(asksForHuman(text, language)).toBe(false);
  });
});
