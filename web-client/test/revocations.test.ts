// @vitest-environment node
// The attestation revocation list (src/channels/revocations.ts): paging by `after`/`next`, kept in
// the real encrypted key store so a restart asks only for what is new, and what is kept when
// the server cannot be reached.
import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import type { Api } from '../src/api';
import { addPage, loadRevocations, type RevocationPage, type Revocations, revokedSet, syncRevocations } from '../src/channels/revocations';
import { KeyStore } from '../src/device/keystore';

const TINY = { m: 64, t: 1, p: 1 };
const h = (n: number) => n.toString(16).padStart(64, '0');
const item = (seq: number, reason = 'tier-changed') => ({ seq, attestation: h(seq), userId: 'u', deviceId: 'd', reason, revokedAt: '2026-12-01T10:00:00Z' });

describe('a page of the revocation list', () => {
  it.each<{ name: string; start: Revocations; page: RevocationPage; after: number; next: number | null; hashes: string[] }>([
    { name: 'adds entries and asks on after the last', start: { after: 0, reasons: {} }, page: { items: [item(1), item(2)], next: 2 }, after: 2, next: 2, hashes: [h(1), h(2)] },
    { name: 'ends on an empty page', start: { after: 2, reasons: {} }, page: { items: [], next: 2 }, after: 2, next: null, hashes: [] },
    { name: 'ends when there is no next', start: { after: 0, reasons: {} }, page: { items: [item(1)] }, after: 1, next: null, hashes: [h(1)] },
    { name: 'skips repeats at or below what was read', start: { after: 2, reasons: {} }, page: { items: [item(2), item(3)], next: 3 }, after: 3, next: 3, hashes: [h(3)] },
    {
      name: 'never moves past the entries it saw, whatever next says',
      start: { after: 0, reasons: {} },
      page: { items: [item(1)], next: 900 },
      after: 1,
      next: 1,
      hashes: [h(1)],
    },
    {
      name: 'skips a hash that is not 64 hex characters (it names nothing) but reads past it',
      start: { after: 0, reasons: {} },
      page: { items: [{ seq: 1, attestation: 'ABC' }, item(2)], next: 2 },
      after: 2,
      next: 2,
      hashes: [h(2)],
    },
  ])('$name', ({ start, page, after, next, hashes }) => {
    const list = structuredClone(start);
    expect(addPage(list, page)).toBe(next);
    expect(list.after).toBe(after);
    expect(Object.keys(list.reasons).sort()).toEqual(hashes);
  });
});

/** A server holding `entries`, serving pages of `size` after `after`, and counting the calls. */
function listServer(entries: ReturnType<typeof item>[], size = 2) {
  const asked: number[] = [];
  let online = true;
  const api = {
    call: async (method: string, path: string) => {
      if (!online) throw Object.assign(new Error('offline'), { code: 'offline' });
      const url = new URL(path, 'http://x');
      expect([method, url.pathname]).toEqual(['GET', '/api/v1/network/attestation-revocations']);
      const after = Number(url.searchParams.get('after'));
      asked.push(after);
      const items = entries.filter((e) => e.seq > after).slice(0, size);
      return { items, next: items.length ? items[items.length - 1].seq : after };
    },
  } as unknown as Api;
  return { api, asked, entries, offline: () => (online = false) };
}

describe('keeping the revocation list', () => {
  it('reads every page, keeps the list in the key store, and asks only for what is new afterwards', async () => {
    const store = await KeyStore.open('revocations', 'pw', TINY, new IDBFactory());
    const server = listServer([item(1), item(2), item(3, 'device-revoked')]);
    const first = await syncRevocations(server.api, store);
    expect(server.asked).toEqual([0, 2, 3]);
    expect([...revokedSet(first)].sort()).toEqual([h(1), h(2), h(3)]);
    expect(first.reasons[h(3)]).toBe('device-revoked');

    server.entries.push(item(4));
    server.asked.length = 0;
    const second = await syncRevocations(server.api, store);
    expect(server.asked).toEqual([3, 4]);
    expect(revokedSet(second).has(h(4))).toBe(true);
    expect((await loadRevocations(store)).after).toBe(4);
    store.close();
  });

  it('offline, keeps what it had', async () => {
    const store = await KeyStore.open('revocations-offline', 'pw', TINY, new IDBFactory());
    const server = listServer([item(1)]);
    await syncRevocations(server.api, store);
    server.offline();
    expect([...revokedSet(await syncRevocations(server.api, store))]).toEqual([h(1)]);
    store.close();
  });
});
