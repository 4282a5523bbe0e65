import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isSwitchboardError } from '../../../src/errors.ts';
import { DataError } from '../../../src/train/data-error.ts';
import {
  intentDataFormat,
  parseIntentData,
  readIntentData,
  readIntentFiles,
} from '../../../src/train/read-intent-data.ts';
import { readLanguageData } from '../../../src/train/read-language-data.ts';

const dir = 'test/fixtures/data';

/** Runs `fn`, expecting an E_DATA error; returns its message. */
function dataError(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(isSwitchboardError(e, 'E_DATA')).toBe(true);
    expect(e).toBeInstanceOf(DataError);
    return (e as Error).message;
  }
  throw new Error('expected an E_DATA error');
}

describe('readIntentData: JSONL', () => {
  const data = readIntentData(`${dir}/intents-single.jsonl`);

  it('reads single-label examples with line numbers and languages, skipping blank lines', () => {
    expect(data.mode).toBe('single');
    expect(data.examples[0]).toEqual({ text: 'my card was stolen', intent: 'card_lost', line: 1 });
    expect(data.examples[2]).toEqual({ text: 'he perdido mi tarjeta', intent: 'card_lost', language: 'es', line: 4 });
  });

  it('drops the duplicate row and warns about it, naming both lines', () => {
    expect(data.examples.map((e) => e.line)).toEqual([1, 2, 4, 5, 7, 8, 9]); // 6: duplicate, 10: empty text
    expect(data.warnings).toContain(
      `${dir}/intents-single.jsonl:6: duplicate of ${dir}/intents-single.jsonl:2 (dropped)`,
    );
  });

  it('warns about conflicting labels, single-example labels and empty text', () => {
    const w = data.warnings.join('\n');
    expect(w).toMatch(/intents-single\.jsonl:8: same text as .*intents-single\.jsonl:5 with different labels/);
    expect(w).toMatch(/intents-single\.jsonl:9: label "out_of_scope" has a single example/);
    expect(w).toMatch(/intents-single\.jsonl:10: empty text \(dropped\)/);
    expect(data.examples.some((e) => e.text.trim() === '')).toBe(false);
    expect(data.warnings).toHaveLength(4);
  });

  it('warns about labels that differ only in case or separators, and about look-alikes of out_of_scope', () => {
    const rows = [
      ['where is my order', 'order_status'],
      ['track my parcel', 'order_status'],
      ['WHERE IS MY PACKAGE', 'ORDER-STATUS'],
      ['refund please', 'refund'],
      ['money back', 'refund'],
      ['tell me a joke', 'Out_Of_Scope'],
      ['sing a song', 'out_of_scope'],
    ];
    const text = rows.map(([t, i]) => JSON.stringify({ text: t, intent: i })).join('\n');
    const w = parseIntentData(text, 'jsonl', 'f.jsonl').warnings.join('\n');
    expect(w).toMatch(/f\.jsonl:3: labels "order_status", "ORDER-STATUS" differ only in case or separators/);
    expect(w).toMatch(/f\.jsonl:6: label "Out_Of_Scope" is not the reserved "out_of_scope"/);
    expect(w).not.toMatch(/"refund".*differ/);
  });

  it('keeps duplicates when dedupe is off, still warning', () => {
    const kept = readIntentData(`${dir}/intents-single.jsonl`, { dedupe: false });
    expect(kept.examples).toHaveLength(9);
    expect(kept.warnings.join('\n')).toMatch(/:6: duplicate of .*:2$/m);
  });

  it('reads multi-label lists, an empty list being valid', () => {
    const multi = readIntentData(`${dir}/intents-multi.jsonl`);
    expect(multi.mode).toBe('multi');
    expect(multi.examples.map((e) => e.intent)).toEqual([['cancel', 'refund'], [], ['refund'], ['cancel']]);
    expect(multi.warnings).toEqual([]);
  });
});

