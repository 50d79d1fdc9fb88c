/**
 * Broadcast records as the Java crypto module makes them (org.liaison.crypto.broadcasts), byte for
 * byte: the signed header, a device's broadcast-key statement, acknowledgements, reminders, the
 * sealed content and the HPKE wrap of its key. Layouts: docs/broadcasts.md, "Exact encodings".
 * Checked against Java's vectors in test/broadcast-crypto.test.ts.
 */
import { Aes128Gcm, CipherSuite, DhkemX25519HkdfSha256, HkdfSha256 } from '@hpke/core';
import { AttestationError, parseAttestation, parseChain, verifyAttestationChain, type Attestation, type Verified } from './attestation';

export const LABELS = {
  header: 'liaison/v1/broadcast',
  key: 'liaison/v1/broadcast-key',
  ack: 'liaison/v1/broadcast-ack',
  reminder: 'liaison/v1/broadcast-reminder',
  content: 'liaison/v1/broadcast-content',
  wrap: 'liaison/v1/broadcast-wrap',
} as const;

export type BroadcastFailure =
  | 'MALFORMED'
  | 'BAD_SIGNATURE'
  | 'NOT_FROM_AUTHOR'
  | 'AUTHOR_NOT_COORDINATOR'
  | 'SCOPE'
  | 'CONTENT_HASH'
  | 'CANNOT_OPEN'
  | 'REVOKED'
  | 'OUTSIDE_AUDIENCE';

export class BroadcastError extends Error {
  constructor(
    readonly reason: BroadcastFailure,
    message: string,
  ) {
    super(message);
  }
}

const VERSION = 1;
const ID_LENGTH = 16;
const NONCE = 12;
const PAD_BLOCK = 256;
export const WRAP_LENGTH = 80;
const utf8 = new TextEncoder();

/** WebCrypto wants an ArrayBuffer-backed view. */
const copy = (bytes: Uint8Array): Uint8Array<ArrayBuffer> => new Uint8Array(bytes);
const equal = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((v, i) => v === b[i]);
export const idHex = (id: Uint8Array): string => Array.from(id, (b) => b.toString(16).padStart(2, '0')).join('');
export function idBytes(hex: string): Uint8Array {
  if (!/^[0-9a-f]{32}$/.test(hex)) throw new BroadcastError('MALFORMED', 'a broadcast id is 32 hex characters');
  return Uint8Array.from(hex.match(/../g)!, (pair) => parseInt(pair, 16));
}

// ---- Canonical writer and reader (CanonicalWriter / CanonicalReader in Java) ----------------

class Writer {
  private readonly out: number[] = [];
  u8(v: number): this {
    if (!Number.isInteger(v) || v < 0 || v > 0xff) throw new BroadcastError('MALFORMED', 'u8 out of range');
    this.out.push(v);
    return this;
  }
  u16(v: number): this {
    if (!Number.isInteger(v) || v < 0 || v > 0xffff) throw new BroadcastError('MALFORMED', 'u16 out of range');
    this.out.push(v >> 8, v & 0xff);
    return this;
  }
  u64(v: number): this {
    if (!Number.isSafeInteger(v) || v < 0) throw new BroadcastError('MALFORMED', 'u64 out of range');
    for (let i = 7; i >= 0; i--) this.out.push(Math.floor(v / 2 ** (8 * i)) & 0xff);
    return this;
  }
  opaque8(bytes: Uint8Array): this {
    this.u8(bytes.length);
    for (const b of bytes) this.out.push(b);
    return this;
  }
  text8(text: string): this {
    return this.opaque8(utf8.encode(text));
  }
  bytes(): Uint8Array {
    return Uint8Array.from(this.out);
  }
}

class Reader {
  private position = 0;
  constructor(private readonly bytes: Uint8Array) {}
  private need(count: number): void {
    if (this.bytes.length - this.position < count) throw new BroadcastError('MALFORMED', 'truncated');
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
    if (!Number.isSafeInteger(value)) throw new BroadcastError('MALFORMED', 'u64 out of range');
    return value;
  }
  opaque8(max: number): Uint8Array {
    const length = this.u8();
    if (length > max) throw new BroadcastError('MALFORMED', 'field too long');
    this.need(length);
    const out = this.bytes.slice(this.position, this.position + length);
    this.position += length;
    return out;
  }
  text8(max: number): string {
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(this.opaque8(max));
    } catch (e) {
      if (e instanceof BroadcastError) throw e;
      throw new BroadcastError('MALFORMED', 'not UTF-8');
    }
  }
  end(): void {
    if (this.position !== this.bytes.length) throw new BroadcastError('MALFORMED', 'trailing bytes');
  }
}

