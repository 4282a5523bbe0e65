/**
 * `npx tsx bench/dev/entity-coverage.ts [--write]`: which rule entity types work in which language, found by probing
 * the installed recognizers-text packages: for every culture the library lists (`Culture.getSupportedCultureCodes()`),
 * each package is asked for each model without falling back to English, and the model is run on a sample. Prints the
 * markdown table; `--write` puts it into docs/entities.md between the `coverage` markers.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DateTimeRecognizer } from '@microsoft/recognizers-text-date-time';
import { Culture, NumberRecognizer } from '@microsoft/recognizers-text-number';
import { NumberWithUnitRecognizer } from '@microsoft/recognizers-text-number-with-unit';
import { SequenceRecognizer } from '@microsoft/recognizers-text-sequence';
import { LANGUAGE_INDEPENDENT_TYPES, RULE_ENTITY_TYPES } from '../../src/nlu/entities/rule-entities.ts';

const { values: args } = parseArgs({ options: { write: { type: 'boolean', default: false } } });

interface Probe {
  get: (culture: string) => { parse(q: string, ref?: Date): unknown[] };
  sample: string;
}

const seq = (c: string) => new SequenceRecognizer(c, 0, true);
const num = (c: string) => new NumberRecognizer(c, 0, true);
/** One model per type, and a sample it should find something in (digits, so that any culture can). */
const PROBES: Record<(typeof RULE_ENTITY_TYPES)[number], Probe> = {
  email: { get: (c) => seq(c).getEmailModel(c, false), sample: 'a.b@example.com' },
  url: { get: (c) => seq(c).getURLModel(c, false), sample: 'https://example.com/x' },
  ip: { get: (c) => seq(c).getIpAddressModel(c, false), sample: '192.168.0.1' },
  phone: { get: (c) => seq(c).getPhoneNumberModel(c, false), sample: '+1 425 555 0123' },
  money: { get: (c) => new NumberWithUnitRecognizer(c, 0, true).getCurrencyModel(c, false), sample: '€20 ¥20 $20' },
  percentage: { get: (c) => num(c).getPercentageModel(c, false), sample: '15%' },
  datetime: { get: (c) => new DateTimeRecognizer(c, 0, true).getDateTimeModel(c, false), sample: '2026-11-26 17:00' },
  ordinal: { get: (c) => num(c).getOrdinalModel(c, false), sample: '1st 1º 1o 1er 第1 1.' },
  number: { get: (c) => num(c).getNumberModel(c, false), sample: '12' },
};

const cultures = Culture.getSupportedCultureCodes().filter((c) => c !== 'en-*');
const rows: string[] = [];
for (const culture of cultures) {
  const cells: string[] = [];
  for (const type of RULE_ENTITY_TYPES) {
    let cell: string;
    try {
      const found = PROBES[type].get(culture).parse(PROBES[type].sample, new Date(2026, 10, 20));
      cell = found.length > 0 ? 'yes' : 'model, sample not found';
    } catch {
      cell = LANGUAGE_INDEPENDENT_TYPES.includes(type) ? 'en-us' : '–';
    }
    cells.push(cell);
  }
  rows.push(`| ${culture.split('-')[0]} | ${culture} | ${cells.join(' | ')} |`);
}
rows.push(
  `| any other, und | – | ${RULE_ENTITY_TYPES.map((t) => (LANGUAGE_INDEPENDENT_TYPES.includes(t) ? 'en-us' : '–')).join(' | ')} |`,
);

const table = [
  `| language | culture | ${RULE_ENTITY_TYPES.join(' | ')} |`,
  `|---|---|${RULE_ENTITY_TYPES.map(() => ':-:').join('|')}|`,
  ...rows,
].join('\n');
console.log(table);

if (args.write) {
  const file = join(import.meta.dirname, '..', '..', 'docs', 'entities.md');
  const doc = readFileSync(file, 'utf8');
  const start = '<!-- coverage:start -->';
  const end = '<!-- coverage:end -->';
  const i = doc.indexOf(start);
  const j = doc.indexOf(end);
  if (i < 0 || j < i) throw new Error(`docs/entities.md has no ${start} … ${end} markers`);
  writeFileSync(file, `${doc.slice(0, i + start.length)}\n${table}\n${doc.slice(j)}`);
  console.log(`\nwrote ${file}`);
}
