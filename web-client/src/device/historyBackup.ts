/**
 * The encrypted history backup (docs/crypto.md, "History backup"): the messages this member's
 * browsers decrypted, sealed under the member's *history key* and kept on the server in chunks,
 * so a browser restored from the recovery code shows its channels' history again.
 *
 * - The history key: 32 random bytes per member, kept in the key store (`history/key`) and sealed
 *   inside the key backup, so the recovery code opens it.
 * - A chunk: the messages of one channel whose log seq falls in `[k·100, (k+1)·100)`, chunk id `k`.
 *   Its key is `HKDF-SHA256(ikm = history key, salt = empty, info = context)` with
 *   `context = "liaison/v1/history|" userId "|" channelId "|" k`; AES-256-GCM with a fresh 12-byte
 *   nonce in front and the context as associated data, so a chunk moved to another member,
 *   channel or chunk id does not open. The plaintext is `length[4, BE] ‖ JSON ‖ zeros` up to a
 *   multiple of 1024 bytes: the server learns sizes only to the KiB.
 * - Uploading: `HistoryUploader` notes every message stored with a seq and, a few seconds later,
 *   uploads the chunks that changed. The first time a chunk is written in a session it reads the
 *   server's copy and merges it (another device of the member may have messages this one never
 *   saw), so devices add to a chunk and never cut it down.
 */
import { ApiError, type Api } from '../api';
import type { History, StoredMessage } from '../channels/history';
import { base64url, fromBase64url } from './identity';
import type { KeyStore } from './keystore';

export const HISTORY_KEY_RECORD = 'history/key';
/** `{channelId: {chunk: highest seq uploaded}}`: what a new session still has to upload. */
export const HISTORY_UPLOADED_RECORD = 'history/uploaded';
export const HISTORY_LABEL = 'liaison/v1/history';
/** Messages per chunk: chunk `k` holds seqs `k·100` to `k·100 + 99`. */
export const CHUNK_MESSAGES = 100;
export const PADDING = 1024;
const FORMAT = 1;

export class HistoryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HistoryError';
  }
}

export const chunkOf = (seq: number): number => Math.floor(seq / CHUNK_MESSAGES);

const utf8 = new TextEncoder();
const copy = (bytes: Uint8Array): Uint8Array<ArrayBuffer> => new Uint8Array(bytes);
const context = (userId: string, channelId: string, chunk: number) => utf8.encode(`${HISTORY_LABEL}|${userId}|${channelId}|${chunk}`);

function checkNames(userId: string, channelId: string, chunk: number) {
  if (!userId || userId.includes('|') || !/^[0-9a-f]{32}$/.test(channelId) || !Number.isInteger(chunk) || chunk < 0 || chunk > 999_999_999) {
    throw new HistoryError('not a history chunk name');
  }
}

async function chunkKey(historyKey: Uint8Array, info: Uint8Array): Promise<CryptoKey> {
  if (historyKey.length !== 32) throw new HistoryError('the history key has 32 bytes');
  const ikm = await crypto.subtle.importKey('raw', copy(historyKey), 'HKDF', false, ['deriveKey']);
  return crypto.subtle.deriveKey(
    { name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(), info: copy(info) },
    ikm,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt'],
  );
}

/** A new random history key. */
export function newHistoryKey(): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(32));
}

/** This member's history key from the key store, or null when none was made yet. */
export async function loadHistoryKey(store: KeyStore): Promise<Uint8Array | null> {
  const key = await store.get(HISTORY_KEY_RECORD);
  return key && key.length === 32 ? key : null;
}

/** The stored history key, made and kept first when there is none. */
export async function loadOrCreateHistoryKey(store: KeyStore): Promise<Uint8Array> {
  const known = await loadHistoryKey(store);
  if (known) return known;
  const fresh = newHistoryKey();
  await store.put(HISTORY_KEY_RECORD, fresh);
  return fresh;
}

