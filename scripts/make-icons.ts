// `tsx scripts/make-icons.ts`: draws Baton's icons (a relay baton being passed on, on a rounded tile) straight
// into PNG files with zlib, so the artwork is reproducible without an image editor.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';

type Rgba = [number, number, number, number];
/** A shape as a signed distance: negative inside, positive outside, in pixels of the final image. */
type Shape = { distance: (x: number, y: number) => number; color: Rgba };

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
  const samples = 4;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
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
            const alpha = shape.color[3] / 255;
            cr = shape.color[0] * alpha + cr * (1 - alpha);
            cg = shape.color[1] * alpha + cg * (1 - alpha);
            cb = shape.color[2] * alpha + cb * (1 - alpha);
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

const roundedSquare = (size: number, inset: number, radius: number, color: Rgba): Shape => ({
  color,
  distance: (x, y) => {
    const half = size / 2 - inset;
    const qx = Math.abs(x - size / 2) - (half - radius);
    const qy = Math.abs(y - size / 2) - (half - radius);
    return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - radius;
  },
});

/** A capsule from (x1,y1) to (x2,y2): the baton. */
const capsule = (x1: number, y1: number, x2: number, y2: number, radius: number, color: Rgba): Shape => ({
  color,
  distance: (x, y) => {
    const dx = x2 - x1;
    const dy = y2 - y1;
    const t = Math.max(0, Math.min(1, ((x - x1) * dx + (y - y1) * dy) / (dx * dx + dy * dy)));
    return Math.hypot(x - (x1 + t * dx), y - (y1 + t * dy)) - radius;
  },
});

const disc = (cx: number, cy: number, radius: number, color: Rgba): Shape => ({
  color,
  distance: (x, y) => Math.hypot(x - cx, y - cy) - radius,
});

const teal: Rgba = [16, 110, 120, 255];
const white: Rgba = [255, 255, 255, 255];
const amber: Rgba = [255, 183, 77, 255];

/** The app icon: a white baton with an amber grip crossing a teal tile, trailing motion lines. */
function appIcon(size: number): Uint8Array {
  const s = size / 512;
  return render(size, [
    roundedSquare(size, 24 * s, 96 * s, teal),
    // motion lines: the baton is being passed on
    capsule(112 * s, 346 * s, 164 * s, 294 * s, 12 * s, [255, 255, 255, 150]),
    capsule(206 * s, 440 * s, 258 * s, 388 * s, 12 * s, [255, 255, 255, 150]),
    capsule(170 * s, 382 * s, 382 * s, 170 * s, 46 * s, white),
    capsule(252 * s, 300 * s, 300 * s, 252 * s, 30 * s, amber),
  ]);
}

/** The tray icon: the baton alone, heavier, so it reads at 16–32 px on light and dark bars. */
function trayIcon(size: number): Uint8Array {
  const s = size / 32;
  return render(size, [
    roundedSquare(size, 1 * s, 7 * s, teal),
    capsule(9 * s, 23 * s, 23 * s, 9 * s, 4 * s, white),
    capsule(14.5 * s, 17.5 * s, 17.5 * s, 14.5 * s, 2.8 * s, amber),
  ]);
}

/** Windows taskbar overlay: a red dot meaning "something waits for you". */
function badgeIcon(size: number): Uint8Array {
  return render(size, [disc(size / 2, size / 2, size / 2 - 0.5, [214, 48, 49, 255]), disc(size / 2, size / 2, size / 5, white)]);
}

export function makeIcons(assetsDir: string): string[] {
  fs.mkdirSync(assetsDir, { recursive: true });
  const files: Array<[string, number, (size: number) => Uint8Array]> = [
    ['icon.png', 512, appIcon],
    ['tray.png', 32, trayIcon],
    ['tray@2x.png', 64, trayIcon],
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
  const assets = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'assets');
  for (const file of makeIcons(assets)) console.log(`wrote ${path.relative(process.cwd(), file)}`);
}
