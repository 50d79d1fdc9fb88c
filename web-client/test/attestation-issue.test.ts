// @vitest-environment node
// Issuing tier attestations in the browser (a coordinator confirming devices): real Ed25519 keys
// from ts-mls' suite signer, checked by the same verifier every client runs. The server's Java
// verifier accepts them too (the browser e2e test attests devices this way).
import { describe, expect, it } from 'vitest';
import {
  AttestationError,
  encodeChain,
  issueAttestation,
  parseAttestation,
  parseChain,
  verifyAttestationChain,
} from '../src/crypto/attestation';
import { ciphersuite } from '../src/device/identity';

const NOW = new Date('2026-11-23T12:00:00Z');
const seconds = NOW.getTime() / 1000;

async function keyPair() {
  const cs = await ciphersuite();
  const { signKey, publicKey } = await cs.signature.keygen();
  return { publicKey, sign: (m: Uint8Array) => cs.signature.sign(signKey, m) };
}

async function chainFor(deviceTier: number, coordinatorTier = 3) {
  const root = await keyPair();
  const coordinator = await keyPair();
  const device = await keyPair();
  const coordinatorLink = await issueAttestation(
    { kind: 'coordinator', userId: 'coord', subjectKey: coordinator.publicKey, tier: coordinatorTier, sector: 'municipality', cityId: '', issuedAt: seconds - 60, expiresAt: seconds + 86400, issuerKey: root.publicKey },
    root.sign,
  );
  const deviceLink = await issueAttestation(
    { kind: 'device', userId: 'amina', subjectKey: device.publicKey, tier: deviceTier, sector: 'youth-work', cityId: 'city-1', issuedAt: seconds - 60, expiresAt: seconds + 86400, issuerKey: coordinator.publicKey },
    coordinator.sign,
  );
  return { root, device, coordinatorLink, deviceLink, chain: encodeChain([coordinatorLink, deviceLink]) };
}

describe('issuing attestations', () => {
  it('makes a chain root → coordinator → device that verifies', async () => {
    const { root, device, chain, deviceLink } = await chainFor(2);
    const verified = await verifyAttestationChain(chain, root.publicKey, device.publicKey, 'amina', NOW);
    expect(verified).toMatchObject({ userId: 'amina', tier: 2, sector: 'youth-work', cityId: 'city-1' });
    expect(parseChain(chain)).toHaveLength(2);
    expect(parseAttestation(deviceLink).userId).toBe('amina');
  });

  it('is refused when a byte changes, for another key or user, or above the issuer’s tier', async () => {
    const { root, device, chain } = await chainFor(2);
    const tampered = chain.slice();
    tampered[tampered.length - 70] ^= 1; // inside the device link's body
    await expect(verifyAttestationChain(tampered, root.publicKey, device.publicKey, 'amina', NOW)).rejects.toThrow(AttestationError);
    const stranger = await keyPair();
    await expect(verifyAttestationChain(chain, root.publicKey, stranger.publicKey, 'amina', NOW)).rejects.toMatchObject({ reason: 'KEY_MISMATCH' });
    await expect(verifyAttestationChain(chain, root.publicKey, device.publicKey, 'bilal', NOW)).rejects.toMatchObject({ reason: 'USER_MISMATCH' });
    await expect(verifyAttestationChain(chain, stranger.publicKey, device.publicKey, 'amina', NOW)).rejects.toMatchObject({ reason: 'NOT_FROM_ROOT' });
    const above = await chainFor(3, 2);
    await expect(verifyAttestationChain(above.chain, above.root.publicKey, above.device.publicKey, 'amina', NOW)).rejects.toMatchObject({ reason: 'TIER_ABOVE_ISSUER' });
  });

  it('keeps a leading byte-order mark in text fields, as Java does, so "\uFEFFamina" is not "amina"', async () => {
    const issuer = await keyPair();
    const device = await keyPair();
    const link = await issueAttestation(
      { kind: 'device', userId: '\uFEFFamina', subjectKey: device.publicKey, tier: 1, sector: '\uFEFFyouth-work', cityId: 'city-1', issuedAt: seconds - 60, expiresAt: seconds + 86400, issuerKey: issuer.publicKey },
      issuer.sign,
    );
    const parsed = parseAttestation(link);
    expect(parsed.userId).toBe('\uFEFFamina');
    expect(parsed.sector).toBe('\uFEFFyouth-work');
  });

  it('refuses malformed input before signing', async () => {
    const k = await keyPair();
    await expect(
      issueAttestation({ kind: 'device', userId: 'x', subjectKey: new Uint8Array(31), tier: 1, sector: 's', cityId: '', issuedAt: 0, expiresAt: 1, issuerKey: k.publicKey }, k.sign),
    ).rejects.toThrow(AttestationError);
    expect(() => encodeChain([])).toThrow(AttestationError);
  });
});

describe('a coordinator’s own attestation', () => {
  it('is accepted for its key and user from the root, and refused otherwise', async () => {
    const { verifyCoordinatorAttestation } = await import('../src/crypto/attestation');
    const root = await keyPair();
    const coordinator = await keyPair();
    const link = await issueAttestation(
      { kind: 'coordinator', userId: 'coord', subjectKey: coordinator.publicKey, tier: 3, sector: 'municipality', cityId: 'c1', issuedAt: seconds - 60, expiresAt: seconds + 60, issuerKey: root.publicKey },
      root.sign,
    );
    expect((await verifyCoordinatorAttestation(link, root.publicKey, coordinator.publicKey, 'coord', NOW)).tier).toBe(3);
    const other = await keyPair();
    await expect(verifyCoordinatorAttestation(link, other.publicKey, coordinator.publicKey, 'coord', NOW)).rejects.toMatchObject({ reason: 'NOT_FROM_ROOT' });
    await expect(verifyCoordinatorAttestation(link, root.publicKey, other.publicKey, 'coord', NOW)).rejects.toMatchObject({ reason: 'KEY_MISMATCH' });
    await expect(verifyCoordinatorAttestation(link, root.publicKey, coordinator.publicKey, 'someone', NOW)).rejects.toMatchObject({ reason: 'USER_MISMATCH' });
    await expect(verifyCoordinatorAttestation(link, root.publicKey, coordinator.publicKey, 'coord', new Date(NOW.getTime() + 120_000))).rejects.toMatchObject({ reason: 'EXPIRED' });
  });
});
