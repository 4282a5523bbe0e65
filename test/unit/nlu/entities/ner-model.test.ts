import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NerModel } from '../../../../src/nlu/entities/ner-model.ts';

let model: NerModel;
beforeAll(async () => {
  model = await NerModel.load('models/ner-en');
});
afterAll(() => model.release());

describe('NerModel.recognize with the shipped model', () => {
  it('finds names in a sentence', async () => {
    const found = await model.recognize('I flew to Paris with John Smith');
    expect(found.map((e) => [e.type, e.text])).toEqual([
      ['LOC', 'Paris'],
      ['PER', 'John Smith'],
    ]);
  });

  it('never returns a span of symbols or control characters as an entity', async () => {
    for (const text of ['\u0000'.repeat(5000), '!!!! ???? ####', '\u0007\u0007 \u0000', '---- @@@@ Paris']) {
      const found = await model.recognize(text);
      for (const e of found) expect(e.text).toMatch(/[\p{L}\p{N}]/u);
    }
    expect((await model.recognize('---- @@@@ Paris')).map((e) => e.text)).toEqual(['Paris']);
    // Symbols and control characters at a span's edges are not part of the name.
    const edges = [
      `${'\u0000 '.repeat(300)}John`,
      `${'#'.repeat(400)} John`,
      '### Paris ###',
      '\u0000\u0000\u0000 John',
    ];
    for (const text of edges)
      for (const e of await model.recognize(text)) {
        expect(e.text).toMatch(/^[\p{L}\p{N}](?:.*[\p{L}\p{N}])?$/su);
        expect(text.slice(e.start, e.end)).toBe(e.text);
      }
  });
});