/** Seals the messages of chunk `chunk` of a channel (each must have a seq inside the chunk). */
export async function sealChunk(
  historyKey: Uint8Array,
  userId: string,
  channelId: string,
  chunk: number,
  messages: StoredMessage[],
): Promise<Uint8Array> {
  checkNames(userId, channelId, chunk);
  for (const m of messages) {
    if (m.seq === undefined || chunkOf(m.seq) !== chunk) throw new HistoryError('a message outside its chunk');
  }
  const json = utf8.encode(JSON.stringify({ v: FORMAT, messages: messages.map(({ state: _s, error: _e, ...kept }) => kept) }));
  const padded = new Uint8Array(Math.ceil((4 + json.length) / PADDING) * PADDING);
  new DataView(padded.buffer).setUint32(0, json.length);
  padded.set(json, 4);
  const info = context(userId, channelId, chunk);
  const nonce = crypto.getRandomValues(new Uint8Array(12));
  try {
    const sealed = new Uint8Array(
      await crypto.subtle.encrypt({ name: 'AES-GCM', iv: nonce, additionalData: info }, await chunkKey(historyKey, info), padded),
    );
    const out = new Uint8Array(12 + sealed.length);
    out.set(nonce);
    out.set(sealed, 12);
    return out;
  } finally {
    padded.fill(0);
    json.fill(0);
  }
}

const isString = (v: unknown): v is string => typeof v === 'string';

/** One message as sealed, checked field by field; null when it is not one. */
function message(value: unknown, chunk: number): StoredMessage | null {
  if (typeof value !== 'object' || value === null) return null;
  const m = value as Record<string, unknown>;
  if (!Number.isInteger(m.seq) || chunkOf(m.seq as number) !== chunk || (m.seq as number) < 0) return null;
  if (!isString(m.senderUserId) || !isString(m.senderDeviceId) || !isString(m.body) || !isString(m.sentAt) || !isString(m.receivedAt)) return null;
  return {
    seq: m.seq as number,
    ...(isString(m.clientMessageId) ? { clientMessageId: m.clientMessageId } : {}),
    senderUserId: m.senderUserId,
    senderDeviceId: m.senderDeviceId,
    body: m.body,
    sentAt: m.sentAt,
    receivedAt: m.receivedAt,
    ...(m.outgoing === true ? { outgoing: true } : {}),
  };
}

/**
 * Opens a chunk sealed by `sealChunk` for the same member, channel and chunk id; throws
 * `HistoryError` when it does not open (another key, name, or altered bytes) or is not a chunk.
 */
export async function openChunk(
  historyKey: Uint8Array,
  userId: string,
  channelId: string,
  chunk: number,
  sealed: Uint8Array,
): Promise<StoredMessage[]> {
  checkNames(userId, channelId, chunk);
  if (sealed.length < 12 + 16 + PADDING || (sealed.length - 28) % PADDING !== 0) throw new HistoryError('not a history chunk');
  const info = context(userId, channelId, chunk);
  let padded: Uint8Array;
  try {
    padded = new Uint8Array(
      await crypto.subtle.decrypt(
        { name: 'AES-GCM', iv: copy(sealed.subarray(0, 12)), additionalData: info },
        await chunkKey(historyKey, info),
        copy(sealed.subarray(12)),
      ),
    );
  } catch {
    throw new HistoryError('the history chunk does not open');
  }
  try {
    const length = new DataView(padded.buffer).getUint32(0);
    if (4 + length > padded.length || padded.subarray(4 + length).some((b) => b !== 0)) throw new HistoryError('bad padding');
    const parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(padded.subarray(4, 4 + length))) as { v?: unknown; messages?: unknown };
    if (parsed?.v !== FORMAT || !Array.isArray(parsed.messages)) throw new HistoryError('unknown history format');
    const out: StoredMessage[] = [];
    for (const value of parsed.messages) {
      const m = message(value, chunk);
      if (m) out.push(m);
    }
    return out;
  } catch (e) {
    if (e instanceof HistoryError) throw e;
    throw new HistoryError('unreadable history chunk');
  } finally {
    padded.fill(0);
  }
}

