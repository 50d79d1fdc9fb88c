// @vitest-environment node
// The encrypted history backup: sealing and opening chunks (real WebCrypto HKDF and AES-GCM),
// what tampering does, the history key inside the key backup, and upload, merge and restore
// through a fake server that keeps chunks as the real one does (own user only, opaque bytes).
import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { type Api, ApiError } from '../src/api';
import { History, type StoredMessage } from '../src/channels/history';
import { openBackup, sealBackup } from '../src/device/backup';
import {
  chunksToUpload,
  HISTORY_KEY_RECORD,
  HistoryError,
  HistoryUploader,
  loadOrCreateHistoryKey,
  newHistoryKey,
  openChunk,
  PADDING,
  restoreHistory,
  sealChunk,
} from '../src/device/historyBackup';
import { base64url, createDeviceIdentity, fromBase64url } from '../src/device/identity';
import { KeyStore } from '../src/device/keystore';

const TINY = { m: 64, t: 1, p: 1 };
const USER = 'u0123456789abcdef';
const CHANNEL = '0123456789abcdef0123456789abcdef';
const OTHER_CHANNEL = 'fedcba9876543210fedcba9876543210';

const message = (seq: number, body = `message ${seq}`): StoredMessage => ({
  seq,
  senderUserId: 'u-sender',
  senderDeviceId: 'd-sender',
  body,
  sentAt: '2026-12-01T10:00:00Z',
  receivedAt: '2026-12-01T10:00:01Z',
});

async function fails(promise: Promise<unknown>): Promise<void> {
  await expect(promise).rejects.toBeInstanceOf(HistoryError);
}

describe('a history chunk', () => {
  it('round-trips its messages, padded to a multiple of 1024 bytes, without the text in clear', async () => {
    const key = newHistoryKey();
    const messages = [message(100, 'meet at the youth centre'), { ...message(101), outgoing: true, clientMessageId: 'c1', state: 'sent' }];
    const sealed = await sealChunk(key, USER, CHANNEL, 1, messages);
    expect((sealed.length - 28) % PADDING).toBe(0);
    expect(new TextDecoder().decode(sealed)).not.toContain('youth centre');
    const opened = await openChunk(key, USER, CHANNEL, 1, sealed);
    expect(opened).toEqual([messages[0], { ...message(101), outgoing: true, clientMessageId: 'c1' }]);
    // Two sealings of the same messages differ (fresh nonce).
    expect(base64url(await sealChunk(key, USER, CHANNEL, 1, messages))).not.toBe(base64url(sealed));
  });

  it('does not open under another chunk id, channel, member or key, or with a flipped byte', async () => {
    const key = newHistoryKey();
    const sealed = await sealChunk(key, USER, CHANNEL, 0, [message(5)]);
    await fails(openChunk(key, USER, CHANNEL, 1, sealed));
    await fails(openChunk(key, USER, OTHER_CHANNEL, 0, sealed));
    await fails(openChunk(key, 'u-someone-else', CHANNEL, 0, sealed));
    await fails(openChunk(newHistoryKey(), USER, CHANNEL, 0, sealed));
    for (const at of [0, 12, sealed.length - 1]) {
      const flipped = new Uint8Array(sealed);
      flipped[at] ^= 1;
      await fails(openChunk(key, USER, CHANNEL, 0, flipped));
    }
    await fails(openChunk(key, USER, CHANNEL, 0, sealed.subarray(0, sealed.length - 1024)));
  });

  it('holds only messages of its own seq range, and names only valid channels and chunk ids', async () => {
    const key = newHistoryKey();
    await fails(sealChunk(key, USER, CHANNEL, 0, [message(100)]));
    await fails(sealChunk(key, USER, CHANNEL, 0, [{ ...message(1), seq: undefined }]));
    await fails(sealChunk(key, USER, 'not-a-channel', 0, [message(1)]));
    await fails(sealChunk(key, 'a|b', CHANNEL, 0, [message(1)]));
    await fails(sealChunk(key, USER, CHANNEL, -1, [message(1)]));
    await fails(sealChunk(new Uint8Array(16), USER, CHANNEL, 0, [message(1)]));
  });
});

