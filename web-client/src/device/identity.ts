/**
 * This browser's device identity: its Ed25519 signature key (the MLS leaf key, registered with
 * `POST /api/v1/devices`), its MLS credential in Java's `MemberCredential` encoding, and key
 * packages for suite 0x0001 signed with that same key (the key directory refuses packages whose
 * leaf key is not the device's). Private parts go into the KeyStore; nothing here touches the
 * network.
 *
 * Order of use: createDeviceIdentity → registrationBody → (server answers the device id) →
 * memberCredential(userId, deviceId, chain?) → generateKeyPackages → upload → saveKeyPackages.
 */
import {
  type CiphersuiteImpl,
  type ClientState,
  type Credential,
  type KeyPackage,
  type PrivateKeyPackage,
  decodeGroupState,
  decodeMlsMessage,
  defaultCapabilities,
  defaultLifetime,
  encodeGroupState,
  encodeMlsMessage,
  generateKeyPackageWithKey,
  getCiphersuiteFromName,
  getCiphersuiteImpl,
} from 'ts-mls';
import { defaultClientConfig } from 'ts-mls/clientConfig.js';
import { makeKeyPackageRef } from 'ts-mls/keyPackage.js';
import type { KeyStore } from './keystore';

export const SUITE = 'MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519'; // 0x0001

let suite: Promise<CiphersuiteImpl> | undefined;
export function ciphersuite(): Promise<CiphersuiteImpl> {
  suite ??= getCiphersuiteImpl(getCiphersuiteFromName(SUITE));
  return suite;
}

export interface DeviceIdentity {
  /** Raw 32-byte Ed25519 public key. */
  publicKey: Uint8Array;
  /** The private key as ts-mls' signature implementation produced it (PKCS#8 under WebCrypto). */
  signKey: Uint8Array;
}

export const base64url = (bytes: Uint8Array): string => {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
};

