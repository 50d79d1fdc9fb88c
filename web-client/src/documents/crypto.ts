/**
 * The documents' records exactly as docs/documents.md "Encryption" writes them, the same bytes as
 * Java's `org.liaison.crypto.documents` (checked against its vectors): per-document keys by HKDF
 * from a generation key, AES-256-GCM over a padded plaintext, one AAD rule per kind, Ed25519
 * signatures by the author device's leaf key, and the keyring codec. WebCrypto only; the signature
 * is ts-mls's suite 0x0001 implementation, the one the device key was made with.
 */
import { base64url, ciphersuite, fromBase64url } from '../device/identity';

export type RecordKind = 'header' | 'update' | 'snapshot' | 'version' | 'presence';

/** Why a record was refused; the names Java's vectors use. */
export type RefusalReason = 'NOT_AUTHENTIC' | 'MALFORMED' | 'BAD_PADDING' | 'BAD_SIGNATURE';

export class DocumentCryptoError extends Error {
  constructor(
    readonly reason: RefusalReason,
    message: string,
  ) {
    super(message);
  }
}

const PAD_BLOCK = 256;
const NONCE = 12;
const TAG = 16;
const KEY = 32;
const KEYRING_LABEL = 'liaison/v1/doc-keyring';
const SIGNATURE_LABEL = 'liaison/v1/doc-signature';
const utf8 = new TextEncoder();

/** The fields each kind's AAD names after the label and document id, in order. */
export type AadContext =
  | { kind: 'header'; documentId: string; generation: number }
  | { kind: 'update'; documentId: string; generation: number; authorDeviceId: string; clientSeq: number }
  | { kind: 'snapshot'; documentId: string; generation: number; coversSeq: number; authorDeviceId: string }
  | { kind: 'version' | 'presence'; documentId: string; generation: number; authorDeviceId: string };

/** The one place the AAD rules live (a `|` inside a field would make two contexts collide). */
export function aadOf(context: AadContext): string {
  const fields: (string | number)[] = [`liaison/v1/doc-${context.kind}`, context.documentId, context.generation];
  if (context.kind === 'update') fields.push(context.authorDeviceId, context.clientSeq);
  else if (context.kind === 'snapshot') fields.push(context.coversSeq, context.authorDeviceId);
  else if (context.kind !== 'header') fields.push(context.authorDeviceId);
  return joinAad(fields);
}

export function keyringAad(channelId: string, epoch: number): string {
  return joinAad([KEYRING_LABEL, channelId, epoch]);
}

function joinAad(fields: (string | number)[]): string {
  for (const f of fields) if (String(f).includes('|')) throw new DocumentCryptoError('MALFORMED', 'an AAD field holds "|"');
  return fields.join('|');
}

/** `length[4, big-endian] ‖ bytes ‖ zeros` to a multiple of 256 bytes (at least 256). */
export function pad(plaintext: Uint8Array): Uint8Array {
  const out = new Uint8Array(Math.ceil((4 + plaintext.length) / PAD_BLOCK) * PAD_BLOCK);
  new DataView(out.buffer).setUint32(0, plaintext.length);
  out.set(plaintext, 4);
  return out;
}

export function unpad(padded: Uint8Array): Uint8Array {
  if (padded.length < PAD_BLOCK || padded.length % PAD_BLOCK !== 0) throw new DocumentCryptoError('BAD_PADDING', 'not a multiple of 256 bytes');
  const length = new DataView(padded.buffer, padded.byteOffset, padded.byteLength).getUint32(0);
  if (length > padded.length - 4) throw new DocumentCryptoError('BAD_PADDING', 'length beyond the padded size');
  if (padded.subarray(4 + length).some((b) => b !== 0)) throw new DocumentCryptoError('BAD_PADDING', 'non-zero padding');
  return padded.slice(4, 4 + length);
}

/** `HKDF-SHA256(ikm = DK_g, salt = "", info = "<label>|<docId>", 32)`. */
export async function recordKey(generationKey: Uint8Array, kind: RecordKind, documentId: string): Promise<Uint8Array> {
  const ikm = await crypto.subtle.importKey('raw', copy(generationKey), 'HKDF', false, ['deriveBits']);
  const info = utf8.encode(joinAad([`liaison/v1/doc-${kind}`, documentId]));
  const bits = await crypto.subtle.deriveBits({ name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(), info }, ikm, KEY * 8);
  return new Uint8Array(bits);
}

/** `nonce ‖ AES-256-GCM(pad(plaintext), aad) ‖ tag`; the nonce is random unless a test gives one. */
export async function seal(key: Uint8Array, aad: string, plaintext: Uint8Array, nonce: Uint8Array = crypto.getRandomValues(new Uint8Array(NONCE))): Promise<Uint8Array> {
  const k = await crypto.subtle.importKey('raw', copy(key), 'AES-GCM', false, ['encrypt']);
  const sealed = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv: copy(nonce), additionalData: utf8.encode(aad) }, k, copy(pad(plaintext))));
  const out = new Uint8Array(NONCE + sealed.length);
  out.set(nonce);
  out.set(sealed, NONCE);
  return out;
}

