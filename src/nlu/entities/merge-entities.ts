/**
 * Merges the mentions of every entity recognizer of a turn (ML NER spans, rule entities, user patterns) into one list
 * without overlaps. Pure function.
 */
import type { EntityMention } from '../understanding.ts';

/** Precedence of sources on overlapping spans: a user's pattern beats a rule, a rule beats the NER model. */
export const SOURCE_PRECEDENCE: Readonly<Record<EntityMention['source'], number>> = { pattern: 3, rule: 2, ner: 1 };

/**
 * One list of mentions, sorted by start, with no duplicates and no overlapping spans. Where spans overlap, the mention
 * kept is the one from the stronger source (pattern > rule > ner, see {@link SOURCE_PRECEDENCE}); within a source the
 * longer span (a datetime "yesterday at 5pm" beats the number "5"), then the earlier one, then the one listed first
 * (earlier list, earlier in its list). Mentions with an empty or negative span are dropped. The mentions themselves
 * are returned as given (not copied).
 */
export function mergeEntities(...lists: EntityMention[][]): EntityMention[] {
  const ranked: { m: EntityMention; order: number }[] = [];
  for (const list of lists) {
    for (const m of list ?? []) {
      if (!m || !(m.end > m.start) || m.start < 0) continue;
      ranked.push({ m, order: ranked.length });
    }
  }
  ranked.sort(
    (a, b) =>
      (SOURCE_PRECEDENCE[b.m.source] ?? 0) - (SOURCE_PRECEDENCE[a.m.source] ?? 0) ||
      b.m.end - b.m.start - (a.m.end - a.m.start) ||
      a.m.start - b.m.start ||
      a.order - b.order,
  );
  // Kept mentions stay sorted by start and disjoint: a new one can only overlap its two neighbours.
  const kept: EntityMention[] = [];
  for (const { m } of ranked) {
    let lo = 0;
    let hi = kept.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (kept[mid].start < m.start) lo = mid + 1;
      else hi = mid;
    }
    if (lo > 0 && kept[lo - 1].end > m.start) continue;
    if (lo < kept.length && kept[lo].start < m.end) continue;
    kept.splice(lo, 0, m);
  }
  return kept;
}
