import { baseLanguage } from '../nlu/language/languages.ts';
import { DataError, readDataText } from './data-error.ts';
import { intentDataFormat } from './read-intent-data.ts';

/** One labelled message for language detection. */
export interface LanguageExample {
  text: string;
  /** ISO 639-1 code. */
  language: string;
  /** How much the message counts in training (default 1): corpus builders down-weight formal text with it. */
  weight?: number;
}

/**
 * Reads labelled language data: a TSV file `text<TAB>language` (one message per line; an optional header line
 * `text<TAB>language`), or JSONL with `{"text", "language"}` per line — intent training data carrying a `language`
 * field is valid as is. Languages may be BCP 47 tags (`es-ES` → `es`). Blank lines are skipped; anything else malformed
 * is a {@link DataError} naming the file and line.
 */
export function readLanguageData(path: string): LanguageExample[] {
  const text = readDataText(path).replace(/^\ufeff/, '');
  const jsonl = intentDataFormat(path, text) === 'jsonl';
  const out: LanguageExample[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line.trim() === '') continue;
    let message: unknown;
    let tag: unknown;
    if (jsonl) {
      try {
        ({ text: message, language: tag } = JSON.parse(line) as { text?: unknown; language?: unknown });
      } catch {
        throw new DataError(path, i + 1, 'invalid JSON');
      }
    } else {
      const cut = line.lastIndexOf('\t');
      if (cut < 0) throw new DataError(path, i + 1, 'expected text<TAB>language');
      message = line.slice(0, cut);
      tag = line.slice(cut + 1).trim();
      if (out.length === 0 && message === 'text' && tag === 'language') continue; // header
    }
    if (typeof message !== 'string' || message.trim() === '') throw new DataError(path, i + 1, 'missing text');
    if (typeof tag !== 'string' || tag === '') throw new DataError(path, i + 1, 'missing language');
    const language = baseLanguage(tag);
    if (!language) throw new DataError(path, i + 1, `unknown language '${tag}' (expected an ISO 639-1 code)`);
    out.push({ text: message, language });
  }
  if (out.length === 0) throw new DataError(path, undefined, 'no examples');
  return out;
}
