/**
 * The device's secrets at rest: an IndexedDB database whose values are AES-256-GCM encrypted
 * under a key derived from the user's password with Argon2id (docs/crypto.md, "Passwords").
 *
 * Layout (two object stores):
 * - `meta`, key `kdf`: `{ v: 1, salt, m, t, p, check: {nonce, ciphertext} }` in clear. `check` is a
 *   fixed constant encrypted under the derived key, so a wrong password is refused as
 *   `WrongPassword` at open time instead of surfacing later as undecryptable records.
 * - `records`, keyed by record name: `{ nonce, ciphertext }`, a fresh 12-byte nonce per write and
 *   the record name as associated data, so a record copied or moved under another name does not
 *   decrypt.
 *
 * The AES key is a non-extractable WebCrypto key; `lock()` drops the reference.
 *
 * A password change re-wraps the store (`rewrap`): every record is decrypted and sealed again
 * under a key from the new password and a new salt, in memory, and then the new records and the
 * new `kdf` meta replace the old ones in ONE IndexedDB transaction over both object stores. An
 * IndexedDB transaction commits wholly or not at all, so a crash or a closed tab midway leaves the
 * old records and the old meta: the store still opens with the old password. (We chose this over
 * writing a second database and switching: one transaction is just as atomic and leaves nothing
 * to clean up.) The transaction first checks that no record changed since they were read (another
 * tab, or a write meanwhile) and starts again if one did.
 */
import { argon2idAsync } from '@noble/hashes/argon2.js';

export type KeyStoreFailure = 'WRONG_PASSWORD' | 'LOCKED' | 'CORRUPT' | 'BAD_COST';

export class KeyStoreError extends Error {
  constructor(
    readonly reason: KeyStoreFailure,
    message: string,
  ) {
    super(message);
    this.name = 'KeyStoreError';
  }
}

/** The password does not open this store (the check value does not decrypt). */
export class WrongPassword extends KeyStoreError {
  constructor() {
    super('WRONG_PASSWORD', 'wrong password for this key store');
    this.name = 'WrongPassword';
  }
}

/** Argon2id cost: `m` memory in KiB, `t` passes, `p` lanes. */
export interface KdfCost {
  m: number;
  t: number;
  p: number;
}

/** OWASP's Argon2id minimum (19 MiB, 2 passes, 1 lane). */
export const PRODUCTION_COST: KdfCost = { m: 19 * 1024, t: 2, p: 1 };

/** Bounds on a stored cost: a tampered meta record must not make open() exhaust memory or time. */
const MAX_COST: KdfCost = { m: 256 * 1024, t: 10, p: 4 };

const FORMAT = 1;
const META = 'meta';
const RECORDS = 'records';
const KDF_KEY = 'kdf';
const text = new TextEncoder();
const CHECK_PLAINTEXT = text.encode('liaison/v1/keystore-check');
const CHECK_AAD = text.encode('liaison/v1/keystore/check');
const recordAad = (name: string) => text.encode(`liaison/v1/keystore/record\u0000${name}`);

interface Sealed {
  nonce: Uint8Array;
  ciphertext: Uint8Array;
}

interface Meta {
  v: number;
  salt: Uint8Array;
  m: number;
  t: number;
  p: number;
  check: Sealed;
}

/** WebCrypto wants an ArrayBuffer-backed view. */
const copy = (bytes: Uint8Array): Uint8Array<ArrayBuffer> => new Uint8Array(bytes);

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

function done(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error ?? new Error('transaction aborted'));
  });
}

function openDatabase(factory: IDBFactory, name: string): Promise<IDBDatabase> {
  const req = factory.open(name, 1);
  req.onupgradeneeded = () => {
    const db = req.result;
    if (!db.objectStoreNames.contains(META)) db.createObjectStore(META);
    if (!db.objectStoreNames.contains(RECORDS)) db.createObjectStore(RECORDS);
  };
  return request(req);
}

/** Every record as stored (sealed), by name. */
async function readAll(db: IDBDatabase): Promise<Map<string, Sealed>> {
  const tx = db.transaction(RECORDS, 'readonly');
  const store = tx.objectStore(RECORDS);
  const [keys, values] = await Promise.all([request(store.getAllKeys()), request(store.getAll())]);
  const all = new Map<string, Sealed>();
  keys.forEach((k, i) => {
    if (typeof k === 'string') all.set(k, values[i] as Sealed);
  });
  return all;
}

const sameBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * In one transaction over both object stores: if the records still are `expected`, replaces them
 * with `records` and the meta with `meta` (true); otherwise changes nothing (false). Everything
 * happens in IndexedDB callbacks, with no other awaits, so the transaction stays open throughout.
 */
