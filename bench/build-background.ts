/**
 * Builds the shipped background corpus `models/background/` from the Tatoeba blocks of
 * `../shared/data/langid-train` (provenance.tsv gives each block's line range): everyday sentences, CC BY 2.0 FR.
 * `npx tsx bench/build-background.ts [OUT_DIR]` — writes sentences.tsv.gz, manifest.json and MODEL_CARD.md.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import {
  BACKGROUND_FILE,
  BACKGROUND_MANIFEST,
  type BackgroundManifest,
  DEFAULT_BACKGROUND_DIR,
} from '../src/train/background/background-corpus.ts';
import { DATA_ROOT } from './datasets.ts';

const out = process.argv[2] ?? DEFAULT_BACKGROUND_DIR;
const root = join(DATA_ROOT, 'langid-train');
const lines = readFileSync(join(root, 'train.tsv'), 'utf8').split('\n');
const blocks = readFileSync(join(root, 'provenance.tsv'), 'utf8')
  .split('\n')
  .slice(1)
  .filter((l) => l.trim() !== '')
  .map((l) => l.split('\t'))
  .filter(([, source]) => source === 'tatoeba')
  .map(([code, , first, last]) => ({ code, first: Number(first), last: Number(last) }));
const kept: string[] = [];
const languages: Record<string, number> = {};
for (const b of blocks) {
  for (let n = b.first; n <= b.last; n++) {
    const line = lines[n - 1];
    const [text, code] = line.split('\t');
    if (code !== b.code) throw new Error(`provenance.tsv: line ${n} is ${code}, block says ${b.code}`);
    kept.push(`${text}\t${code}`);
  }
  languages[b.code] = (languages[b.code] ?? 0) + (b.last - b.first + 1);
}
const gz = gzipSync(Buffer.from(`${kept.join('\n')}\n`, 'utf8'), { level: 9 });
const manifest: BackgroundManifest = {
  kind: 'background',
  format_version: 1,
  file: BACKGROUND_FILE,
  sha256: createHash('sha256').update(gz).digest('hex'),
  lines: kept.length,
  languages,
  source:
    'Tatoeba sentences (the tatoeba blocks of langid-train: LASER tatoeba v1 test set 2018-11-17, Tatoeba/tatodet)',
  license: 'CC BY 2.0 FR (some sentences CC0)',
};
mkdirSync(out, { recursive: true });
writeFileSync(join(out, BACKGROUND_FILE), gz);
writeFileSync(join(out, BACKGROUND_MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
const byCount = Object.entries(languages).sort((a, b) => b[1] - a[1]);
writeFileSync(
  join(out, 'MODEL_CARD.md'),
  [
    '# Background corpus',
    '',
    `${kept.length} everyday sentences in ${byCount.length} languages that belong to no bot. \`switchboard train intent\``,
    'draws out-of-scope examples from it (lines close to the bot’s own examples are dropped first); the runtime never',
    'reads it. Written by `npx tsx bench/build-background.ts`.',
    '',
    '## Source and attribution',
    '',
    'Sentences from Tatoeba (https://tatoeba.org), by Tatoeba contributors, licensed CC BY 2.0 FR (some CC0). Taken',
    'from the Tatoeba blocks of the language-identification training set (`../shared/data/langid-train`,',
    '`provenance.tsv`): the LASER Tatoeba test set (facebookresearch/LASER, data/tatoeba/v1, Tatoeba export of',
    '2018-11-17) and Tatoeba/tatodet samples. Lines are NFC, ≤ 300 characters, de-duplicated per language.',
    '',
    `File \`${BACKGROUND_FILE}\`: ${gz.length} bytes, sha256 \`${manifest.sha256}\`.`,
    '',
    '## Lines per language',
    '',
    byCount.map(([c, n]) => `${c} ${n}`).join(' · '),
    '',
  ].join('\n'),
);
console.log(`wrote ${out}: ${kept.length} lines, ${byCount.length} languages, ${(gz.length / 1e6).toFixed(2)} MB`);
