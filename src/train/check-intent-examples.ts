/**
 * Checks training examples before training and lists what deserves a warning: duplicate rows, conflicting labels, empty
 * texts and labels with a single example, each with the file and line it came from.
 */
import { type IntentExample, OUT_OF_SCOPE } from '../nlu/intent/intent-example.ts';

/** An example with the file it came from (its `line` is set), as the checks need it for warnings. */
export interface SourcedExample {
  example: IntentExample;
  source: string;
}

/** Examples that passed the checks, and what the checks found. */
export interface CheckedExamples {
  examples: IntentExample[];
  warnings: string[];
}

type WarningKind = 'duplicate' | 'conflict' | 'empty' | 'single' | 'similar';

const KIND_SUMMARY: Record<WarningKind, string> = {
  duplicate: 'duplicate rows',
  conflict: 'texts with conflicting labels',
  empty: 'rows with empty text',
  single: 'labels with a single example',
  similar: 'look-alike labels',
};

/**
 * Checks intent examples read from one or more files, in order. Warns (`file:line: …`) about a row repeating the text
 * and labels of an earlier one (dropped when `dedupe`), the same text with different labels (both kept), empty text
 * (dropped when `dedupe`), a label with a single example, and labels that differ only in case or separators (`order_status`,
 * `ORDER-STATUS`) or spell the reserved `out_of_scope` another way (`Out_Of_Scope`): each trains as an intent of its
 * own. Texts are compared after trimming and collapsing white space; label lists
 * as sets. At most `maxPerKind` warnings are listed per kind; one more line counts the rest.
 * @example checkIntentExamples(rows, 'single', true, 20).warnings // ['a.csv:7: duplicate of a.csv:3 (dropped)']
 */
export function checkIntentExamples(
  rows: readonly SourcedExample[],
  mode: 'single' | 'multi',
  dedupe: boolean,
  maxPerKind: number,
): CheckedExamples {
  const found: Record<WarningKind, string[]> = { duplicate: [], conflict: [], empty: [], single: [], similar: [] };
  const whereOf = (row: SourcedExample) => `${row.source}:${row.example.line ?? '?'}`;
  const firstWithText = new Map<string, number>(); // text → index in rows of its first row
  const firstWithTextAndLabels = new Map<string, number>(); // text + labels → index in rows
  const kept: SourcedExample[] = [];
  rows.forEach((row, index) => {
    const textKey = row.example.text.trim().replace(/\s+/g, ' ');
    const key = `${textKey}\u0000${labelsKey(row.example.intent, mode)}`;
    if (textKey === '') {
      // An empty training text teaches nothing but the label's prior; evaluation keeps it (n stays the file's).
      found.empty.push(`${whereOf(row)}: empty text${dedupe ? ' (dropped)' : ''}`);
      if (dedupe) return;
    }
    const same = firstWithTextAndLabels.get(key);
    const earlier = firstWithText.get(textKey);
    if (same !== undefined) {
      found.duplicate.push(`${whereOf(row)}: duplicate of ${whereOf(rows[same])}${dedupe ? ' (dropped)' : ''}`);
      if (dedupe) return;
    } else {
      firstWithTextAndLabels.set(key, index);
      if (earlier === undefined) firstWithText.set(textKey, index);
      else {
        const labels = `(${showLabels(row.example.intent)} vs ${showLabels(rows[earlier].example.intent)})`;
        found.conflict.push(`${whereOf(row)}: same text as ${whereOf(rows[earlier])} with different labels ${labels}`);
      }
    }
    kept.push(row);
  });
  found.single = singleExampleLabels(kept);
  found.similar = lookAlikeLabels(kept);
  const warnings = (Object.keys(found) as WarningKind[]).flatMap((k) => capped(found[k], maxPerKind, KIND_SUMMARY[k]));
  return { examples: kept.map((r) => r.example), warnings };
}

function labelsKey(intent: string | string[], mode: 'single' | 'multi'): string {
  return mode === 'single' ? String(intent) : JSON.stringify([...intent].sort());
}

function showLabels(intent: string | string[]): string {
  return JSON.stringify(intent);
}

function singleExampleLabels(rows: readonly SourcedExample[]): string[] {
  const counts = new Map<string, { n: number; where: string }>();
  for (const { example, source } of rows) {
    const labels = typeof example.intent === 'string' ? [example.intent] : example.intent;
    for (const label of labels) {
      const c = counts.get(label);
      if (c) c.n++;
      else counts.set(label, { n: 1, where: `${source}:${example.line ?? '?'}` });
    }
  }
  return [...counts]
    .filter(([, c]) => c.n === 1)
    .map(([label, c]) => `${c.where}: label ${JSON.stringify(label)} has a single example`);
}

const lookAlike = (label: string) => label.toLowerCase().replace(/[\s_\-.]+/g, '');

function lookAlikeLabels(rows: readonly SourcedExample[]): string[] {
  const first = new Map<string, string>(); // label → where it first occurs
  for (const { example, source } of rows) {
    for (const label of typeof example.intent === 'string' ? [example.intent] : example.intent) {
      if (!first.has(label)) first.set(label, `${source}:${example.line ?? '?'}`);
    }
  }
  const groups = new Map<string, string[]>();
  for (const label of first.keys()) {
    const key = lookAlike(label);
    groups.set(key, [...(groups.get(key) ?? []), label]);
  }
  const out: string[] = [];
  for (const [key, labels] of groups) {
    const show = labels.map((l) => JSON.stringify(l)).join(', ');
    if (key === lookAlike(OUT_OF_SCOPE)) {
      for (const l of labels.filter((x) => x !== OUT_OF_SCOPE))
        out.push(
          `${first.get(l)}: label ${JSON.stringify(l)} is not the reserved "${OUT_OF_SCOPE}": it trains as an intent the bot answers (write "${OUT_OF_SCOPE}")`,
        );
    } else if (labels.length > 1) {
      out.push(
        `${first.get(labels[1])}: labels ${show} differ only in case or separators: each trains as an intent of its own`,
      );
    }
  }
  return out;
}

function capped(list: string[], max: number, what: string): string[] {
  if (list.length <= max) return list;
  return [...list.slice(0, max), `… and ${list.length - max} more ${what} (not listed)`];
}
