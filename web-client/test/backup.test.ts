// @vitest-environment node
// The recovery code and the encrypted key backup: real Argon2id (@noble/hashes), real AES-GCM
// (WebCrypto), and a vector computed by the Java code the server and the CLI use.
import { describe, expect, it } from 'vitest';
import {
  ALPHABET,
  BackupError,
  type BackupContents,
  formatRecoveryCode,
  newRecoveryCode,
  normaliseRecoveryCode,
  openBackup,
  RECOVERY_COST,
  recoveryCodeGroups,
  recoveryWrappingKey,
  sealBackup,
} from '../src/device/backup';
import { base64url, createDeviceIdentity, fromBase64url } from '../src/device/identity';
import { signDeviceSession } from '../src/device/session';

const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
const CHEAP = { memoryKiB: 64, iterations: 1 };
const USER = 'u0123456789abcdef';

async function contents(): Promise<BackupContents> {
  return {
    userId: USER,
    deviceId: 'd0123456789abcdef',
    identity: await createDeviceIdentity(),
    verified: { u1: '12345 67890' },
  };
}

async function failure(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (e) {
    expect(e).toBeInstanceOf(BackupError);
    return (e as BackupError).reason;
  }
  throw new Error('expected a BackupError');
}

describe('the recovery code', () => {
  it('has 26 code characters in groups of 4, like Java RecoveryKey.newCode()', () => {
    const code = newRecoveryCode();
    expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){5}-[0-9A-HJKMNP-TV-Z]{2}$/);
    expect(recoveryCodeGroups(code)).toHaveLength(7);
    expect(newRecoveryCode()).not.toBe(code);
    expect(ALPHABET).toHaveLength(32);
  });

  it('uses every character of the alphabet (5 uniform bits each)', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) for (const c of normaliseRecoveryCode(newRecoveryCode())) seen.add(c);
    expect(seen.size).toBe(32);
  });

  it('is read back forgivingly: case, spaces, dashes and O, I, L', () => {
    expect(normaliseRecoveryCode(' 7zqk m3va-xr9d-lhfe b0tn-wc5p-j8 ')).toBe('7ZQKM3VAXR9D1HFEB0TNWC5PJ8');
    expect(normaliseRecoveryCode('7ZQKM3VAXR9DIHFEBOTNWC5PJ8')).toBe('7ZQKM3VAXR9D1HFEB0TNWC5PJ8');
    expect(normaliseRecoveryCode('7zqk\tm3va\nxr9d 1hfe b0tn wc5p j8')).toBe('7ZQKM3VAXR9D1HFEB0TNWC5PJ8');
    expect(formatRecoveryCode('7zqkm3vaxr9d1hfeb0tnwc5pj8')).toBe('7ZQK-M3VA-XR9D-1HFE-B0TN-WC5P-J8');
  });

  it('refuses what is not a code', () => {
    expect(() => normaliseRecoveryCode('too short')).toThrow(BackupError);
    expect(() => normaliseRecoveryCode('UUUU-UUUU-UUUU-UUUU-UUUU-UUUU-UU')).toThrow(BackupError);
    expect(() => normaliseRecoveryCode('7ZQK-M3VA-XR9D-1HFE-B0TN-WC5P-J8-0')).toThrow(BackupError);
  });
});

