// @vitest-environment node
// Real KeyStore (real Argon2id at a tiny cost, real AES-GCM) over fake-indexeddb, real device
// keys from ts-mls' Ed25519, real safety numbers.
import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { SafetyNumber } from '../src/crypto/safetyNumber';
import { base64url, createDeviceIdentity, fromBase64url } from '../src/device/identity';
import { KeyStore } from '../src/device/keystore';
import {
  clearVerified,
  exportVerified,
  importVerified,
  markVerified,
  VERIFIED_PREFIX,
  verificationOf,
  verificationStatus,
} from '../src/device/verified';

const TINY = { m: 64, t: 1, p: 1 };

async function newKey(): Promise<Uint8Array> {
  return (await createDeviceIdentity()).publicKey;
}

async function setting() {
  const store = await KeyStore.open('verified', 'pw', TINY, new IDBFactory());
  const myKeys = [await newKey(), await newKey()];
  const phone = { id: 'd-phone', signatureKey: base64url(await newKey()) };
  const laptop = { id: 'd-laptop', signatureKey: base64url(await newKey()) };
  return { store, myKeys, phone, laptop };
}

describe('verified state', () => {
  it('starts unverified, with the number both sides compute', async () => {
    const { store, myKeys, phone, laptop } = await setting();
    const v = await verificationOf(store, 'me', myKeys, 'elena', [phone, laptop]);
    expect(v.status).toBe('unverified');
    expect(v.newDeviceIds).toEqual([]);
    expect(v.verifiedAt).toBeNull();
    expect(v.number).toMatch(/^\d{60}$/);
    expect(v.groups.join('')).toBe(v.number);
    // Elena, on her side, computes the same number and QR payload.
    const hers = SafetyNumber.between(
      { userId: 'elena', deviceKeys: [laptop, phone].map((d) => fromBase64url(d.signatureKey)) },
      { userId: 'me', deviceKeys: myKeys },
    );
    expect(hers.digits()).toBe(v.number);
    expect(hers.qrPayload()).toEqual(v.qrPayload);
    expect(v.compareScanned(hers.qrText())).toBe('match');
    expect(v.compareScanned('not a code')).toBe('foreign');
    const other = SafetyNumber.between({ userId: 'elena', deviceKeys: [myKeys[0]] }, { userId: 'me', deviceKeys: myKeys });
    expect(v.compareScanned(other.qrText())).toBe('mismatch');
  });

  it('is verified once marked, encrypted at rest, and stays so across a reopen', async () => {
    const factory = new IDBFactory();
    const store = await KeyStore.open('verified', 'pw', TINY, factory);
    const myKeys = [await newKey()];
    const phone = { id: 'd-phone', signatureKey: base64url(await newKey()) };
    const v = await verificationOf(store, 'me', myKeys, 'elena', [phone]);
    await markVerified(store, v, new Date('2026-11-23T10:00:00Z'));
    expect(await store.names(VERIFIED_PREFIX)).toEqual(['verified/elena']);
    store.close();

    const again = await KeyStore.open('verified', 'pw', TINY, factory);
    const after = await verificationOf(again, 'me', myKeys, 'elena', [phone]);
    expect(after.status).toBe('verified');
    expect(after.verifiedAt).toBe('2026-11-23T10:00:00.000Z');
    expect(after.number).toBe(v.number);
    const record = JSON.parse(new TextDecoder().decode((await again.get('verified/elena'))!));
    expect(record).toMatchObject({ v: 1, number: v.number, devices: [{ id: 'd-phone', key: phone.signatureKey }] });
    await expect(KeyStore.open('verified', 'wrong', TINY, factory)).rejects.toThrow();
  });

  it('is changed by a new device, names it, and is verified again after re-marking', async () => {
    const { store, myKeys, phone, laptop } = await setting();
    await markVerified(store, await verificationOf(store, 'me', myKeys, 'elena', [phone]));
    const v = await verificationOf(store, 'me', myKeys, 'elena', [phone, laptop]);
    expect(v.status).toBe('changed');
    expect(v.newDeviceIds).toEqual(['d-laptop']);
    expect(v.verifiedAt).not.toBeNull();
    await markVerified(store, v);
    expect((await verificationStatus(store, 'elena', [phone, laptop])).status).toBe('verified');
  });

  it('is changed when a device keeps its id but its key is replaced', async () => {
    const { store, myKeys, phone } = await setting();
    await markVerified(store, await verificationOf(store, 'me', myKeys, 'elena', [phone]));
    const replaced = { id: 'd-phone', signatureKey: base64url(await newKey()) };
    const state = await verificationStatus(store, 'elena', [replaced]);
    expect(state).toMatchObject({ status: 'changed', newDeviceIds: ['d-phone'] });
  });

  it('stays verified when a device is removed, and is per member', async () => {
    const { store, myKeys, phone, laptop } = await setting();
    await markVerified(store, await verificationOf(store, 'me', myKeys, 'elena', [phone, laptop]));
    expect((await verificationStatus(store, 'elena', [phone])).status).toBe('verified');
    expect((await verificationStatus(store, 'amina', [phone])).status).toBe('unverified');
  });

  it('covers only the devices the number was computed over', async () => {
    const { store, myKeys, phone, laptop } = await setting();
    const shown = await verificationOf(store, 'me', myKeys, 'elena', [phone]);
    // The laptop appears after the screen was drawn; marking what was shown does not cover it.
    await markVerified(store, shown);
    expect((await verificationStatus(store, 'elena', [phone, laptop])).newDeviceIds).toEqual(['d-laptop']);
  });

  it('is cleared', async () => {
    const { store, myKeys, phone } = await setting();
    await markVerified(store, await verificationOf(store, 'me', myKeys, 'elena', [phone]));
    await clearVerified(store, 'elena');
    expect((await verificationStatus(store, 'elena', [phone])).status).toBe('unverified');
    expect(await store.names(VERIFIED_PREFIX)).toEqual([]);
  });

  it('travels in the key backup: exported, then imported into a new browser; junk is skipped', async () => {
    const { store, myKeys, phone } = await setting();
    await markVerified(store, await verificationOf(store, 'me', myKeys, 'elena', [phone]));
    const carried = await exportVerified(store);
    expect(Object.keys(carried)).toEqual(['elena']);
    const fresh = await KeyStore.open('restored', 'pw', TINY, new IDBFactory());
    await importVerified(fresh, { ...carried, mallory: '{"v":1}' });
    expect((await verificationStatus(fresh, 'elena', [phone])).status).toBe('verified');
    expect(await fresh.names(VERIFIED_PREFIX)).toEqual(['verified/elena']);
  });
});
