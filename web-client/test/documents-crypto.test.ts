// @vitest-environment node
// The documents' records against Java's deterministic vectors (crypto/src/test/resources/documents/
// vectors.json): the same AAD strings, HKDF keys, padding, sealed bytes and signatures, and the
// same refusals; plus round trips and tampering with random nonces and a fresh device key.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  type AadContext,
  aadOf,
  decodeKeyring,
  DocumentCryptoError,
  encodeKeyring,
  keyringAad,
  open,
  openRecord,
  pad,
  recordKey,
  seal,
  sealRecord,
  signRecord,
  verifyRecord,
} from '../src/documents/crypto';
import { base64url, ciphersuite, fromBase64url } from '../src/device/identity';

interface VectorRecord {
  kind: 'keyring' | AadContext['kind'];
  rootKey: string;
  context: Record<string, string | number>;
  aad?: string;
  plaintext?: string;
  nonce?: string;
  recordKey?: string;
  padded?: string;
  sealed: string;
  signature?: string;
  why?: string;
  reason?: string;
}

const vectors = JSON.parse(readFileSync(new URL('../../crypto/src/test/resources/documents/vectors.json', import.meta.url), 'utf8')) as {
  signer: { seed: string; publicKey: string };
  keyring: { json: string; keyringKey: string; channelId: string; epoch: number };
  records: VectorRecord[];
  refused: VectorRecord[];
};
const b = fromBase64url;

function aadFor(r: VectorRecord): string {
  if (r.kind === 'keyring') return keyringAad(String(r.context.channelId), Number(r.context.epoch));
  return aadOf({ kind: r.kind, ...r.context } as AadContext);
}

async function keyFor(r: VectorRecord): Promise<Uint8Array> {
  return r.kind === 'keyring' ? b(r.rootKey) : recordKey(b(r.rootKey), r.kind, String(r.context.documentId));
}

describe("Java's vectors", () => {
  it.each(vectors.records.map((r) => [`${r.kind} ${r.aad}`, r] as const))('%s: same AAD, key, padding, sealed bytes and signature', async (_, r) => {
    expect(aadFor(r)).toBe(r.aad);
    const key = await keyFor(r);
    expect(base64url(key)).toBe(r.recordKey);
    expect(base64url(pad(b(r.plaintext!)))).toBe(r.padded);
    expect(base64url(await seal(key, r.aad!, b(r.plaintext!), b(r.nonce!)))).toBe(r.sealed);
    expect(base64url(await open(key, r.aad!, b(r.sealed)))).toBe(r.plaintext);
    if (r.signature) {
      expect(await verifyRecord(b(vectors.signer.publicKey), r.aad!, b(r.sealed), b(r.signature))).toBe(true);
      // Ed25519 is deterministic: the same seed signs the same bytes.
      expect(base64url(await signRecord(b(vectors.signer.seed), r.aad!, b(r.sealed)))).toBe(r.signature);
    }
  });

  it.each(vectors.refused.map((r) => [`${r.why} (${r.reason})`, r] as const))('refuses %s', async (_, r) => {
    const key = await keyFor(r);
    const aad = aadFor(r);
    if (r.reason === 'BAD_SIGNATURE') {
      await open(key, aad, b(r.sealed)); // opens fine
      expect(await verifyRecord(b(vectors.signer.publicKey), aad, b(r.sealed), b(r.signature!))).toBe(false);
      return;
    }
    const refusal = await open(key, aad, b(r.sealed)).then(
      () => null,
      (e) => e,
    );
    expect(refusal).toBeInstanceOf(DocumentCryptoError);
    expect(refusal.reason).toBe(r.reason);
  });

  it('reads the keyring JSON and writes the same bytes', () => {
    const generations = decodeKeyring(new TextEncoder().encode(vectors.keyring.json));
    expect([...generations.keys()]).toEqual([3, 9]);
    expect(new TextDecoder().decode(encodeKeyring(generations))).toBe(vectors.keyring.json);
  });
});

describe('records with random nonces and a fresh device key', () => {
  const generationKey = crypto.getRandomValues(new Uint8Array(32));
  const context: AadContext = { kind: 'update', documentId: 'd0c5', generation: 7, authorDeviceId: 'dev-a', clientSeq: 3 };

  it('round-trips and hides the exact size', async () => {
    const plaintext = crypto.getRandomValues(new Uint8Array(300));
    const sealed = await sealRecord(generationKey, context, plaintext);
    expect(sealed.length).toBe(12 + 512 + 16);
    expect(await openRecord(generationKey, context, sealed)).toEqual(plaintext);
    // Two seals of the same plaintext differ (random nonces).
    expect(base64url(await sealRecord(generationKey, context, plaintext))).not.toBe(base64url(sealed));
  });

  it('refuses a flipped byte anywhere, another context and another generation key', async () => {
    const sealed = await sealRecord(generationKey, context, new Uint8Array([1, 2, 3]));
    for (const at of [0, 11, 12, 100, sealed.length - 1]) {
      const tampered = sealed.slice();
      tampered[at] ^= 0x40;
      await expect(openRecord(generationKey, context, tampered)).rejects.toMatchObject({ reason: 'NOT_AUTHENTIC' });
    }
    await expect(openRecord(generationKey, { ...context, clientSeq: 4 }, sealed)).rejects.toMatchObject({ reason: 'NOT_AUTHENTIC' });
    await expect(openRecord(new Uint8Array(32), context, sealed)).rejects.toMatchObject({ reason: 'NOT_AUTHENTIC' });
  });

  it('signs with the device key and refuses another key or another record', async () => {
    const cs = await ciphersuite();
    const device = await cs.signature.keygen();
    const other = await cs.signature.keygen();
    const aad = aadOf(context);
    const sealed = await sealRecord(generationKey, context, new Uint8Array([9]));
    const signature = await signRecord(device.signKey, aad, sealed);
    expect(await verifyRecord(device.publicKey, aad, sealed, signature)).toBe(true);
    expect(await verifyRecord(other.publicKey, aad, sealed, signature)).toBe(false);
    expect(await verifyRecord(device.publicKey, aadOf({ ...context, clientSeq: 9 }), sealed, signature)).toBe(false);
    expect(await verifyRecord(device.publicKey, aad, sealed, new Uint8Array(3))).toBe(false);
  });

  it('refuses a malformed keyring and an AAD field holding the separator', () => {
    const enc = (s: string) => new TextEncoder().encode(s);
    for (const bad of ['nope', '{}', '{"generations":[{"g":1.5,"key":"AA"}]}', `{"generations":[{"g":1,"key":"${base64url(new Uint8Array(31))}"}]}`]) {
      expect(() => decodeKeyring(enc(bad))).toThrow(DocumentCryptoError);
    }
    expect(() => aadOf({ ...context, authorDeviceId: 'a|b' })).toThrow(DocumentCryptoError);
  });
});