function replaceAll(db: IDBDatabase, expected: Map<string, Sealed>, records: Map<string, Sealed>, meta: Meta): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const tx = db.transaction([META, RECORDS], 'readwrite');
    const store = tx.objectStore(RECORDS);
    let unchanged = true;
    tx.oncomplete = () => resolve(unchanged);
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => (unchanged ? reject(tx.error ?? new Error('transaction aborted')) : resolve(false));
    const keys = store.getAllKeys();
    const values = store.getAll();
    values.onsuccess = () => {
      try {
        const now = keys.result;
        unchanged =
          now.length === expected.size &&
          now.every((k, i) => {
            const before = typeof k === 'string' ? expected.get(k) : undefined;
            const after = values.result[i] as Sealed;
            return before !== undefined && sameBytes(before.nonce, after.nonce) && sameBytes(before.ciphertext, after.ciphertext);
          });
        if (!unchanged) {
          tx.abort();
          return;
        }
        store.clear();
        for (const [name, sealed] of records) store.put(sealed, name);
        tx.objectStore(META).put(meta, KDF_KEY);
      } catch (e) {
        unchanged = true; // not a conflict: report the failure
        tx.abort();
        reject(e);
      }
    };
  });
}

function validCost(cost: KdfCost): boolean {
  const ok = (v: number, min: number, max: number) => Number.isInteger(v) && v >= min && v <= max;
  return ok(cost.p, 1, MAX_COST.p) && ok(cost.t, 1, MAX_COST.t) && ok(cost.m, 8 * cost.p, MAX_COST.m);
}

/** Argon2id(password, salt) → a non-extractable AES-256-GCM key. Exposed for timing. */
export async function deriveStorageKey(password: string, salt: Uint8Array, cost: KdfCost): Promise<CryptoKey> {
  if (!validCost(cost)) throw new KeyStoreError('BAD_COST', 'key derivation cost out of bounds');
  const raw = await argon2idAsync(password, salt, { ...cost, dkLen: 32 });
  try {
    return await crypto.subtle.importKey('raw', copy(raw), { name: 'AES-GCM' }, false, ['encrypt', 'decrypt']);
  } finally {
    raw.fill(0);
  }
}

async function seal(key: CryptoKey, plaintext: Uint8Array, aad: Uint8Array): Promise<Sealed> {
  const nonce = crypto.getRandomValues(new Uint8Array(12));
  const ciphertext = new Uint8Array(
    await crypto.subtle.encrypt({ name: 'AES-GCM', iv: nonce, additionalData: copy(aad) }, key, copy(plaintext)),
  );
  return { nonce, ciphertext };
}

/** Null when the tag does not verify (wrong key, tampered bytes or wrong associated data). */
async function open(key: CryptoKey, sealed: Sealed, aad: Uint8Array): Promise<Uint8Array | null> {
  if (!(sealed?.nonce instanceof Uint8Array) || !(sealed.ciphertext instanceof Uint8Array)) return null;
  try {
    return new Uint8Array(
      await crypto.subtle.decrypt(
        { name: 'AES-GCM', iv: copy(sealed.nonce), additionalData: copy(aad) },
        key,
        copy(sealed.ciphertext),
      ),
    );
  } catch {
    return null;
  }
}

export class KeyStore {
  private constructor(
    private readonly db: IDBDatabase,
    private key: CryptoKey | null,
  ) {}

  /**
   * Opens (or creates) the store `dbName`. A new store derives its key with `cost` and records
   * salt and cost beside the data; an existing one uses the cost it was created with. Throws
   * `WrongPassword` when the password does not open an existing store.
   */
  static async open(
    dbName: string,
    password: string,
    cost: KdfCost = PRODUCTION_COST,
    factory: IDBFactory = globalThis.indexedDB,
  ): Promise<KeyStore> {
    const db = await openDatabase(factory, dbName);
    try {
      const tx = db.transaction(META, 'readonly');
      const meta = (await request(tx.objectStore(META).get(KDF_KEY))) as Meta | undefined;
      if (meta) {
        if (meta.v !== FORMAT || !(meta.salt instanceof Uint8Array)) {
          throw new KeyStoreError('CORRUPT', 'unknown key store format');
        }
        const key = await deriveStorageKey(password, meta.salt, { m: meta.m, t: meta.t, p: meta.p });
        const check = await open(key, meta.check, CHECK_AAD);
        if (!check || check.length !== CHECK_PLAINTEXT.length || !check.every((b, i) => b === CHECK_PLAINTEXT[i])) {
          throw new WrongPassword();
        }
        return new KeyStore(db, key);
      }
      const salt = crypto.getRandomValues(new Uint8Array(16));
      const key = await deriveStorageKey(password, salt, cost);
      const fresh: Meta = { v: FORMAT, salt, ...cost, check: await seal(key, CHECK_PLAINTEXT, CHECK_AAD) };
      const write = db.transaction(META, 'readwrite');
      // add(), not put(): if another tab created the store meanwhile, fail rather than overwrite.
      write.objectStore(META).add(fresh, KDF_KEY);
      await done(write);
      return new KeyStore(db, key);
    } catch (e) {
      db.close();
      throw e;
    }
  }

