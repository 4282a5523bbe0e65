import { spawnSync } from 'node:child_process';
import { linkSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  boundedFlag,
  checkFlagFile,
  integerFlag,
  MAX_SEED,
  parseCommandArgs,
  spreadMultiple,
  writeFlagFile,
} from '../../../src/cli/cli-args.ts';
import { isIntentReportHead, REPORT_GENERATOR } from '../../../src/eval/intent-report.ts';

const OPTIONS = {
  data: { type: 'string' as const, multiple: true },
  out: { type: 'string' as const },
  budget: { type: 'string' as const },
  json: { type: 'boolean' as const },
};

describe('flags that take several values', () => {
  it('reads `--data a b` as `--data a --data b`, up to the next flag', () => {
    expect(spreadMultiple(['--data', 'a', 'b', '--out', 'm', '--json'], OPTIONS)).toEqual([
      '--data',
      'a',
      '--data',
      'b',
      '--out',
      'm',
      '--json',
    ]);
    const { values } = parseCommandArgs(['--data', 'old.jsonl', 'new.jsonl', '--out', 'm'], OPTIONS, 'train intent');
    expect(values.data).toEqual(['old.jsonl', 'new.jsonl']);
    expect(values.out).toBe('m');
    expect(parseCommandArgs(['--data', 'a', '--data', 'b'], OPTIONS, 'x').values.data).toEqual(['a', 'b']);
    expect(parseCommandArgs(['--data=a', 'b', '--json'], OPTIONS, 'x').values.data).toEqual(['a', 'b']);
  });

  it('still refuses a stray word after a one-value flag, and keeps negative values as they were', () => {
    expect(() => parseCommandArgs(['--out', 'm', 'extra'], OPTIONS, 'train intent')).toThrow(
      /Unexpected argument 'extra'/,
    );
    expect(spreadMultiple(['--budget', '-1', '--data', 'a'], OPTIONS)).toEqual(['--budget', '-1', '--data', 'a']);
  });
});