// ---- Ed25519 with a label (Java's Ed25519.labelled) -------------------------------------------

export function labelled(label: string, message: Uint8Array): Uint8Array {
  const l = utf8.encode(label);
  const out = new Uint8Array(1 + l.length + message.length);
  out[0] = l.length;
  out.set(l, 1);
  out.set(message, 1 + l.length);
  return out;
}

/** Signs `len(label) ‖ label ‖ message` (e.g. with ts-mls' suite signer and the device key). */
export type Sign = (message: Uint8Array) => Promise<Uint8Array>;

export async function verifyLabelled(publicKey: Uint8Array, label: string, message: Uint8Array, signature: Uint8Array): Promise<boolean> {
  if (publicKey.length !== 32 || signature.length !== 64) return false;
  try {
    const key = await crypto.subtle.importKey('raw', copy(publicKey), { name: 'Ed25519' }, false, ['verify']);
    return await crypto.subtle.verify({ name: 'Ed25519' }, key, copy(signature), copy(labelled(label, message)));
  } catch {
    return false;
  }
}

async function signLabelled(sign: Sign, label: string, message: Uint8Array): Promise<Uint8Array> {
  const signature = await sign(labelled(label, message));
  if (signature.length !== 64) throw new BroadcastError('MALFORMED', 'not an Ed25519 signature');
  return signature;
}

// ---- Header ------------------------------------------------------------------------------------

export interface Audience {
  /** City ids; empty = every city. */
  cities: string[];
  /** Sectors; empty = every sector. */
  sectors: string[];
  minTier: number;
}