  /** Whether a store of that name has been created (without needing the password). */
  static async exists(dbName: string, factory: IDBFactory = globalThis.indexedDB): Promise<boolean> {
    const db = await openDatabase(factory, dbName);
    try {
      return (await request(db.transaction(META, 'readonly').objectStore(META).count(KDF_KEY))) > 0;
    } finally {
      db.close();
    }
  }

  get locked(): boolean {
    return this.key === null;
  }

  private unlocked(): CryptoKey {
    if (!this.key) throw new KeyStoreError('LOCKED', 'key store is locked');
    return this.key;
  }

  async put(name: string, value: Uint8Array): Promise<void> {
    let key = this.unlocked();
    let sealed = await seal(key, value, recordAad(name));
    // Re-wrapped meanwhile: seal under the new key, or this record would not open any more.
    while (this.unlocked() !== key) {
      key = this.unlocked();
      sealed = await seal(key, value, recordAad(name));
    }
    const tx = this.db.transaction(RECORDS, 'readwrite');
    tx.objectStore(RECORDS).put(sealed, name);
    await done(tx);
  }

  /** The record's bytes, or null when there is none. `CORRUPT` when it does not decrypt. */
  async get(name: string): Promise<Uint8Array | null> {
    const key = this.unlocked();
    const tx = this.db.transaction(RECORDS, 'readonly');
    const sealed = (await request(tx.objectStore(RECORDS).get(name))) as Sealed | undefined;
    if (sealed === undefined) return null;
    const plaintext = await open(key, sealed, recordAad(name));
    if (!plaintext) throw new KeyStoreError('CORRUPT', `record ${name} does not decrypt`);
    return plaintext;
  }

  async delete(name: string): Promise<void> {
    this.unlocked();
    const tx = this.db.transaction(RECORDS, 'readwrite');
    tx.objectStore(RECORDS).delete(name);
    await done(tx);
  }

  /** Record names (in clear) starting with `prefix`. */
  async names(prefix = ''): Promise<string[]> {
    this.unlocked();
    const tx = this.db.transaction(RECORDS, 'readonly');
    const keys = (await request(tx.objectStore(RECORDS).getAllKeys())) as IDBValidKey[];
    return keys.filter((k): k is string => typeof k === 'string' && k.startsWith(prefix));
  }

  /**
   * Re-encrypts the whole store under `newPassword` (a new salt; the cost the store has, or
   * `cost`), atomically: see the top of this file. Afterwards only `newPassword` opens it.
   * `CORRUPT` if a record does not decrypt; a write made meanwhile makes it start again.
   */
  async rewrap(newPassword: string, cost?: KdfCost): Promise<void> {
    const oldKey = this.unlocked();
    const meta = (await request(this.db.transaction(META, 'readonly').objectStore(META).get(KDF_KEY))) as Meta | undefined;
    if (!meta) throw new KeyStoreError('CORRUPT', 'key store has no meta record');
    const newCost = cost ?? { m: meta.m, t: meta.t, p: meta.p };
    const salt = crypto.getRandomValues(new Uint8Array(16));
    const newKey = await deriveStorageKey(newPassword, salt, newCost);
    const fresh: Meta = { v: FORMAT, salt, ...newCost, check: await seal(newKey, CHECK_PLAINTEXT, CHECK_AAD) };
    for (let attempt = 0; attempt < 5; attempt++) {
      if (this.key !== oldKey) throw new KeyStoreError('LOCKED', 'key store was locked or re-wrapped meanwhile');
      const snapshot = await readAll(this.db);
      const resealed = new Map<string, Sealed>();
      for (const [name, sealed] of snapshot) {
        const plaintext = await open(oldKey, sealed, recordAad(name));
        if (!plaintext) throw new KeyStoreError('CORRUPT', `record ${name} does not decrypt`);
        resealed.set(name, await seal(newKey, plaintext, recordAad(name)));
        plaintext.fill(0);
      }
      if (await replaceAll(this.db, snapshot, resealed, fresh)) {
        this.key = newKey;
        return;
      }
    }
    throw new KeyStoreError('CORRUPT', 'the key store kept changing while it was re-encrypted');
  }

  /** Forgets the key; every call but close() fails with `LOCKED` until the store is reopened. */
  lock(): void {
    this.key = null;
  }

  close(): void {
    this.key = null;
    this.db.close();
  }
}
