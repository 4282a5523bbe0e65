import { rm } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { isSwitchboardError } from '../../../../src/errors.ts';
import {
  oosNotMeasuredReason,
  oosProtectionProblem,
  parseManifest,
  readManifest,
} from '../../../../src/nlu/intent/intent-manifest.ts';
import { saveTinyIntentModel } from '../../../fixtures/tiny-intent-model.ts';

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return isSwitchboardError(e) ? e.code : 'not a SwitchboardError';
  }
  return undefined;
}

describe('intent manifest', () => {
  it('round-trips what saveIntentModel writes', async () => {
    const { dir, manifest } = await saveTinyIntentModel({ seed: 41, threshold: 0.3 });
    dirs.push(dir);
    const read = await readManifest(dir);
    expect(read).toEqual(manifest);
    expect(read.calibration.threshold).toBe(0.3);
    expect(read.onnx.file).toBe('model.onnx');
  });

  it('checks format version, kind, duplicate labels and threshold labels', async () => {
    const { dir, manifest } = await saveTinyIntentModel({ seed: 42 });
    dirs.push(dir);
    const ok = JSON.parse(JSON.stringify(manifest));
    expect(codeOf(() => parseManifest(ok, 'm.json'))).toBeUndefined();
    expect(codeOf(() => parseManifest({ ...ok, format_version: 2 }, 'm.json'))).toBe('E_MODEL_MANIFEST');
    expect(codeOf(() => parseManifest({ ...ok, kind: 'language' }, 'm.json'))).toBe('E_MODEL_KIND');
    expect(codeOf(() => parseManifest([], 'm.json'))).toBe('E_MODEL_MANIFEST');
    expect(() => parseManifest({ ...ok, labels: ['a', 'a'] }, 'm.json')).toThrow(/duplicate label 'a'/);
    const thresholds = { ...ok, calibration: { ...ok.calibration, thresholds: { nope: 0.5 } } };
    expect(() => parseManifest(thresholds, 'm.json')).toThrow(/calibration\.thresholds\.nope: not one of the labels/);
    const ranges = { ...ok, featurizer: { ...ok.featurizer, charNgrams: [5, 2] } };
    expect(() => parseManifest(ranges, 'm.json')).toThrow(/featurizer\.charNgrams/);
  });
});

describe('oosProtectionProblem', () => {
  it('warns about a model without a record or with protection not measured, and not otherwise', async () => {
    const { dir, manifest } = await saveTinyIntentModel({ seed: 42 });
    dirs.push(dir);
    expect(oosProtectionProblem(manifest)).toMatch(/no record of out-of-scope protection/);
    const measured = {
      ...manifest,
      calibration: {
        ...manifest.calibration,
        oos_protection: { source: 'background' as const, held_out: 500, recall: 0.9 },
      },
    };
    expect(oosProtectionProblem(measured)).toBeUndefined();
    // Measured but weak (a small bot): said, with the share and what to do.
    const weak = {
      ...manifest,
      calibration: {
        ...manifest.calibration,
        oos_protection: { source: 'background' as const, held_out: 545, recall: 0.426 },
      },
    };
    expect(oosProtectionProblem(weak)).toMatch(
      /weak: it refused only 42\.6% of 545 held-out .*add out_of_scope examples/,
    );
    const none = {
      ...manifest,
      calibration: { ...manifest.calibration, oos_protection: { source: 'none' as const, held_out: 0 } },
    };
    expect(oosProtectionProblem(none)).toMatch(
      /NOT measured \(no out_of_scope rows, the background corpus switched off/,
    );
    // The corpus was used but has no line in the bot's language: a different reason, a different remedy.
    const unmatched = {
      ...none,
      training: { ...none.training, background: { languages: [], unmatched: ['yo'], heldLines: 0 } },
    };
    expect(oosProtectionProblem(unmatched)).toMatch(
      /no lines in your bot's language \(yo\).*add out_of_scope examples/,
    );
  });
});

describe('oosNotMeasuredReason', () => {
  it('says what to do in each case', () => {
    const reason = (background?: object) =>
      oosNotMeasuredReason({ training: { background } } as Parameters<typeof oosNotMeasuredReason>[0]);
    expect(reason()).toMatch(/--no-background/);
    expect(reason({ languages: [], unmatched: ['yo'], languageSource: 'word overlap' })).toMatch(
      /no lines in your bot's language \(yo\)/,
    );
    expect(reason({ languages: [], unmatched: [], languageSource: 'word overlap' })).toMatch(
      /could not be recognised from its words \(add a language field/,
    );
    expect(reason({ languages: [], unmatched: [], languageSource: 'data' })).toMatch(
      /no lines in your bot's language$/,
    );
  });
});
