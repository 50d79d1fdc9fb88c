// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { compareUnsigned, parseQrText, SafetyNumber, type SafetyIdentity } from '../src/crypto/safetyNumber';

const seq = (start: number, step: number) => Uint8Array.from({ length: 32 }, (_, i) => (start + step * i) & 0xff);
const fromHex = (h: string) => Uint8Array.from(h.match(/../g)!, (b) => parseInt(b, 16));
const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

// Keys as in the vector script: k1 = 00 01 02 .., k2 = 80 83 86 .. (sorts after k1 only when
// compared unsigned), k3 = ff fe fd .., k4 = 11 18 1f ..
const k1 = seq(0x00, 1);
const k2 = seq(0x80, 3);
const k3 = seq(0xff, -1);
const k4 = seq(0x11, 7);

/**
 * Produced by the Java implementation (crypto/.../safety/SafetyNumber.java, commit 7a4586d):
 * jshell --class-path crypto/target/classes, calling SafetyNumber.between(a, b).grouped() and
 * .qrPayload() (as hex) on these identities.
 */
const JAVA_VECTORS: { a: SafetyIdentity; b: SafetyIdentity; grouped: string; qr: string }[] = [
  {
    a: { userId: 'amina', deviceKeys: [k1, k2] },
    b: { userId: 'elena', deviceKeys: [k3] },
    grouped: '07432 67335 34638 62986 79063 62437 47783 35513 76761 61791 55770 77193',
    qr: '016d441ed868f30a49e307d6f7c2b76e7cb37e98aa154f9ca4b77bf41609e5a7df2785e7a933efefb92bc4933a3985fe92765f8d8db5449ad98daf4529',
  },
  {
    a: { userId: 'amina', deviceKeys: [k1, k2, k4] },
    b: { userId: 'elena', deviceKeys: [k3] },
    grouped: '08025 81454 65906 81151 96237 07804 47783 35513 76761 61791 55770 77193',
    qr: '013d74425039d4ceeca2ee5411a346527af68154ff351bcead0d3b106ad71ca7df2785e7a933efefb92bc4933a3985fe92765f8d8db5449ad98daf4529',
  },
  {
    // a UUID user id, and a non-ASCII one (UTF-8), keys given out of order
    a: { userId: '3f2c9a1e-7b4d-4e8a-9c1f-0a2b3c4d5e6f', deviceKeys: [k4] },
    b: { userId: 'zo\u00eb-\u062e\u0627\u0644\u062f', deviceKeys: [k2, k3, k1] },
    grouped: '27741 16599 92703 77972 61769 64578 88762 02806 99125 19008 57758 11813',
    qr: '0116271461fd0871889bf7a9d1c307dff0ecd5aef43678d383e915002567a2af5c327a3a59d47628b6776d782735ac033bb3000e0ed7ad3e8e67740165',
  },
  {
    a: { userId: 'nobody', deviceKeys: [] },
    b: { userId: 'elena', deviceKeys: [k3] },
    grouped: '31572 32498 23997 12327 30353 39677 47783 35513 76761 61791 55770 77193',
    qr: '018f401af4144f6e312b5277d383945d056139c4a7056b822f31013b4671bda7df2785e7a933efefb92bc4933a3985fe92765f8d8db5449ad98daf4529',
  },
];

describe('SafetyNumber', () => {
  it('matches the Java implementation byte for byte', () => {
    for (const v of JAVA_VECTORS) {
      const n = SafetyNumber.between(v.a, v.b);
      expect(n.grouped()).toBe(v.grouped);
      expect(n.digits()).toBe(v.grouped.replace(/ /g, ''));
      expect(hex(n.qrPayload())).toBe(v.qr);
      expect(n.qrText()).toBe(v.qr.toUpperCase());
    }
  });

  it('is the same 60 digits in 12 groups of 5, whoever asks', () => {
    for (const v of JAVA_VECTORS) {
      const mine = SafetyNumber.between(v.a, v.b);
      const theirs = SafetyNumber.between(v.b, v.a);
      expect(theirs.digits()).toBe(mine.digits());
      expect(mine.digits()).toMatch(/^\d{60}$/);
      expect(mine.groups()).toHaveLength(12);
      expect(mine.grouped()).toMatch(/^(\d{5} ){11}\d{5}$/);
      expect(theirs.matchesScanned(mine.qrPayload())).toBe(true);
      expect(theirs.matchesScannedText(mine.qrText())).toBe(true);
    }
  });

  it('does not depend on the order of devices', () => {
    const elena = { userId: 'elena', deviceKeys: [k3] };
    const before = SafetyNumber.between({ userId: 'amina', deviceKeys: [k1, k2, k4] }, elena);
    const reordered = SafetyNumber.between({ userId: 'amina', deviceKeys: [k4, k2, k1] }, elena);
    expect(reordered.digits()).toBe(before.digits());
  });

  it('changes when a device is added or a key replaced', () => {
    const elena = { userId: 'elena', deviceKeys: [k3] };
    const before = SafetyNumber.between({ userId: 'amina', deviceKeys: [k1, k2] }, elena);
    const added = SafetyNumber.between({ userId: 'amina', deviceKeys: [k1, k2, k4] }, elena);
    const swapped = k2.slice();
    swapped[31] ^= 1;
    const replaced = SafetyNumber.between({ userId: 'amina', deviceKeys: [k1, swapped] }, elena);
    const impostor = SafetyNumber.between({ userId: 'amina', deviceKeys: [k1, k2] }, { userId: 'elena', deviceKeys: [k4] });
    for (const changed of [added, replaced, impostor]) {
      expect(changed.digits()).not.toBe(before.digits());
      expect(changed.matchesScanned(before.qrPayload())).toBe(false);
      expect(changed.matchesScannedText(before.qrText())).toBe(false);
    }
  });

  it('reads scanned text strictly', () => {
    const n = SafetyNumber.between(JAVA_VECTORS[0].a, JAVA_VECTORS[0].b);
    expect(parseQrText(` ${n.qrText().toLowerCase()}\n`)).toEqual(n.qrPayload());
    expect(parseQrText('https://example.org/')).toBeNull();
    expect(parseQrText(n.qrText().slice(2))).toBeNull();
    expect(parseQrText('02' + n.qrText().slice(2))).toBeNull(); // unknown version
    expect(n.matchesScanned(n.qrPayload().slice(1))).toBe(false);
  });

  it('compares bytes unsigned, shorter first', () => {
    expect(compareUnsigned(Uint8Array.of(0x80), Uint8Array.of(0x7f))).toBeGreaterThan(0);
    expect(compareUnsigned(Uint8Array.of(1, 2), Uint8Array.of(1, 2, 0))).toBeLessThan(0);
    expect(compareUnsigned(fromHex('00ff'), fromHex('00ff'))).toBe(0);
  });
});