type Uploaded = Record<string, Record<string, number>>;

async function readUploaded(store: KeyStore): Promise<Uploaded> {
  const bytes = await store.get(HISTORY_UPLOADED_RECORD).catch(() => null);
  if (!bytes) return {};
  try {
    const parsed = JSON.parse(new TextDecoder().decode(bytes)) as unknown;
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Uploaded) : {};
  } catch {
    return {};
  }
}

/** Notes that chunk `chunk` of a channel is on the server up to `seq`. */
async function markUploaded(store: KeyStore, marks: { channelId: string; chunk: number; seq: number }[]): Promise<void> {
  if (marks.length === 0) return;
  const uploaded = await readUploaded(store);
  for (const { channelId, chunk, seq } of marks) {
    const chunks = (uploaded[channelId] ??= {});
    chunks[chunk] = Math.max(chunks[chunk] ?? -1, seq);
  }
  await store.put(HISTORY_UPLOADED_RECORD, utf8.encode(JSON.stringify(uploaded)));
}

/** The chunks holding messages this store has not uploaded yet (by record names, nothing decrypted). */
export async function chunksToUpload(store: KeyStore): Promise<{ channelId: string; chunk: number }[]> {
  const uploaded = await readUploaded(store);
  const due = new Map<string, { channelId: string; chunk: number }>();
  for (const name of await store.names('message/')) {
    const match = /^message\/([0-9a-f]{32})\/([0-9]{12})$/.exec(name);
    if (!match) continue;
    const seq = Number(match[2]);
    const chunk = chunkOf(seq);
    if (seq > (uploaded[match[1]]?.[chunk] ?? -1)) due.set(`${match[1]}/${chunk}`, { channelId: match[1], chunk });
  }
  return [...due.values()];
}

interface ChunkSummary {
  channelId: string;
  chunkId: string;
  size: number;
}

const chunkPath = (channelId: string, chunk: number) => `/api/v1/history/${channelId}/${chunk}`;

/** The server's copy of one chunk, opened; empty when there is none. */
async function remoteChunk(api: Api, key: Uint8Array, userId: string, channelId: string, chunk: number): Promise<StoredMessage[]> {
  try {
    const found = await api.call<{ ciphertext: string }>('GET', chunkPath(channelId, chunk));
    return await openChunk(key, userId, channelId, chunk, fromBase64url(found.ciphertext));
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) return [];
    throw e;
  }
}

/** Writes `messages` that this store does not hold yet, marked as restored; how many it wrote. */
async function keepMissing(history: History, channelId: string, messages: StoredMessage[]): Promise<number> {
  let written = 0;
  for (const m of messages) if (await history.putRestored(channelId, { ...m, restored: true })) written++;
  return written;
}

export interface HistoryRestoreResult {
  /** Messages written into this browser. */
  messages: number;
  /** Chunks that did not open (another history key, or damaged): left out. */
  unreadable: number;
}

/**
 * Downloads every chunk of the member's history backup and writes what this browser does not
 * hold yet as message records, marked as restored. A chunk that does not open is left out and
 * counted; a network failure throws (the restore screen says so; nothing written is lost).
 */
export async function restoreHistory(
  api: Api,
  store: KeyStore,
  history: History,
  userId: string,
  key: Uint8Array,
): Promise<HistoryRestoreResult> {
  const list = await api.call<{ items: ChunkSummary[] }>('GET', '/api/v1/history');
  const result: HistoryRestoreResult = { messages: 0, unreadable: 0 };
  const marks: { channelId: string; chunk: number; seq: number }[] = [];
  for (const item of list.items) {
    const chunk = Number(item.chunkId);
    try {
      const messages = await remoteChunk(api, key, userId, item.channelId, chunk);
      result.messages += await keepMissing(history, item.channelId, messages);
      // What came from the server need not go back to it.
      const seq = Math.max(-1, ...messages.map((m) => m.seq ?? -1));
      if (seq >= 0) marks.push({ channelId: item.channelId, chunk, seq });
    } catch (e) {
      if (!(e instanceof HistoryError)) throw e;
      result.unreadable++;
    }
  }
  await markUploaded(store, marks);
  return result;
}