export interface BroadcastHeader extends Audience {
  id: string;
  authorUserId: string;
  authorDeviceId: string;
  createdAt: number;
  contentHash: Uint8Array;
  /** Id of the broadcast this re-sends, or undefined. */
  resendOf?: string;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

/** Java's order: by UTF-8 bytes, distinct, so one audience has one header. */
export function canonicalList(values: string[]): string[] {
  return [...new Set(values)].sort((a, b) => compareBytes(utf8.encode(a), utf8.encode(b)));
}

export function encodeHeader(h: BroadcastHeader): Uint8Array {
  if (h.contentHash.length !== 32) throw new BroadcastError('MALFORMED', 'content hash is SHA-256');
  if (h.minTier < 0 || h.minTier > 3) throw new BroadcastError('MALFORMED', 'tier must be 0..3');
  const w = new Writer().u16(VERSION).opaque8(idBytes(h.id)).text8(h.authorUserId).text8(h.authorDeviceId);
  const cities = canonicalList(h.cities);
  const sectors = canonicalList(h.sectors);
  w.u8(cities.length);
  cities.forEach((c) => w.text8(c));
  w.u8(sectors.length);
  sectors.forEach((s) => w.text8(s));
  return w
    .u8(h.minTier)
    .u64(h.createdAt)
    .opaque8(h.contentHash)
    .opaque8(h.resendOf ? idBytes(h.resendOf) : new Uint8Array())
    .bytes();
}

export function decodeHeader(bytes: Uint8Array): BroadcastHeader {
  const r = new Reader(bytes);
  if (r.u16() !== VERSION) throw new BroadcastError('MALFORMED', 'unknown header version');
  const id = r.opaque8(ID_LENGTH);
  if (id.length !== ID_LENGTH) throw new BroadcastError('MALFORMED', 'broadcast id must be 16 bytes');
  const authorUserId = r.text8(64);
  const authorDeviceId = r.text8(64);
  const list = () => Array.from({ length: r.u8() }, () => r.text8(64));
  const cities = list();
  const sectors = list();
  const minTier = r.u8();
  const createdAt = r.u64();
  const contentHash = r.opaque8(32);
  const resendOf = r.opaque8(ID_LENGTH);
  r.end();
  if (resendOf.length !== 0 && resendOf.length !== ID_LENGTH) throw new BroadcastError('MALFORMED', 'resendOf must be 16 bytes');
  const header: BroadcastHeader = {
    id: idHex(id),
    authorUserId,
    authorDeviceId,
    cities,
    sectors,
    minTier,
    createdAt,
    contentHash,
    resendOf: resendOf.length ? idHex(resendOf) : undefined,
  };
  if (!equal(encodeHeader(header), bytes)) throw new BroadcastError('MALFORMED', 'cities or sectors are not sorted and distinct');
  return header;
}

export const signHeader = (sign: Sign, header: Uint8Array) => signLabelled(sign, LABELS.header, header);
export const verifyHeaderSignature = (deviceKey: Uint8Array, header: Uint8Array, signature: Uint8Array) =>
  verifyLabelled(deviceKey, LABELS.header, header, signature);

/** Whether a member with this city, sector and tier lies inside the audience. */
export function covers(audience: Audience, cityId: string, sector: string, tier: number): boolean {
  return (
    (audience.cities.length === 0 || audience.cities.includes(cityId)) &&
    (audience.sectors.length === 0 || audience.sectors.includes(sector)) &&
    tier >= audience.minTier
  );
}

// ---- Key statement, acknowledgement, reminder ---------------------------------------------------

export interface BroadcastKeyStatement {
  deviceId: string;
  userId: string;
  publicKey: Uint8Array;
  validFrom: number;
}

export function encodeKeyStatement(s: BroadcastKeyStatement): Uint8Array {
  if (s.publicKey.length !== 32) throw new BroadcastError('MALFORMED', 'a broadcast key is an X25519 public key');
  return new Writer().u16(VERSION).text8(s.deviceId).text8(s.userId).opaque8(s.publicKey).u64(s.validFrom).bytes();
}

export function decodeKeyStatement(bytes: Uint8Array): BroadcastKeyStatement {
  const r = new Reader(bytes);
  if (r.u16() !== VERSION) throw new BroadcastError('MALFORMED', 'unknown broadcast key version');
  const statement = { deviceId: r.text8(64), userId: r.text8(64), publicKey: r.opaque8(32), validFrom: r.u64() };
  r.end();
  if (statement.publicKey.length !== 32) throw new BroadcastError('MALFORMED', 'a broadcast key is an X25519 public key');
  return statement;
}

export const signKeyStatement = (sign: Sign, s: BroadcastKeyStatement) => signLabelled(sign, LABELS.key, encodeKeyStatement(s));
export const verifyKeyStatement = (deviceKey: Uint8Array, s: BroadcastKeyStatement, signature: Uint8Array) =>
  verifyLabelled(deviceKey, LABELS.key, encodeKeyStatement(s), signature);

export interface BroadcastAck {
  id: string;
  contentHash: Uint8Array;
  userId: string;
  deviceId: string;
  ackedAt: number;
}

export const encodeAck = (a: BroadcastAck): Uint8Array =>
  new Writer().u16(VERSION).opaque8(idBytes(a.id)).opaque8(a.contentHash).text8(a.userId).text8(a.deviceId).u64(a.ackedAt).bytes();
export const signAck = (sign: Sign, a: BroadcastAck) => signLabelled(sign, LABELS.ack, encodeAck(a));
export const verifyAck = (deviceKey: Uint8Array, a: BroadcastAck, signature: Uint8Array) =>
  verifyLabelled(deviceKey, LABELS.ack, encodeAck(a), signature);

export interface BroadcastReminder {
  id: string;
  n: number;
  at: number;
}

export const encodeReminder = (r: BroadcastReminder): Uint8Array => new Writer().u16(VERSION).opaque8(idBytes(r.id)).u16(r.n).u64(r.at).bytes();
export const signReminder = (sign: Sign, r: BroadcastReminder) => signLabelled(sign, LABELS.reminder, encodeReminder(r));
export const verifyReminder = (authorDeviceKey: Uint8Array, r: BroadcastReminder, signature: Uint8Array) =>
  verifyLabelled(authorDeviceKey, LABELS.reminder, encodeReminder(r), signature);

// ---- Content -----------------------------------------------------------------------------------

export type Urgency = 'info' | 'action' | 'urgent';

export interface BroadcastText {
  title: string;
  body: string;
  urgency: Urgency;
  /** ISO-8601. */
  deadline?: string;
  replies: boolean;
  lang?: string;
}

export const MAX_TITLE = 200;
export const MAX_BODY = 20_000;

/** DocumentPadding: length[4] ‖ bytes ‖ zeros, to a multiple of 256 (at least 256). */
function pad(plaintext: Uint8Array): Uint8Array {
  const total = Math.max(PAD_BLOCK, Math.ceil((4 + plaintext.length) / PAD_BLOCK) * PAD_BLOCK);
  const out = new Uint8Array(total);
  new DataView(out.buffer).setUint32(0, plaintext.length);
  out.set(plaintext, 4);
  return out;
}

function unpad(padded: Uint8Array): Uint8Array {
  if (padded.length < PAD_BLOCK || padded.length % PAD_BLOCK !== 0) throw new BroadcastError('CANNOT_OPEN', 'bad padding');
  const length = new DataView(padded.buffer, padded.byteOffset, padded.byteLength).getUint32(0);
  if (length > padded.length - 4 || Math.max(PAD_BLOCK, Math.ceil((4 + length) / PAD_BLOCK) * PAD_BLOCK) !== padded.length) {
    throw new BroadcastError('CANNOT_OPEN', 'bad padding');
  }
  if (padded.subarray(4 + length).some((b) => b !== 0)) throw new BroadcastError('CANNOT_OPEN', 'bad padding');
  return padded.slice(4, 4 + length);
}

const contentAad = (id: string, authorDeviceId: string) => utf8.encode(`${LABELS.content}|${id}|${authorDeviceId}`);

export const newContentKey = (): Uint8Array => crypto.getRandomValues(new Uint8Array(32));

export async function sealContent(
  contentKey: Uint8Array,
  id: string,
  authorDeviceId: string,
  text: BroadcastText,
  nonce: Uint8Array = crypto.getRandomValues(new Uint8Array(NONCE)),
): Promise<Uint8Array> {
  return sealJson(contentKey, id, authorDeviceId, utf8.encode(JSON.stringify(text)), nonce);
}

/** The seam the vectors use: the exact JSON bytes. */
export async function sealJson(contentKey: Uint8Array, id: string, authorDeviceId: string, json: Uint8Array, nonce: Uint8Array): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey('raw', copy(contentKey), 'AES-GCM', false, ['encrypt']);
  const body = new Uint8Array(
    await crypto.subtle.encrypt({ name: 'AES-GCM', iv: copy(nonce), additionalData: copy(contentAad(id, authorDeviceId)) }, key, copy(pad(json))),
  );
  const out = new Uint8Array(NONCE + body.length);
  out.set(nonce);
  out.set(body, NONCE);
  return out;
}