export async function open(key: Uint8Array, aad: string, sealed: Uint8Array): Promise<Uint8Array> {
  if (sealed.length < NONCE + TAG) throw new DocumentCryptoError('MALFORMED', 'shorter than nonce and tag');
  const k = await crypto.subtle.importKey('raw', copy(key), 'AES-GCM', false, ['decrypt']);
  let padded: Uint8Array;
  try {
    padded = new Uint8Array(
      await crypto.subtle.decrypt({ name: 'AES-GCM', iv: sealed.slice(0, NONCE), additionalData: utf8.encode(aad) }, k, sealed.slice(NONCE)),
    );
  } catch {
    throw new DocumentCryptoError('NOT_AUTHENTIC', 'the record does not decrypt under this key and context');
  }
  return unpad(padded);
}

/** Seals a document record with the key its kind derives from the generation key. */
export async function sealRecord(generationKey: Uint8Array, context: AadContext, plaintext: Uint8Array): Promise<Uint8Array> {
  return seal(await recordKey(generationKey, context.kind, context.documentId), aadOf(context), plaintext);
}

export async function openRecord(generationKey: Uint8Array, context: AadContext, sealed: Uint8Array): Promise<Uint8Array> {
  return open(await recordKey(generationKey, context.kind, context.documentId), aadOf(context), sealed);
}

/** `[len] ‖ "liaison/v1/doc-signature" ‖ SHA-256(aad ‖ sealed)`, the label written as Java's `Ed25519` writes labels. */
async function signedBytes(aad: string, sealed: Uint8Array): Promise<Uint8Array> {
  const a = utf8.encode(aad);
  const joined = new Uint8Array(a.length + sealed.length);
  joined.set(a);
  joined.set(sealed, a.length);
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', joined));
  const label = utf8.encode(SIGNATURE_LABEL);
  const out = new Uint8Array(1 + label.length + digest.length);
  out[0] = label.length;
  out.set(label, 1);
  out.set(digest, 1 + label.length);
  return out;
}

export async function signRecord(signKey: Uint8Array, aad: string, sealed: Uint8Array): Promise<Uint8Array> {
  const cs = await ciphersuite();
  return cs.signature.sign(signKey, await signedBytes(aad, sealed));
}

export async function verifyRecord(publicKey: Uint8Array, aad: string, sealed: Uint8Array, signature: Uint8Array): Promise<boolean> {
  const cs = await ciphersuite();
  try {
    return await cs.signature.verify(publicKey, await signedBytes(aad, sealed), signature);
  } catch {
    return false;
  }
}

/** generation → key. */
export type Generations = Map<number, Uint8Array>;

/** `{"generations":[{"g":N,"key":"<base64url>"}]}`, oldest first. */
export function encodeKeyring(generations: Generations): Uint8Array {
  const list = [...generations.entries()].sort(([a], [b]) => a - b).map(([g, key]) => ({ g, key: base64url(key) }));
  return utf8.encode(JSON.stringify({ generations: list }));
}

/** Refuses anything but integer generations and 32-byte keys (as Java's decoder). */
export function decodeKeyring(bytes: Uint8Array): Generations {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw new DocumentCryptoError('MALFORMED', 'the keyring is not JSON');
  }
  const list = (value as { generations?: unknown })?.generations;
  if (!Array.isArray(list)) throw new DocumentCryptoError('MALFORMED', 'the keyring has no generations');
  const out: Generations = new Map();
  for (const item of list) {
    const { g, key } = (item ?? {}) as { g?: unknown; key?: unknown };
    if (!Number.isSafeInteger(g) || (g as number) < 0 || typeof key !== 'string') throw new DocumentCryptoError('MALFORMED', 'a keyring entry is malformed');
    let raw: Uint8Array;
    try {
      raw = fromBase64url(key);
    } catch {
      throw new DocumentCryptoError('MALFORMED', 'a keyring key is not base64url');
    }
    if (raw.length !== KEY) throw new DocumentCryptoError('MALFORMED', 'a keyring key is not 32 bytes');
    out.set(g as number, raw);
  }
  return out;
}

export function newGenerationKey(): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(KEY));
}

/** The newest generation (the one writers use); undefined when there is none. */
export function newest(generations: Generations): number | undefined {
  let best: number | undefined;
  for (const g of generations.keys()) if (best === undefined || g > best) best = g;
  return best;
}

export const json = (value: unknown): Uint8Array => utf8.encode(JSON.stringify(value));
export const parseJson = <T>(bytes: Uint8Array): T => {
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)) as T;
  } catch {
    throw new DocumentCryptoError('MALFORMED', 'not JSON');
  }
};

const copy = (b: Uint8Array) => new Uint8Array(b);
