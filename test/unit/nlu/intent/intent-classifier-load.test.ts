import { createHash } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';
import { afterAll, describe, expect, it } from 'vitest';
import { SwitchboardError } from '../../../../src/errors.ts';
import { FeatureVocabulary } from '../../../../src/nlu/features/feature-vocabulary.ts';
import { IntentClassifier } from '../../../../src/nlu/intent/intent-classifier.ts';
import { saveTinyIntentModel } from '../../../fixtures/tiny-intent-model.ts';

const { onnx } = onnxProto;

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function fresh() {
  const saved = await saveTinyIntentModel({ seed: 31 });
  dirs.push(saved.dir);
  return saved;
}

// biome-ignore lint/suspicious/noExplicitAny: tests edit the manifest as free-form JSON
type Json = Record<string, any>;

async function editManifest(dir: string, edit: (m: Json) => void) {
  const path = join(dir, 'manifest.json');
  const m = JSON.parse(await readFile(path, 'utf8'));
  edit(m);
  await writeFile(path, JSON.stringify(m));
}

/** Rewrites a file and makes the manifest's checksum agree, so only the content is wrong. */
async function replaceFile(
  dir: string,
  file: 'model.onnx' | 'features.bin',
  bytes: Uint8Array,
  edit: (m: Json, bytes: Uint8Array) => void = () => {},
) {
  await writeFile(join(dir, file), bytes);
  await editManifest(dir, (m) => {
    const entry = file === 'model.onnx' ? m.onnx : m.features;
    entry.sha256 = createHash('sha256').update(bytes).digest('hex');
    entry.bytes = bytes.byteLength;
    edit(m, bytes);
  });
}

const replaceModel = (dir: string, bytes: Uint8Array) => replaceFile(dir, 'model.onnx', bytes);

async function loadError(dir: string): Promise<SwitchboardError> {
  const e = await IntentClassifier.load(dir).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(SwitchboardError);
  return e as SwitchboardError;
}

