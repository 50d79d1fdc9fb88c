// @vitest-environment node
// The drawn QR code read back by an independent decoder (the `qr` package's reader, working on
// pixels), so what a phone camera sees is the payload the other side compares with.
import decodeQR from 'qr/decode.js';
import { describe, expect, it } from 'vitest';
import { SafetyNumber } from '../src/crypto/safetyNumber';
import { modulesPath, qrModules } from '../src/pages/safetyQr';

const seq = (start: number) => Uint8Array.from({ length: 32 }, (_, i) => (start + 5 * i) & 0xff);

/** The matrix as RGBA pixels, `scale` pixels per module. */
function pixels(modules: boolean[][], scale: number) {
  const size = modules.length * scale;
  const data = new Uint8Array(size * size * 4);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const v = modules[Math.floor(y / scale)][Math.floor(x / scale)] ? 0 : 255;
      data.set([v, v, v, 255], (y * size + x) * 4);
    }
  }
  return { width: size, height: size, data };
}

/** The dark cells an SVG path of `M x y h n v1 h-n z` runs covers. */
function painted(path: string, size: number): boolean[][] {
  const cells = Array.from({ length: size }, () => new Array<boolean>(size).fill(false));
  for (const [, x, y, n] of path.matchAll(/M(\d+) (\d+)h(\d+)v1h-\d+z/g)) {
    for (let i = 0; i < Number(n); i++) cells[Number(y)][Number(x) + i] = true;
  }
  return cells;
}

describe('the safety-number QR code', () => {
  const number = SafetyNumber.between(
    { userId: 'amina', deviceKeys: [seq(1), seq(200)] },
    { userId: 'elena', deviceKeys: [seq(77)] },
  );

  it('reads back as the payload text, with a quiet zone', async () => {
    const modules = await qrModules(number.qrText());
    expect(modules.length).toBe(37 + 8); // version 5, 4 modules of quiet zone each side
    expect(modules[0].every((m) => !m) && modules[3].every((m) => !m)).toBe(true);
    const read = decodeQR(pixels(modules, 4));
    expect(read).toBe(number.qrText());
    expect(number.matchesScannedText(read)).toBe(true);
  });

  it('is drawn as an SVG path covering exactly the dark modules', async () => {
    const modules = await qrModules(number.qrText());
    expect(painted(modulesPath(modules), modules.length)).toEqual(modules);
  });
});
