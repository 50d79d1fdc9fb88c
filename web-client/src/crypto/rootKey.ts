/**
 * The network root key in the root holder's browser (docs/crypto.md, "The network root in the
 * browser"). The root signs coordinator keys; whoever holds it can make anyone a coordinator of any
 * tier, so it never reaches the server and is never kept or shown in plaintext:
 *
 * - in the holder's key store (encrypted under their password, like every device secret), and
 * - in a *network key file* they download and keep elsewhere: the 32-byte Ed25519 seed sealed with
 *   AES-256-GCM under Argon2id(passphrase) at a higher cost than the key store (the file may be
 *   copied anywhere, so it must resist offline guessing on its own).
 *
 * The file is JSON, so a holder can tell what it is; the public key in it is bound as associated
 * data. The CLI's `attest init-root` file (the seed in base64url) is imported as well.
 */
import { argon2idAsync } from '@noble/hashes/argon2.js';
import { base64url, fromBase64url } from '../device/identity';
import { issueAttestation } from './attestation';

export const ROOT_FILE_FORMAT = 'liaison-network-key/1';
/** Where the holder's key store keeps the root seed. */
export const ROOT_RECORD = 'network/root-signing-key';
/** A file that leaves the browser: 64 MiB, 3 passes (about a second here), far above the key store's. */
export const FILE_COST = { m: 64 * 1024, t: 3, p: 1 } as const;
const MAX_FILE_COST = { m: 1024 * 1024, t: 20, p: 4 };
/** Long enough to resist offline guessing at FILE_COST; words are easier to type than symbols. */
export const MIN_PASSPHRASE = 12;
/** How long a coordinator key signed here is valid (as the CLI's default). */
export const COORDINATOR_DAYS = 365;

export class RootKeyError extends Error {
  constructor(
    readonly code: 'WRONG_PASSPHRASE' | 'NOT_A_KEY_FILE' | 'SHORT_PASSPHRASE' | 'NOT_THIS_NETWORK',
    message: string,
  ) {
    super(message);
    this.name = 'RootKeyError';
  }
}

export interface RootKey {
  /** Raw 32-byte Ed25519 public key: what `PUT /network/root-key` publishes. */
  publicKey: Uint8Array;
  /** The 32-byte seed (ts-mls' signer takes it as it is). */
  seed: Uint8Array;
}

interface RootFile {
  format: typeof ROOT_FILE_FORMAT;
  publicKey: string;
  kdf: { name: 'argon2id'; m: number; t: number; p: number; salt: string };
  nonce: string;
  ciphertext: string;
}

const PKCS8_ED25519_PREFIX = Uint8Array.from([0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20]);
const buffer = (bytes: Uint8Array): Uint8Array<ArrayBuffer> => new Uint8Array(bytes);

/** The public key of an Ed25519 seed, through WebCrypto (as ts-mls signs). */
export async function publicKeyOf(seed: Uint8Array): Promise<Uint8Array> {
  if (seed.length !== 32) throw new RootKeyError('NOT_A_KEY_FILE', 'an Ed25519 seed is 32 bytes');
  const key = await crypto.subtle.importKey('pkcs8', buffer(new Uint8Array([...PKCS8_ED25519_PREFIX, ...seed])), 'Ed25519', true, ['sign']);
  const jwk = await crypto.subtle.exportKey('jwk', key);
  return fromBase64url(jwk.x as string);
}

export async function createRootKey(): Promise<RootKey> {
  const seed = crypto.getRandomValues(new Uint8Array(32));
  return { seed, publicKey: await publicKeyOf(seed) };
}

async function fileKey(passphrase: string, salt: Uint8Array, cost: { m: number; t: number; p: number }): Promise<CryptoKey> {
  const raw = await argon2idAsync(passphrase.normalize('NFC'), salt, { ...cost, dkLen: 32 });
  try {
    return await crypto.subtle.importKey('raw', buffer(raw), 'AES-GCM', false, ['encrypt', 'decrypt']);
  } finally {
    raw.fill(0);
  }
}

const aad = (publicKey: string) => new TextEncoder().encode(`${ROOT_FILE_FORMAT}\u0000${publicKey}`);

/** The network key file's text: the seed sealed under the passphrase. */
export async function sealRootKeyFile(key: RootKey, passphrase: string, cost: { m: number; t: number; p: number } = FILE_COST): Promise<string> {
  if (passphrase.length < MIN_PASSPHRASE) throw new RootKeyError('SHORT_PASSPHRASE', `at least ${MIN_PASSPHRASE} characters`);
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const nonce = crypto.getRandomValues(new Uint8Array(12));
  const publicKey = base64url(key.publicKey);
  const sealed = await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv: nonce, additionalData: aad(publicKey) },
    await fileKey(passphrase, salt, cost),
    buffer(key.seed),
  );
  const file: RootFile = {
    format: ROOT_FILE_FORMAT,
    publicKey,
    kdf: { name: 'argon2id', ...cost, salt: base64url(salt) },
    nonce: base64url(nonce),
    ciphertext: base64url(new Uint8Array(sealed)),
  };
  return JSON.stringify(file, null, 2) + '\n';
}

