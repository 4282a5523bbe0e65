import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'switchboard-language-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the real `switchboard` bin in a child process. */
function cli(args: string[]) {
  const r = spawnSync(process.execPath, ['bin/switchboard.js', ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('switchboard train language on top of the shipped profile', () => {
  it('with two lines: writes the profile, warns that it keeps the base calibration, prints no 0.00% of 0', () => {
    const data = join(dir, 'two.tsv');
    writeFileSync(data, 'where is my parcel\ten\nwo ist mein paket\tde\n');
    const out = join(dir, 'two');
    const r = cli(['train', 'language', '--data', data, '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(join(out, 'profile.bin'))).toBe(true);
    expect(r.stderr).toMatch(/warning: too little data to validate.*keeping the base's calibration/);
    expect(r.stdout).toMatch(/no validation message could be scored/);
    expect(r.stdout).not.toMatch(/0\.00% of 0/);
    expect(r.stdout).toMatch(/temperature 11\.\d+ \(base\), hint bonus 2\.25 \(base\)/);
  });

  it('refuses data with nothing to learn from', () => {
    const data = join(dir, 'digits.tsv');
    writeFileSync(data, '12345\ten\n:-)\tde\n');
    const r = cli(['train', 'language', '--data', data, '--out', join(dir, 'digits')]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/no message has letters/);
  });
});

describe('switchboard help', () => {
  it('lists every flag of train language', () => {
    const help = cli(['help']).stdout;
    const at = help.indexOf('switchboard train language');
    const usage = help.slice(at, help.indexOf('switchboard eval language'));
    for (const flag of [
      '--data',
      '--valid',
      '--out',
      '--base DIR|none',
      '--max-n',
      '--alpha',
      '--min-count',
      '--describe TEXT',
      '--json',
    ]) {
      expect(usage).toContain(flag);
    }
  });
});
