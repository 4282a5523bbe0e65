/**
 * `npx tsx bench/export-language-data.ts DIR`: writes the language-ID splits as TSV for the CLI —
 * train.tsv, valid.tsv (profile training) and chat.tsv, words.tsv, pairs.tsv, sentences.tsv (benchmark sets), and
 * mixed-chat.tsv … mixed-sentences.tsv (the 13-language configuration's sets).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chatSplits, LANGUAGE_SETS, languageSet, toTsv } from './language-data.ts';

const dir = process.argv[2] ?? '.tmp/language';
mkdirSync(dir, { recursive: true });
const { train, valid } = chatSplits();
writeFileSync(join(dir, 'train.tsv'), toTsv(train));
writeFileSync(join(dir, 'valid.tsv'), toTsv(valid));
for (const set of LANGUAGE_SETS) {
  writeFileSync(join(dir, `${set}.tsv`), toTsv(languageSet(set)));
  writeFileSync(join(dir, `mixed-${set}.tsv`), toTsv(languageSet(set, 'mixed')));
}
console.log(`wrote ${dir}/{train,valid,${LANGUAGE_SETS.join(',')},mixed-*}.tsv`);