function validFileCost(c: unknown): c is { m: number; t: number; p: number } {
  const o = c as Record<string, unknown>;
  const ok = (v: unknown, min: number, max: number) => Number.isInteger(v) && (v as number) >= min && (v as number) <= max;
  return !!o && ok(o.p, 1, MAX_FILE_COST.p) && ok(o.t, 1, MAX_FILE_COST.t) && ok(o.m, 8 * (o.p as number), MAX_FILE_COST.m);
}

/**
 * Opens a network key file: this browser's sealed format (needs the passphrase) or the CLI's plain
 * seed file. The key must be the network's published root when one is given.
 */
export async function openRootKeyFile(text: string, passphrase: string, published?: Uint8Array): Promise<RootKey> {
  const trimmed = text.trim();
  let key: RootKey;
  if (trimmed.startsWith('{')) {
    let file: RootFile;
    try {
      file = JSON.parse(trimmed) as RootFile;
    } catch {
      throw new RootKeyError('NOT_A_KEY_FILE', 'not JSON');
    }
    if (file?.format !== ROOT_FILE_FORMAT || file.kdf?.name !== 'argon2id' || !validFileCost(file.kdf)) {
      throw new RootKeyError('NOT_A_KEY_FILE', 'not a network key file');
    }
    let seed: Uint8Array;
    try {
      const opened = await crypto.subtle.decrypt(
        { name: 'AES-GCM', iv: buffer(fromBase64url(file.nonce)), additionalData: aad(file.publicKey) },
        await fileKey(passphrase, fromBase64url(file.kdf.salt), file.kdf),
        buffer(fromBase64url(file.ciphertext)),
      );
      seed = new Uint8Array(opened);
    } catch {
      throw new RootKeyError('WRONG_PASSPHRASE', 'the passphrase does not open this file');
    }
    key = { seed, publicKey: await publicKeyOf(seed) };
    if (base64url(key.publicKey) !== file.publicKey) throw new RootKeyError('NOT_A_KEY_FILE', 'the file does not hold its own key');
  } else {
    let seed: Uint8Array;
    try {
      seed = fromBase64url(trimmed);
    } catch {
      throw new RootKeyError('NOT_A_KEY_FILE', 'not base64url');
    }
    key = { seed, publicKey: await publicKeyOf(seed) };
  }
  if (published && base64url(published) !== base64url(key.publicKey)) {
    throw new RootKeyError('NOT_THIS_NETWORK', "this is not the network's published key");
  }
  return key;
}

/** How the key store keeps it (the store encrypts every value). */
export const encodeStoredRoot = (key: RootKey) => new TextEncoder().encode(JSON.stringify({ seed: base64url(key.seed), publicKey: base64url(key.publicKey) }));

export function decodeStoredRoot(bytes: Uint8Array): RootKey {
  const o = JSON.parse(new TextDecoder().decode(bytes)) as { seed: string; publicKey: string };
  return { seed: fromBase64url(o.seed), publicKey: fromBase64url(o.publicKey) };
}

export interface CoordinatorRequest {
  userId: string;
  publicKey: string;
  tier: string;
  sector: string;
  /** The scope signed for: the coordinator's city, empty for a network-wide key. */
  cityId: string;
}

/** A coordinator attestation for a request, signed with the root (the CLI's `attest coordinator`). */
export async function signCoordinatorKey(root: RootKey, request: CoordinatorRequest, now: Date = new Date()): Promise<Uint8Array> {
  const seconds = Math.floor(now.getTime() / 1000);
  const signer = await crypto.subtle.importKey('pkcs8', buffer(new Uint8Array([...PKCS8_ED25519_PREFIX, ...root.seed])), 'Ed25519', false, ['sign']);
  return issueAttestation(
    {
      kind: 'coordinator',
      userId: request.userId,
      subjectKey: fromBase64url(request.publicKey),
      tier: Number(request.tier.slice(1)),
      sector: request.sector,
      cityId: request.cityId,
      issuedAt: seconds - 300,
      expiresAt: seconds + COORDINATOR_DAYS * 86_400,
      issuerKey: root.publicKey,
    },
    async (message) => new Uint8Array(await crypto.subtle.sign('Ed25519', signer, buffer(message))),
  );
}
