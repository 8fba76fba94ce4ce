// `tsx scripts/make-icons.ts`: draws Baton's icons straight into PNG files with zlib, so the artwork is
// reproducible without an image editor. The app and tray icons are the in-app brand mark (the header's and the
// sign-in screen's `.brand-mark`: a bold white B on a rounded indigo-to-violet tile), with its colours and corner
// radius read from renderer/styles.css, so the icon cannot drift from the page.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';

type Rgba = [number, number, number, number];
/** A shape as a signed distance: negative inside, positive outside, in pixels of the final image. */
type Shape = { distance: (x: number, y: number) => number; color: Rgba | ((x: number, y: number) => Rgba) };

function encodePng(width: number, height: number, rgba: Uint8Array): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(zlib.crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 6; // RGBA
  const rows = Buffer.alloc((width * 4 + 1) * height);
  for (let y = 0; y < height; y++) {
    rows[y * (width * 4 + 1)] = 0; // filter: none
    Buffer.from(rgba.buffer, rgba.byteOffset + y * width * 4, width * 4).copy(rows, y * (width * 4 + 1) + 1);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', zlib.deflateSync(rows, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** Paints shapes back to front with 4×4 supersampling for smooth edges. */
function render(size: number, shapes: Shape[]): Uint8Array {
  const out = new Uint8Array(size * size * 4);
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      // A pixel no edge passes through is covered alike at every sample: one sample will do (ten times faster).
      const nearEdge = shapes.some((shape) => Math.abs(shape.distance(px + 0.5, py + 0.5)) < 0.75);
      const samples = nearEdge ? 4 : 1;
      let r = 0;
      let g = 0;
      let b = 0;
      let a = 0;
      for (let sy = 0; sy < samples; sy++) {
        for (let sx = 0; sx < samples; sx++) {
          const x = px + (sx + 0.5) / samples;
          const y = py + (sy + 0.5) / samples;
          let cr = 0;
          let cg = 0;
          let cb = 0;
          let ca = 0;
          for (const shape of shapes) {
            if (shape.distance(x, y) > 0) continue;
            const color = typeof shape.color === 'function' ? shape.color(x, y) : shape.color;
            const alpha = color[3] / 255;
            cr = color[0] * alpha + cr * (1 - alpha);
            cg = color[1] * alpha + cg * (1 - alpha);
            cb = color[2] * alpha + cb * (1 - alpha);
            ca = alpha + ca * (1 - alpha);
          }
          r += cr;
          g += cg;
          b += cb;
          a += ca;
        }
      }
      const n = samples * samples;
      const i = (py * size + px) * 4;
      const alpha = a / n;
      // Colours were accumulated premultiplied; PNG wants them straight.
      out[i] = alpha > 0 ? Math.round(r / n / alpha) : 0;
      out[i + 1] = alpha > 0 ? Math.round(g / n / alpha) : 0;
      out[i + 2] = alpha > 0 ? Math.round(b / n / alpha) : 0;
      out[i + 3] = Math.round(alpha * 255);
    }
  }
  return out;
}

const roundedSquare = (size: number, inset: number, radius: number, color: Shape['color']): Shape => ({
  color,
  distance: (x, y) => {
    const half = size / 2 - inset;
    const qx = Math.abs(x - size / 2) - (half - radius);
    const qy = Math.abs(y - size / 2) - (half - radius);
    return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - radius;
  },
});

const disc = (cx: number, cy: number, radius: number, color: Rgba): Shape => ({
  color,
  distance: (x, y) => Math.hypot(x - cx, y - cy) - radius,
});

type Distance = (x: number, y: number) => number;
const box = (x0: number, y0: number, x1: number, y1: number): Distance => (x, y) => {
  const qx = Math.abs(x - (x0 + x1) / 2) - (x1 - x0) / 2;
  const qy = Math.abs(y - (y0 + y1) / 2) - (y1 - y0) / 2;
  return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0);
};
/** A "D": a box from x0 to xc whose right end is a half disc, spanning y0..y1. */
const bowl = (x0: number, xc: number, y0: number, y1: number): Distance => {
  const r = (y1 - y0) / 2;
  const straight = box(x0, y0, xc, y1);
  return (x, y) => Math.min(straight(x, y), Math.hypot(x - xc, y - (y0 + r)) - r);
};

/**
 * A bold capital B as the page's brand mark sets it (weight 800, small counters): a stem, a smaller upper bowl and a
 * larger lower one, each cut by its counter. Drawn in a 260-high design space, centred in a `size` square and scaled
 * to `capHeight` pixels.
 */
