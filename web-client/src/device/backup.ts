/**
 * The recovery code and the encrypted key backup (docs/crypto.md, "Recovery key").
 *
 * - The code is Java's `RecoveryKey.newCode()`: 26 Crockford base-32 characters (130 random bits),
 *   shown in groups of 4; typing it back is forgiving (case, spaces, dashes, O→0, I/L→1).
 * - The wrapping key is Java's `RecoveryKey.wrappingKey(code, salt, cost)` byte for byte: Argon2id
 *   v1.3 over the ASCII of the normalised code, the backup's 16-byte salt, no secret, the label
 *   `liaison/v1/key-backup` as associated data, 32 bytes out; 64 MiB, t=3, p=1 by default.
 * - The backup is versioned JSON (below) sealed with AES-256-GCM under that key: a fresh 12-byte
 *   nonce, prepended to the ciphertext, and associated data binding the format version and the
 *   user id, so a backup cannot be passed off as another user's.
 *
 * Nothing here touches the network; `restore.ts` does the calls.
 */
import { argon2idAsync } from '@noble/hashes/argon2.js';
import { base64url, type DeviceIdentity, fromBase64url } from './identity';

export const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const CODE_LENGTH = 26;
export const KEY_BACKUP_LABEL = 'liaison/v1/key-backup';
export const BACKUP_VERSION = 1;
export const SALT_LENGTH = 16;

/** Argon2id cost of the wrapping key, in the server's wire names. */
export interface RecoveryCost {
  memoryKiB: number;
  iterations: number;
}

/** Java's `RecoveryKey.COST`: stronger than a login, computed once per backup or restore. */
export const RECOVERY_COST: RecoveryCost = { memoryKiB: 64 * 1024, iterations: 3 };
/** What a stored backup may ask for (the server enforces the same): no memory or time bombs. */
const MAX_COST: RecoveryCost = { memoryKiB: 256 * 1024, iterations: 10 };

export type BackupFailure = 'NOT_A_CODE' | 'WRONG_CODE' | 'MALFORMED' | 'BAD_COST';

export class BackupError extends Error {
  constructor(
    readonly reason: BackupFailure,
    message: string,
  ) {
    super(message);
    this.name = 'BackupError';
  }
}

/** A new code, as shown to the member: groups of 4 separated by dashes. */
export function newRecoveryCode(): string {
  // 256 is a multiple of 32, so the low 5 bits of a random byte are uniform.
  const bytes = crypto.getRandomValues(new Uint8Array(CODE_LENGTH));
  const code = Array.from(bytes, (b) => ALPHABET[b & 31]).join('');
  bytes.fill(0);
  return formatRecoveryCode(code);
}

/** Groups of 4 separated by dashes (the last group has 2). */
export function formatRecoveryCode(code: string): string {
  return normaliseRecoveryCode(code).replace(/(.{4})(?!$)/g, '$1-');
}

/** The groups of a code, for display. */
export function recoveryCodeGroups(code: string): string[] {
  return formatRecoveryCode(code).split('-');
}

/**
 * Java's `RecoveryKey.normalise`: drops dashes and white space, upper-cases, reads O as 0 and
 * I and L as 1; throws `NOT_A_CODE` if what remains is not 26 code characters.
 */
export function normaliseRecoveryCode(typed: string): string {
  let out = '';
  for (const c of typed.toUpperCase()) {
    if (c === '-' || /\s/.test(c)) continue;
    const mapped = c === 'O' ? '0' : c === 'I' || c === 'L' ? '1' : c;
    if (!ALPHABET.includes(mapped)) throw new BackupError('NOT_A_CODE', 'not a recovery code character');
    out += mapped;
  }
  if (out.length !== CODE_LENGTH) throw new BackupError('NOT_A_CODE', `a recovery code has ${CODE_LENGTH} characters`);
  return out;
}

function validCost(cost: RecoveryCost): boolean {
  const ok = (v: unknown, min: number, max: number) => Number.isInteger(v) && (v as number) >= min && (v as number) <= max;
  return ok(cost?.memoryKiB, 8, MAX_COST.memoryKiB) && ok(cost?.iterations, 1, MAX_COST.iterations);
}

/** The raw 32-byte wrapping key, exactly as Java derives it. Exposed for the interop vector. */
export async function recoveryWrappingKey(code: string, salt: Uint8Array, cost: RecoveryCost = RECOVERY_COST): Promise<Uint8Array> {
  if (!validCost(cost)) throw new BackupError('BAD_COST', 'key derivation cost out of bounds');
  if (salt.length !== SALT_LENGTH) throw new BackupError('MALFORMED', `the salt has ${SALT_LENGTH} bytes`);
  const password = new TextEncoder().encode(normaliseRecoveryCode(code)); // ASCII ⊂ UTF-8
  try {
    return await argon2idAsync(password, salt, {
      m: cost.memoryKiB,
      t: cost.iterations,
      p: 1,
      version: 0x13,
      dkLen: 32,
      personalization: new TextEncoder().encode(KEY_BACKUP_LABEL),
    });
  } finally {
    password.fill(0);
  }
}

async function aesKey(code: string, salt: Uint8Array, cost: RecoveryCost): Promise<CryptoKey> {
  const raw = await recoveryWrappingKey(code, salt, cost);
  try {
    return await crypto.subtle.importKey('raw', new Uint8Array(raw), { name: 'AES-GCM' }, false, ['encrypt', 'decrypt']);
  } finally {
    raw.fill(0);
  }
}

