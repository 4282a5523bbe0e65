/**
 * Draws the Teams app icons shipped in docs/teams-app: `color.png` (192×192, the accent colour with a white speech
 * bubble) and `outline.png` (32×32, the bubble's outline, white on transparent, as Teams requires). Pure pixel maths
 * and a minimal PNG writer: `npx tsx bench/dev/teams-icons.ts`.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';

const OUT = join(import.meta.dirname, '..', '..', 'docs', 'teams-app');

/** CRC-32 (PNG's polynomial) of `bytes`. */
function crc32(bytes: Buffer): number {
  let c = ~0;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** An RGBA image as a PNG file. */
function png(size: number, rgba: Uint8Array): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0; // filter: none
    Buffer.from(rgba.buffer, y * size * 4, size * 4).copy(raw, y * (size * 4 + 1) + 1);
  }
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([
    signature,
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** Signed distance (in units of the icon's size) from (x, y) to a speech bubble: a rounded box with a tail. */
function bubble(x: number, y: number): number {
  const [cx, cy, hw, hh, r] = [0.5, 0.45, 0.3, 0.2, 0.08];
  const qx = Math.abs(x - cx) - (hw - r);
  const qy = Math.abs(y - cy) - (hh - r);
  const box = Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - r;
  // The tail: a triangle below the box's left part.
  const inTail = y >= cy + hh - 0.01 && y <= 0.8 && x >= 0.3 && x <= 0.3 + (0.8 - y) * 0.9;
  return inTail ? Math.min(box, -0.001) : box;
}

/** Samples `shape` 4×4 per pixel: the covered share of each pixel (smooth edges). */
function coverage(size: number, inside: (x: number, y: number) => boolean): Float32Array {
  const out = new Float32Array(size * size);
  for (let py = 0; py < size; py++)
    for (let px = 0; px < size; px++) {
      let hit = 0;
      for (let sy = 0; sy < 4; sy++)
        for (let sx = 0; sx < 4; sx++) if (inside((px + (sx + 0.5) / 4) / size, (py + (sy + 0.5) / 4) / size)) hit++;
      out[py * size + px] = hit / 16;
    }
  return out;
}

// color.png: the accent colour (#2B579A) in a rounded square, a white bubble with three dots.
{
  const size = 192;
  const dots = (x: number, y: number) => [0.38, 0.5, 0.62].some((dx) => Math.hypot(x - dx, y - 0.45) < 0.04);
  const white = coverage(size, (x, y) => bubble(x, y) < 0 && !dots(x, y));
  const rgba = new Uint8Array(size * size * 4);
  for (let i = 0; i < size * size; i++) {
    const w = white[i];
    rgba.set([0x2b + (255 - 0x2b) * w, 0x57 + (255 - 0x57) * w, 0x9a + (255 - 0x9a) * w, 255], i * 4);
  }
  writeFileSync(join(OUT, 'color.png'), png(size, rgba));
}

// outline.png: the bubble's outline, white on transparent.
{
  const size = 32;
  const line = coverage(size, (x, y) => {
    const d = bubble(x, y);
    return d < 0 && d > -0.07;
  });
  const rgba = new Uint8Array(size * size * 4);
  for (let i = 0; i < size * size; i++) rgba.set([255, 255, 255, Math.round(255 * line[i])], i * 4);
  writeFileSync(join(OUT, 'outline.png'), png(size, rgba));
}
process.stderr.write(`wrote ${OUT}/color.png and outline.png\n`);