describe('the wrapping key', () => {
  // Printed by Java: RecoveryKey.wrappingKey("7ZQK-M3VA-XR9D-1HFE-B0TN-WC5P-J8", salt 00 01 .. 0f,
  // cost) with crypto/target/classes and Bouncy Castle 1.84 (a throwaway main class calling
  // org.liaison.crypto.backup.RecoveryKey; see the "Recovery key" section of docs/crypto.md).
  const salt = Uint8Array.from({ length: 16 }, (_, i) => i);
  const code = '7ZQK-M3VA-XR9D-1HFE-B0TN-WC5P-J8';

  it('is byte for byte Java RecoveryKey.wrappingKey at a small cost', async () => {
    expect(hex(await recoveryWrappingKey(code, salt, { memoryKiB: 64, iterations: 1 }))).toBe(
      'a82a682af12522c8c2b3d8ef41e4027cc527f631702621f84077472d5e04c6c1',
    );
    // The same key from the code typed carelessly.
    expect(hex(await recoveryWrappingKey(' 7zqk m3va xr9d lhfe botn wc5p j8', salt, { memoryKiB: 1024, iterations: 2 }))).toBe(
      'b7254e2fc1a3c7a6f786b3ca35db4db8864a1eebf794c3864f5a276c9b2f4e3a',
    );
  });

  it('is byte for byte Java RecoveryKey.wrappingKey at the production cost (64 MiB, t=3)', async () => {
    expect(RECOVERY_COST).toEqual({ memoryKiB: 65536, iterations: 3 });
    expect(hex(await recoveryWrappingKey(code, salt))).toBe('1591ef2ff77ae43bbef44df3dfad49690018e4a50841959e1658f0d481337ba7');
  }, 30_000);

  it('refuses costs a tampered backup could use to exhaust the browser', async () => {
    expect(await failure(recoveryWrappingKey(code, salt, { memoryKiB: 1 << 30, iterations: 1 }))).toBe('BAD_COST');
    expect(await failure(recoveryWrappingKey(code, salt, { memoryKiB: 64, iterations: 100 }))).toBe('BAD_COST');
    expect(await failure(recoveryWrappingKey(code, salt.slice(1), CHEAP))).toBe('MALFORMED');
  });
});

describe('the key backup', () => {
  it('round-trips the identity, device id and verified map, and the restored key signs', async () => {
    const code = newRecoveryCode();
    const original = await contents();
    const sealed = await sealBackup(code, original, CHEAP);
    expect(sealed.version).toBe(1);
    expect(fromBase64url(sealed.salt)).toHaveLength(16);
    expect(sealed.kdf).toEqual(CHEAP);
    const opened = await openBackup(code.toLowerCase().replace(/-/g, ' '), sealed, USER);
    expect(opened.deviceId).toBe(original.deviceId);
    expect(opened.verified).toEqual({ u1: '12345 67890' });
    expect(opened.identity.publicKey).toEqual(original.identity.publicKey);
    expect(opened.identity.signKey).toEqual(original.identity.signKey);
    // The restored private key still makes the signatures the server checks.
    expect(await signDeviceSession(opened.identity.signKey, 'sid')).toBe(await signDeviceSession(original.identity.signKey, 'sid'));
  });

  it('keeps the secrets out of what the server stores', async () => {
    const original = await contents();
    const sealed = await sealBackup(newRecoveryCode(), original, CHEAP);
    const stored = JSON.stringify(sealed);
    expect(stored).not.toContain(base64url(original.identity.signKey));
    expect(stored).not.toContain(original.deviceId);
    expect(stored).not.toContain('12345 67890');
  });

  it('fails cleanly with a wrong code or a code that is not one', async () => {
    const sealed = await sealBackup(newRecoveryCode(), await contents(), CHEAP);
    expect(await failure(openBackup(newRecoveryCode(), sealed, USER))).toBe('WRONG_CODE');
    expect(await failure(openBackup('not a code', sealed, USER))).toBe('NOT_A_CODE');
  });

  it('fails on tampered bytes, salt, cost or another user id', async () => {
    const code = newRecoveryCode();
    const sealed = await sealBackup(code, await contents(), CHEAP);
    const flipped = fromBase64url(sealed.ciphertext);
    flipped[flipped.length - 20] ^= 1;
    expect(await failure(openBackup(code, { ...sealed, ciphertext: base64url(flipped) }, USER))).toBe('WRONG_CODE');
    const salt = fromBase64url(sealed.salt);
    salt[0] ^= 1;
    expect(await failure(openBackup(code, { ...sealed, salt: base64url(salt) }, USER))).toBe('WRONG_CODE');
    expect(await failure(openBackup(code, { ...sealed, kdf: { memoryKiB: 128, iterations: 1 } }, USER))).toBe('WRONG_CODE');
    expect(await failure(openBackup(code, sealed, 'someone-else'))).toBe('WRONG_CODE');
    expect(await failure(openBackup(code, { ...sealed, version: 2 }, USER))).toBe('MALFORMED');
    expect(await failure(openBackup(code, { ...sealed, ciphertext: 'AAAA' }, USER))).toBe('MALFORMED');
    expect(await failure(openBackup(code, { ...sealed, ciphertext: '!!' }, USER))).toBe('MALFORMED');
    expect(await failure(openBackup(code, { ...sealed, kdf: { memoryKiB: 1 << 22, iterations: 1 } }, USER))).toBe('BAD_COST');
  });
});
