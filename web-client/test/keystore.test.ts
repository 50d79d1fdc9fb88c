// @vitest-environment node
// Real WebCrypto (Node), real Argon2id (@noble/hashes) at a tiny cost, and fake-indexeddb: a
// complete in-memory IndexedDB, so the raw records on "disk" can be read back and inspected.
import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { KeyStore, KeyStoreError, PRODUCTION_COST, WrongPassword, type KdfCost } from '../src/device/keystore';

const TINY: KdfCost = { m: 64, t: 1, p: 1 };
const secret = new TextEncoder().encode('ed25519 private key bytes: do not leak');

function rawRecords(factory: IDBFactory, dbName: string, storeName: string): Promise<Map<IDBValidKey, unknown>> {
  return new Promise((resolve, reject) => {
    const req = factory.open(dbName);
    req.onerror = () => reject(req.error);
    req.onsuccess = () => {
      const db = req.result;
      const store = db.transaction(storeName, 'readonly').objectStore(storeName);
      const keys = store.getAllKeys();
      const values = store.getAll();
      values.onsuccess = () => {
        db.close();
        resolve(new Map(keys.result.map((k, i) => [k, values.result[i]])));
      };
    };
  });
}

function writeRaw(factory: IDBFactory, dbName: string, name: string, value: unknown): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = factory.open(dbName);
    req.onsuccess = () => {
      const db = req.result;
      const tx = db.transaction('records', 'readwrite');
      tx.objectStore('records').put(value, name);
      tx.oncomplete = () => {
        db.close();
        resolve();
      };
      tx.onerror = () => reject(tx.error);
    };
  });
}

