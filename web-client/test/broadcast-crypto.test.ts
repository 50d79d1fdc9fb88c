// @vitest-environment node
// The broadcast records against Java's vectors (crypto/src/test/resources/broadcasts/vectors.json):
// the same header, statement, ack and reminder bytes and signatures, the same sealed content, wraps
// that open across Java and @hpke/core, and the same refusals for a hostile server's changes.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  BroadcastError,
  contentHash,
  decodeHeader,
  decodeKeyStatement,
  encodeAck,
  encodeHeader,
  encodeReminder,
  generateBroadcastKeyPair,
  openContent,
  sealContent,
  sealJson,
  signAck,
  signHeader,
  unwrapContentKey,
  verifyAck,
  verifyKeyStatement,
  verifyReminder,
  verifySignedBroadcast,
  wrapContentKey,
} from '../src/crypto/broadcast';
import { ciphersuite, fromBase64url as b } from '../src/device/identity';

const vectors = JSON.parse(readFileSync(new URL('../../crypto/src/test/resources/broadcasts/vectors.json', import.meta.url), 'utf8'));
const root = b(vectors.rootPublicKey);
const now = new Date(vectors.now);
const bc = vectors.broadcast;
const proof = { chain: b(vectors.author.chain), coordinator: b(vectors.author.coordinator) };
const filled = (length: number, start: number) => Uint8Array.from({ length }, (_, i) => (start + i) & 0xff);
const flip = (bytes: Uint8Array, i: number) => {
  const out = bytes.slice();
  out[i] ^= 1;
  return out;
};

async function refusal(action: () => Promise<unknown>): Promise<string> {
  try {
    await action();
  } catch (e) {
    if (e instanceof BroadcastError) return e.reason;
    throw e;
  }
  return 'accepted';
}

