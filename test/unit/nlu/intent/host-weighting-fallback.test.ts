import { describe, expect, it, vi } from 'vitest';

// The rewritten graph is an optimisation: here it is garbage ONNX Runtime refuses, and the classifier must load the
// stored graph instead (the module is replaced for this file only).
vi.mock('../../../../src/nlu/intent/host-weighting.ts', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../../../src/nlu/intent/host-weighting.ts')>();
  return {
    ...real,
    hostWeightedGraph: (...args: Parameters<typeof real.hostWeightedGraph>) => {
      const plan = real.hostWeightedGraph(...args);
      return plan && { ...plan, bytes: Uint8Array.of(8, 1, 2, 3) };
    },
  };
});

const { IntentClassifier } = await import('../../../../src/nlu/intent/intent-classifier.ts');

describe('IntentClassifier when the rewritten graph cannot load', () => {
  it('falls back to the stored graph and scores as it does', async () => {
    const clf = await IntentClassifier.load('models/intent-massive');
    // The stored graph serves: no weighting on the host (with the real rewrite there would be two).
    expect((clf as unknown as { hostWeights: unknown[] }).hostWeights).toEqual([]);
    const stored = await IntentClassifier.load('models/intent-massive', { hostWeighting: false });
    const [a] = await clf.scores(['wake me up at 7 am tomorrow']);
    const [b] = await stored.scores(['wake me up at 7 am tomorrow']);
    expect([...a]).toEqual([...b]);
    expect(clf.labels[a.indexOf(Math.max(...a))]).toBe('alarm_set');
    await clf.release();
    await stored.release();
  });
});