function contains(haystack: Uint8Array, needle: Uint8Array): boolean {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

describe('KeyStore', () => {
  it('round-trips records, across a reopen, and deletes them', async () => {
    const factory = new IDBFactory();
    const store = await KeyStore.open('ks', 'correct horse', TINY, factory);
    expect(await store.get('missing')).toBeNull();
    await store.put('signature-key', secret);
    await store.put('empty', new Uint8Array());
    expect(await store.get('signature-key')).toEqual(secret);
    expect(await store.get('empty')).toEqual(new Uint8Array());
    expect(await store.names()).toEqual(['empty', 'signature-key']);
    store.close();

    expect(await KeyStore.exists('ks', factory)).toBe(true);
    expect(await KeyStore.exists('other', factory)).toBe(false);
    const again = await KeyStore.open('ks', 'correct horse', TINY, factory);
    expect(await again.get('signature-key')).toEqual(secret);
    await again.delete('signature-key');
    expect(await again.get('signature-key')).toBeNull();
    again.close();
  });

  it('refuses a wrong password with WrongPassword, from the check value', async () => {
    const factory = new IDBFactory();
    (await KeyStore.open('ks', 'right', TINY, factory)).close();
    const failure = await KeyStore.open('ks', 'wrong', TINY, factory).catch((e) => e);
    expect(failure).toBeInstanceOf(WrongPassword);
    expect(failure).toBeInstanceOf(KeyStoreError);
    expect(failure.reason).toBe('WRONG_PASSWORD');
    // the stored cost wins over the one passed: same outcome with another cost argument
    await expect(KeyStore.open('ks', 'wrong', { m: 128, t: 1, p: 1 }, factory)).rejects.toBeInstanceOf(WrongPassword);
    (await KeyStore.open('ks', 'right', { m: 128, t: 1, p: 1 }, factory)).close();
  });

  it('uses a fresh salt per store: the same password gives different keys', async () => {
    const factory = new IDBFactory();
    (await KeyStore.open('a', 'pw', TINY, factory)).close();
    (await KeyStore.open('b', 'pw', TINY, factory)).close();
    const a = (await rawRecords(factory, 'a', 'meta')).get('kdf') as { salt: Uint8Array; m: number };
    const b = (await rawRecords(factory, 'b', 'meta')).get('kdf') as { salt: Uint8Array };
    expect(a.salt.length).toBe(16);
    expect(a.m).toBe(TINY.m);
    expect(a.salt).not.toEqual(b.salt);
  });

  it('a record moved to another name does not decrypt', async () => {
    const factory = new IDBFactory();
    const store = await KeyStore.open('ks', 'pw', TINY, factory);
    await store.put('group-state/channel-a', secret);
    await store.put('group-state/channel-b', new Uint8Array([1, 2, 3]));
    const raw = await rawRecords(factory, 'ks', 'records');
    await writeRaw(factory, 'ks', 'group-state/channel-b', raw.get('group-state/channel-a'));
    const failure = await store.get('group-state/channel-b').catch((e) => e);
    expect(failure).toBeInstanceOf(KeyStoreError);
    expect(failure.reason).toBe('CORRUPT');
    expect(await store.get('group-state/channel-a')).toEqual(secret);
    store.close();
  });

  it('a tampered ciphertext does not decrypt', async () => {
    const factory = new IDBFactory();
    const store = await KeyStore.open('ks', 'pw', TINY, factory);
    await store.put('k', secret);
    const sealed = (await rawRecords(factory, 'ks', 'records')).get('k') as { nonce: Uint8Array; ciphertext: Uint8Array };
    sealed.ciphertext[0] ^= 1;
    await writeRaw(factory, 'ks', 'k', sealed);
    await expect(store.get('k')).rejects.toMatchObject({ reason: 'CORRUPT' });
    store.close();
  });

  it('lock() makes every access fail until the store is reopened', async () => {
    const factory = new IDBFactory();
    const store = await KeyStore.open('ks', 'pw', TINY, factory);
    await store.put('k', secret);
    store.lock();
    expect(store.locked).toBe(true);
    await expect(store.get('k')).rejects.toMatchObject({ reason: 'LOCKED' });
    await expect(store.put('k', secret)).rejects.toMatchObject({ reason: 'LOCKED' });
    await expect(store.delete('k')).rejects.toMatchObject({ reason: 'LOCKED' });
    store.close();
    const reopened = await KeyStore.open('ks', 'pw', TINY, factory);
    expect(await reopened.get('k')).toEqual(secret);
    reopened.close();
  });

  it('never writes the plaintext or the password: fresh nonces, 16-byte tags', async () => {
    const factory = new IDBFactory();
    const store = await KeyStore.open('ks', 'hunter2-password', TINY, factory);
    await store.put('k', secret);
    const first = (await rawRecords(factory, 'ks', 'records')).get('k') as { nonce: Uint8Array; ciphertext: Uint8Array };
    await store.put('k', secret);
    const second = (await rawRecords(factory, 'ks', 'records')).get('k') as { nonce: Uint8Array; ciphertext: Uint8Array };
    store.close();

    expect(first.nonce.length).toBe(12);
    expect(first.ciphertext.length).toBe(secret.length + 16);
    expect(second.nonce).not.toEqual(first.nonce);
    expect(second.ciphertext).not.toEqual(first.ciphertext);
    const password = new TextEncoder().encode('hunter2-password');
    for (const storeName of ['records', 'meta']) {
      for (const value of (await rawRecords(factory, 'ks', storeName)).values()) {
        const fields = Object.values(value as Record<string, unknown>).flatMap((f) =>
          f instanceof Uint8Array ? [f] : f && typeof f === 'object' ? Object.values(f).filter((x) => x instanceof Uint8Array) : [],
        ) as Uint8Array[];
        for (const field of fields) {
          expect(contains(field, secret.slice(0, 8))).toBe(false);
          expect(contains(field, password.slice(0, 8))).toBe(false);
        }
        expect(JSON.stringify(value, (_k, v) => (v instanceof Uint8Array ? Array.from(v) : v))).not.toContain('hunter2');
      }
    }
  });

  it('refuses a key derivation cost outside its bounds (a tampered meta record cannot exhaust memory)', async () => {
    await expect(KeyStore.open('ks', 'pw', { m: 4 * 1024 * 1024, t: 1, p: 1 }, new IDBFactory())).rejects.toMatchObject({
      reason: 'BAD_COST',
    });
  });

  it('works at the production cost (Argon2id m=19 MiB, t=2, p=1), which is stored beside the data', async () => {
    const factory = new IDBFactory();
    const started = performance.now();
    const store = await KeyStore.open('ks', 'pw', undefined, factory);
    await store.put('k', secret);
    store.close();
    const reopened = await KeyStore.open('ks', 'pw', TINY, factory);
    expect(await reopened.get('k')).toEqual(secret);
    reopened.close();
    const meta = (await rawRecords(factory, 'ks', 'meta')).get('kdf') as KdfCost;
    expect({ m: meta.m, t: meta.t, p: meta.p }).toEqual(PRODUCTION_COST);
    expect(performance.now() - started).toBeLessThan(10_000);
  });
});