export interface UploaderOptions {
  /** How long to gather messages before uploading (ms). */
  delayMs?: number;
}

/**
 * Uploads the chunks whose messages changed, a few seconds after they did. Failures are retried
 * with the next change or `flush()`; a full quota (413) stops uploads for this session.
 */
export class HistoryUploader {
  private readonly dirty = new Map<string, Set<number>>();
  /** Chunks whose server copy was merged in this session. */
  private readonly merged = new Set<string>();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private running: Promise<void> = Promise.resolve();
  private stopped = false;
  /** True once the server refused more history (quota): newer messages are not backed up. */
  full = false;

  constructor(
    private readonly api: Api,
    private readonly store: KeyStore,
    private readonly history: History,
    private readonly userId: string,
    private readonly key: Uint8Array,
    private readonly options: UploaderOptions = {},
  ) {}

  /** Called for each message stored; restored ones came from the backup and change nothing. */
  noteStored(channelId: string, m: StoredMessage): void {
    if (m.seq === undefined || m.restored) return;
    this.noteChunk(channelId, chunkOf(m.seq));
  }

  /** Marks a chunk for the next upload (e.g. what an earlier session left, `chunksToUpload`). */
  noteChunk(channelId: string, chunk: number): void {
    if (this.stopped || this.full) return;
    let chunks = this.dirty.get(channelId);
    if (!chunks) this.dirty.set(channelId, (chunks = new Set()));
    chunks.add(chunk);
    if (this.timer === null) {
      this.timer = setTimeout(() => {
        this.timer = null;
        this.flush().catch((e) => console.warn('history backup', e));
      }, this.options.delayMs ?? 3000);
    }
  }

  /** Uploads what changed now (one flush at a time). */
  flush(): Promise<void> {
    const run = this.running.then(() => this.upload());
    this.running = run.catch(() => {});
    return run;
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private async upload(): Promise<void> {
    const work = [...this.dirty].flatMap(([channelId, chunks]) => [...chunks].map((chunk) => ({ channelId, chunk })));
    this.dirty.clear();
    for (let i = 0; i < work.length; i++) {
      const { channelId, chunk } = work[i];
      if (this.stopped || this.full) return;
      try {
        await this.uploadChunk(channelId, chunk);
      } catch (e) {
        if (e instanceof ApiError && e.status === 413) {
          this.full = true;
          return;
        }
        // Try these again with the next change.
        for (const rest of work.slice(i)) {
          let chunks = this.dirty.get(rest.channelId);
          if (!chunks) this.dirty.set(rest.channelId, (chunks = new Set()));
          chunks.add(rest.chunk);
        }
        throw e;
      }
    }
  }

  private async uploadChunk(channelId: string, chunk: number): Promise<void> {
    const name = `${channelId}/${chunk}`;
    if (!this.merged.has(name)) {
      try {
        await keepMissing(this.history, channelId, await remoteChunk(this.api, this.key, this.userId, channelId, chunk));
      } catch (e) {
        // A chunk sealed under another history key (an older one) is replaced by this device's.
        if (!(e instanceof HistoryError)) throw e;
      }
      this.merged.add(name);
    }
    const messages = await this.history.messagesBetween(channelId, chunk * CHUNK_MESSAGES, (chunk + 1) * CHUNK_MESSAGES);
    if (messages.length === 0) return;
    const sealed = await sealChunk(this.key, this.userId, channelId, chunk, messages);
    await this.api.call('PUT', chunkPath(channelId, chunk), { ciphertext: base64url(sealed) });
    await markUploaded(this.store, [{ channelId, chunk, seq: Math.max(...messages.map((m) => m.seq ?? -1)) }]);
  }
}