export async function openContent(contentKey: Uint8Array, id: string, authorDeviceId: string, sealed: Uint8Array): Promise<BroadcastText> {
  let json: Uint8Array;
  try {
    const key = await crypto.subtle.importKey('raw', copy(contentKey), 'AES-GCM', false, ['decrypt']);
    const padded = new Uint8Array(
      await crypto.subtle.decrypt(
        { name: 'AES-GCM', iv: copy(sealed.subarray(0, NONCE)), additionalData: copy(contentAad(id, authorDeviceId)) },
        key,
        copy(sealed.subarray(NONCE)),
      ),
    );
    json = unpad(padded);
  } catch {
    throw new BroadcastError('CANNOT_OPEN', 'the content does not open with this key');
  }
  return parseText(json);
}

function parseText(json: Uint8Array): BroadcastText {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(json));
  } catch {
    throw new BroadcastError('MALFORMED', 'the content is not JSON');
  }
  const v = value as Partial<BroadcastText>;
  if (
    typeof v !== 'object' ||
    v === null ||
    typeof v.title !== 'string' ||
    typeof v.body !== 'string' ||
    !['info', 'action', 'urgent'].includes(v.urgency as string) ||
    typeof v.replies !== 'boolean' ||
    (v.deadline !== undefined && typeof v.deadline !== 'string') ||
    (v.lang !== undefined && typeof v.lang !== 'string') ||
    v.title.length > MAX_TITLE ||
    v.body.length > MAX_BODY
  ) {
    throw new BroadcastError('MALFORMED', 'the content is not an announcement');
  }
  return { title: v.title, body: v.body, urgency: v.urgency as Urgency, deadline: v.deadline, replies: v.replies, lang: v.lang };
}

export async function contentHash(sealed: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', copy(sealed)));
}

// ---- HPKE wrap of the content key ----------------------------------------------------------------

let suite: CipherSuite | undefined;
const hpke = () => (suite ??= new CipherSuite({ kem: new DhkemX25519HkdfSha256(), kdf: new HkdfSha256(), aead: new Aes128Gcm() }));
const wrapInfo = (id: string, deviceId: string) => utf8.encode(`${LABELS.wrap}|${id}|${deviceId}`);

export interface BroadcastKeyPair {
  publicKey: Uint8Array;
  secretKey: Uint8Array;
}

export async function generateBroadcastKeyPair(): Promise<BroadcastKeyPair> {
  const pair = await hpke().kem.generateKeyPair();
  return {
    publicKey: new Uint8Array(await hpke().kem.serializePublicKey(pair.publicKey)),
    secretKey: new Uint8Array(await hpke().kem.serializePrivateKey(pair.privateKey)),
  };
}

