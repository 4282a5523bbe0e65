/**
 * MurmurHash3, x86 32-bit variant (Austin Appleby's public-domain algorithm), over the UTF-8 bytes of a string.
 * Implemented here without allocation: the string is encoded into a reusable scratch buffer.
 *
 * @example
 * murmur3('hello', 0) // 0x248bfa47, the reference value of MurmurHash3_x86_32("hello", seed 0)
 */
let scratch = new Uint8Array(256);

/** Encodes `s[start, end)` as UTF-8 into the scratch buffer; returns the byte length. Lone surrogates become U+FFFD. */
function encodeUtf8(s: string, start: number, end: number): number {
  if (scratch.length < (end - start) * 3) scratch = new Uint8Array((end - start) * 3 + 16);
  const buf = scratch;
  let n = 0;
  for (let i = start; i < end; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x80) {
      buf[n++] = c;
      continue;
    }
    if (c < 0x800) {
      buf[n++] = 0xc0 | (c >> 6);
      buf[n++] = 0x80 | (c & 63);
      continue;
    }
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < end) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        const cp = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        buf[n++] = 0xf0 | (cp >> 18);
        buf[n++] = 0x80 | ((cp >> 12) & 63);
        buf[n++] = 0x80 | ((cp >> 6) & 63);
        buf[n++] = 0x80 | (cp & 63);
        i++;
        continue;
      }
    }
    if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd;
    buf[n++] = 0xe0 | (c >> 12);
    buf[n++] = 0x80 | ((c >> 6) & 63);
    buf[n++] = 0x80 | (c & 63);
  }
  return n;
}

/** MurmurHash3_x86_32 of the UTF-8 bytes of `s.slice(start, end)` with the given seed; an unsigned 32-bit integer. */
export function murmur3(s: string, seed: number, start = 0, end = s.length): number {
  const len = encodeUtf8(s, start, end);
  return murmur3Bytes(scratch, 0, len, seed);
}

/** MurmurHash3_x86_32 of `buf[from, to)` with the given seed; an unsigned 32-bit integer. */
export function murmur3Bytes(buf: Uint8Array, from: number, to: number, seed: number): number {
  const len = to - from;
  let h = seed >>> 0;
  const blocks = from + (len & ~3);
  for (let i = from; i < blocks; i += 4) {
    let k = buf[i] | (buf[i + 1] << 8) | (buf[i + 2] << 16) | (buf[i + 3] << 24);
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  let k = 0;
  switch (len & 3) {
    // biome-ignore lint/suspicious/noFallthroughSwitchClause: the reference algorithm falls through
    case 3:
      k ^= buf[blocks + 2] << 16;
    // biome-ignore lint/suspicious/noFallthroughSwitchClause: the reference algorithm falls through
    case 2:
      k ^= buf[blocks + 1] << 8;
    case 1:
      k ^= buf[blocks];
      k = Math.imul(k, 0xcc9e2d51);
      k = (k << 15) | (k >>> 17);
      k = Math.imul(k, 0x1b873593);
      h ^= k;
  }
  h ^= len;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