describe('readIntentData: CSV and TSV', () => {
  it('handles RFC 4180 quoting, doubled quotes, quoted CRLF line breaks and a language column', () => {
    const data = readIntentData(`${dir}/intents-quoted.csv`);
    expect(data.examples).toEqual([
      { text: 'card lost, please help', intent: 'card_lost', language: 'en', line: 2 },
      { text: 'she said "block it"\nright now', intent: 'card_lost', line: 3 },
      { text: 'balance?', intent: 'balance', language: 'en', line: 5 },
    ]);
    expect(data.warnings).toEqual([`${dir}/intents-quoted.csv:5: label "balance" has a single example`]);
  });

  it('reads a|b as multi-label, an empty cell as no intent, ignoring other columns and header case', () => {
    const data = readIntentData(`${dir}/intents-multi.csv`);
    expect(data.mode).toBe('multi');
    expect(data.examples.map((e) => [e.text, e.intent])).toEqual([
      ['cancel and refund', ['cancel', 'refund']],
      ['hello', []],
      ['cancel it', ['cancel']],
      ['refund it', ['refund']],
    ]);
  });

  it('reads TSV', () => {
    const data = readIntentData(`${dir}/intents.tsv`);
    expect(data.examples.map((e) => e.text)).toEqual(['hola', 'hello, friend']);
  });

  it('treats an "intents" column as multi-label even without a |', () => {
    const data = parseIntentData('text,intents\nhi,greet\nbye,\n', 'csv', 'plural.csv');
    expect(data.mode).toBe('multi');
    expect(data.examples.map((e) => e.intent)).toEqual([['greet'], []]);
  });

  it('warns when a few rows with | made a file with an "intent" column multi-label', () => {
    const rows = Array.from({ length: 30 }, (_, i) => `message ${i},${i % 2 ? 'refund' : 'cancel'}`);
    rows[7] = 'cancel and refund,cancel|refund';
    const data = parseIntentData(`text,intent\n${rows.join('\n')}\n`, 'csv', 'pipe.csv');
    expect(data.mode).toBe('multi');
    expect(data.warnings).toContainEqual(
      expect.stringMatching(/^pipe\.csv:9: "cancel\|refund" made the whole file multi-label .*1 of 30 rows/),
    );
    // An "intents" column says multi-label is meant: no warning.
    const meant = parseIntentData(`text,intents\n${rows.join('\n')}\n`, 'csv', 'pipe.csv');
    expect(meant.warnings.filter((w) => /made the whole file/.test(w))).toEqual([]);
  });

  it('refuses labels that are not names (a line break, 201+ characters) and a header with two text columns', () => {
    expect(dataError(() => parseIntentData('{"text":"hi","intent":"greet\\nok"}\n', 'jsonl', 'nl.jsonl'))).toMatch(
      /nl\.jsonl:1: a label with a line break or control character/,
    );
    const long = 'x'.repeat(201);
    expect(dataError(() => parseIntentData(`text,intent\nhi,${long}\n`, 'csv', 'long.csv'))).toMatch(
      /long\.csv:2: a label of 201 characters \(at most 200\)/,
    );
    expect(parseIntentData(`text,intent\nhi,${'x'.repeat(200)}\nyo,b\n`, 'csv', 'ok.csv').examples).toHaveLength(2);
    expect(dataError(() => parseIntentData('text,intent,Text\nhi,greet,hello\n', 'csv', 'dup.csv'))).toMatch(
      /dup\.csv:1: the header has 2 "text" columns/,
    );
  });

  it('picks the format from the extension, else from the first line', () => {
    expect(intentDataFormat('a.JSONL')).toBe('jsonl');
    expect(intentDataFormat('a.tsv')).toBe('tsv');
    expect(intentDataFormat('a.txt', '\ufeff{"text": "x"}')).toBe('jsonl');
    expect(intentDataFormat('a.txt', 'text\tintent\n')).toBe('tsv');
    expect(intentDataFormat('a.dat', 'text,intent\n')).toBe('csv');
  });
});

