// Writes the app icons of the web manifest (public/icons/*.png) without any image library: a
// white speech bubble on Liaison's blue, drawn per pixel with 4×4 supersampling, stored as PNG
// through node:zlib. Run again after changing the drawing: node scripts/make-icons.mjs
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

const BLUE = [0x1d, 0x5c, 0x8c];
const WHITE = [0xff, 0xff, 0xff];

/** Is (x, y) in 0..1 coordinates inside the bubble? `scale` shrinks it towards the centre. */
function inBubble(x, y, scale) {
  const u = (x - 0.5) / scale + 0.5;
  const v = (y - 0.5) / scale + 0.5;
  // A rounded rectangle 0.2..0.8 × 0.25..0.68 with corner radius 0.1, and a tail at the bottom start.
  const [x0, x1, y0, y1, r] = [0.2, 0.8, 0.25, 0.68, 0.1];
  const cx = Math.min(Math.max(u, x0 + r), x1 - r);
  const cy = Math.min(Math.max(v, y0 + r), y1 - r);
  const body = (u - cx) ** 2 + (v - cy) ** 2 <= r * r && u >= x0 && u <= x1 && v >= y0 && v <= y1;
  const tail = v >= y1 - 0.01 && v <= 0.8 && u >= 0.3 && u <= 0.3 + (0.8 - v) * 1.2 && u <= 0.45;
  // Two lines of "text" cut out of the bubble.
  const line = (ly, lx1) => Math.abs(v - ly) <= 0.025 && u >= 0.3 && u <= lx1;
  return (body || tail) && !line(0.4, 0.7) && !line(0.53, 0.58);
}

/** Is (x, y) inside the icon's own shape: a rounded square, or (maskable) the full square. */
function inTile(x, y, maskable) {
  if (maskable) return true;
  const r = 0.18;
  const cx = Math.min(Math.max(x, r), 1 - r);
  const cy = Math.min(Math.max(y, r), 1 - r);
  return (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
}

function draw(size, maskable) {
  const S = 4;
  const raw = Buffer.alloc((size * 4 + 1) * size);
  for (let py = 0; py < size; py++) {
    raw[py * (size * 4 + 1)] = 0; // filter: none
    for (let px = 0; px < size; px++) {
      let tile = 0;
      let bubble = 0;
      for (let sy = 0; sy < S; sy++) {
        for (let sx = 0; sx < S; sx++) {
          const x = (px + (sx + 0.5) / S) / size;
          const y = (py + (sy + 0.5) / S) / size;
          if (inTile(x, y, maskable)) {
            tile++;
            // The maskable icon keeps its drawing inside the central 80 % safe zone.
            if (inBubble(x, y, maskable ? 0.8 : 1)) bubble++;
          }
        }
      }
      const a = tile / (S * S);
      const w = tile ? bubble / tile : 0;
      const o = py * (size * 4 + 1) + 1 + px * 4;
      for (let c = 0; c < 3; c++) raw[o + c] = Math.round(BLUE[c] * (1 - w) + WHITE[c] * w);
      raw[o + 3] = Math.round(a * 255);
    }
  }
  return png(size, size, raw);
}

function png(width, height, raw) {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf) => {
    let c = 0xffffffff;
    for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const c = Buffer.alloc(4);
    c.writeUInt32BE(crc(td));
    return Buffer.concat([len, td, c]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const out = new URL('../public/icons/', import.meta.url);
for (const size of [192, 512]) {
  writeFileSync(new URL(`icon-${size}.png`, out), draw(size, false));
  writeFileSync(new URL(`maskable-${size}.png`, out), draw(size, true));
}
writeFileSync(new URL('apple-touch-icon.png', out), draw(180, true));
