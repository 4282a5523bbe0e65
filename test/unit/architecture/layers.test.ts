/**
 * The layer check of `npm run lint` (.dependency-cruiser.cjs) on a small tree made for the test: a clean tree passes,
 * an upward import and a cycle fail it.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../../..');
const CLI = join(ROOT, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');
let dir: string | undefined;

/** Writes `files` (path → source) into a fresh tree with the project's config and checks it. */
async function check(files: Record<string, string>): Promise<{ ok: boolean; output: string }> {
  dir = mkdtempSync(join(tmpdir(), 'layers-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { allowImportingTsExtensions: true } }));
  try {
    const { stdout } = await run(process.execPath, [CLI, 'src', '--config', join(ROOT, '.dependency-cruiser.cjs')], {
      cwd: dir,
    });
    return { ok: true, output: stdout };
  } catch (e) {
    return { ok: false, output: String((e as { stdout?: string }).stdout) };
  }
}

afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

const base = {
  'src/errors.ts': 'export const E = 1;\n',
  'src/turn.ts': "import { E } from './errors.ts';\nexport const T = E;\n",
  'src/handoff/service.ts': "import { T } from '../turn.ts';\nexport const H = T;\n",
  'src/server/app.ts': "import { H } from '../handoff/service.ts';\nexport const A = H;\n",
};

describe('the layer check', () => {
  it('passes imports that point down', async () => {
    const r = await check(base);
    expect(r.output).toContain('no dependency violations');
    expect(r.ok).toBe(true);
  });

  it('fails an upward import, naming the rule', async () => {
    const r = await check({
      ...base,
      'src/handoff/service.ts': "import type { A } from '../server/app.ts';\nexport type H = typeof A;\n",
      'src/server/app.ts': 'export const A = 1;\n',
    });
    expect(r.ok).toBe(false);
    expect(r.output).toContain('no-upward-from-handoff');
  });

  it('fails a cycle within a layer', async () => {
    const r = await check({
      ...base,
      'src/train/a.ts': "import { B } from './b.ts';\nexport const A = B;\n",
      'src/train/b.ts': "import { A } from './a.ts';\nexport const B = () => A;\n",
    });
    expect(r.ok).toBe(false);
    expect(r.output).toContain('no-circular');
  });

  it('fails serving code that imports training code', async () => {
    const r = await check({
      ...base,
      'src/train/policy.ts': 'export const OUT = 1;\n',
      'src/router/policy.ts': "import { OUT } from '../train/policy.ts';\nexport const P = OUT;\n",
    });
    expect(r.ok).toBe(false);
    expect(r.output).toContain('serving-not-training');
  });
});
