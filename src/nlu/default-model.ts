/**
 * Where the shipped models and the demo bot config live in the package (the defaults of `start` and `predict`).
 */
import { join } from 'node:path';

/** The intent model shipped in the repository (MASSIVE, six locales), used when no `--model` is given. */
export const DEFAULT_INTENT_MODEL_DIR = join(import.meta.dirname, '..', '..', 'models', 'intent-massive');

/** The language profile shipped in the repository (en de es fr hi th mr tr am), used when no `--model` is given. */
export const DEFAULT_LANGUAGE_PROFILE_DIR = join(import.meta.dirname, '..', '..', 'models', 'language');

/** The NER model shipped in the repository (English, CoNLL-2003 types PER LOC ORG MISC). */
export const DEFAULT_NER_MODEL_DIR = join(import.meta.dirname, '..', '..', 'models', 'ner-en');

/** The demo bot config (answers for a few MASSIVE intents in six languages), used by `switchboard start` by default. */
export const DEFAULT_BOT_CONFIG = join(import.meta.dirname, '..', '..', 'config', 'demo.yaml');
