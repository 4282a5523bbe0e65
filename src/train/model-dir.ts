/**
 * Model directories as a unit: a new model is written into a staging directory beside the target and swapped in
 * whole, so a failed save (full disk, a crash, Ctrl-C) leaves the previous model exactly as it was; and `--out` is
 * checked before training (writable, not another kind of model, not the corpus being read).
 */
import { accessSync, constants, existsSync, readFileSync, statSync } from 'node:fs';
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join, parse, resolve } from 'node:path';
import { SwitchboardError } from '../errors.ts';

/** Model kinds, as their manifests name them. */
export type ModelKind = 'intent' | 'ner' | 'language-profile';

/**
 * Throws an `E_USAGE` error naming `flag` when `dir` cannot receive a model of `kind`: a file, a filesystem root, a
 * directory that holds another kind of model (or the background corpus), one of `inputs` (directories the same run
 * reads), or a place the process may not write (the directory, or its parent when it does not exist yet).
 * @example checkModelOut('models/my-intents', 'intent', '--out', ['models/background'])
 */
export function checkModelOut(dir: string, kind: ModelKind, flag = '--out', inputs: readonly string[] = []): void {
  const fail = (why: string): never => {
    throw new SwitchboardError('E_USAGE', 'input', `${flag} ${dir}: ${why}`);
  };
  const abs = resolve(dir);
  if (parse(abs).root === abs) fail('is the root directory; give a directory for the model');
  for (const input of inputs) if (resolve(input) === abs) fail('is also read by this run; write the model elsewhere');
  if (existsSync(abs)) {
    if (!statSync(abs).isDirectory()) fail('is a file, not a directory');
    const manifest = join(abs, 'manifest.json');
    if (existsSync(manifest)) {
      let found: unknown;
      try {
        found = (JSON.parse(readFileSync(manifest, 'utf8')) as { kind?: unknown }).kind;
      } catch {
        found = undefined; // an unreadable manifest: that model is broken anyway, replacing it loses nothing
      }
      if (typeof found === 'string' && found !== kind)
        fail(
          `holds a ${found} ${found === 'background' ? 'corpus' : 'model'}, not an ${kind} model; choose another directory`,
        );
    }
  }
  // The model is staged beside the directory, then swapped in: the parent must be writable (and the directory too).
  let parent = dirname(abs);
  while (!existsSync(parent) && dirname(parent) !== parent) parent = dirname(parent);
  for (const p of existsSync(abs) ? [parent, abs] : [parent]) {
    try {
      accessSync(p, constants.W_OK);
    } catch {
      fail(`cannot be written (${p} is not writable)`);
    }
  }
}

/**
 * Writes a model directory as a unit: `write(staging)` fills a fresh directory beside `dir`, which then replaces
 * `dir`. Files in an existing `dir` that the new model does not write (a drift baseline, notes) are kept. On any
 * failure the staging directory is removed and `dir` is left as it was.
 * @example await replaceModelDir('models/my-intents', async (d) => { await writeFile(join(d, 'model.onnx'), bytes); });
 */
export async function replaceModelDir(dir: string, write: (staging: string) => Promise<void>): Promise<void> {
  const abs = resolve(dir);
  const tag = `${process.pid}-${Date.now().toString(36)}`;
  const staging = join(dirname(abs), `.${basename(abs)}.new-${tag}`);
  const old = join(dirname(abs), `.${basename(abs)}.old-${tag}`);
  await mkdir(dirname(abs), { recursive: true });
  const kept: string[] = []; // files of the existing directory moved into the staging one
  try {
    await mkdir(staging);
    await write(staging);
    if (!existsSync(abs)) {
      await rename(staging, abs);
      return;
    }
    const written = new Set(await readdir(staging));
    for (const name of await readdir(abs)) {
      if (written.has(name)) continue;
      await rename(join(abs, name), join(staging, name));
      kept.push(name);
    }
    await rename(abs, old);
    try {
      await rename(staging, abs);
    } catch (e) {
      await rename(old, abs);
      throw e;
    }
  } catch (e) {
    for (const name of kept) await rename(join(staging, name), join(abs, name)).catch(() => {});
    await rm(staging, { recursive: true, force: true });
    throw e;
  }
  await rm(old, { recursive: true, force: true });
}
