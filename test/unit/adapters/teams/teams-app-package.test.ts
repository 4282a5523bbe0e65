import { readFileSync } from 'node:fs';
import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';

// The Teams app package shipped in docs/teams-app: the manifest names two icons, and they exist with the sizes and
// colours Teams checks at upload (color 192×192; outline 32×32, white on transparent).
const DIR = 'docs/teams-app';

/** Width, height and RGBA pixels of a PNG written as bench/dev/teams-icons.ts writes them (8-bit RGBA, no filter). */
function readPng(file: string): { width: number; height: number; rgba: Buffer } {
  const buf = readFileSync(file);
  expect(buf.subarray(1, 4).toString('ascii')).toBe('PNG');
  let at = 8;
  let width = 0;
  let height = 0;
  const idat: Buffer[] = [];
  while (at < buf.length) {
    const length = buf.readUInt32BE(at);
    const type = buf.subarray(at + 4, at + 8).toString('ascii');
    const data = buf.subarray(at + 8, at + 8 + length);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      expect([data[8], data[9]]).toEqual([8, 6]);
    }
    if (type === 'IDAT') idat.push(data);
    at += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const rgba = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y++) {
    expect(raw[y * (width * 4 + 1)]).toBe(0);
    raw.copy(rgba, y * width * 4, y * (width * 4 + 1) + 1, (y + 1) * (width * 4 + 1));
  }
  return { width, height, rgba };
}

describe('docs/teams-app', () => {
  const manifest = JSON.parse(readFileSync(`${DIR}/manifest.json`, 'utf8')) as {
    icons: { color: string; outline: string };
    bots: { botId: string }[];
  };

  it('the manifest names the two icons that ship next to it', () => {
    expect(manifest.icons).toEqual({ color: 'color.png', outline: 'outline.png' });
    expect(manifest.bots[0].botId).toBe('${{MICROSOFT_APP_ID}}');
  });

  it('color.png is 192×192 and opaque', () => {
    const { width, height, rgba } = readPng(`${DIR}/${manifest.icons.color}`);
    expect([width, height]).toEqual([192, 192]);
    for (let i = 3; i < rgba.length; i += 4) expect(rgba[i]).toBe(255);
  });

  it('outline.png is 32×32, white where drawn and transparent elsewhere', () => {
    const { width, height, rgba } = readPng(`${DIR}/${manifest.icons.outline}`);
    expect([width, height]).toEqual([32, 32]);
    let drawn = 0;
    let clear = 0;
    for (let i = 0; i < rgba.length; i += 4) {
      if (rgba[i + 3] > 0) {
        drawn++;
        expect([rgba[i], rgba[i + 1], rgba[i + 2]]).toEqual([255, 255, 255]);
      } else clear++;
    }
    expect(drawn).toBeGreaterThan(30);
    expect(clear).toBeGreaterThan(drawn);
  });
});
