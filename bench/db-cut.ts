/**
 * The database-cut drill (issue 15): `--runs` times, a server on PostgreSQL behind a proxy, a burst of `--messages`
 * web-chat messages (answers and requests for a person) from 20 customers, PostgreSQL cut for `--cut-ms` a third of
 * the way in. Counts crashes, acknowledged messages, answered once / lost / twice. `--write-docs` writes the table
 * into docs/reliability.md. Needs TEST_DATABASE_URL (a PostgreSQL the drill may create schemas in).
 *
 *   TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npx tsx bench/db-cut.ts [--runs 10] [--messages 100] [--cut-ms 5000] [--write-docs]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { type DbCutResult, dbCutDrill } from '../test/fixtures/db-cut.ts';
import { writeDocSection } from './lib/doc-section.ts';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '10' },
    messages: { type: 'string', default: '100' },
    'cut-ms': { type: 'string', default: '5000' },
    'write-docs': { type: 'boolean', default: false },
  },
});
const url = process.env.TEST_DATABASE_URL;
if (!url) throw new Error('set TEST_DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/test)');
const runs = Number(values.runs);
const messages = Number(values.messages);
const cutMs = Number(values['cut-ms']);

const results: DbCutResult[] = [];
for (let i = 0; i < runs; i++) {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-dbcut-'));
  try {
    const r = await dbCutDrill({ databaseUrl: url, storeDir: dir, messages, customers: 20, cutMs });
    results.push(r);
    process.stderr.write(`run ${i + 1}: ${JSON.stringify(r)}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
const sum = (f: (r: DbCutResult) => number) => results.reduce((a, r) => a + f(r), 0);
const sorted = results.map((r) => r.recoverySeconds).sort((a, b) => a - b);
const table = [
  '| runs | messages | acknowledged | crashes | answered once | lost | answered twice | median seconds from the database back to the last answer |',
  '| --- | --- | --- | --- | --- | --- | --- | --- |',
  `| ${runs} | ${sum((r) => r.messages)} | ${sum((r) => r.acknowledged)} | **${sum((r) => (r.crashed ? 1 : 0))}** | ${sum((r) => r.once)} | **${sum((r) => r.lost)}** | **${sum((r) => r.duplicated)}** | ${sorted[Math.floor(sorted.length / 2)].toFixed(1)} s |`,
].join('\n');
console.log(table);
if (values['write-docs'])
  writeDocSection(
    join(import.meta.dirname, '..', 'docs', 'reliability.md'),
    'db-cut',
    `TEST_DATABASE_URL=… npx tsx bench/db-cut.ts --runs ${runs} --messages ${messages} --cut-ms ${cutMs} --write-docs`,
    table,
  );
