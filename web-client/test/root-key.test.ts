import { describe, expect, it } from 'vitest';
import { verifyCoordinatorAttestation } from '../src/crypto/attestation';
import {
  createRootKey,
  decodeStoredRoot,
  encodeStoredRoot,
  openRootKeyFile,
  publicKeyOf,
  RootKeyError,
  sealRootKeyFile,
  signCoordinatorKey,
} from '../src/crypto/rootKey';
import { base64url, ciphersuite, hex } from '../src/device/identity';

// Small costs keep the test quick; the cost travels in the file and is honoured when opening.
const CHEAP = { m: 64, t: 1, p: 1 };
const fromHex = (h: string) => Uint8Array.from(h.match(/../g)!, (b) => parseInt(b, 16));

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'resolved';
  } catch (e) {
    return e instanceof RootKeyError ? e.code : String(e);
  }
}

describe('the network root key in the browser', () => {
  it('derives the public key of a seed as RFC 8032 does (test 1), so CLI root files import', async () => {
    const seed = fromHex('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60');
    expect(hex(await publicKeyOf(seed))).toBe('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a');
    const imported = await openRootKeyFile(`${base64url(seed)}\n`, '');
    expect(hex(imported.publicKey)).toBe('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a');
  });

  it('seals the key under a passphrase and opens it only with that passphrase', async () => {
    const key = await createRootKey();
    const file = await sealRootKeyFile(key, 'four calm rivers meet', CHEAP);
    expect(file).not.toContain(base64url(key.seed));
    expect(JSON.parse(file).publicKey).toBe(base64url(key.publicKey));

    const opened = await openRootKeyFile(file, 'four calm rivers meet', key.publicKey);
    expect(hex(opened.seed)).toBe(hex(key.seed));
    expect(await code(openRootKeyFile(file, 'four calm rivers met'))).toBe('WRONG_PASSPHRASE');
  });

  it('refuses files that are not network key files, swapped public keys and another network', async () => {
    const key = await createRootKey();
    const other = await createRootKey();
    const file = JSON.parse(await sealRootKeyFile(key, 'four calm rivers meet', CHEAP));
    expect(await code(openRootKeyFile('{"format":"something"}', 'x'))).toBe('NOT_A_KEY_FILE');
    expect(await code(openRootKeyFile('{not json', 'x'))).toBe('NOT_A_KEY_FILE');
    expect(await code(openRootKeyFile('%%%', 'x'))).toBe('NOT_A_KEY_FILE');
    // A tampered cost must not make opening exhaust memory.
    expect(await code(openRootKeyFile(JSON.stringify({ ...file, kdf: { ...file.kdf, m: 1 << 30 } }), 'x'))).toBe('NOT_A_KEY_FILE');
    // The public key is bound to the ciphertext: swapping it fails like a wrong passphrase.
    const swapped = JSON.stringify({ ...file, publicKey: base64url(other.publicKey) });
    expect(await code(openRootKeyFile(swapped, 'four calm rivers meet'))).toBe('WRONG_PASSPHRASE');
    expect(await code(openRootKeyFile(JSON.stringify(file), 'four calm rivers meet', other.publicKey))).toBe('NOT_THIS_NETWORK');
    expect(await code(sealRootKeyFile(key, 'too short', CHEAP))).toBe('SHORT_PASSPHRASE');
  });

  it('keeps the key in the key store as it was', async () => {
    const key = await createRootKey();
    const back = decodeStoredRoot(encodeStoredRoot(key));
    expect(hex(back.seed)).toBe(hex(key.seed));
    expect(hex(back.publicKey)).toBe(hex(key.publicKey));
  });

  it('signs a coordinator request into an attestation the coordinator verifies against the root', async () => {
    const root = await createRootKey();
    const cs = await ciphersuite();
    const coordinator = await cs.signature.keygen();
    const now = new Date('2026-12-02T12:00:00Z');
    const request = { userId: 'u-lejla', publicKey: base64url(coordinator.publicKey), tier: 'T2', sector: 'municipality', cityId: 'mostar' };
    const link = await signCoordinatorKey(root, request, now);
    const parsed = await verifyCoordinatorAttestation(link, root.publicKey, coordinator.publicKey, 'u-lejla', now);
    expect(parsed.tier).toBe(2);
    expect(parsed.cityId).toBe('mostar');
    expect(parsed.expiresAt - parsed.issuedAt).toBe(365 * 86_400 + 300);

    const stranger = await createRootKey();
    await expect(verifyCoordinatorAttestation(link, stranger.publicKey, coordinator.publicKey, 'u-lejla', now)).rejects.toThrow();
  });
});