describe("Java's broadcast vectors", () => {
  it('decodes and re-encodes the header byte for byte, and its signature verifies', async () => {
    const header = decodeHeader(b(bc.header));
    expect(header.id).toBe(bc.id);
    expect(header.cities).toEqual([...header.cities].sort());
    expect(encodeHeader(header)).toEqual(b(bc.header));
    const verified = await verifySignedBroadcast(root, b(bc.header), b(bc.signature), proof, now);
    expect(verified.author.userId).toBe(vectors.author.userId);
    expect(verified.scopeCityId).toBe('');
  });

  it('signs as Java does with the device key in the form ts-mls keeps it', async () => {
    const cs = await ciphersuite();
    const sign = (m: Uint8Array) => cs.signature.sign(filled(32, 120), m);
    expect(await signHeader(sign, b(bc.header))).toEqual(b(bc.signature));
  });

  it('seals the content to the same bytes and opens it', async () => {
    const json = new TextEncoder().encode(bc.json);
    const sealed = await sealJson(b(bc.contentKey), bc.id, vectors.author.deviceId, json, b(bc.nonce));
    expect(sealed).toEqual(b(bc.content));
    expect(await contentHash(sealed)).toEqual(b(bc.contentHash));
    const text = await openContent(b(bc.contentKey), bc.id, vectors.author.deviceId, sealed);
    expect(text.urgency).toBe('urgent');
    expect(text.title).toBe('Hochwasser / فيضان');
  });

  it("opens every committed wrap (Java's and the web's) to the content key", async () => {
    const secret = b(vectors.recipient.broadcastSecretKey);
    for (const wrap of Object.values(vectors.wraps) as string[]) {
      expect(await unwrapContentKey(secret, bc.id, vectors.recipient.deviceId, b(wrap))).toEqual(b(bc.contentKey));
    }
  });

  it('verifies the key statement, ack and reminder, each only under its own device', async () => {
    const statement = decodeKeyStatement(b(vectors.recipient.keyStatement));
    expect(statement.publicKey).toEqual(b(vectors.recipient.broadcastPublicKey));
    const recipientKey = b(vectors.recipient.deviceKey);
    const authorKey = b(vectors.author.deviceKey);
    expect(await verifyKeyStatement(recipientKey, statement, b(vectors.recipient.keyStatementSignature))).toBe(true);
    expect(await verifyKeyStatement(authorKey, statement, b(vectors.recipient.keyStatementSignature))).toBe(false);
    const ack = { id: bc.id, contentHash: b(bc.contentHash), userId: vectors.recipient.userId, deviceId: vectors.recipient.deviceId, ackedAt: vectors.ack.ackedAt };
    expect(encodeAck(ack)).toEqual(b(vectors.ack.bytes));
    expect(await verifyAck(recipientKey, ack, b(vectors.ack.signature))).toBe(true);
    expect(await verifyAck(recipientKey, { ...ack, ackedAt: ack.ackedAt + 1 }, b(vectors.ack.signature))).toBe(false);
    const cs = await ciphersuite();
    expect(await signAck((m) => cs.signature.sign(filled(32, 160), m), ack)).toEqual(b(vectors.ack.signature));
    const reminder = { id: bc.id, n: 1, at: vectors.reminder.at };
    expect(encodeReminder(reminder)).toEqual(b(vectors.reminder.bytes));
    expect(await verifyReminder(authorKey, reminder, b(vectors.reminder.signature))).toBe(true);
    expect(await verifyReminder(authorKey, { ...reminder, n: 2 }, b(vectors.reminder.signature))).toBe(false);
  });

  it("refuses Java's refusal cases for Java's reasons", async () => {
    await verifySignedBroadcast(root, b(bc.cityHeader), b(bc.citySignature), { chain: proof.chain, coordinator: b(vectors.author.cityCoordinator) }, now);
    for (const refused of vectors.refused) {
      const reason = await refusal(() => verifySignedBroadcast(root, b(bc.header), b(bc.signature), { chain: proof.chain, coordinator: b(refused.coordinator) }, now));
      expect(reason, refused.case).toBe(refused.reason);
    }
    const memberAsAuthor = { chain: b(vectors.recipient.chain), coordinator: proof.coordinator };
    expect(await refusal(() => verifySignedBroadcast(root, b(bc.header), b(bc.signature), memberAsAuthor, now))).toBe('BAD_SIGNATURE');
    expect(await refusal(() => verifySignedBroadcast(root, b(bc.header), b(bc.signature), proof, new Date('2028-01-01T00:00:00Z')))).toBe('NOT_FROM_AUTHOR');
    expect(await refusal(() => verifySignedBroadcast(filled(32, 9), b(bc.header), b(bc.signature), proof, now))).toBe('NOT_FROM_AUTHOR');
  });

  it('refuses every single-byte change of the header, signature and proof', async () => {
    const header = b(bc.header);
    const signature = b(bc.signature);
    for (let i = 0; i < header.length; i++) {
      expect(await refusal(() => verifySignedBroadcast(root, flip(header, i), signature, proof, now))).not.toBe('accepted');
    }
    for (let i = 0; i < signature.length; i += 7) {
      expect(await refusal(() => verifySignedBroadcast(root, header, flip(signature, i), proof, now))).not.toBe('accepted');
    }
    for (let i = 0; i < proof.coordinator.length; i += 3) {
      const changed = { ...proof, coordinator: flip(proof.coordinator, i) };
      expect(await refusal(() => verifySignedBroadcast(root, header, signature, changed, now))).not.toBe('accepted');
    }
    for (let i = 0; i < proof.chain.length; i += 5) {
      const changed = { ...proof, chain: flip(proof.chain, i) };
      expect(await refusal(() => verifySignedBroadcast(root, header, signature, changed, now))).not.toBe('accepted');
    }
  });
});

describe('round trips with fresh keys', () => {
  it('wraps to one device, for one broadcast only', async () => {
    const device = await generateBroadcastKeyPair();
    const key = filled(32, 50);
    const id = '00112233445566778899aabbccddeeff';
    const wrap = await wrapContentKey(device.publicKey, id, 'dev-1', key);
    expect(wrap.length).toBe(80);
    expect(await unwrapContentKey(device.secretKey, id, 'dev-1', wrap)).toEqual(key);
    expect(await refusal(() => unwrapContentKey(device.secretKey, id, 'dev-2', wrap))).toBe('CANNOT_OPEN');
    expect(await refusal(() => unwrapContentKey(device.secretKey, 'ffeeddccbbaa99887766554433221100', 'dev-1', wrap))).toBe('CANNOT_OPEN');
    expect(await refusal(() => unwrapContentKey(device.secretKey, id, 'dev-1', flip(wrap, 40)))).toBe('CANNOT_OPEN');
  });

  it('refuses content under another broadcast id or author device, and content that is no announcement', async () => {
    const key = filled(32, 1);
    const id = '00112233445566778899aabbccddeeff';
    const sealed = await sealContent(key, id, 'dev-a', { title: 't', body: 'b', urgency: 'info', replies: false });
    expect((await openContent(key, id, 'dev-a', sealed)).body).toBe('b');
    expect(await refusal(() => openContent(key, id, 'dev-b', sealed))).toBe('CANNOT_OPEN');
    const notAnnouncement = await sealJson(key, id, 'dev-a', new TextEncoder().encode('{"title":1}'), filled(12, 0));
    expect(await refusal(() => openContent(key, id, 'dev-a', notAnnouncement))).toBe('MALFORMED');
  });
});
