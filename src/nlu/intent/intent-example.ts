/** One labelled intent example, as read from a data file (JSONL, CSV or TSV). */
export interface IntentExample {
  text: string;
  /** A single label, or a list of labels for multi-label data (an empty list: no intent applies). */
  intent: string | string[];
  /** ISO 639-1 language code, when the file gives it. */
  language?: string;
  /** 1-based line number in the source file (for error messages). */
  line?: number;
}

/** The reserved label of examples the bot must not answer. */
export const OUT_OF_SCOPE = 'out_of_scope';
