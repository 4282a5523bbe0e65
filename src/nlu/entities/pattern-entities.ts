/**
 * Pattern entities: the bot owner's own regular expressions for identifiers the rule and NER recognizers cannot know
 * (order numbers `ORD-\d{6}`, ticket ids, SKUs). Compiled once; every match is a mention of source `pattern`, score
 * 1, whose value is the matched text, or the first capture group when the pattern has one and it took part.
 *
 * Guards: a pattern that does not compile, has unknown flags or matches the empty string is refused at construction
 * (`E_PATTERN`, naming the type). JavaScript cannot interrupt a running regular expression, so a pattern with nested
 * quantifiers (`(a+)+$`) can still take exponential time on a crafted message: only the first
 * {@link MAX_PATTERN_TEXT} characters of a message are scanned, at most {@link MAX_PATTERN_MATCHES} matches per
 * pattern are kept, and patterns should be written without nested quantifiers (they are configuration, not user
 * input).
 */
import { SwitchboardError } from '../../errors.ts';
import type { EntityMention } from '../understanding.ts';

/** A user pattern: `type` names the entity, `pattern` is a JavaScript regular expression source. */
export interface EntityPattern {
  type: string;
  pattern: string;
  /** Regular expression flags among `d i m s u v` (`g` and `y` are implied/ignored). */
  flags?: string;
}

/** Characters of a message that patterns scan. */
export const MAX_PATTERN_TEXT = 10_000;
/** Matches kept per pattern and message. */
export const MAX_PATTERN_MATCHES = 1_000;

interface CompiledPattern {
  type: string;
  regex: RegExp;
  /** The pattern has a capture group: its first one is the value. */
  grouped: boolean;
}

/** Finds the bot owner's pattern entities in messages. Construct once (compiles and checks), call `recognize`. */
export class PatternEntityRecognizer {
  private readonly patterns: CompiledPattern[];

  /** @throws SwitchboardError `E_PATTERN` (kind `input`) for a pattern that cannot be used, naming its type. */
  constructor(patterns: readonly EntityPattern[]) {
    if (!Array.isArray(patterns)) throw new SwitchboardError('E_PATTERN', 'input', 'entity patterns must be a list');
    this.patterns = patterns.map((p, i) => compile(p, i));
  }

  /** The entity types the patterns produce, in configuration order (with repeats removed). */
  get types(): string[] {
    return [...new Set(this.patterns.map((p) => p.type))];
  }

  /** Every match of every pattern in `text`, sorted by start (overlaps between patterns are left to `mergeEntities`). */
  recognize(text: string): EntityMention[] {
    if (typeof text !== 'string' || text.length === 0) return [];
    const scanned = text.length > MAX_PATTERN_TEXT ? text.slice(0, MAX_PATTERN_TEXT) : text;
    const out: EntityMention[] = [];
    for (const { type, regex, grouped } of this.patterns) {
      regex.lastIndex = 0;
      let found = 0;
      for (let m = regex.exec(scanned); m !== null && found < MAX_PATTERN_MATCHES; m = regex.exec(scanned)) {
        if (m[0].length === 0) {
          // A zero-length match (a lookaround-only pattern in some context): step over it, never loop.
          regex.lastIndex = m.index + (scanned.codePointAt(m.index)! > 0xffff ? 2 : 1);
          continue;
        }
        found++;
        const start = m.index;
        const end = start + m[0].length;
        const value = grouped && m[1] !== undefined ? m[1] : m[0];
        out.push({ type, start, end, text: text.slice(start, end), score: 1, source: 'pattern', value });
      }
    }
    return out.sort((a, b) => a.start - b.start || b.end - a.end);
  }
}

function compile(p: EntityPattern, index: number): CompiledPattern {
  const type = typeof p?.type === 'string' ? p.type.trim() : '';
  if (!type) throw new SwitchboardError('E_PATTERN', 'input', `entity pattern ${index + 1}: missing type`);
  if (typeof p.pattern !== 'string' || p.pattern.length === 0) {
    throw new SwitchboardError('E_PATTERN', 'input', `entity pattern '${type}': missing pattern`);
  }
  const given = p.flags ?? '';
  if (typeof given !== 'string' || !/^[dgimsuvy]*$/.test(given)) {
    throw new SwitchboardError('E_PATTERN', 'input', `entity pattern '${type}': unknown flags '${String(given)}'`);
  }
  const flags = `${[...new Set(given.replace(/[gy]/g, ''))].join('')}g`;
  let regex: RegExp;
  try {
    regex = new RegExp(p.pattern, flags);
  } catch (e) {
    throw new SwitchboardError('E_PATTERN', 'input', `entity pattern '${type}': ${(e as Error).message}`, {
      cause: e,
    });
  }
  if (new RegExp(p.pattern, flags.replace('g', '')).test('')) {
    throw new SwitchboardError('E_PATTERN', 'input', `entity pattern '${type}' matches the empty string`);
  }
  return { type, regex, grouped: new RegExp(`${p.pattern}|`, flags).exec('')!.length > 1 };
}
