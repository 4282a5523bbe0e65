/**
 * Scores a trained NER model with the trainer's own TypeScript decoder (no ONNX): sparse feature rows, the baked dense
 * word-vector table when the model has one, constrained Viterbi, entity-level metrics.
 */
import { nerMetrics } from '../eval/ner-metrics.ts';
import { bioConstraints, viterbi } from '../nlu/entities/crf-decode.ts';
import { denseRows, NER_DENSE_OFFSETS, nerFeaturesPerToken, sentenceFeatures } from '../nlu/entities/ner-features.ts';
import type { TaggedSentence } from './read-conll.ts';
import { NER_FEATURE_SEED, type TrainedNer } from './train-ner.ts';

/**
 * Scores a trained model on tagged sentences with its own TypeScript decoder (no ONNX): the trainer's view, used to
 * measure what int8 weights cost before export. `weights` defaults to the model's.
 */
export function evaluateNer(model: TrainedNer, sentences: readonly TaggedSentence[], weights = model.weights) {
  const k = model.tags.length;
  const constraints = bioConstraints(model.tags);
  const F = nerFeaturesPerToken(model.clusters);
  const rowOf = new Map<number, number>();
  model.buckets.forEach((b, r) => {
    rowOf.set(b, r + 1);
  });
  const pred = sentences.map((s) => {
    const f = sentenceFeatures(s.tokens, NER_FEATURE_SEED, model.clusters);
    const em = new Float64Array(s.tokens.length * k);
    for (let t = 0; t < s.tokens.length; t++) {
      for (let j = 0; j < F; j++) {
        const r = rowOf.get(f[t * F + j]) ?? 0;
        if (r) for (let y = 0; y < k; y++) em[t * k + y] += weights[r * k + y];
      }
    }
    if (model.dense && model.clusters) {
      const clusters = model.clusters;
      const dr = denseRows(
        s.tokens.map((t) => clusters.rowOf(t)),
        clusters.words.length,
      );
      for (let i = 0; i < dr.length; i++) {
        const t = Math.floor(i / NER_DENSE_OFFSETS);
        for (let y = 0; y < k; y++) em[t * k + y] += model.dense[dr[i] * k + y];
      }
    }
    return Array.from(viterbi(em, s.tokens.length, model.crf, constraints), (y) => model.tags[y]);
  });
  return nerMetrics(
    sentences.map((s) => s.tags),
    pred,
  );
}
