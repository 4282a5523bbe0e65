/**
 * Model directories as a unit: a new model is written into a staging directory and swapped in file by file with
 * atomic renames, the manifest last, so a failed save (full disk, Ctrl-C while writing) leaves the previous model as
 * it was; and `--out` is checked before training (writable, not another kind of model, not the corpus being read).
 */
import { accessSync, constants, existsSync, readFileSync, statSync } from 'node:fs';
import { copyFile, link, lstat, mkdir, readdir, rename, rm } from 'node:fs/promises';
import { dirname, join, parse, resolve } from 'node:path';
import { SwitchboardError } from '../errors.ts';
import { SAVE_LEFTOVER } from '../nlu/intent/intent-model-files.ts';

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
      let json: Record<string, unknown> | undefined;
      try {
        const parsed = JSON.parse(readFileSync(manifest, 'utf8')) as unknown;
        json = parsed !== null && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : undefined;
      } catch {
        json = undefined;
      }
      const found = KNOWN_KINDS.includes(json?.kind as string) ? (json?.kind as string) : undefined;
      if (found !== undefined && found !== kind)
        fail(
          `holds a ${found} ${found === 'background' ? 'corpus' : 'model'}, not an ${kind} model; choose another directory`,
        );
      // Another program's manifest.json (a Teams app package, a web app) would be replaced: only a model's is.
      const ours = json
        ? found !== undefined ||
          (json.kind === undefined && (isModelRecord(json.onnx) || typeof json.sha256 === 'string'))
        : ['model.onnx', 'profile.bin'].some((f) => existsSync(join(abs, f))); // a broken model of ours
      if (!ours)
        fail(
          "holds a manifest.json that is not a switchboard model's (training would replace it); choose another directory",
        );
    }
  }
  // The model is staged inside the directory: it must be writable, or the nearest existing folder above it.
  let writable = abs;
  while (!existsSync(writable) && dirname(writable) !== writable) writable = dirname(writable);
  try {
    accessSync(writable, constants.W_OK);
  } catch {
    fail(`cannot be written (${writable} is not writable)`);
  }
}

/** What a switchboard manifest's `kind` may say (the background corpus is not a model, but its directory is ours). */
const KNOWN_KINDS: readonly string[] = ['intent', 'ner', 'language-profile', 'background'];

/** A manifest's record of a model file: `{ sha256, bytes }`. */
function isModelRecord(x: unknown): boolean {
  return x !== null && typeof x === 'object' && typeof (x as { sha256?: unknown }).sha256 === 'string';
}

/**
 * Writes a model directory as a unit: `write(staging)` fills a fresh hidden directory inside `dir` (the same
 * filesystem as the model's files, whatever is mounted or linked there), then each new file replaces its namesake by
 * an atomic rename, `manifest.json` last: a reader sees the old manifest with its files until the new manifest is in
 * place (a reader that meets a new file under the old manifest fails its checksum, never loads a mix). The directory
 * itself is kept (its owner, mode, links, a process working in it) and so are files the new model does not write (a
 * drift baseline, notes). A failure while writing leaves `dir` as it was; a failure while swapping puts the old files
 * back. A crash in the swap (a few renames) leaves the old files in `dir/.old-*` (a load that then fails its checksum
 * names them); a successful save removes what crashed saves left behind more than an hour before.
 * @example await replaceModelDir('models/my-intents', async (d) => { await writeFile(join(d, 'model.onnx'), bytes); });
 */
export async function replaceModelDir(dir: string, write: (staging: string) => Promise<void>): Promise<void> {
  const abs = resolve(dir);
  await mkdir(abs, { recursive: true });
  const tag = `${process.pid}-${Date.now().toString(36)}`;
  const staging = join(abs, `.new-${tag}`);
  const backup = join(abs, `.old-${tag}`);
  await mkdir(staging);
  try {
    await write(staging);
  } catch (e) {
    await rm(staging, { recursive: true, force: true });
    throw e;
  }
  const names = (await readdir(staging)).sort().sort((a, b) => Number(a === MANIFEST) - Number(b === MANIFEST));
  const kept: string[] = []; // old files saved in the backup directory
  const placed: string[] = []; // new files renamed into place
  try {
    await mkdir(backup);
    for (const name of names) {
      const target = join(abs, name);
      if (existsSync(target)) {
        // A second name for the old file (no copy on the same filesystem), so the rename below replaces it atomically.
        await link(target, join(backup, name)).catch(() => copyFile(target, join(backup, name)));
        kept.push(name);
      }
      await rename(join(staging, name), target);
      placed.push(name);
    }
  } catch (e) {
    for (const name of placed.reverse()) {
      if (kept.includes(name)) await rename(join(backup, name), join(abs, name)).catch(() => {});
      else await rm(join(abs, name), { force: true }).catch(() => {});
    }
    await rm(staging, { recursive: true, force: true });
    await rm(backup, { recursive: true, force: true });
    throw e;
  }
  await rm(staging, { recursive: true, force: true });
  await rm(backup, { recursive: true, force: true });
  await removeCrashLeftovers(abs);
}

const MANIFEST = 'manifest.json';

/** A save's staging or backup directory this much older than now was left by a save that crashed. */
const LEFTOVER_AGE_MS = 60 * 60 * 1000;

/**
 * Removes staging and backup directories that crashed saves left in `dir`: those untouched for an hour (a save's own
 * live only while it writes and swaps its files, seconds). Age, not the process id in the name: a process id says
 * nothing across containers or hosts sharing the directory, and a container's training often has the same id every
 * run. Called after a save succeeded, when old files are no longer needed.
 */
async function removeCrashLeftovers(dir: string): Promise<void> {
  const now = Date.now();
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    if (!SAVE_LEFTOVER.test(name)) continue;
    const path = join(dir, name);
    const info = await lstat(path).catch(() => undefined);
    if (info && now - info.mtimeMs > LEFTOVER_AGE_MS) await rm(path, { recursive: true, force: true }).catch(() => {});
  }
}
