import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SwitchboardError } from '../../../../src/errors.ts';
import { type Feed, OnnxSession } from '../../../../src/nlu/onnx/onnx-session.ts';
import { buildIntentOnnx } from '../../../../src/train/export-onnx.ts';
import { tinyIntentModel } from '../../../fixtures/tiny-intent-model.ts';

let session: OnnxSession;
beforeAll(async () => {
  session = await OnnxSession.create(buildIntentOnnx(tinyIntentModel({ seed: 51 }).weights, { quantize: false }));
});
afterAll(async () => {
  await session.release();
});

const feeds = (ids: Feed['data'], counts: Feed['data'], dims = [1, 3]): Record<string, Feed> => ({
  ids: { data: ids, dims },
  counts: { data: counts, dims },
});

async function runError(f: Record<string, Feed>): Promise<SwitchboardError> {
  const e = await session.run(f).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(SwitchboardError);
  return e as SwitchboardError;
}

describe('OnnxSession', () => {
  it('runs valid feeds and returns only the requested outputs', async () => {
    const out = await session.run(feeds(BigInt64Array.of(1n, 2n, 0n), Float32Array.of(1, 2, 0)), ['probs']);
    expect(Object.keys(out)).toEqual(['probs']);
    expect(out.probs.dims).toEqual([1, 5]);
  });

  it('rejects missing, unknown and mistyped feeds with E_ONNX_FEED, naming shapes only', async () => {
    const missing = await runError({ ids: { data: BigInt64Array.of(1n), dims: [1, 1] } });
    expect(missing.code).toBe('E_ONNX_FEED');
    expect(missing.kind).toBe('internal');
    expect(missing.message).toContain("missing input 'counts'");
    const unknown = await runError({
      ...feeds(BigInt64Array.of(1n, 2n, 3n), Float32Array.of(1, 1, 1)),
      text: feeds(BigInt64Array.of(1n), Float32Array.of(1)).ids,
    });
    expect(unknown.message).toContain("unknown input 'text'");
    const mistyped = await runError(feeds(Int32Array.of(1, 2, 3), Float32Array.of(1, 1, 1)));
    expect(mistyped.message).toContain("input 'ids' must be int64");
    expect(mistyped.message).toContain('ids int32[1,3], counts float32[1,3]');
    const wrongLength = await runError(feeds(BigInt64Array.of(1n, 2n), Float32Array.of(1, 1)));
    expect(wrongLength.message).toContain("input 'ids' has 2 values for shape [1,3]");
    const wrongRank = await runError(feeds(BigInt64Array.of(1n, 2n, 3n), Float32Array.of(1, 1, 1), [3]));
    expect(wrongRank.message).toContain('rank 2');
  });

  it('wraps ONNX Runtime failures as E_ONNX_RUN with the input shapes', async () => {
    const e = await runError(feeds(BigInt64Array.of(1n, 99_999n, 3n), Float32Array.of(1, 1, 1)));
    expect(e.code).toBe('E_ONNX_RUN');
    expect(e.message).toContain('ids int64[1,3]');
  });

  it('fails to load garbage with E_ONNX_LOAD', async () => {
    const e = await OnnxSession.create(new Uint8Array([1, 2, 3, 4])).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect((e as SwitchboardError).code).toBe('E_ONNX_LOAD');
  });

  it('runs through the native session by default, with the public API as the same model would', async () => {
    const { weights } = tinyIntentModel({ seed: 52, linear: true, towerRows: 40 });
    const bytes = buildIntentOnnx(weights, { quantize: true });
    // Ids the towers read (a row in their tables) and ids only the linear member reads.
    const map = weights.towers[0].rowMap!;
    const inTowers = [...map.keys()].filter((r) => map[r] > 0).slice(0, 3);
    const linearOnly = [...map.keys()].filter((r) => r > 0 && map[r] === 0).slice(0, 2);
    const ids = BigInt64Array.from([...inTowers, ...linearOnly, 0], BigInt);
    const dir = mkdtempSync(join(tmpdir(), 'switchboard-onnx-'));
    writeFileSync(join(dir, 'model.onnx'), bytes);
    const native = await OnnxSession.create(bytes);
    const fromFile = await OnnxSession.create(join(dir, 'model.onnx'));
    const pub = await OnnxSession.create(bytes, { api: 'public' });
    for (const s of [native, fromFile]) {
      expect(s.inputNames).toEqual(pub.inputNames);
      expect(s.outputNames).toEqual(pub.outputNames);
    }
    const f = feeds(ids, Float32Array.of(1, 2, 1, 3, 1, 0), [1, 6]);
    const [a, b, c] = await Promise.all([native.run(f), fromFile.run(f), pub.run(f)]);
    for (const out of [a, b]) {
      expect(Object.keys(out).sort()).toEqual(Object.keys(c).sort());
      for (const name of Object.keys(c)) {
        expect(out[name].type).toBe(c[name].type);
        expect(out[name].dims).toEqual(c[name].dims);
        expect(Array.from(out[name].data as Float32Array)).toEqual(Array.from(c[name].data as Float32Array));
      }
    }
    // The native run completes within the call: an immediate queued before it has not run yet when it resolves. The
    // public API defers the run to an immediate of its own, queued after that one.
    const firedBefore = async (s: OnnxSession) => {
      let fired = false;
      setImmediate(() => {
        fired = true;
      });
      await s.run(f);
      return fired;
    };
    expect(await firedBefore(native)).toBe(false);
    expect(await firedBefore(pub)).toBe(true);
    // Unknown outputs, failures and a released session are reported the same way on both paths.
    for (const s of [native, pub]) {
      for (const outputs of [['probs', 'nope'], ['nope'], []]) {
        const e = await s.run(f, outputs).then(
          () => undefined,
          (err: unknown) => err,
        );
        expect((e as SwitchboardError).code).toBe('E_ONNX_RUN');
      }
    }
    const bad = feeds(BigInt64Array.of(1n, 99_999n, 3n), Float32Array.of(1, 1, 1));
    for (const s of [native, pub]) {
      const e = await s.run(bad).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect((e as SwitchboardError).code).toBe('E_ONNX_RUN');
    }
    await native.release();
    await native.release(); // twice is harmless
    const released = await native.run(f).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect((released as SwitchboardError).code).toBe('E_ONNX_RUN');
    await fromFile.release();
    await pub.release();
    rmSync(dir, { recursive: true, force: true });
  });
});