describe('the history key', () => {
  it('travels in the key backup; a backup made before it opens without one', async () => {
    const identity = await createDeviceIdentity();
    const historyKey = newHistoryKey();
    const base = { userId: USER, deviceId: 'd1', identity, verified: {} };
    const cheap = { memoryKiB: 64, iterations: 1 };
    const code = '0123-4567-89AB-CDEF-GHJK-MNPQ-RS';
    const withKey = await openBackup(code, await sealBackup(code, { ...base, historyKey }, cheap), USER);
    expect(withKey.historyKey).toEqual(historyKey);
    const without = await openBackup(code, await sealBackup(code, base, cheap), USER);
    expect(without.historyKey).toBeUndefined();
  });

  it('is made once per store and kept', async () => {
    const store = await KeyStore.open('history-key', 'pw', TINY, new IDBFactory());
    const first = await loadOrCreateHistoryKey(store);
    expect(first).toHaveLength(32);
    expect(await loadOrCreateHistoryKey(store)).toEqual(first);
    expect(await store.get(HISTORY_KEY_RECORD)).toEqual(first);
    store.close();
  });
});

/** Chunks per user, as the server keeps them: opaque bytes under user/channel/chunk. */
class FakeHistoryServer {
  chunks = new Map<string, string>();
  puts = 0;
  quota = Infinity;

  api(userId: string): Api {
    return {
      call: async (method: string, path: string, body?: { ciphertext: string }) => {
        if (method === 'GET' && path === '/api/v1/history') {
          const items = [...this.chunks.keys()]
            .filter((k) => k.startsWith(`${userId}/`))
            .map((k) => {
              const [, channelId, chunkId] = k.split('/');
              return { channelId, chunkId, size: fromBase64url(this.chunks.get(k)!).length };
            });
          return { items };
        }
        const match = /^\/api\/v1\/history\/([0-9a-f]{32})\/([0-9]+)$/.exec(path);
        if (!match) throw new ApiError(404, 'not-found', 'not found');
        const key = `${userId}/${match[1]}/${match[2]}`;
        if (method === 'GET') {
          const found = this.chunks.get(key);
          if (!found) throw new ApiError(404, 'history-chunk-not-found', 'none');
          return { channelId: match[1], chunkId: match[2], ciphertext: found };
        }
        if (method === 'PUT') {
          if (++this.puts > this.quota) throw new ApiError(413, 'history-quota-exceeded', 'full');
          this.chunks.set(key, body!.ciphertext);
          return {};
        }
        throw new ApiError(405, 'method-not-allowed', 'no');
      },
    } as unknown as Api;
  }
}

async function browser(name: string) {
  const store = await KeyStore.open(name, 'pw', TINY, new IDBFactory());
  return { store, history: new History(store) };
}

