/**
 * Tier attestations as the Java crypto module makes them (TierAttestation, AttestationChain):
 * canonical big-endian, length-prefixed bytes, Ed25519 over len(label) || label || body. Every
 * client checks every joiner's chain against the network root it was configured with.
 */
const LABEL = 'liaison/v1/tier-attestation';
const VERSION = 1;
const KIND_COORDINATOR = 1;
const KIND_DEVICE = 2;

export type AttestationFailure =
  | 'MALFORMED'
  | 'BAD_SIGNATURE'
  | 'NOT_FROM_ROOT'
  | 'BROKEN_CHAIN'
  | 'WRONG_KIND'
  | 'NOT_YET_VALID'
  | 'EXPIRED'
  | 'KEY_MISMATCH'
  | 'USER_MISMATCH'
  | 'TIER_ABOVE_ISSUER'
  | 'CITY_OUTSIDE_ISSUER';

export class AttestationError extends Error {
  constructor(
    readonly reason: AttestationFailure,
    message: string,
  ) {
    super(message);
  }
}

/** A parsed attestation: the fields as issued (`kind` as its wire number), the body and signature. */
export interface Attestation extends Omit<AttestationFields, 'kind'> {
  kind: number;
  body: Uint8Array;
  signature: Uint8Array;
}

export interface Verified {
  userId: string;
  tier: number;
  sector: string;
  cityId: string;
  expiresAt: Date;
}

class Reader {
  private position = 0;
  constructor(private readonly bytes: Uint8Array) {}

  private need(count: number): void {
    if (this.bytes.length - this.position < count) throw new AttestationError('MALFORMED', 'truncated');
  }
  u8(): number {
    this.need(1);
    return this.bytes[this.position++];
  }
  u16(): number {
    return (this.u8() << 8) | this.u8();
  }
  u64(): number {
    let value = 0;
    for (let i = 0; i < 8; i++) value = value * 256 + this.u8();
    return value;
  }
  take(length: number, max: number): Uint8Array {
    if (length > max) throw new AttestationError('MALFORMED', 'field too long');
    this.need(length);
    const out = this.bytes.slice(this.position, this.position + length);
    this.position += length;
    return out;
  }
  text8(max: number): string {
    // ignoreBOM keeps a leading U+FEFF, as Java's decoder does: the text is exactly what was signed.
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(this.take(this.u8(), max));
  }
  get offset(): number {
    return this.position;
  }
  end(): void {
    if (this.position !== this.bytes.length) throw new AttestationError('MALFORMED', 'trailing bytes');
  }
}

export function parseAttestation(bytes: Uint8Array): Attestation {
  const r = new Reader(bytes);
  if (r.u16() !== VERSION) throw new AttestationError('MALFORMED', 'unsupported version');
  const kind = r.u8();
  if (kind !== KIND_COORDINATOR && kind !== KIND_DEVICE) throw new AttestationError('MALFORMED', 'unknown kind');
  const userId = r.text8(64);
  const subjectKey = r.take(r.u8(), 32);
  const tier = r.u8();
  const sector = r.text8(64);
  const cityId = r.text8(64);
  const issuedAt = r.u64();
  const expiresAt = r.u64();
  const issuerKey = r.take(r.u8(), 32);
  if (subjectKey.length !== 32 || issuerKey.length !== 32 || tier > 3) {
    throw new AttestationError('MALFORMED', 'bad key or tier');
  }
  const body = bytes.slice(0, r.offset);
  const signature = r.take(64, 64);
  r.end();
  return { kind, userId, subjectKey, tier, sector, cityId, issuedAt, expiresAt, issuerKey, body, signature };
}

export function parseChain(bytes: Uint8Array): Attestation[] {
  const r = new Reader(bytes);
  const count = r.u8();
  if (count < 1 || count > 2) throw new AttestationError('MALFORMED', `chain of ${count}`);
  const links: Attestation[] = [];
  for (let i = 0; i < count; i++) links.push(parseAttestation(r.take(r.u16(), 1024)));
  r.end();
  return links;
}

