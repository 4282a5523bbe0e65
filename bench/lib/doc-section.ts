/**
 * Writes a benchmark's figures into a docs page between `<!-- NAME:start -->` and `<!-- NAME:end -->`, so that a page
 * carries the figures its command last measured and nothing pasted by hand. The section says when, on which commit,
 * on what machine and how busy it was, and with which command it was written.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';

/** Replaces the section `name` of `file` with `body` (under a line naming the command, date, commit and machine). */
export function writeDocSection(file: string, name: string, command: string, body: string): void {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const page = readFileSync(file, 'utf8');
  const from = page.indexOf(start);
  const to = page.indexOf(end);
  if (from < 0 || to < from) throw new Error(`${file}: no ${start} … ${end} section to write`);
  const stamp =
    `Written by \`${command}\` on ${new Date().toISOString().slice(0, 10)}, commit ${commit()}, ` +
    `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'CPU'}, Node ${process.versions.node}, load average ` +
    `${loadavg()[0].toFixed(1)} when written (figures from a busy machine are not comparable).`;
  const section = `${start}\n${stamp}\n\n${body.trim()}\n${end}`;
  writeFileSync(file, page.slice(0, from) + section + page.slice(to + end.length));
}

function commit(): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { encoding: 'utf8' }).trim();
    return dirty ? `${head} (with uncommitted changes)` : head;
  } catch {
    return 'unknown';
  }
}
