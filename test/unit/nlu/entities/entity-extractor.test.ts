import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EntityExtractor, isChatWordSpan } from '../../../../src/nlu/entities/entity-extractor.ts';

let extractor: EntityExtractor;
beforeAll(async () => {
  extractor = await EntityExtractor.load({
    languages: ['en', 'es'],
    now: () => new Date('2026-11-20T10:00:00'),
    patterns: [{ type: 'order_id', pattern: 'ORD-\\d{6}' }],
  });
});
afterAll(() => extractor.release());

describe('EntityExtractor (shipped NER + rules + patterns)', () => {
  it('merges the three sources without overlaps, offsets into the original text', async () => {
    const text = 'Hi, this is John Smith: order ORD-123456 arrived broken on Monday, mail john@example.com';
    const found = await extractor.extract(text, 'en');
    expect(found.map((e) => `${e.type}:${e.text}:${e.source}`)).toEqual([
      'PER:John Smith:ner',
      'order_id:ORD-123456:pattern',
      'datetime:Monday:rule',
      'email:john@example.com:rule',
    ]);
    for (const e of found) expect(text.slice(e.start, e.end)).toBe(e.text);
    for (let i = 1; i < found.length; i++) expect(found[i].start).toBeGreaterThanOrEqual(found[i - 1].end);
  });

  it('runs the English NER only on English turns; rules and patterns on every language', async () => {
    const es = await extractor.extract('Juan Pérez pregunta por ORD-654321, juan@example.com', 'es');
    expect(es.map((e) => e.type)).toEqual(['order_id', 'email']);
  });

  it('drops NER spans that are only chat words', () => {
    expect(isChatWordSpan('Hi')).toBe(true);
    expect(isChatWordSpan('Thanks Dear')).toBe(true);
    expect(isChatWordSpan('Hi John')).toBe(false);
    expect(isChatWordSpan('')).toBe(false);
  });
});