describe('output files a flag names', () => {
  it('never writes over a file the command reads, nor (by the rules) a file of another kind', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchboard-flagfile-'));
    try {
      const data = join(dir, 'valid.jsonl');
      writeFileSync(data, '{"text":"hi","intent":"greet"}\n');
      linkSync(data, join(dir, 'same.jsonl'));
      const report = { inputs: [data], existing: { kind: 'intent report', recognise: isIntentReportHead } };
      expect(() => checkFlagFile('--report', data, report)).toThrow(
        /--report .*valid\.jsonl: is also read by this command/,
      );
      expect(() => checkFlagFile('--report', join(dir, 'same.jsonl'), report)).toThrow(/also read by this command/);
      expect(() => checkFlagFile('--report', join(dir, '.', 'valid.jsonl'), report)).toThrow(/also read/);
      const other = join(dir, 'notes.txt');
      writeFileSync(other, 'my notes');
      await expect(writeFlagFile('--report', other, '<!doctype html>', report)).rejects.toThrow(
        /exists and is not an earlier intent report/,
      );
      expect(readFileSync(other, 'utf8')).toBe('my notes');
      const site = join(dir, 'site.html'); // an HTML page, but not a report
      writeFileSync(site, '<!DOCTYPE html><html><head><title>My site</title></head></html>');
      expect(() => checkFlagFile('--report', site, report)).toThrow(/not an earlier intent report/);
      // An earlier report (with the generator mark, or an old one by its title) and an empty file are replaced.
      const fresh = `<!doctype html>\n<html><head><meta charset="utf-8"><meta name="generator" content="${REPORT_GENERATOR}">`;
      const old = join(dir, 'old.html');
      writeFileSync(old, '<!doctype html>\n<html lang="en"><head><title>Cross-validation, 5 folds</title>');
      await writeFlagFile('--report', old, fresh, report);
      expect(readFileSync(old, 'utf8')).toBe(fresh);
      const empty = join(dir, 'tmp.html');
      writeFileSync(empty, '');
      await writeFlagFile('--report', empty, fresh, report);
      const never = { existing: 'never', forceFlag: '--force' } as const;
      await expect(writeFlagFile('--out', data, 'x', never)).rejects.toThrow(/exists; choose a new file \(or --force/);
      expect(readFileSync(data, 'utf8')).toBe('{"text":"hi","intent":"greet"}\n');
      await writeFlagFile('--out', join(dir, 'new.jsonl'), 'x', never);
      expect(readFileSync(join(dir, 'new.jsonl'), 'utf8')).toBe('x');
      // An empty file (mktemp) and a device are written to: there is nothing to lose.
      const made = join(dir, 'made.jsonl');
      writeFileSync(made, '');
      await writeFlagFile('--out', made, 'y', never);
      expect(readFileSync(made, 'utf8')).toBe('y');
      await writeFlagFile('--out', '/dev/null', 'z', never);
      // A device is written to, never read for its kind (a pipe would block).
      expect(() => checkFlagFile('--out', '/dev/null', never)).not.toThrow();
      expect(() => checkFlagFile('--report', '/dev/null', report)).not.toThrow();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('numeric flags', () => {
  it('name the flag and the range they take', () => {
    expect(integerFlag(undefined, 'seed', { min: 0, max: MAX_SEED }, 1)).toBe(1);
    expect(integerFlag('42', 'seed', { min: 0, max: MAX_SEED })).toBe(42);
    for (const bad of ['1.5', 'abc', '', '-3', '4294967296'])
      expect(() => integerFlag(bad, 'seed', { min: 0, max: MAX_SEED })).toThrow(
        /--seed expects an integer from 0 to 4294967295, got/,
      );
    expect(() => integerFlag('0', 'top', { min: 1 })).toThrow(/--top expects an integer ≥ 1, got '0'/);
    expect(boundedFlag('0.3', 'threshold', (x) => x >= 0 && x <= 1, 'from 0 to 1')).toBe(0.3);
    expect(() => boundedFlag('5', 'threshold', (x) => x >= 0 && x <= 1, 'from 0 to 1')).toThrow(
      /--threshold expects a number from 0 to 1, got '5'/,
    );
  });
});

describe('per-command --help, flags that do not go together', () => {
  const cli = (args: string[]) =>
    spawnSync(process.execPath, ['bin/switchboard.js', ...args], { encoding: 'utf8', timeout: 120_000 });

  it('prints the usage of that command, exit 0', () => {
    const r = cli(['train', 'intent', '--data', 'x.jsonl', '--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/switchboard train intent --data FILE\.\.\./);
    expect(r.stdout).not.toMatch(/switchboard eval ner/);
    expect(r.stdout).toMatch(/^Data: JSONL/m);
    const both = cli(['train', 'intent', '--data', 'x.jsonl', '--out', 'm', '--no-background', '--background', 'bg']);
    expect(both.status).toBe(1);
    expect(both.stderr).toMatch(/--no-background and --background do not go together \[E_USAGE\]/);
    const group = cli(['train', '--help']);
    expect(group.status).toBe(0);
    expect(group.stdout).toMatch(
      /switchboard train intent[\s\S]*switchboard train ner[\s\S]*switchboard train language/,
    );
    const ner = cli(['eval', 'ner', '-h']);
    expect(ner.stdout).toMatch(/eval ner --model DIR --data FILE\.conll/);
    expect(ner.stdout).not.toMatch(/JSONL \{"text","intent"\}/);
    // A report that cannot be written is refused before the folds train.
    const cv = cli([
      'eval',
      'intent',
      '--cv',
      '3',
      '--data',
      'test/fixtures/data/shop-bot.jsonl',
      '--report',
      '/no/such/dir/r.html',
    ]);
    expect(cv.status).toBe(1);
    expect(cv.stderr).toMatch(/--report \/no\/such\/dir\/r\.html: is in a folder that does not exist/);
    expect(cv.stderr).not.toMatch(/fold 1/);
    const p = cli(['predict', '-h']);
    expect(p.status).toBe(0);
    expect(p.stdout).toMatch(/^NLU flags \(predict\)/m);
    expect(p.stdout).not.toMatch(/switchboard report/);
  });
});

describe('retraining into a directory with a drift baseline', () => {
  it('says the baseline was measured on the previous model, and keeps it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchboard-baseline-'));
    try {
      writeFileSync(join(dir, 'baseline.json'), '{}');
      const r = spawnSync(
        process.execPath,
        [
          'bin/switchboard.js',
          'train',
          'intent',
          '--data',
          'test/fixtures/data/shop-bot.jsonl',
          '--out',
          dir,
          '--budget',
          '1',
        ],
        { encoding: 'utf8', timeout: 120_000 },
      );
      expect(r.status, r.stderr).toBe(0);
      expect(r.stderr).toMatch(
        /baseline\.json \(the drift baseline\) was measured on the previous model: run 'switchboard baseline/,
      );
      expect(readFileSync(join(dir, 'baseline.json'), 'utf8')).toBe('{}');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