describe('readIntentData: errors name file and line', () => {
  it.each([
    ['{"text": "hi", "intent": "greet"}\n{"text": "x", "intent": "a"', 'f.jsonl:2: invalid JSON'],
    ['{"text": "hi"}', 'f.jsonl:1: missing field "intent"'],
    ['{"intent": "greet"}', 'f.jsonl:1: missing field "text"'],
    ['\n{"text": 42, "intent": "greet"}', 'f.jsonl:2: "text" must be a string, not a number'],
    ['{"text": "hi", "intent": ""}', 'f.jsonl:1: empty label'],
    ['{"text": "hi", "intent": ["a", " "]}', 'f.jsonl:1: empty label'],
    ['{"text": "hi", "intent": ["a", 3]}', 'f.jsonl:1: "intent" list holds a number'],
    ['{"text": "hi", "intent": null}', 'f.jsonl:1: "intent" must be a string or a list of strings, not null'],
    ['["hi", "greet"]', 'f.jsonl:1: expected a JSON object'],
    [
      '{"text": "a", "intent": ["x"]}\n{"text": "b", "intent": "x"}',
      'f.jsonl:2: a single label, but line 1 has a list',
    ],
  ])('JSONL %j', (text, message) => {
    expect(dataError(() => parseIntentData(text, 'jsonl', 'f.jsonl'))).toContain(message);
  });

  it.each([
    ['text,label\nhi,greet\n', 'f.csv:1: the header has no "intent" column (found: "text", "label")'],
    ['intent\ngreet\n', 'f.csv:1: the header has no "text" column'],
    ['text,intent\nhi,greet\nhello\n', 'f.csv:3: the row has 1 fields but the header has 2, missing "intent"'],
    [
      'text,intent\nhi, there,greet\n',
      'f.csv:2: the row has 3 fields but the header has 2; quote text that contains commas',
    ],
    ['text,intent\nhi,greet\nbye,\n', 'f.csv:3: empty label'],
    ['text,intent\nhi,a||b\n', 'f.csv:2: empty label'],
    ['text,intent\nok,a\n"never\nclosed,greet\n', 'f.csv:3: quoted field is never closed'],
    ['text,intent\n"hi" there,greet\n', 'f.csv:2: unexpected " " after a closing quote'],
    [
      'text,intent\n"unclosed,a\nok,b\n"quoted",c\n',
      'f.csv:4: unexpected "q" after a closing quote (a quoted field must end at the delimiter; write a quote inside a quoted field as ""; the quoted field opened on line 2: is a closing " missing there?)',
    ],
    ['text,intent\n', 'f.csv: the file has no examples'],
    ['', 'f.csv: the file has no examples'],
  ])('CSV %j', (text, message) => {
    expect(dataError(() => parseIntentData(text, 'csv', 'f.csv'))).toContain(message);
  });

  it('names every bad row of a file in one error, not one per run', () => {
    const text = [
      '{"text":"a","intent":"x"}',
      '{"text":"b","intent":"x"',
      'not json',
      '{"intent":"y"}',
      '{"text":"c","intent":"y"}',
    ];
    const message = dataError(() => parseIntentData(text.join('\n'), 'jsonl', 'f.jsonl'));
    expect(message).toMatch(/^f\.jsonl:2: invalid JSON/); // the first problem leads, as before
    expect(message).toContain('3 rows of f.jsonl have problems');
    expect(message).toContain('f.jsonl:3: invalid JSON');
    expect(message).toContain('f.jsonl:4: missing field "text"');
    const csv = dataError(() => parseIntentData('text,intent\nhi, there,greet\nok,a\nbye\n', 'csv', 'f.csv'));
    expect(csv).toContain('f.csv:2: the row has 3 fields');
    expect(csv).toContain('f.csv:4: the row has 1 fields');
    // A long list is cut: 30 bad rows list 20 and count the rest.
    const many = dataError(() => parseIntentData(Array(30).fill('oops').join('\n'), 'jsonl', 'm.jsonl'));
    expect(many.match(/m\.jsonl:\d+: invalid JSON/g)).toHaveLength(21); // the headline and 20 listed
    expect(many).toContain('… and 10 more');
  });

  it('rejects fixture files: mixed modes, a missing column, no examples, a missing file', () => {
    expect(dataError(() => readIntentData(`${dir}/bad-mixed.jsonl`))).toContain('bad-mixed.jsonl:2: a list of labels');
    expect(dataError(() => readIntentData(`${dir}/bad-no-intent-column.csv`))).toContain(
      'bad-no-intent-column.csv:1: the header has no "intent" column',
    );
    expect(dataError(() => readIntentData(`${dir}/bad-empty.jsonl`))).toBe(
      `${dir}/bad-empty.jsonl: the file has no examples`,
    );
    expect(dataError(() => readIntentData(`${dir}/missing.jsonl`))).toContain('cannot read the file (ENOENT)');
  });

  it('refuses a file that is not UTF-8, naming the first line it garbles', () => {
    const tmp = mkdtempSync(join(tmpdir(), 'switchboard-latin1-'));
    try {
      const latin1 = join(tmp, 'latin1.jsonl');
      const lines = [
        '{"text": "where is my order", "intent": "status"}',
        '{"text": "quiero mi reembolso ahí", "intent": "refund"}',
      ];
      writeFileSync(latin1, Buffer.from(`${lines.join('\n')}\n`, 'latin1'));
      expect(dataError(() => readIntentData(latin1))).toMatch(/latin1\.jsonl:2: not UTF-8 text/);
      expect(dataError(() => readLanguageData(latin1))).toMatch(/latin1\.jsonl:2: not UTF-8 text/);
      // A U+FFFD written on purpose earlier (valid UTF-8) is not the line to blame.
      const mixed = join(tmp, 'mixed.jsonl');
      writeFileSync(
        mixed,
        Buffer.concat([
          Buffer.from('{"text": "odd \ufffd sign", "intent": "a"}\n{"text": "fine", "intent": "b"}\n', 'utf8'),
          Buffer.from('{"text": "caf\u00e9", "intent": "a"}\n', 'latin1'),
        ]),
      );
      expect(dataError(() => readIntentData(mixed))).toMatch(/mixed\.jsonl:3: not UTF-8 text/);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});

describe('readIntentFiles', () => {
  it('concatenates old and new data, finding duplicates across files', () => {
    const data = readIntentFiles([`${dir}/intents-old.jsonl`, `${dir}/intents-single.jsonl`]);
    expect(data.examples).toHaveLength(9);
    expect(data.examples[0]).toMatchObject({ text: 'old example', line: 1 });
    expect(data.warnings.join('\n')).toMatch(/label "refund" has a single example/);
  });

  it('requires the same mode in every file', () => {
    const message = dataError(() => readIntentFiles([`${dir}/intents-single.jsonl`, `${dir}/intents-multi.jsonl`]));
    expect(message).toBe(
      `${dir}/intents-multi.jsonl: multi-label data, but ${dir}/intents-single.jsonl is single-label`,
    );
  });

  it('caps warnings per kind with a summary line', () => {
    const lines = Array.from({ length: 30 }, (_, i) => JSON.stringify({ text: `t${i}`, intent: `label${i}` }));
    const data = parseIntentData(lines.join('\n'), 'jsonl', 'many.jsonl', { maxWarningsPerKind: 5 });
    expect(data.warnings).toHaveLength(6);
    expect(data.warnings[5]).toBe('… and 25 more labels with a single example (not listed)');
  });
});