/** `enc[32] ‖ ct[48]`: the content key sealed to one device's broadcast key. */
export async function wrapContentKey(recipientPublicKey: Uint8Array, id: string, deviceId: string, contentKey: Uint8Array): Promise<Uint8Array> {
  if (recipientPublicKey.length !== 32) throw new BroadcastError('MALFORMED', 'a broadcast key is an X25519 public key');
  const { ct, enc } = await hpke().seal(
    { recipientPublicKey: await hpke().kem.deserializePublicKey(copy(recipientPublicKey).buffer), info: copy(wrapInfo(id, deviceId)).buffer },
    copy(contentKey).buffer,
  );
  const out = new Uint8Array(WRAP_LENGTH);
  out.set(new Uint8Array(enc));
  out.set(new Uint8Array(ct), 32);
  return out;
}

export async function unwrapContentKey(secretKey: Uint8Array, id: string, deviceId: string, wrap: Uint8Array): Promise<Uint8Array> {
  if (wrap.length !== WRAP_LENGTH) throw new BroadcastError('CANNOT_OPEN', 'a wrap is 80 bytes');
  try {
    const pt = await hpke().open(
      {
        recipientKey: await hpke().kem.deserializePrivateKey(copy(secretKey).buffer),
        enc: copy(wrap.subarray(0, 32)).buffer,
        info: copy(wrapInfo(id, deviceId)).buffer,
      },
      copy(wrap.subarray(32)).buffer,
    );
    return new Uint8Array(pt);
  } catch {
    throw new BroadcastError('CANNOT_OPEN', "the wrap does not open with this device's key");
  }
}

// ---- Author proof ---------------------------------------------------------------------------------

export interface AuthorProof {
  /** AttestationChain.encode() of the author's device. */
  chain: Uint8Array;
  /** The author's coordinator attestation from the root. */
  coordinator: Uint8Array;
}

export interface VerifiedAuthor {
  header: BroadcastHeader;
  author: Verified;
  /** The coordinator attestation's city: '' for network-wide. */
  scopeCityId: string;
  chainLinks: Attestation[];
  coordinator: Attestation;
}

/**
 * AuthorProof.verifySigned in Java, same order and reasons: the header signature under the chain's
 * device key, the chain from the root for the author, the author's own coordinator attestation
 * (root, kind coordinator, same user, valid when sent and now) and a scope covering the audience.
 */
export async function verifySignedBroadcast(
  rootKey: Uint8Array,
  headerBytes: Uint8Array,
  signature: Uint8Array,
  proof: AuthorProof,
  now: Date,
): Promise<VerifiedAuthor> {
  let links: Attestation[];
  let coordinator: Attestation;
  try {
    links = parseChain(proof.chain);
    coordinator = parseAttestation(proof.coordinator);
  } catch {
    throw new BroadcastError('MALFORMED', 'malformed author proof');
  }
  const header = decodeHeader(headerBytes);
  const deviceKey = links[links.length - 1].subjectKey;
  if (!(await verifyHeaderSignature(deviceKey, headerBytes, signature))) {
    throw new BroadcastError('BAD_SIGNATURE', 'the header signature does not verify');
  }
  let author: Verified;
  try {
    author = await verifyAttestationChain(proof.chain, rootKey, deviceKey, header.authorUserId, now);
  } catch (e) {
    if (e instanceof AttestationError) throw new BroadcastError('NOT_FROM_AUTHOR', `the author's device is not vouched for: ${e.reason}`);
    throw e;
  }
  const sent = Math.floor(header.createdAt / 1000);
  const seconds = Math.floor(now.getTime() / 1000);
  const validAt = (t: number) => t >= coordinator.issuedAt && t < coordinator.expiresAt;
  if (
    coordinator.kind !== 1 ||
    !equal(coordinator.issuerKey, rootKey) ||
    !(await verifyLabelled(rootKey, 'liaison/v1/tier-attestation', coordinator.body, coordinator.signature)) ||
    coordinator.userId !== header.authorUserId
  ) {
    throw new BroadcastError('AUTHOR_NOT_COORDINATOR', 'the author holds no coordinator attestation from the root');
  }
  if (!validAt(sent) || !validAt(seconds)) throw new BroadcastError('AUTHOR_NOT_COORDINATOR', "the author's coordinator attestation is not valid");
  if (coordinator.cityId !== '' && !(header.cities.length === 1 && header.cities[0] === coordinator.cityId)) {
    throw new BroadcastError('SCOPE', 'a city coordinator may only address their own city');
  }
  return { header, author, scopeCityId: coordinator.cityId, chainLinks: links, coordinator };
}
