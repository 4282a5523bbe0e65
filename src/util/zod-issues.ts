/**
 * A schema failure as one readable line per problem (`path: message`), instead of zod's JSON dump.
 */
import type { z } from 'zod';

/**
 * The issues of a failed `safeParse`, one `path: message` per issue (at most `max`, then "… N more").
 * @example zodIssues(schema.safeParse(x).error!) // ['lines: Expected number, received string']
 */
export function zodIssues(error: z.ZodError, max = 10): string[] {
  const lines = error.issues.slice(0, max).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
  if (error.issues.length > max) lines.push(`… ${error.issues.length - max} more`);
  return lines;
}