describe('uploading and restoring', () => {
  it('uploads changed chunks, merges another device’s, and restores them marked as restored', async () => {
    const server = new FakeHistoryServer();
    const key = newHistoryKey();
    const a = await browser('a');
    const uploader = new HistoryUploader(server.api(USER), a.store, a.history, USER, key, { delayMs: 60_000 });
    a.history.onStored = (channel, m) => uploader.noteStored(channel, m);
    for (const seq of [1, 2, 150]) await a.history.putMessage(CHANNEL, message(seq));
    await a.history.putMessage(OTHER_CHANNEL, message(7, 'elsewhere'));
    // A pending message (no seq yet) is not backed up.
    await a.history.putMessage(CHANNEL, { ...message(0), seq: undefined, clientMessageId: 'p1', outgoing: true });
    await uploader.flush();
    uploader.stop();
    expect([...server.chunks.keys()].sort()).toEqual([`${USER}/${CHANNEL}/0`, `${USER}/${CHANNEL}/1`, `${USER}/${OTHER_CHANNEL}/0`]);
    for (const sealed of server.chunks.values()) expect(new TextDecoder().decode(fromBase64url(sealed))).not.toContain('message');
    expect(await chunksToUpload(a.store)).toEqual([]);

    // Another device of the member that saw seq 3 only adds to chunk 0, never cuts it down.
    const b = await browser('b');
    const other = new HistoryUploader(server.api(USER), b.store, b.history, USER, key, { delayMs: 60_000 });
    b.history.onStored = (channel, m) => other.noteStored(channel, m);
    await b.history.putMessage(CHANNEL, message(3));
    await other.flush();
    other.stop();
    const chunk0 = await openChunk(key, USER, CHANNEL, 0, fromBase64url(server.chunks.get(`${USER}/${CHANNEL}/0`)!));
    expect(chunk0.map((m) => m.seq)).toEqual([1, 2, 3]);
    // B now holds A's messages too, marked as restored.
    expect((await b.history.messages(CHANNEL)).filter((m) => m.restored).map((m) => m.seq)).toEqual([1, 2, 150].slice(0, 2));

    // A restored browser gets everything back, marked, and has nothing left to upload.
    const c = await browser('c');
    await c.history.putMessage(CHANNEL, message(2, 'what this browser decrypted itself'));
    const result = await restoreHistory(server.api(USER), c.store, c.history, USER, key);
    expect(result).toEqual({ messages: 4, unreadable: 0 });
    const restored = await c.history.messages(CHANNEL);
    expect(restored.map((m) => [m.seq, m.restored ?? false])).toEqual([
      [1, true],
      [2, false],
      [3, true],
      [150, true],
    ]);
    expect(restored[1].body).toBe('what this browser decrypted itself');
    expect((await c.history.messages(OTHER_CHANNEL))[0].body).toBe('elsewhere');
    // The server's chunks already cover every seq it holds (seq 2 included).
    expect(await chunksToUpload(c.store)).toEqual([]);

    // Another member's list is empty; a chunk under another key is counted, not written.
    expect(await restoreHistory(server.api('u-other'), c.store, c.history, 'u-other', key)).toEqual({ messages: 0, unreadable: 0 });
    const d = await browser('d');
    expect(await restoreHistory(server.api(USER), d.store, d.history, USER, newHistoryKey())).toEqual({ messages: 0, unreadable: 3 });
    expect(await d.history.messages(CHANNEL)).toEqual([]);
    for (const s of [a, b, c, d]) s.store.close();
  });

  it('swapped chunks do not open: a chunk moved to another channel or chunk id is left out', async () => {
    const server = new FakeHistoryServer();
    const key = newHistoryKey();
    const sealed = base64url(await sealChunk(key, USER, CHANNEL, 0, [message(1)]));
    server.chunks.set(`${USER}/${OTHER_CHANNEL}/0`, sealed);
    server.chunks.set(`${USER}/${CHANNEL}/1`, sealed);
    const e = await browser('e');
    expect(await restoreHistory(server.api(USER), e.store, e.history, USER, key)).toEqual({ messages: 0, unreadable: 2 });
    e.store.close();
  });

  it('stops uploading when the server says the quota is full', async () => {
    const server = new FakeHistoryServer();
    server.quota = 1;
    const key = newHistoryKey();
    const f = await browser('f');
    const uploader = new HistoryUploader(server.api(USER), f.store, f.history, USER, key, { delayMs: 60_000 });
    f.history.onStored = (channel, m) => uploader.noteStored(channel, m);
    await f.history.putMessage(CHANNEL, message(1));
    await f.history.putMessage(CHANNEL, message(101));
    await uploader.flush();
    expect(uploader.full).toBe(true);
    expect(server.chunks.size).toBe(1);
    uploader.stop();
    f.store.close();
  });
});
