// @vitest-environment node
// Real ts-mls 1.6.4 (suite 0x0001 over WebCrypto), real Argon2id at a tiny cost, fake-indexeddb.
import { IDBFactory } from 'fake-indexeddb';
import {
  createApplicationMessage,
  createCommit,
  createGroup,
  decodeMlsMessage,
  defaultCapabilities,
  defaultLifetime,
  emptyPskIndex,
  generateKeyPackage,
  joinGroup,
  processMessage,
} from 'ts-mls';
import { verifyKeyPackage } from 'ts-mls/keyPackage.js';
import { describe, expect, it } from 'vitest';
import {
  base64url,
  ciphersuite,
  createDeviceIdentity,
  decodeMemberCredential,
  deleteKeyPackages,
  encodeMemberCredential,
  fromBase64url,
  generateKeyPackages,
  loadGroupState,
  loadIdentity,
  loadKeyPackage,
  memberCredential,
  registrationBody,
  saveGroupState,
  saveIdentity,
  saveKeyPackages,
} from '../src/device/identity';
import { KeyStore } from '../src/device/keystore';

const TINY = { m: 64, t: 1, p: 1 };
const USER = '0123456789abcdef0123456789abcdef';
const DEVICE = 'fedcba9876543210fedcba9876543210';

describe('device identity', () => {
  it('registers with a raw 32-byte Ed25519 key as base64url without padding', async () => {
    const identity = await createDeviceIdentity();
    const body = registrationBody(identity, 'Firefox on laptop');
    expect(identity.publicKey.length).toBe(32);
    expect(body).toEqual({ name: 'Firefox on laptop', signatureKey: base64url(identity.publicKey) });
    expect(body.signatureKey).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(fromBase64url(body.signatureKey)).toEqual(identity.publicKey);
    // the key really is the signing key: WebCrypto verifies what ts-mls signed with it
    const cs = await ciphersuite();
    const message = new TextEncoder().encode('liaison');
    const signature = await cs.signature.sign(identity.signKey, message);
    const key = await crypto.subtle.importKey('raw', new Uint8Array(identity.publicKey), 'Ed25519', false, ['verify']);
    expect(await crypto.subtle.verify('Ed25519', key, new Uint8Array(signature), message)).toBe(true);
  });

  it('encodes MemberCredential byte for byte as Java does (the interop peer encoding)', () => {
    expect(Array.from(encodeMemberCredential('u', 'dv'))).toEqual([0, 1, 1, 0x75, 2, 0x64, 0x76, 0, 0]);
    const chain = new Uint8Array(300).fill(7);
    const bytes = encodeMemberCredential(USER, DEVICE, chain);
    expect(bytes.slice(2 + 1 + 32 + 1 + 32, 2 + 1 + 32 + 1 + 32 + 2)).toEqual(new Uint8Array([1, 44]));
    expect(decodeMemberCredential(bytes)).toEqual({ userId: USER, deviceId: DEVICE, chain });
    expect(() => decodeMemberCredential(new Uint8Array([...bytes, 0]))).toThrow(/trailing/);
    expect(() => decodeMemberCredential(bytes.slice(0, 10))).toThrow(/truncated/);
    expect(() => encodeMemberCredential('x'.repeat(65), DEVICE)).toThrow(RangeError);
  });

  it('generates key packages that decode as MLS key packages naming this user, device and key', async () => {
    const identity = await createDeviceIdentity();
    const batch = await generateKeyPackages(identity, memberCredential(USER, DEVICE), 3);
    expect(batch.oneTime).toHaveLength(3);
    expect(batch.uploadBody.keyPackages).toHaveLength(3);
    const cs = await ciphersuite();
    const refs = new Set<string>();
    for (const encoded of [...batch.uploadBody.keyPackages, batch.uploadBody.lastResort]) {
      const bytes = fromBase64url(encoded);
      const [message, length] = decodeMlsMessage(bytes, 0)!;
      expect(length).toBe(bytes.length);
      if (message.wireformat !== 'mls_key_package') throw new Error(`got ${message.wireformat}`);
      const kp = message.keyPackage;
      expect(kp.cipherSuite).toBe('MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519');
      expect(kp.extensions).toEqual([]); // no last_resort extension: bcmls 1.84 cannot read it
      expect(kp.leafNode.signaturePublicKey).toEqual(identity.publicKey);
      expect(kp.leafNode.credential.credentialType).toBe('basic');
      if (kp.leafNode.credential.credentialType !== 'basic') throw new Error('not basic');
      expect(decodeMemberCredential(kp.leafNode.credential.identity)).toEqual({
        userId: USER,
        deviceId: DEVICE,
        chain: new Uint8Array(),
      });
      expect(await verifyKeyPackage(kp, cs.signature)).toBe(true);
      refs.add(base64url(kp.initKey));
    }
    expect(refs.size).toBe(4); // every package has its own init key
    await expect(generateKeyPackages(identity, memberCredential(USER, DEVICE), 101)).rejects.toThrow(RangeError);
  });

  it('joins a channel after a restart from stored secrets, and resumes from stored group state', async () => {
    const factory = new IDBFactory();
    const cs = await ciphersuite();

    // This browser: identity and key packages, secrets into the key store.
    let store = await KeyStore.open('device', 'pw', TINY, factory);
    const identity = await createDeviceIdentity();
    await saveIdentity(store, identity);
    const batch = await generateKeyPackages(identity, memberCredential(USER, DEVICE), 2);
    await saveKeyPackages(store, [...batch.oneTime, batch.lastResort]);
    store.close();

    // Another member creates a channel and adds us with one uploaded package (as a ts-mls peer).
    const alice = await generateKeyPackage(
      memberCredential('a'.repeat(32), 'b'.repeat(32)),
      defaultCapabilities(),
      defaultLifetime,
      [],
      cs,
    );
    const groupId = new TextEncoder().encode('channel-1');
    let aliceState = await createGroup(groupId, alice.publicPackage, alice.privatePackage, [], cs);
    const uploaded = decodeMlsMessage(fromBase64url(batch.uploadBody.keyPackages[1]), 0)![0];
    if (uploaded.wireformat !== 'mls_key_package') throw new Error('not a key package');
    const added = await createCommit(
      { state: aliceState, cipherSuite: cs },
      {
        extraProposals: [{ proposalType: 'add', add: { keyPackage: uploaded.keyPackage } }],
        wireAsPublicMessage: true,
        ratchetTreeExtension: true,
      },
    );
    aliceState = added.newState;

    // The browser restarts: reopen, find the package the Welcome names, join.
    store = await KeyStore.open('device', 'pw', TINY, factory);
    const restored = (await loadIdentity(store))!;
    expect(restored).toEqual(identity);
    const ref = added.welcome!.secrets[0].newMember;
    const hex = Array.from(ref, (b) => b.toString(16).padStart(2, '0')).join('');
    expect(hex).toBe(batch.oneTime[1].ref);
    const mine = (await loadKeyPackage(store, restored, hex))!;
    let state = await joinGroup(added.welcome!, mine.publicPackage, mine.privatePackage, emptyPskIndex, cs);
    expect(state.groupContext.epoch).toBe(1n);
    await saveGroupState(store, 'channel-1', state);
    store.close();

    // Restart again: the channel state comes back from the store and reads Alice's message.
    store = await KeyStore.open('device', 'pw', TINY, factory);
    state = (await loadGroupState(store, 'channel-1'))!;
    const sent = await createApplicationMessage(aliceState, new TextEncoder().encode('hello'), cs);
    const received = await processMessage(
      { privateMessage: sent.privateMessage, wireformat: 'mls_private_message' },
      state,
      emptyPskIndex,
      () => 'accept',
      cs,
    );
    if (received.kind !== 'applicationMessage') throw new Error(received.kind);
    expect(new TextDecoder().decode(received.message)).toBe('hello');
    expect(await loadGroupState(store, 'channel-2')).toBeNull();

    await deleteKeyPackages(store);
    expect(await store.names('key-package/')).toEqual([]);
    expect(await loadIdentity(store)).toEqual(identity);
    store.close();
  });
});