export const fromBase64url = (value: string): Uint8Array => {
  const binary = atob(value.replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
};

/** Lower-case hex, as key package refs are named in the store and channel ids in the API. */
export const hex = (bytes: Uint8Array): string => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

/** A fresh Ed25519 key pair from the same implementation ts-mls signs with for suite 0x0001. */
export async function createDeviceIdentity(): Promise<DeviceIdentity> {
  const cs = await ciphersuite();
  const { signKey, publicKey } = await cs.signature.keygen();
  return { publicKey, signKey };
}

/** The body of `POST /api/v1/devices` (the attestation chain, if already held, as base64url). */
export function registrationBody(
  identity: DeviceIdentity,
  name: string,
  attestation?: Uint8Array,
): { name: string; signatureKey: string; attestation?: string } {
  return {
    name,
    signatureKey: base64url(identity.publicKey),
    ...(attestation ? { attestation: base64url(attestation) } : {}),
  };
}

const MAX_ID = 64;
const MAX_CHAIN = 4096;

/**
 * `MemberCredential.encode()` (crypto/.../mls/MemberCredential.java):
 * uint16 version = 1; opaque user_id<0..64> (u8 length); opaque device_id<0..64> (u8 length);
 * opaque attestation_chain<0..4096> (u16 length, empty when not attested).
 */
export function encodeMemberCredential(userId: string, deviceId: string, chain: Uint8Array = new Uint8Array()): Uint8Array {
  const utf8 = new TextEncoder();
  const user = utf8.encode(userId);
  const device = utf8.encode(deviceId);
  if (user.length > MAX_ID || device.length > MAX_ID) throw new RangeError('user or device id too long');
  if (chain.length > MAX_CHAIN) throw new RangeError('attestation chain too long');
  const out = new Uint8Array(2 + 1 + user.length + 1 + device.length + 2 + chain.length);
  let at = 0;
  out[at++] = 0;
  out[at++] = 1;
  out[at++] = user.length;
  out.set(user, at);
  at += user.length;
  out[at++] = device.length;
  out.set(device, at);
  at += device.length;
  out[at++] = chain.length >> 8;
  out[at++] = chain.length & 0xff;
  out.set(chain, at);
  return out;
}

export interface MemberCredential {
  userId: string;
  deviceId: string;
  /** AttestationChain bytes; empty when the device is not attested. */
  chain: Uint8Array;
}

/** `MemberCredential.decode`: the same bounds, strict UTF-8, no trailing bytes. */
export function decodeMemberCredential(identity: Uint8Array): MemberCredential {
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  let at = 0;
  const need = (n: number) => {
    if (identity.length - at < n) throw new RangeError('credential truncated');
  };
  const take = (n: number, max: number) => {
    if (n > max) throw new RangeError('credential field too long');
    need(n);
    const out = identity.slice(at, at + n);
    at += n;
    return out;
  };
  need(2);
  if (((identity[0] << 8) | identity[1]) !== 1) throw new RangeError('unsupported credential version');
  at = 2;
  need(1);
  const userId = utf8.decode(take(identity[at++], MAX_ID));
  need(1);
  const deviceId = utf8.decode(take(identity[at++], MAX_ID));
  need(2);
  const chainLength = (identity[at] << 8) | identity[at + 1];
  at += 2;
  const chain = take(chainLength, MAX_CHAIN);
  if (at !== identity.length) throw new RangeError('trailing bytes after credential');
  return { userId, deviceId, chain };
}

/** The MLS `basic` credential whose identity bytes are the MemberCredential. */
export function memberCredential(userId: string, deviceId: string, chain?: Uint8Array): Credential {
  return { credentialType: 'basic', identity: encodeMemberCredential(userId, deviceId, chain) };
}

export interface GeneratedKeyPackage {
  /** `MLSMessage(key_package)` bytes, for `POST /api/v1/key-packages`. */
  message: Uint8Array;
  /** RFC 9420 KeyPackageRef (hex): what a Welcome names; the key store record suffix. */
  ref: string;
  publicPackage: KeyPackage;
  privatePackage: PrivateKeyPackage;
}

export interface KeyPackageBatch {
  oneTime: GeneratedKeyPackage[];
  lastResort: GeneratedKeyPackage;
  /** The body of `POST /api/v1/key-packages`. */
  uploadBody: { keyPackages: string[]; lastResort: string; replace?: boolean };
}

async function oneKeyPackage(identity: DeviceIdentity, credential: Credential, cs: CiphersuiteImpl): Promise<GeneratedKeyPackage> {
  // No extensions: bcmls 1.84 cannot read `last_resort` (docs/crypto.md, "Limits found"); the key
  // directory records which package is the last-resort one instead.
  const { publicPackage, privatePackage } = await generateKeyPackageWithKey(
    credential,
    defaultCapabilities(),
    defaultLifetime,
    [],
    { signKey: identity.signKey, publicKey: identity.publicKey },
    cs,
  );
  const message = encodeMlsMessage({ keyPackage: publicPackage, wireformat: 'mls_key_package', version: 'mls10' });
  return { message, ref: hex(await makeKeyPackageRef(publicPackage, cs.hash)), publicPackage, privatePackage };
}

/** `count` one-time key packages plus one last-resort package, all signed with the device key. */
export async function generateKeyPackages(
  identity: DeviceIdentity,
  credential: Credential,
  count: number,
  options: { replace?: boolean } = {},
): Promise<KeyPackageBatch> {
  if (!Number.isInteger(count) || count < 0 || count > 100) throw new RangeError('0..100 key packages a call');
  const cs = await ciphersuite();
  const oneTime: GeneratedKeyPackage[] = [];
  for (let i = 0; i < count; i++) oneTime.push(await oneKeyPackage(identity, credential, cs));
  const lastResort = await oneKeyPackage(identity, credential, cs);
  return {
    oneTime,
    lastResort,
    uploadBody: {
      keyPackages: oneTime.map((kp) => base64url(kp.message)),
      lastResort: base64url(lastResort.message),
      ...(options.replace ? { replace: true } : {}),
    },
  };
}

// ---- Persistence in the KeyStore ----------------------------------------------------------

export const IDENTITY_RECORD = 'device/identity';
export const KEY_PACKAGE_PREFIX = 'key-package/';
export const GROUP_STATE_PREFIX = 'group-state/';

/** u32-length-prefixed fields, concatenated. */
function pack(...fields: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(fields.reduce((n, f) => n + 4 + f.length, 0));
  let at = 0;
  for (const f of fields) {
    new DataView(out.buffer).setUint32(at, f.length);
    out.set(f, at + 4);
    at += 4 + f.length;
  }
  return out;
}

function unpack(bytes: Uint8Array, count: number): Uint8Array[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: Uint8Array[] = [];
  let at = 0;
  for (let i = 0; i < count; i++) {
    if (bytes.length - at < 4) throw new RangeError('record truncated');
    const length = view.getUint32(at);
    if (bytes.length - at - 4 < length) throw new RangeError('record truncated');
    out.push(bytes.slice(at + 4, at + 4 + length));
    at += 4 + length;
  }
  if (at !== bytes.length) throw new RangeError('trailing bytes in record');
  return out;
}

export async function saveIdentity(store: KeyStore, identity: DeviceIdentity): Promise<void> {
  await store.put(IDENTITY_RECORD, pack(identity.publicKey, identity.signKey));
}

export async function loadIdentity(store: KeyStore): Promise<DeviceIdentity | null> {
  const bytes = await store.get(IDENTITY_RECORD);
  if (!bytes) return null;
  const [publicKey, signKey] = unpack(bytes, 2);
  return { publicKey, signKey };
}

/**
 * Keeps each package's private init and HPKE keys (and its public bytes, which joinGroup needs)
 * under `key-package/<KeyPackageRef>`. The signature key is the identity's and is not repeated.
 * Store only after the upload succeeded; with `replace: true` uploads, delete the old ones first.
 */
export async function saveKeyPackages(store: KeyStore, packages: GeneratedKeyPackage[]): Promise<void> {
  for (const kp of packages) {
    await store.put(
      KEY_PACKAGE_PREFIX + kp.ref,
      pack(kp.message, kp.privatePackage.initPrivateKey, kp.privatePackage.hpkePrivateKey),
    );
  }
}

/** Names the batch's last-resort package, which stays after a Welcome uses it (one-time ones go). */
export const LAST_RESORT_RECORD = 'key-package-last-resort';

/** Keeps a whole uploaded batch: every package's secrets, and which one is the last-resort one. */
export async function saveKeyPackageBatch(store: KeyStore, batch: KeyPackageBatch): Promise<void> {
  await saveKeyPackages(store, [...batch.oneTime, batch.lastResort]);
  await store.put(LAST_RESORT_RECORD, new TextEncoder().encode(batch.lastResort.ref));
}

/** After a Welcome used package `ref`: a one-time package is spent; the last-resort one stays. */
export async function spendKeyPackage(store: KeyStore, ref: string): Promise<void> {
  const lastResort = await store.get(LAST_RESORT_RECORD);
  if (!lastResort || new TextDecoder().decode(lastResort) !== ref) await store.delete(KEY_PACKAGE_PREFIX + ref);
}

/** The member credential a leaf or key package carries (Liaison only uses `basic` credentials). */
export function credentialOf(credential: Credential): MemberCredential {
  return decodeMemberCredential(credential.credentialType === 'basic' ? credential.identity : new Uint8Array());
}

/** The stored package a Welcome's KeyPackageRef names, ready for ts-mls `joinGroup`. */
export async function loadKeyPackage(
  store: KeyStore,
  identity: DeviceIdentity,
  ref: string,
): Promise<{ publicPackage: KeyPackage; privatePackage: PrivateKeyPackage } | null> {
  const bytes = await store.get(KEY_PACKAGE_PREFIX + ref);
  if (!bytes) return null;
  const [message, initPrivateKey, hpkePrivateKey] = unpack(bytes, 3);
  const decoded = decodeMlsMessage(message, 0)?.[0];
  if (!decoded || decoded.wireformat !== 'mls_key_package') throw new RangeError('stored key package malformed');
  return {
    publicPackage: decoded.keyPackage,
    privatePackage: { initPrivateKey, hpkePrivateKey, signaturePrivateKey: identity.signKey },
  };
}

/** Removes every stored key package (a `replace: true` upload withdraws them server-side). */
export async function deleteKeyPackages(store: KeyStore): Promise<void> {
  for (const name of await store.names(KEY_PACKAGE_PREFIX)) await store.delete(name);
}

/** Persists a channel's ts-mls state (external joins do not interoperate; docs/crypto.md). */
export async function saveGroupState(store: KeyStore, channelId: string, state: ClientState): Promise<void> {
  await store.put(GROUP_STATE_PREFIX + channelId, encodeGroupState(state));
}

export async function loadGroupState(store: KeyStore, channelId: string): Promise<ClientState | null> {
  const bytes = await store.get(GROUP_STATE_PREFIX + channelId);
  if (!bytes) return null;
  const decoded = decodeGroupState(bytes, 0);
  if (!decoded || decoded[1] !== bytes.length) throw new RangeError('stored group state malformed');
  return { ...decoded[0], clientConfig: defaultClientConfig };
}
