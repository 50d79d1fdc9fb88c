// @vitest-environment node
// How the attestation revocation list names an attestation: SHA-256 (hex) of the device
// attestation's canonical encoding, Java's `TierAttestation.encode()` (body ‖ signature).
// The vectors were printed by Java (a single-file program run with `java -cp
// crypto/target/classes:bcprov-jdk18on-1.84.jar`, using TierAttestation.issue), from fixed seeds
// (Ed25519.KeyPair.fromPrivate): root = Ed25519 seed 00 01 .. 1f, coordinator = 20 .. 3f,
// device = 40 .. 5f; issued 1795000000, expires 1810000000.
//   chain2 = AttestationChain.of(coordinator "coord-1" T3 municipality city "" by root,
//                                device "amina" T2 youth-work city-1 by coordinator).encode()
//   chain1 = AttestationChain.of(device "bilal" T1 health city-2 by root).encode()
//   hashN  = sha256(AttestationChain.decode(chainN).device().encode())
import { describe, expect, it } from 'vitest';
import { attestationBody, attestationHash, deviceAttestationEncoding, encodeChain, issueAttestation, parseAttestation, parseChain } from '../src/crypto/attestation';
import { keyPair } from './trusted-group';

const unhex = (s: string) => Uint8Array.from(s.match(/../g)!, (h) => parseInt(h, 16));
const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

const JAVA = {
  chain2:
    '0200ac00010107636f6f72642d312029acbae141bccaf0b22e1a94d34d0bc7361e526d0bfe12c89794bc9322966dd7030c6d756e69636970616c69747900000000006afd86c0000000006be268802003a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b89ffd7e0ba59d029f437740c2fd3d0c32aa280ff2ecc374b5fe906c66b45a7c00a3f90a2cd197c19c6db1a21299beda89e3cce96a4213b022691733cb50eb9f0100ae00010205616d696e61202543b92ff1095511476adc8369db6ddc933665a11978dda1404ee1066ca9559d020a796f7574682d776f726b06636974792d31000000006afd86c0000000006be268802029acbae141bccaf0b22e1a94d34d0bc7361e526d0bfe12c89794bc9322966dd7af4d81e6229f28ef680f950a9d56cc20552b3441baa90ad7f61c023dbac0190cf8f4e91ebbc9539c69aaafdbcd05950d0c74becce6cc006a79052290d2c64001',
  hash2: '13ae77de55d8cc1fa533f8ef9db5d24d2e9941920dc86edd1ad9813bcc45137a',
  chain1:
    '0100aa0001020562696c616c202543b92ff1095511476adc8369db6ddc933665a11978dda1404ee1066ca9559d01066865616c746806636974792d32000000006afd86c0000000006be268802003a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b898e0e459f3b6a3a271999cf713fe6277eac523360c02622a4f0031564c126dcbec4a83ade3ea80b8bd6c41885d873b6230bb8d5ac307312d5034636f1504e508',
  hash1: 'a0e6a6f9b2c3f6b064fde4917c96531947e6455eeb7ed23789b791cdecda2c06',
};

describe('the hash of a device attestation', () => {
  it.each([
    { name: 'root → coordinator → device', chain: JAVA.chain2, hash: JAVA.hash2 },
    { name: 'root → device', chain: JAVA.chain1, hash: JAVA.hash1 },
  ])('is Java’s for $name', async ({ chain, hash }) => {
    expect(await attestationHash(unhex(chain))).toBe(hash);
  });

  it('covers the device link only, body and signature', async () => {
    const links = parseChain(unhex(JAVA.chain2));
    const device = links[1];
    expect(hex(deviceAttestationEncoding(unhex(JAVA.chain2)))).toBe(hex(new Uint8Array([...device.body, ...device.signature])));
    // The coordinator's link is not what is named: another chain to the same device link hashes the same.
    const alone = encodeChain([deviceAttestationEncoding(unhex(JAVA.chain2))]);
    expect(await attestationHash(alone)).toBe(JAVA.hash2);
  });

  it('hashes the bytes as sent, and text with a byte-order mark reads back to the same bytes, as in Java', async () => {
    const root = await keyPair();
    const device = await keyPair();
    const link = await issueAttestation(
      { kind: 'device', userId: 'amina', subjectKey: device.publicKey, tier: 2, sector: '\uFEFFhealth', cityId: 'c', issuedAt: 1, expiresAt: 2, issuerKey: root.publicKey },
      root.sign,
    );
    expect(hex(deviceAttestationEncoding(encodeChain([link])))).toBe(hex(link));
    const parsed = parseAttestation(link);
    // The decoder keeps the U+FEFF (ignoreBOM), so re-encoding what was read gives what was signed.
    const reencoded = attestationBody({ ...parsed, kind: 'device' });
    expect(hex(reencoded)).toBe(hex(parsed.body));
  });

  it('refuses bytes that are not a chain', async () => {
    await expect(attestationHash(new Uint8Array([3, 0, 0]))).rejects.toMatchObject({ reason: 'MALFORMED' });
  });
});
