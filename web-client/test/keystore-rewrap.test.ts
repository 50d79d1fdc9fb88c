// @vitest-environment node
// Re-wrapping the key store on a password change: real WebCrypto, real Argon2id at a tiny cost,
// fake-indexeddb, whose transactions commit wholly or not at all like a browser's.
import { IDBFactory, IDBObjectStore } from 'fake-indexeddb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { KeyStore, WrongPassword, type KdfCost } from '../src/device/keystore';

const TINY: KdfCost = { m: 64, t: 1, p: 1 };
const bytes = (s: string) => new TextEncoder().encode(s);

function rawMeta(factory: IDBFactory, dbName: string): Promise<{ salt: Uint8Array }> {
  return new Promise((resolve, reject) => {
    const req = factory.open(dbName);
    req.onerror = () => reject(req.error);
    req.onsuccess = () => {
      const db = req.result;
      const get = db.transaction('meta', 'readonly').objectStore('meta').get('kdf');
      get.onsuccess = () => {
        db.close();
        resolve(get.result);
      };
    };
  });
}

async function filled(factory: IDBFactory, name = 'ks'): Promise<KeyStore> {
  const store = await KeyStore.open(name, 'old password!', TINY, factory);
  await store.put('signature-key', bytes('device key'));
  await store.put('mls/channel-1', bytes('group state'));
  await store.put('empty', new Uint8Array());
  return store;
}

afterEach(() => vi.restoreAllMocks());

describe('KeyStore.rewrap', () => {
  it('re-encrypts every record under the new password with a new salt', async () => {
    const factory = new IDBFactory();
    const store = await filled(factory);
    const saltBefore = (await rawMeta(factory, 'ks')).salt;
    await store.rewrap('new password!!');
    // the open store goes on working, and writes use the new key
    expect(await store.get('signature-key')).toEqual(bytes('device key'));
    await store.put('later', bytes('written after'));
    store.close();

    expect((await rawMeta(factory, 'ks')).salt).not.toEqual(saltBefore);
    await expect(KeyStore.open('ks', 'old password!', TINY, factory)).rejects.toBeInstanceOf(WrongPassword);
    const reopened = await KeyStore.open('ks', 'new password!!', TINY, factory);
    expect(await reopened.get('signature-key')).toEqual(bytes('device key'));
    expect(await reopened.get('mls/channel-1')).toEqual(bytes('group state'));
    expect(await reopened.get('empty')).toEqual(new Uint8Array());
    expect(await reopened.get('later')).toEqual(bytes('written after'));
    expect((await reopened.names()).sort()).toEqual(['empty', 'later', 'mls/channel-1', 'signature-key']);
    reopened.close();
  });

  it('leaves the store under the old password when it stops midway', async () => {
    const factory = new IDBFactory();
    const store = await filled(factory);
    // The second record written in the re-wrap's transaction fails, as a crash would stop it.
    const put = IDBObjectStore.prototype.put;
    let calls = 0;
    vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementation(function (this: IDBObjectStore, ...args) {
      if (++calls === 2) throw new Error('crash');
      return put.apply(this, args as Parameters<typeof put>);
    });
    await expect(store.rewrap('new password!!')).rejects.toThrow('crash');
    vi.restoreAllMocks();
    // the old key still works in this tab too
    expect(await store.get('mls/channel-1')).toEqual(bytes('group state'));
    store.close();

    await expect(KeyStore.open('ks', 'new password!!', TINY, factory)).rejects.toBeInstanceOf(WrongPassword);
    const reopened = await KeyStore.open('ks', 'old password!', TINY, factory);
    expect(await reopened.get('signature-key')).toEqual(bytes('device key'));
    expect(await reopened.get('mls/channel-1')).toEqual(bytes('group state'));
    expect((await reopened.names()).length).toBe(3);
    reopened.close();
  });

  it('starts again when a record changes while it re-encrypts, losing no write', async () => {
    const factory = new IDBFactory();
    const store = await filled(factory);
    const other = await KeyStore.open('ks', 'old password!', TINY, factory); // another tab
    // The first time the re-wrap reads the records, the other tab writes one right after.
    const getAll = IDBObjectStore.prototype.getAll;
    let first = true;
    vi.spyOn(IDBObjectStore.prototype, 'getAll').mockImplementation(function (this: IDBObjectStore, ...args) {
      const req = getAll.apply(this, args as Parameters<typeof getAll>);
      if (first && this.name === 'records') {
        first = false;
        req.addEventListener('success', () => void other.put('mls/channel-1', bytes('newer state')));
      }
      return req;
    });
    await store.rewrap('new password!!');
    vi.restoreAllMocks();
    other.close();
    store.close();
    const reopened = await KeyStore.open('ks', 'new password!!', TINY, factory);
    expect(await reopened.get('mls/channel-1')).toEqual(bytes('newer state'));
    reopened.close();
  });

  it('refuses when locked', async () => {
    const factory = new IDBFactory();
    const store = await filled(factory);
    store.lock();
    await expect(store.rewrap('new password!!')).rejects.toMatchObject({ reason: 'LOCKED' });
    store.close();
  });
});
