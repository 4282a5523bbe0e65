import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readBotConfig, unknownIntents } from '../../../src/config/bot-config.ts';
import { DEFAULT_BOT_CONFIG } from '../../../src/nlu/default-model.ts';
import { fillSlots } from '../../../src/responses/render-reply.ts';

const dir = mkdtempSync(join(tmpdir(), 'switchboard-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const write = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
const base = `languages: [en, es]
default_language: en
handoff: { message: { en: One moment, es: Un momento } }
clarify: { prompt: { en: Which one?, es: ¿Cuál? } }
`;

describe('readBotConfig', () => {
  it('reads the demo config with absolute model paths', () => {
    const c = readBotConfig(DEFAULT_BOT_CONFIG);
    expect(c.languages).toEqual(['en', 'de', 'es', 'fr', 'hi', 'th']);
    expect(c.models.intent).toMatch(/models\/intent-massive$/);
    expect(Object.keys(c.answers).length).toBeGreaterThanOrEqual(5);
  });

  it('names the path of every problem', () => {
    const missing = write('a.yaml', `${base}answers: { balance: { en: Your balance is in the app } }\n`);
    expect(() => readBotConfig(missing)).toThrow(/answers\.balance\.es: required/);
    const badLang = write('b.yaml', base.replace('[en, es]', '[en, xx]'));
    expect(() => readBotConfig(badLang)).toThrow(/languages\.1: not an ISO 639-1 code/);
    const badDefault = write('c.yaml', base.replace('default_language: en', 'default_language: de'));
    expect(() => readBotConfig(badDefault)).toThrow(/default_language: must be one of languages/);
    expect(() => readBotConfig(write('d.yaml', 'languages: [en\n'))).toThrow(/d\.yaml/);
    expect(() => readBotConfig(join(dir, 'nope.yaml'))).toThrow(/nope\.yaml/);
  });

  it('refuses unknown keys, suggesting the key meant and naming the line', () => {
    const typo = write('f.yaml', `${base}answrs: { balance: { en: a, es: b } }\n`);
    expect(() => readBotConfig(typo)).toThrow(/answrs: unknown key — did you mean "answers"\? \(line 5:1\)/);
    const nested = write('g.yaml', `${base}policy:\n  treshold: 0.5\n`);
    expect(() => readBotConfig(nested)).toThrow(
      /policy\.treshold: unknown key — did you mean "threshold"\? \(line 6:3\)/,
    );
    // A misspelt required key: both the missing key and the misspelling, each with its line.
    const required = write('h.yaml', base.replace('handoff:', 'handof:'));
    let message = '';
    try {
      readBotConfig(required);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/handoff: required — misspelt as "handof" \(line 3:1\)\?/);
    expect(message).toMatch(/handof: unknown key — did you mean "handoff"\? \(line 3:1\)/);
    // Nested: the misspelt required key inside a mapping, at its column.
    const nestedRequired = write('h2.yaml', base.replace('clarify: { prompt:', 'clarify: { promt:'));
    expect(() => readBotConfig(nestedRequired)).toThrow(
      /clarify\.prompt: required — misspelt as "promt" \(line 4:12\)\?/,
    );
    // Simply missing: what the key looks like.
    const minimal = write('h3.yaml', 'languages: [en]\n');
    expect(() => readBotConfig(minimal)).toThrow(/default_language: required — e\.g\. default_language: en/);
    expect(() => readBotConfig(minimal)).toThrow(/handoff: required — e\.g\. handoff: \{message: \{en: /);
    expect(() => readBotConfig(minimal)).toThrow(/clarify: required — e\.g\. clarify: \{prompt: \{en: /);
    // Nothing close: the known keys are listed instead.
    const far = write('i.yaml', `${base}measurement: { zzzzzzzz: 1 }\n`);
    expect(() => readBotConfig(far)).toThrow(/measurement\.zzzzzzzz: unknown key \(known keys: audit_sample, /);
    // Agents are an array of objects: unknown keys inside an item are caught too.
    const agent = write('j.yaml', `${base}agents:\n  - id: ana\n    langauges: [es]\n`);
    expect(() => readBotConfig(agent)).toThrow(
      /agents\.0\.langauges: unknown key — did you mean "languages"\? \(line 7:5\)/,
    );
  });

  it('checks the small-talk section and the bot name like the rest (unknown keys, answers in every language)', () => {
    const ok = readBotConfig(
      write(
        'k.yaml',
        `name: Acme help\n${base}smalltalk:\n  greet: { phrases: { en: [hi], es: [hola] }, answer: { en: Hi!, es: ¡Hola! } }\n`,
      ),
    );
    expect(ok.name).toBe('Acme help');
    expect(ok.smalltalk?.greet?.phrases.es).toEqual(['hola']);
    const typo = write('l.yaml', `${base}smalltalk:\n  greet: { phrases: { en: [hi] }, answr: { en: Hi } }\n`);
    expect(() => readBotConfig(typo)).toThrow(
      /smalltalk\.greet\.answr: unknown key — did you mean "answer"\? \(line 6:35\)/,
    );
    const missing = write(
      'm.yaml',
      `${base}smalltalk:\n  thanks: { phrases: { en: [thanks] }, answer: { en: You're welcome } }\n`,
    );
    expect(() => readBotConfig(missing)).toThrow(/smalltalk\.thanks\.answer\.es: required \(a configured language\)/);
  });

  it('lists intents the model does not know', () => {
    const c = readBotConfig(write('e.yaml', `${base}answers: { balanse: { en: a, es: b } }\n`));
    expect(unknownIntents(c, ['balance'])).toEqual(['balanse']);
  });
});

describe('fillSlots', () => {
  it('fills slots from entities and leaves out those it cannot fill', () => {
    const e = [{ type: 'order_id', start: 0, end: 3, text: 'A12', score: 1, source: 'pattern' as const }];
    expect(fillSlots('Order {order_id} is on its way {datetime}.', e)).toBe('Order A12 is on its way .');
  });
});
