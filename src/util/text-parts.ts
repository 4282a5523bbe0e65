/**
 * A long text cut into parts a chat platform accepts (pure): each part at most `max` UTF-16 units, cut at a space or
 * line break when one is near the end, never inside a surrogate pair; past `maxParts` the rest is dropped and the
 * last part says so with a visible marker, `… (truncated, N more characters)`. Used for customers' lines relayed into
 * an agents' channel, where one message has a size limit and nothing may vanish unseen.
 */

/** The marker a cut text ends with: how many characters were left out. */
export const truncatedMarker = (more: number): string => `… (truncated, ${more} more characters)`;

/**
 * `text` in parts of at most `max` characters, at most `maxParts` of them (the last marked when text was left out).
 *
 * @example splitText('a'.repeat(7000), 3000, 2) // ['aaa…' (3000), 'aaa…… (truncated, 1000 more characters)' (≤ 3000)]
 */
export function splitText(text: string, max: number, maxParts: number): string[] {
  if (text.length <= max) return [text];
  const parts: string[] = [];
  let at = 0;
  while (at < text.length && parts.length < maxParts) {
    const last = parts.length === maxParts - 1;
    if (text.length - at <= max) {
      parts.push(text.slice(at));
      return parts;
    }
    // The last part allowed keeps room for its marker (its number at its widest: everything after `at`).
    const room = last ? max - truncatedMarker(text.length - at).length : max;
    const end = cutPoint(text, at, room);
    if (last) {
      parts.push(`${text.slice(at, end).trimEnd()}${truncatedMarker(text.length - end)}`);
      return parts;
    }
    parts.push(text.slice(at, end));
    at = end;
  }
  return parts;
}

/**
 * Cuts `text` to at most `max` characters with the marker when it is longer (a single part).
 *
 * @example truncateText('x'.repeat(100), 60) // 'xxx…… (truncated, N more characters)' (60 characters at most)
 */
export function truncateText(text: string, max: number): string {
  return splitText(text, max, 1)[0];
}

/** Where a part starting at `from` ends: at most `room` characters on, after the last space in its last fifth if any. */
function cutPoint(text: string, from: number, room: number): number {
  let end = from + Math.max(1, room);
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff && end - 1 > from) end -= 1;
  const window = text.slice(from + Math.floor(room * 0.8), end);
  const space = Math.max(window.lastIndexOf(' '), window.lastIndexOf('\n'));
  return space >= 0 ? from + Math.floor(room * 0.8) + space + 1 : end;
}