describe('IntentClassifier.load errors', () => {
  it('names a missing directory', async () => {
    const e = await loadError('/nonexistent/switchboard-model');
    expect(e.code).toBe('E_MODEL_MISSING');
    expect(e.message).toContain('/nonexistent/switchboard-model');
  });

  it('names a missing model.onnx', async () => {
    const { dir } = await fresh();
    await rm(join(dir, 'model.onnx'));
    const e = await loadError(dir);
    expect(e.code).toBe('E_MODEL_MISSING');
    expect(e.message).toContain(join(dir, 'model.onnx'));
  });

  it('names a missing manifest.json', async () => {
    const { dir } = await fresh();
    await rm(join(dir, 'manifest.json'));
    const e = await loadError(dir);
    expect(e.code).toBe('E_MODEL_MISSING');
    expect(e.message).toContain('manifest.json');
  });

  it('reports a checksum mismatch with expected and actual digests', async () => {
    const { dir, manifest } = await fresh();
    const bytes = await readFile(join(dir, 'model.onnx'));
    bytes[bytes.length - 10] ^= 0xff;
    await writeFile(join(dir, 'model.onnx'), bytes);
    const e = await loadError(dir);
    expect(e.code).toBe('E_MODEL_CHECKSUM');
    expect(e.message).toContain(manifest.onnx.sha256);
    expect(e.message).toContain(createHash('sha256').update(bytes).digest('hex'));
  });

  it('names the copy an interrupted save left behind when a file no longer matches the manifest', async () => {
    const { dir } = await fresh();
    const good = await readFile(join(dir, 'model.onnx'));
    // A save that crashed mid-swap: the old file is in .old-*, a new one is in place, the manifest is still the old one.
    await mkdir(join(dir, '.old-4999999-k1'));
    await writeFile(join(dir, '.old-4999999-k1', 'model.onnx'), good);
    await writeFile(join(dir, 'model.onnx'), good.subarray(1));
    const e = await loadError(dir);
    expect(e.code).toBe('E_MODEL_CHECKSUM');
    expect(e.message).toContain(`the file this manifest expects is in ${join(dir, '.old-4999999-k1')}, left by a save`);
    // Another file's copy is no hint: the message stays plain.
    await writeFile(join(dir, '.old-4999999-k1', 'model.onnx'), 'something else');
    expect((await loadError(dir)).message).not.toContain('.old-4999999-k1');
  });

  it('rejects corrupt or truncated ONNX bytes as E_MODEL_CORRUPT', async () => {
    const { dir } = await fresh();
    const good = await readFile(join(dir, 'model.onnx'));
    await replaceModel(dir, new TextEncoder().encode('this is not an onnx model at all'));
    expect((await loadError(dir)).code).toBe('E_MODEL_CORRUPT');
    await replaceModel(dir, good.subarray(0, good.length >> 1));
    const e = await loadError(dir);
    expect(e.code).toBe('E_MODEL_CORRUPT');
    expect(e.message).toContain('model.onnx');
  });

  it('rejects a manifest that is not JSON, or invalid, with every problem listed', async () => {
    const { dir } = await fresh();
    await writeFile(join(dir, 'manifest.json'), '{ "format_version": 1, ');
    const e1 = await loadError(dir);
    expect(e1.code).toBe('E_MODEL_MANIFEST');
    expect(e1.message).toMatch(/not valid JSON/);
    const { dir: dir2 } = await fresh();
    await editManifest(dir2, (m) => {
      delete m.labels;
      m.calibration.temperature = -1;
    });
    const e2 = await loadError(dir2);
    expect(e2.code).toBe('E_MODEL_MANIFEST');
    expect(e2.message).toContain('labels');
    expect(e2.message).toContain('calibration.temperature');
  });

  it('rejects another kind of model', async () => {
    const { dir } = await fresh();
    await editManifest(dir, (m) => {
      m.kind = 'ner';
    });
    const e = await loadError(dir);
    expect(e.code).toBe('E_MODEL_KIND');
    expect(e.message).toContain("'ner'");
  });

  it('rejects a manifest whose labels are not the ones the graph was exported with (reordered, renamed)', async () => {
    const { dir } = await fresh();
    await editManifest(dir, (m) => {
      m.labels.reverse();
    });
    const e = await loadError(dir);
    expect(e.code).toBe('E_MODEL_CORRUPT');
    expect(e.message).toMatch(/exported with other labels .* in another order or with other names/);
    const { dir: dir2 } = await fresh();
    await editManifest(dir2, (m) => {
      m.labels[0] = 'renamed_intent';
    });
    expect((await loadError(dir2)).code).toBe('E_MODEL_CORRUPT');
  });

  it('rejects a graph whose label count or embedding rows disagree with the manifest', async () => {
    const { dir } = await fresh();
    await editManifest(dir, (m) => {
      m.labels.push('extra_label');
    });
    expect((await loadError(dir)).code).toBe('E_MODEL_CORRUPT');
    // A vocabulary with more rows than the embedding: the probe of the last row fails.
    const { dir: dir2, trained } = await fresh();
    const wider = new FeatureVocabulary(Int32Array.from({ length: trained.vocabulary.rows + 5 }, (_, i) => i + 1));
    await replaceFile(dir2, 'features.bin', wider.toBytes(), (m, bytes) => {
      m.features.rows = bytes.length / 4 + 1;
    });
    const e = await loadError(dir2);
    expect(e.code).toBe('E_MODEL_CORRUPT');
    expect(e.message).toContain('embedding row');
  });

  it('checks features.bin: missing, checksum, content', async () => {
    const { dir } = await fresh();
    await rm(join(dir, 'features.bin'));
    const missing = await loadError(dir);
    expect(missing.code).toBe('E_MODEL_MISSING');
    expect(missing.message).toContain(join(dir, 'features.bin'));
    const { dir: dir2 } = await fresh();
    const bytes = await readFile(join(dir2, 'features.bin'));
    bytes[0] ^= 1;
    await writeFile(join(dir2, 'features.bin'), bytes);
    expect((await loadError(dir2)).code).toBe('E_MODEL_CHECKSUM');
    const { dir: dir3 } = await fresh();
    await replaceFile(dir3, 'features.bin', Uint8Array.of(9, 0, 0, 0, 3, 0, 0, 0), (m) => {
      m.features.rows = 3;
    });
    const unsorted = await loadError(dir3);
    expect(unsorted.code).toBe('E_MODEL_CORRUPT');
    expect(unsorted.message).toContain('features.bin');
  });

  it('rejects a tower row map that points outside its table, wherever the bad entry is', async () => {
    for (const quantize of [false, true]) {
      const { dir } = await saveTinyIntentModel({ seed: 32, towers: 2, linear: true, towerRows: 60, quantize });
      dirs.push(dir);
      expect((await IntentClassifier.load(dir)).labels).toHaveLength(5); // sound as saved
      const model = onnx.ModelProto.decode(await readFile(join(dir, 'model.onnx')));
      const map = model.graph!.initializer!.find((t) => t.name === 'fused.row_map')!;
      const values = new Int32Array(new Uint8Array(map.rawData!).slice().buffer);
      values[100] = 60; // one past the last table row, in the middle of the map (the probe reads only the last id)
      map.rawData = new Uint8Array(values.buffer);
      await replaceModel(dir, onnx.ModelProto.encode(model).finish());
      const e = await loadError(dir);
      expect(e.code).toBe('E_MODEL_CORRUPT');
      expect(e.message).toContain('fused.row_map[100] = 60');
    }
  });

  it('rejects a row map that reaches its tables through another node (which could move rows unchecked)', async () => {
    const { dir } = await saveTinyIntentModel({ seed: 33, towers: 2, linear: true, towerRows: 60, quantize: true });
    dirs.push(dir);
    const model = onnx.ModelProto.decode(await readFile(join(dir, 'model.onnx')));
    const g = model.graph!;
    // A Cast (int32 → int32) between the map's Gather and the table gathers, and map entries that are negative:
    // Gather would read them from the end of the table.
    const map = g.initializer!.find((t) => t.name === 'fused.row_map')!;
    const values = new Int32Array(new Uint8Array(map.rawData!).slice().buffer).map((r) => -r);
    map.rawData = new Uint8Array(values.buffer);
    for (const n of g.node!) if (n.opType === 'Gather' && n.input![1] === 'fused.table_ids') n.input![1] = 'cast_ids';
    g.node!.unshift({
      opType: 'Cast',
      input: ['fused.table_ids'],
      output: ['cast_ids'],
      name: 'cast',
      attribute: [{ name: 'to', type: 2, i: 6 }],
    });
    // Keep the nodes in topological order: the Cast after the map's Gather.
    const at = g.node!.findIndex((n) => n.output?.[0] === 'fused.table_ids');
    g.node!.splice(at + 1, 0, g.node!.shift()!);
    await replaceModel(dir, onnx.ModelProto.encode(model).finish());
    const e = await loadError(dir);
    expect(e.code).toBe('E_MODEL_CORRUPT');
    expect(e.message).toContain('fused.row_map feeds Cast');
  });
});
