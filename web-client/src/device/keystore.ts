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
    const sealed = await seal(this.unlocked(), value, recordAad(name));
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

  /** Forgets the key; every call but close() fails with `LOCKED` until the store is reopened. */
  lock(): void {
    this.key = null;
  }

  close(): void {
    this.key = null;
    this.db.close();
  }
}
