// The app and tray icons are the in-app brand mark: drawn from the colours and corner radius renderer/styles.css
// gives `.brand-mark`, and the committed PNGs are what the script draws from today's stylesheet.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { brandFromCss, makeIcons } from '../../scripts/make-icons';

const root = path.resolve(import.meta.dirname, '../..');
const css = fs.readFileSync(path.join(root, 'renderer', 'styles.css'), 'utf8');
const names = ['icon.png', 'tray.png', 'tray@2x.png', 'badge.png'];
let fresh: string;

/** Decodes the PNGs make-icons writes (8-bit RGBA, filter 0 on every row). */
function pixels(file: string): { size: number; at: (x: number, y: number) => number[] } {
  const data = fs.readFileSync(file);
  const size = data.readUInt32BE(16);
  const chunks: Buffer[] = [];
  for (let i = 8; i < data.length; ) {
    const length = data.readUInt32BE(i);
    if (data.toString('ascii', i + 4, i + 8) === 'IDAT') chunks.push(data.subarray(i + 8, i + 8 + length));
    i += 12 + length;
  }
  const rows = zlib.inflateSync(Buffer.concat(chunks));
  return { size, at: (x, y) => [...rows.subarray(y * (size * 4 + 1) + 1 + x * 4, y * (size * 4 + 1) + 1 + x * 4 + 4)] };
}
const rgb = (hex: string) => [1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16));
const near = (actual: number[], expected: number[], tolerance = 12) =>
  expected.every((value, i) => Math.abs((actual[i] ?? -999) - value) <= tolerance);

beforeAll(() => {
  fresh = fs.mkdtempSync(path.join(os.tmpdir(), 'baton-icons-'));
  makeIcons(fresh);
}, 30_000);

describe('the icons', () => {
  it('read the brand mark from the stylesheet, and refuse a stylesheet without one', () => {
    expect(brandFromCss('.brand-mark { width: 40px; border-radius: 10px; background: linear-gradient(135deg, #102030, #a0b0c0); }')).toEqual({
      from: [16, 32, 48, 255],
      to: [160, 176, 192, 255],
      cornerRatio: 0.25,
    });
    expect(() => brandFromCss('.brand { color: red; }')).toThrow(/no \.brand-mark rule/);
  });

  it('committed in assets/ are what the script draws from today’s stylesheet (run `npx tsx scripts/make-icons.ts`)', () => {
    for (const name of names) expect(fs.readFileSync(path.join(root, 'assets', name)).equals(fs.readFileSync(path.join(fresh, name))), name).toBe(true);
  });

  it('the app icon is the brand tile, its gradient running from the page’s first colour to its second, with a white B', () => {
    const gradient = /\.brand-mark\s*\{[^}]*linear-gradient\(135deg,\s*(#[0-9a-f]{6}),\s*(#[0-9a-f]{6})\)/i.exec(css)!;
    const icon = pixels(path.join(root, 'assets', 'icon.png'));
    expect(icon.size).toBe(512);
    expect(icon.at(2, 2)[3]).toBe(0); // outside the rounded tile: transparent
    expect(near(icon.at(110, 110), [...rgb(gradient[1]!), 255], 16)).toBe(true);
    expect(near(icon.at(400, 400), [...rgb(gradient[2]!), 255], 16)).toBe(true);
    expect(icon.at(205, 256)).toEqual([255, 255, 255, 255]); // the B's stem, at the middle
    const counter = icon.at(250, 222); // inside the upper bowl's counter: the tile shows through
    expect(counter[0]).toBeLessThan(200);
  });

  it('the tray icon carries the same mark, opaque to its edge so it reads on light and dark bars', () => {
    const tray = pixels(path.join(root, 'assets', 'tray@2x.png'));
    expect(tray.size).toBe(64);
    expect(tray.at(32, 8)[3]).toBe(255);
    expect(tray.at(23, 32)).toEqual([255, 255, 255, 255]);
  });
});
