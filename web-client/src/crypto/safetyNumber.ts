/**
 * Safety numbers, byte for byte as Java's `org.liaison.crypto.safety.SafetyNumber`
 * (docs/crypto.md, "Safety numbers"), so a member in the browser and one on the CLI or another
 * client read the same 60 digits and scan the same QR payload.
 *
 * Each person's half: SHA-512 over
 *   "liaison/v1/safety-number" (ASCII) ‖ u16 len ‖ UTF-8 user id ‖ u16 device count ‖
 *   for each device key, sorted by unsigned byte order: u16 len ‖ key
 * giving `material`; then 5 200 times `hash = SHA-512(hash ‖ material)` (starting from
 * `hash = material`), keeping the first 30 bytes. The two halves are ordered (unsigned, smaller
 * first), never "mine first", so both sides show the same number. Each half gives 30 digits: six
 * 5-byte big-endian chunks, each mod 100 000, zero-padded to 5 digits.
 *
 * The QR payload is the version byte 1 then both halves (61 bytes). A QR code carries it as
 * upper-case hex text (`qrText`): the browser's BarcodeDetector hands back text, not bytes.
 */
import { sha512 } from '@noble/hashes/sha2.js';

export const SAFETY_NUMBER_LABEL = 'liaison/v1/safety-number';
const ITERATIONS = 5200;
const HALF_BYTES = 30;
const VERSION = 1;
const PAYLOAD_BYTES = 1 + 2 * HALF_BYTES;

/** One person: their user id and the public signature keys of all their devices. */
export interface SafetyIdentity {
  userId: string;
  deviceKeys: readonly Uint8Array[];
}

/** Arrays.compareUnsigned: byte by byte as unsigned, then the shorter one first. */
export function compareUnsigned(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (a[i] !== b[i]) return a[i] - b[i];
  }
  return a.length - b.length;
}

/** Java's `length()`: two bytes, big-endian, of the low 16 bits (ids and keys are far shorter). */
const length = (n: number) => Uint8Array.of((n >>> 8) & 0xff, n & 0xff);

function half(identity: SafetyIdentity): Uint8Array {
  const keys = [...identity.deviceKeys].sort(compareUnsigned);
  const user = new TextEncoder().encode(identity.userId);
  const first = sha512.create();
  first.update(new TextEncoder().encode(SAFETY_NUMBER_LABEL)); // ASCII ⊂ UTF-8
  first.update(length(user.length));
  first.update(user);
  first.update(length(keys.length));
  for (const key of keys) {
    first.update(length(key.length));
    first.update(key);
  }
  const material = first.digest();
  let hash = material;
  // Iterated so that grinding keys for a colliding number costs 5200 hashes per try.
  for (let i = 0; i < ITERATIONS; i++) {
    hash = sha512.create().update(hash).update(material).digest();
  }
  return hash.slice(0, HALF_BYTES);
}

function digitsOf(halfBytes: Uint8Array): string {
  let out = '';
  for (let chunk = 0; chunk < 6; chunk++) {
    let value = 0; // 40 bits: exact in a double, and no 32-bit shifts
    for (let i = 0; i < 5; i++) value = value * 256 + halfBytes[chunk * 5 + i];
    out += String(value % 100_000).padStart(5, '0');
  }
  return out;
}

const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

export class SafetyNumber {
  private constructor(
    private readonly lower: Uint8Array,
    private readonly upper: Uint8Array,
  ) {}

  /** The number `one` and `other` both see, whichever of them asks. */
  static between(one: SafetyIdentity, other: SafetyIdentity): SafetyNumber {
    const a = half(one);
    const b = half(other);
    return compareUnsigned(a, b) <= 0 ? new SafetyNumber(a, b) : new SafetyNumber(b, a);
  }

  /** 60 digits. */
  digits(): string {
    return digitsOf(this.lower) + digitsOf(this.upper);
  }

  /** The 12 groups of 5 digits, for reading aloud. */
  groups(): string[] {
    return this.digits().match(/\d{5}/g) ?? [];
  }

  /** Java's `grouped()`: the groups joined by single spaces. */
  grouped(): string {
    return this.groups().join(' ');
  }

  /** Version, then both halves in order (Java's `qrPayload()`). */
  qrPayload(): Uint8Array {
    const out = new Uint8Array(PAYLOAD_BYTES);
    out[0] = VERSION;
    out.set(this.lower, 1);
    out.set(this.upper, 1 + HALF_BYTES);
    return out;
  }

  /** The text a QR code carries: the payload in upper-case hex (QR alphanumeric mode). */
  qrText(): string {
    return hex(this.qrPayload()).toUpperCase();
  }

  /** True if a scanned payload shows the same keys as this device sees (constant time). */
  matchesScanned(payload: Uint8Array): boolean {
    const mine = this.qrPayload();
    if (payload.length !== mine.length) return false;
    let diff = 0;
    for (let i = 0; i < mine.length; i++) diff |= mine[i] ^ payload[i];
    return diff === 0;
  }

  /** Like `matchesScanned`, for the text a scanner read; false for anything that is not ours. */
  matchesScannedText(text: string): boolean {
    const payload = parseQrText(text);
    return payload !== null && this.matchesScanned(payload);
  }
}

/** The payload in a scanned QR text, or null when the text is not a safety-number code. */
export function parseQrText(text: string): Uint8Array | null {
  const trimmed = text.trim();
  if (!new RegExp(`^[0-9A-Fa-f]{${2 * PAYLOAD_BYTES}}$`).test(trimmed)) return null;
  const out = new Uint8Array(PAYLOAD_BYTES);
  for (let i = 0; i < PAYLOAD_BYTES; i++) out[i] = parseInt(trimmed.slice(2 * i, 2 * i + 2), 16);
  return out[0] === VERSION ? out : null;
}
