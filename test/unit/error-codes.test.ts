/** The error-code catalogue is complete: every `E_…` code written in src/ is in it, and it lists no code src/ dropped. */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../src/error-codes.ts';

const SRC = join(import.meta.dirname, '..', '..', 'src');
const CODE = /\bE_[A-Z][A-Z0-9_]*\b/g;

/** Code → the files (relative to src/) that mention it, outside the catalogue itself. */
function codesInSrc(): Map<string, string[]> {
  const found = new Map<string, string[]>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (/\.(ts|mjs|html)$/.test(entry.name) && entry.name !== 'error-codes.ts') {
        for (const code of readFileSync(path, 'utf8').match(CODE) ?? []) {
          found.set(code, [...(found.get(code) ?? []), relative(SRC, path)]);
        }
      }
    }
  };
  walk(SRC);
  return found;
}

describe('ERROR_CODES', () => {
  const used = codesInSrc();

  it('catalogues every code used in src/', () => {
    const missing = [...used]
      .filter(([code]) => !(code in ERROR_CODES))
      .map(([code, files]) => `${code} (${files[0]})`);
    expect(missing).toEqual([]);
  });

  it('lists only codes src/ uses, each with a kind and a meaning', () => {
    expect(Object.keys(ERROR_CODES).filter((code) => !used.has(code))).toEqual([]);
    for (const info of Object.values(ERROR_CODES)) {
      expect(['remote', 'transport', 'internal', 'input']).toContain(info.kind);
      expect(info.meaning.length).toBeGreaterThan(10);
    }
  });
});