function letterB(size: number, capHeight: number, color: Rgba): Shape {
  const w = 60; // stroke
  const [left, top, bottom, mid] = [150, 126, 386, 246]; // the bowls meet a little above the middle
  const ink = [box(left, top, left + w, bottom), bowl(left, left + 120, top, mid + w / 2), bowl(left, left + 130, mid - w / 2, bottom)];
  const counters = [bowl(left + w, left + 120, top + w, mid - w / 2), bowl(left + w, left + 130, mid + w / 2, bottom - w)];
  const k = capHeight / (bottom - top);
  // the glyph's box: from the stem to the lower bowl's right end, top to bottom
  const [cx, cy] = [(left + left + 130 + (bottom - (mid - w / 2)) / 2) / 2, (top + bottom) / 2];
  return {
    color,
    distance: (x, y) => {
      const u = (x - size / 2) / k + cx;
      const v = (y - size / 2) / k + cy;
      const inked = Math.min(...ink.map((d) => d(u, v)));
      const hollow = Math.min(...counters.map((d) => d(u, v)));
      return Math.max(inked, -hollow) * k;
    },
  };
}

export interface Brand {
  /** the tile's gradient, top-left to bottom-right (CSS `linear-gradient(135deg, from, to)`) */
  from: Rgba;
  to: Rgba;
  /** border-radius ÷ width of the mark */
  cornerRatio: number;
}

const hex = (value: string): Rgba => [1, 3, 5].map((i) => Number.parseInt(value.slice(i, i + 2), 16)).concat(255) as Rgba;

/** Reads the brand mark's look from the page's stylesheet; a stylesheet without it is an error, not a guess. */
export function brandFromCss(css: string): Brand {
  const rule = /\.brand-mark\s*\{([^}]*)\}/.exec(css)?.[1];
  const gradient = rule && /linear-gradient\(\s*135deg\s*,\s*(#[0-9a-fA-F]{6})\s*,\s*(#[0-9a-fA-F]{6})\s*\)/.exec(rule);
  const width = rule && /(?:^|;)\s*width:\s*(\d+)px/.exec(rule);
  const radius = rule && /border-radius:\s*(\d+)px/.exec(rule);
  if (!gradient || !width || !radius) {
    throw new Error('renderer/styles.css has no .brand-mark rule with width, border-radius and a 135deg linear-gradient of two hex colours.');
  }
  return { from: hex(gradient[1]!), to: hex(gradient[2]!), cornerRatio: Number(radius[1]) / Number(width[1]) };
}

const white: Rgba = [255, 255, 255, 255];

/** The brand tile: CSS's 135deg gradient runs corner to corner, so the colour follows x + y across the tile. */
function brandTile(size: number, inset: number, brand: Brand): Shape {
  const span = size - 2 * inset;
  const mix = (x: number, y: number): Rgba => {
    const t = Math.min(1, Math.max(0, (x - inset + (y - inset)) / (2 * span)));
    return [0, 1, 2, 3].map((i) => Math.round(brand.from[i]! + (brand.to[i]! - brand.from[i]!) * t)) as Rgba;
  };
  return roundedSquare(size, inset, span * brand.cornerRatio, mix);
}

/** The B's height over the tile's, as in the page (a 30 px mark with its B set at 14 px, weight 800). */
const CAP_HEIGHT_RATIO = 0.36;

/** The app icon: the brand mark, with the margin desktop icon grids leave around the tile. */
function appIcon(size: number, brand: Brand): Uint8Array {
  const inset = (32 * size) / 512;
  return render(size, [brandTile(size, inset, brand), letterB(size, (size - 2 * inset) * CAP_HEIGHT_RATIO, white)]);
}

/** The tray icon: the same mark filling the square, its B a little larger so it still reads at 16 px. */
function trayIcon(size: number, brand: Brand): Uint8Array {
  const inset = size / 32;
  return render(size, [brandTile(size, inset, brand), letterB(size, (size - 2 * inset) * CAP_HEIGHT_RATIO * 1.25, white)]);
}

/** Windows taskbar overlay: a red dot meaning "something waits for you". */
function badgeIcon(size: number): Uint8Array {
  return render(size, [disc(size / 2, size / 2, size / 2 - 0.5, [214, 48, 49, 255]), disc(size / 2, size / 2, size / 5, white)]);
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export function makeIcons(assetsDir: string, css = fs.readFileSync(path.join(root, 'renderer', 'styles.css'), 'utf8')): string[] {
  const brand = brandFromCss(css);
  fs.mkdirSync(assetsDir, { recursive: true });
  const files: Array<[string, number, (size: number) => Uint8Array]> = [
    ['icon.png', 512, (size) => appIcon(size, brand)],
    ['tray.png', 32, (size) => trayIcon(size, brand)],
    ['tray@2x.png', 64, (size) => trayIcon(size, brand)],
    ['badge.png', 16, badgeIcon],
  ];
  return files.map(([name, size, draw]) => {
    const file = path.join(assetsDir, name);
    fs.writeFileSync(file, encodePng(size, size, draw(size)));
    return file;
  });
}

const invokedDirectly = process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) {
  for (const file of makeIcons(path.join(root, 'assets'))) console.log(`wrote ${path.relative(process.cwd(), file)}`);
}