/**
 * The device attestation's canonical encoding, as Java's `TierAttestation.encode()` (body ‖
 * signature): the last link of the chain, byte for byte as it sits there. Java decodes strictly
 * (exact lengths, strict UTF-8, no trailing bytes) and encodes canonically, so for any chain
 * that parses, its re-encoding is these same bytes. Re-encoding here instead would not be: the
 * browser's UTF-8 decoder drops a leading byte-order mark that Java keeps.
 */
export function deviceAttestationEncoding(chainBytes: Uint8Array): Uint8Array {
  const links = parseChain(chainBytes);
  const device = links[links.length - 1];
  return new Uint8Array([...device.body, ...device.signature]);
}

/**
 * How the attestation revocation list names an attestation: SHA-256 of the device
 * attestation's canonical encoding, lower-case hex (docs/protocol.md).
 */
export async function attestationHash(chainBytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', copy(deviceAttestationEncoding(chainBytes))));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** WebCrypto wants an ArrayBuffer-backed view. */
const copy = (bytes: Uint8Array): Uint8Array<ArrayBuffer> => new Uint8Array(bytes);

const equal = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((v, i) => v === b[i]);

async function signatureValid(link: Attestation): Promise<boolean> {
  const label = new TextEncoder().encode(LABEL);
  const message = new Uint8Array([label.length, ...label, ...link.body]);
  try {
    const key = await crypto.subtle.importKey('raw', copy(link.issuerKey), { name: 'Ed25519' }, false, ['verify']);
    return await crypto.subtle.verify({ name: 'Ed25519' }, key, copy(link.signature), copy(message));
  } catch {
    return false;
  }
}

/** One link's issuer, signature, kind and validity period, in Java's order and with its reasons. */
async function checkLink(
  link: Attestation,
  expectedIssuer: Uint8Array,
  otherIssuer: AttestationFailure,
  kind: number,
  seconds: number,
): Promise<void> {
  if (!equal(link.issuerKey, expectedIssuer)) throw new AttestationError(otherIssuer, 'unexpected issuer');
  if (!(await signatureValid(link))) throw new AttestationError('BAD_SIGNATURE', 'signature does not verify');
  if (link.kind !== kind) throw new AttestationError('WRONG_KIND', 'attestation out of place');
  if (seconds < link.issuedAt) throw new AttestationError('NOT_YET_VALID', 'not valid yet');
  if (seconds >= link.expiresAt) throw new AttestationError('EXPIRED', 'expired');
}

/** Same rules, same order and same reasons as AttestationChain.verify in Java. */
export async function verifyAttestationChain(
  chainBytes: Uint8Array,
  rootKey: Uint8Array,
  credentialKey: Uint8Array,
  userId: string,
  now: Date,
): Promise<Verified> {
  const links = parseChain(chainBytes);
  const seconds = Math.floor(now.getTime() / 1000);
  let expectedIssuer = rootKey;
  let issuer: Attestation | undefined;
  for (const [i, link] of links.entries()) {
    const last = i === links.length - 1;
    await checkLink(link, expectedIssuer, i === 0 ? 'NOT_FROM_ROOT' : 'BROKEN_CHAIN', last ? KIND_DEVICE : KIND_COORDINATOR, seconds);
    if (issuer) {
      if (link.tier > issuer.tier) throw new AttestationError('TIER_ABOVE_ISSUER', 'tier above issuer');
      if (issuer.cityId !== '' && issuer.cityId !== link.cityId) {
        throw new AttestationError('CITY_OUTSIDE_ISSUER', 'city outside issuer');
      }
    }
    issuer = link;
    expectedIssuer = link.subjectKey;
  }
  const device = links[links.length - 1];
  if (!equal(device.subjectKey, credentialKey)) throw new AttestationError('KEY_MISMATCH', 'another key');
  if (device.userId !== userId) throw new AttestationError('USER_MISMATCH', 'another user');
  return {
    userId: device.userId,
    tier: device.tier,
    sector: device.sector,
    cityId: device.cityId,
    expiresAt: new Date(device.expiresAt * 1000),
  };
}

// ---- Issuing (a coordinator's browser) ----------------------------------------------------

export interface AttestationFields {
  kind: 'coordinator' | 'device';
  userId: string;
  subjectKey: Uint8Array;
  tier: number;
  sector: string;
  cityId: string;
  /** Seconds since the epoch. */
  issuedAt: number;
  expiresAt: number;
  issuerKey: Uint8Array;
}

/** The signed part, byte for byte as Java's `TierAttestation.body()`. */
export function attestationBody(f: AttestationFields): Uint8Array {
  const utf8 = new TextEncoder();
  const out: number[] = [];
  const u8 = (v: number) => out.push(v & 0xff);
  const u64 = (v: number) => {
    for (let i = 7; i >= 0; i--) u8(Math.floor(v / 2 ** (8 * i)));
  };
  const opaque8 = (b: Uint8Array) => {
    if (b.length > 255) throw new AttestationError('MALFORMED', 'field too long');
    u8(b.length);
    out.push(...b);
  };
  if (f.subjectKey.length !== 32 || f.issuerKey.length !== 32 || f.tier < 0 || f.tier > 3) {
    throw new AttestationError('MALFORMED', 'bad key or tier');
  }
  u8(VERSION >> 8);
  u8(VERSION);
  u8(f.kind === 'coordinator' ? KIND_COORDINATOR : KIND_DEVICE);
  opaque8(utf8.encode(f.userId));
  opaque8(f.subjectKey);
  u8(f.tier);
  opaque8(utf8.encode(f.sector));
  opaque8(utf8.encode(f.cityId));
  u64(f.issuedAt);
  u64(f.expiresAt);
  opaque8(f.issuerKey);
  return Uint8Array.from(out);
}

/**
 * `body ‖ signature`, the signature Ed25519 over `len(label) ‖ label ‖ body` made by `sign`
 * (the issuer's key, e.g. ts-mls' suite signer with the coordinator's stored key).
 */
export async function issueAttestation(
  f: AttestationFields,
  sign: (message: Uint8Array) => Promise<Uint8Array>,
): Promise<Uint8Array> {
  const body = attestationBody(f);
  const label = new TextEncoder().encode(LABEL);
  const signature = await sign(new Uint8Array([label.length, ...label, ...body]));
  if (signature.length !== 64) throw new AttestationError('MALFORMED', 'not an Ed25519 signature');
  return new Uint8Array([...body, ...signature]);
}

/** `AttestationChain.encode()`: a count, then each attestation with a u16 length. */
export function encodeChain(links: Uint8Array[]): Uint8Array {
  if (links.length < 1 || links.length > 2) throw new AttestationError('MALFORMED', `chain of ${links.length}`);
  const out: number[] = [links.length];
  for (const link of links) out.push(link.length >> 8, link.length & 0xff, ...link);
  return Uint8Array.from(out);
}

/**
 * Checks a coordinator's own attestation before their browser uses it: issued by this network's
 * root, of kind coordinator, for this key and this user, and valid now. Returns it parsed.
 */
export async function verifyCoordinatorAttestation(
  bytes: Uint8Array,
  rootKey: Uint8Array,
  coordinatorKey: Uint8Array,
  userId: string,
  now: Date,
): Promise<Attestation> {
  const link = parseAttestation(bytes);
  await checkLink(link, rootKey, 'NOT_FROM_ROOT', KIND_COORDINATOR, Math.floor(now.getTime() / 1000));
  if (!equal(link.subjectKey, coordinatorKey)) throw new AttestationError('KEY_MISMATCH', 'another key');
  if (link.userId !== userId) throw new AttestationError('USER_MISMATCH', 'another user');
  return link;
}
