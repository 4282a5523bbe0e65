/**
 * The kill -9 drill (issue 15): for each channel and each delay, `--runs` customer messages, each followed `delay` ms
 * after the server's acknowledgement by SIGKILL and a restart on the same SQLite store; every message must be answered
 * exactly once. Counts answered once / lost / duplicated and the time from the restarted server's "listening" to the
 * reply. With `--write-docs` the table goes into docs/reliability.md.
 *
 *   npx tsx bench/kill-after-ack.ts [--channels slack,teams,web] [--delays 0,5,25] [--runs 20] [--write-docs]
 *     [--section kill-after-ack]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { type DrillChannel, type DrillResult, killAfterAck } from '../test/fixtures/kill-after-ack.ts';
import { writeDocSection } from './lib/doc-section.ts';

const { values } = parseArgs({
  options: {
    channels: { type: 'string', default: 'slack,teams,web' },
    delays: { type: 'string', default: '0,5,25' },
    runs: { type: 'string', default: '20' },
    'write-docs': { type: 'boolean', default: false },
    /** The docs section written (a focused rerun — one channel — goes into a section of its own). */
    section: { type: 'string', default: 'kill-after-ack' },
  },
});
const channels = (values.channels as string).split(',') as DrillChannel[];
const delays = (values.delays as string).split(',').map(Number);
const runs = Number(values.runs);

const median = (xs: number[]) => {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};

const results: DrillResult[] = [];
for (const channel of channels) {
  const dir = mkdtempSync(join(tmpdir(), `switchboard-drill-${channel}-`));
  try {
    results.push(
      ...(await killAfterAck({
        channel,
        delays,
        runs,
        storeFile: join(dir, 'switchboard.db'),
        onRun: (line) => process.stderr.write(`${line}\n`),
      })),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const rows = results.map(
  (r) =>
    `| ${r.channel} | ${r.delayMs} ms | ${r.runs} | ${r.once} | **${r.lost}** | **${r.duplicated}** | ${r.refused} | ` +
    `${median(r.recoverySeconds).toFixed(2)} s |`,
);
const table = [
  '| channel | kill after the ack | messages | answered once | lost | answered twice | refused (channel retries) | median time to the answer after restart |',
  '| --- | --- | --- | --- | --- | --- | --- | --- |',
  ...rows,
].join('\n');
console.log(table);
if (values['write-docs']) {
  const section = values.section as string;
  const command = `npx tsx bench/kill-after-ack.ts --channels ${channels.join(',')} --delays ${delays.join(',')} --runs ${runs}${section === 'kill-after-ack' ? '' : ` --section ${section}`} --write-docs`;
  writeDocSection(join(import.meta.dirname, '..', 'docs', 'reliability.md'), section, command, table);
}