/** Binds the sealed bytes to the format version and the user whose backup it is. */
const associatedData = (version: number, userId: string) =>
  new TextEncoder().encode(`${KEY_BACKUP_LABEL}/aad\u0000${version}\u0000${userId}`);

/** What a backup holds: the device identity and the device-independent secrets. */
export interface BackupContents {
  userId: string;
  deviceId: string;
  identity: DeviceIdentity;
  /** Safety numbers the member has verified, by user id (filled in by the safety-number screens). */
  verified: Record<string, string>;
  /**
   * The member's history key (32 bytes, `historyBackup.ts`); absent in backups sealed before the
   * history backup existed, until the member makes a new code.
   */
  historyKey?: Uint8Array;
}

/** The body of `PUT /api/v1/key-backup` and the answer of `GET` (base64url, no padding). */
export interface SealedBackup {
  version: number;
  salt: string;
  kdf: RecoveryCost;
  ciphertext: string;
}

/** The plaintext format, version 1 (JSON; binary fields base64url). */
interface PlaintextV1 {
  v: 1;
  userId: string;
  deviceId: string;
  publicKey: string;
  signKey: string;
  verified: Record<string, string>;
  /** Optional: older backups have none. */
  historyKey?: string;
}

/** Seals `contents` under the code with a fresh salt and nonce. */
export async function sealBackup(code: string, contents: BackupContents, cost: RecoveryCost = RECOVERY_COST): Promise<SealedBackup> {
  const salt = crypto.getRandomValues(new Uint8Array(SALT_LENGTH));
  const key = await aesKey(code, salt, cost);
  const plaintext: PlaintextV1 = {
    v: 1,
    userId: contents.userId,
    deviceId: contents.deviceId,
    publicKey: base64url(contents.identity.publicKey),
    signKey: base64url(contents.identity.signKey),
    verified: { ...contents.verified },
    ...(contents.historyKey ? { historyKey: base64url(contents.historyKey) } : {}),
  };
  const bytes = new TextEncoder().encode(JSON.stringify(plaintext));
  const nonce = crypto.getRandomValues(new Uint8Array(12));
  try {
    const sealed = new Uint8Array(
      await crypto.subtle.encrypt(
        { name: 'AES-GCM', iv: nonce, additionalData: associatedData(BACKUP_VERSION, contents.userId) },
        key,
        bytes,
      ),
    );
    const ciphertext = new Uint8Array(nonce.length + sealed.length);
    ciphertext.set(nonce);
    ciphertext.set(sealed, nonce.length);
    return { version: BACKUP_VERSION, salt: base64url(salt), kdf: { ...cost }, ciphertext: base64url(ciphertext) };
  } finally {
    bytes.fill(0);
  }
}

const decodeField = (value: unknown): Uint8Array => {
  if (typeof value !== 'string' || !/^[A-Za-z0-9_-]*$/.test(value)) throw new BackupError('MALFORMED', 'not base64url');
  try {
    return fromBase64url(value);
  } catch {
    throw new BackupError('MALFORMED', 'not base64url');
  }
};

/**
 * Opens a backup of `userId` with the code. `NOT_A_CODE` when the code is not even well formed,
 * `WRONG_CODE` when it does not open the backup (a wrong code and altered bytes look the same to
 * AES-GCM), `MALFORMED` or `BAD_COST` when the stored backup is not one this client can read.
 */
export async function openBackup(code: string, backup: SealedBackup, userId: string): Promise<BackupContents> {
  normaliseRecoveryCode(code); // a typo is reported before any expensive work
  if (backup?.version !== BACKUP_VERSION) throw new BackupError('MALFORMED', 'unknown backup version');
  if (!validCost(backup.kdf)) throw new BackupError('BAD_COST', 'key derivation cost out of bounds');
  const salt = decodeField(backup.salt);
  const ciphertext = decodeField(backup.ciphertext);
  if (salt.length !== SALT_LENGTH || ciphertext.length < 12 + 16) throw new BackupError('MALFORMED', 'backup too short');
  const key = await aesKey(code, salt, backup.kdf);
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(
      await crypto.subtle.decrypt(
        { name: 'AES-GCM', iv: ciphertext.slice(0, 12), additionalData: associatedData(backup.version, userId) },
        key,
        ciphertext.slice(12),
      ),
    );
  } catch {
    throw new BackupError('WRONG_CODE', 'the recovery code does not open this backup');
  }
  try {
    const p = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)) as Partial<PlaintextV1>;
    const verified = p.verified;
    if (
      p.v !== 1 ||
      p.userId !== userId ||
      typeof p.deviceId !== 'string' ||
      p.deviceId.length === 0 ||
      typeof verified !== 'object' ||
      verified === null ||
      Array.isArray(verified) ||
      !Object.values(verified).every((s) => typeof s === 'string')
    ) {
      throw new BackupError('MALFORMED', 'unexpected backup contents');
    }
    const publicKey = decodeField(p.publicKey);
    const signKey = decodeField(p.signKey);
    if (publicKey.length !== 32 || signKey.length === 0) throw new BackupError('MALFORMED', 'unexpected key length');
    const historyKey = p.historyKey === undefined ? undefined : decodeField(p.historyKey);
    if (historyKey !== undefined && historyKey.length !== 32) throw new BackupError('MALFORMED', 'unexpected key length');
    return { userId, deviceId: p.deviceId, identity: { publicKey, signKey }, verified: { ...verified }, ...(historyKey ? { historyKey } : {}) };
  } catch (e) {
    if (e instanceof BackupError) throw e;
    throw new BackupError('MALFORMED', 'unreadable backup contents');
  } finally {
    bytes.fill(0);
  }
}
