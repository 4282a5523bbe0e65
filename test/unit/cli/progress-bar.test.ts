import { describe, expect, it } from 'vitest';
import { ProgressBar } from '../../../src/cli/progress-bar.ts';

/** A terminal stand-in that keeps what was written. */
function terminal() {
  const out: string[] = [];
  const stream = { columns: 100, isTTY: true, write: (s: string) => out.push(s) } as unknown as NodeJS.WriteStream;
  return { out, stream };
}
const percents = (lines: string[]) => lines.map((l) => Number(/(\d+)%/.exec(l)?.[1] ?? Number.NaN));

describe('ProgressBar', () => {
  it('never draws a lower percentage on the same line: a lower fraction starts a new stage below', () => {
    const { out, stream } = terminal();
    const bar = new ProgressBar('training', stream, true);
    let clock = 0;
    const realNow = Date.now;
    Date.now = () => (clock += 1000); // every update is past the redraw throttle
    try {
      for (const f of [0.1, 0.5, 0.48, 1, 0.05, 0.6, 1]) bar.update(f, '');
    } finally {
      Date.now = realNow;
    }
    const drawn = out.join('').split('\n');
    expect(drawn).toHaveLength(2);
    for (const line of drawn) {
      const p = percents(line.split('\r').filter((x) => x.includes('%')));
      for (let i = 1; i < p.length; i++) expect(p[i]).toBeGreaterThanOrEqual(p[i - 1]);
    }
    expect(drawn[1]).toContain('training (stage 2)');
  });
});
