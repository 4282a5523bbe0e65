import {
  chmodSync,
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkModelOut, replaceModelDir } from '../../../src/train/model-dir.ts';

const root = mkdtempSync(join(tmpdir(), 'switchboard-model-dir-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const write = (dir: string, files: Record<string, string>) => async (staging: string) => {
  for (const [name, text] of Object.entries(files)) writeFileSync(join(staging, name), text);
  expect(staging).not.toBe(dir);
};

describe('replaceModelDir', () => {
  it('creates the directory, then replaces it whole, keeping files the new model does not write', async () => {
    const dir = join(root, 'a', 'model');
    await replaceModelDir(dir, write(dir, { 'model.onnx': 'v1', 'manifest.json': '{"v":1}' }));
    expect(readFileSync(join(dir, 'model.onnx'), 'utf8')).toBe('v1');
    writeFileSync(join(dir, 'baseline.json'), 'mine');
    await replaceModelDir(dir, write(dir, { 'model.onnx': 'v2', 'manifest.json': '{"v":2}' }));
    expect(readFileSync(join(dir, 'model.onnx'), 'utf8')).toBe('v2');
    expect(readFileSync(join(dir, 'baseline.json'), 'utf8')).toBe('mine');
    expect(readdirSync(join(root, 'a'))).toEqual(['model']);
    expect(readdirSync(dir).sort()).toEqual(['baseline.json', 'manifest.json', 'model.onnx']); // no staging left
  });

  it('leaves the previous model exactly as it was when writing the new one fails', async () => {
    const dir = join(root, 'b');
    await replaceModelDir(dir, write(dir, { 'model.onnx': 'good', 'features.bin': 'good', 'manifest.json': 'good' }));
    await expect(
      replaceModelDir(dir, async (staging) => {
        writeFileSync(join(staging, 'model.onnx'), 'half');
        throw new Error('ENOSPC: no space left on device');
      }),
    ).rejects.toThrow(/ENOSPC/);
    for (const f of ['model.onnx', 'features.bin', 'manifest.json'])
      expect(readFileSync(join(dir, f), 'utf8')).toBe('good');
    expect(readdirSync(dir).sort()).toEqual(['features.bin', 'manifest.json', 'model.onnx']); // no staging left
  });
});

describe('replaceModelDir keeps the directory itself', () => {
  it('same directory (a shell or server working in it), a symlink stays a link, nothing hidden left behind', async () => {
    const target = join(root, 'v3');
    await replaceModelDir(target, write(target, { 'model.onnx': 'v1', 'manifest.json': '1' }));
    const ino = statSync(target).ino;
    const link = join(root, 'current');
    symlinkSync(target, link);
    await replaceModelDir(link, write(link, { 'model.onnx': 'v2', 'manifest.json': '2' }));
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(statSync(target).ino).toBe(ino);
    expect(readFileSync(join(target, 'model.onnx'), 'utf8')).toBe('v2');
    expect(readdirSync(target).sort()).toEqual(['manifest.json', 'model.onnx']);
  });

  it('puts the old files back when the swap fails halfway', async () => {
    const dir = join(root, 'halfway');
    await replaceModelDir(dir, write(dir, { 'model.onnx': 'good', 'notes.txt': 'mine' }));
    // A directory where the new manifest goes: its rename fails after model.onnx was replaced.
    mkdirSync(join(dir, 'manifest.json', 'x'), { recursive: true });
    await expect(replaceModelDir(dir, write(dir, { 'model.onnx': 'new', 'manifest.json': 'new' }))).rejects.toThrow();
    expect(readFileSync(join(dir, 'model.onnx'), 'utf8')).toBe('good');
    expect(readFileSync(join(dir, 'notes.txt'), 'utf8')).toBe('mine');
    expect(readdirSync(dir).sort()).toEqual(['manifest.json', 'model.onnx', 'notes.txt']);
  });
});

describe('replaceModelDir after a crashed save', () => {
  it('removes staging and backup directories untouched for over an hour, keeps fresh ones (a save in progress)', async () => {
    const dir = join(root, 'crashed');
    await replaceModelDir(dir, write(dir, { 'model.onnx': 'v1', 'manifest.json': '1' }));
    const hoursAgo = new Date(Date.now() - 2 * 3600_000);
    // A crashed save's, whatever its process id (in a container, training often runs as the same pid every time).
    for (const name of ['.old-4999999-abc', '.new-4999999-abc', `.old-${process.pid}-abc`]) {
      mkdirSync(join(dir, name));
      writeFileSync(join(dir, name, 'model.onnx'), 'v0');
      utimesSync(join(dir, name), hoursAgo, hoursAgo);
    }
    const fresh = '.new-4999999-xyz'; // a save in progress, perhaps in another container sharing the directory
    mkdirSync(join(dir, fresh));
    mkdirSync(join(dir, '.old-notes')); // not a save's directory
    utimesSync(join(dir, '.old-notes'), hoursAgo, hoursAgo);
    await replaceModelDir(dir, write(dir, { 'model.onnx': 'v2', 'manifest.json': '2' }));
    expect(readdirSync(dir).sort()).toEqual(['.old-notes', fresh, 'manifest.json', 'model.onnx'].sort());
  });

  it("keeps a crashed save's backup when the next save fails too (it may be the only copy of the old files)", async () => {
    const dir = join(root, 'crashed-twice');
    await replaceModelDir(dir, write(dir, { 'model.onnx': 'v1', 'manifest.json': '1' }));
    mkdirSync(join(dir, '.old-4999999-abc'));
    const hoursAgo = new Date(Date.now() - 2 * 3600_000);
    utimesSync(join(dir, '.old-4999999-abc'), hoursAgo, hoursAgo);
    await expect(
      replaceModelDir(dir, async () => {
        throw new Error('ENOSPC');
      }),
    ).rejects.toThrow(/ENOSPC/);
    expect(existsSync(join(dir, '.old-4999999-abc'))).toBe(true);
  });
});

describe('checkModelOut', () => {
  it('refuses a file, the root, another kind of model, the corpus, and a directory the run reads', () => {
    const file = join(root, 'file.txt');
    writeFileSync(file, 'x');
    expect(() => checkModelOut(file, 'intent')).toThrow(/--out .*file\.txt: is a file/);
    expect(() => checkModelOut('/', 'intent')).toThrow(/root directory/);
    const ner = join(root, 'ner');
    cpSync('models/ner-en', ner, { recursive: true });
    expect(() => checkModelOut(ner, 'intent')).toThrow(/holds a ner model, not an intent model/);
    const bg = join(root, 'bg');
    mkdirSync(bg);
    writeFileSync(join(bg, 'manifest.json'), '{"kind":"background"}');
    expect(() => checkModelOut(bg, 'intent')).toThrow(/holds a background corpus/);
    const intent = join(root, 'intent');
    cpSync('models/intent-massive/manifest.json', join(intent, 'manifest.json'), { recursive: true });
    expect(() => checkModelOut(intent, 'intent')).not.toThrow();
    expect(() => checkModelOut(intent, 'intent', '--out', [`${intent}/`])).toThrow(/also read by this run/);
    expect(() => checkModelOut(join(root, 'new', 'deeper'), 'ner')).not.toThrow();
    // Another program's manifest.json (a Teams app package) is not a model's: training would replace it.
    const teams = join(root, 'teams-app');
    cpSync('docs/teams-app', teams, { recursive: true });
    expect(() => checkModelOut(teams, 'intent')).toThrow(/manifest\.json that is not a switchboard model's/);
    const garbled = join(root, 'garbled');
    mkdirSync(garbled);
    writeFileSync(join(garbled, 'manifest.json'), '{ not json');
    expect(() => checkModelOut(garbled, 'intent')).toThrow(/not a switchboard model's/);
    writeFileSync(join(garbled, 'model.onnx'), 'x'); // a broken model of ours: replacing it loses nothing
    expect(() => checkModelOut(garbled, 'intent')).not.toThrow();
    const foreign = join(root, 'k8s');
    mkdirSync(foreign);
    writeFileSync(join(foreign, 'manifest.json'), '{"kind":"Deployment","sha256":"x"}');
    expect(() => checkModelOut(foreign, 'intent')).toThrow(/not a switchboard model's/);
    // Retraining over a model of the same kind is what --out is for, also for a manifest without `kind`.
    const nerCopy = join(root, 'ner-again');
    cpSync('models/ner-en/manifest.json', join(nerCopy, 'manifest.json'), { recursive: true });
    expect(() => checkModelOut(nerCopy, 'ner')).not.toThrow();
    const lang = join(root, 'language-again');
    cpSync('models/language/manifest.json', join(lang, 'manifest.json'), { recursive: true });
    expect(() => checkModelOut(lang, 'language-profile')).not.toThrow();
    const noKind = JSON.parse(readFileSync(join(lang, 'manifest.json'), 'utf8'));
    delete noKind.kind;
    writeFileSync(join(lang, 'manifest.json'), JSON.stringify(noKind));
    expect(() => checkModelOut(lang, 'language-profile')).not.toThrow();
    expect(existsSync(join(root, 'new'))).toBe(false); // checking creates nothing
  });

  it.skipIf(process.getuid?.() === 0)('refuses a directory it cannot write, before any training', () => {
    const ro = join(root, 'ro');
    mkdirSync(ro);
    chmodSync(ro, 0o555);
    expect(() => checkModelOut(join(ro, 'model'), 'intent')).toThrow(/cannot be written/);
    chmodSync(ro, 0o755);
  });
});
