// @vitest-environment node
// The browser's document sync (docs/documents.md): real ChannelEngines, one per device, in a real
// ts-mls channel whose members carry real attestations, real key stores, real Automerge and
// WebCrypto, against the document routes in memory (`fakeDocumentServer`, shared by the devices)
// and sockets the test speaks for.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as A from '@automerge/automerge/slim';
import { IDBFactory } from 'fake-indexeddb';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Api } from '../src/api';
import { ChannelEngine } from '../src/channels/engine';
import { ChannelRecord, History } from '../src/channels/history';
import type { ServerChannel } from '../src/channels/model';
import { base64url, fromBase64url } from '../src/device/identity';
import { KeyStore } from '../src/device/keystore';
import { keyringAad, open as openSealed, sealRecord, signRecord, aadOf } from '../src/documents/crypto';
import type { LiveDocument } from '../src/documents/document';
import { keyringKey } from '../src/documents/keyring';
import { updateContext } from '../src/documents/records';
import { fakeDocumentServer, fakeServer, fakeSocket, until } from './fake-server';
import { OPEN_POLICY, trustedChannel, type Who } from './trusted-group';

const TINY = { m: 64, t: 1, p: 1 };
const ALICE = { userId: 'alice', deviceId: 'alice-laptop' };
const BOB = { userId: 'bob', deviceId: 'bob-browser' };

beforeAll(async () => {
  vi.stubGlobal('addEventListener', () => {});
  vi.stubGlobal('removeEventListener', () => {});
  vi.stubGlobal('WebSocket', { OPEN: 1 });
  // In node the wasm is read from the package; a browser fetches the served file (`automerge.ts`).
  await A.initializeWasm(readFileSync(createRequire(import.meta.url).resolve('@automerge/automerge/automerge.wasm')));
});

const running: (() => void)[] = [];
afterEach(() => {
  for (const stop of running.splice(0)) stop();
});

let stores = 0;

/** Every member's browser in one channel, started and connected. */
async function channelOf(members: Who[]) {
  const group = await trustedChannel(members);
  const servers = new Map<string, ReturnType<typeof fakeServer>>();
  // The channel's epoch as the first member's server view says (its commits move it).
  const docs = fakeDocumentServer(() => servers.get(members[0].deviceId)!.state.channel.epoch);
  const devices = new Map<string, Awaited<ReturnType<typeof browser>>>();

  async function browser(who: Who) {
    const store = await KeyStore.open(`documents-${stores++}`, 'pw', TINY, new IDBFactory());
    const record = ChannelRecord.empty();
    record.cursor = 1;
    await new History(store).saveChannel(group.channelId, record, group.states.get(who.deviceId)!);
    const channel: ServerChannel = {
      id: group.channelId,
      groupId: '',
      kind: 'team',
      policy: OPEN_POLICY,
      owners: [members[0].userId],
      epoch: 1,
      members: [],
      createdAt: '2026-12-01T10:00:00Z',
      removalsDue: [],
    };
    const server = fakeServer(who, channel, 1);
    server.state.rootKey = group.root.publicKey;
    servers.set(who.deviceId, server);
    const api = {
      call: (method: string, path: string, body?: Record<string, unknown>) => (docs.handles(path) ? docs.route(who, method, path, body) : server.api.call(method, path, body)),
      freshAccessToken: async () => 'token',
    } as unknown as Api;
    // biome-ignore lint: assigned right below, before any frame flows
    let relay: (frame: Record<string, unknown>) => void = () => {};
    const socket = fakeSocket((frame) => relay(frame));
    relay = docs.connect(who, (frame) => socket.deliver(frame));
    const keys = group.keys.get(who.deviceId)!;
    const engine = new ChannelEngine(api, { ...who, identity: { publicKey: keys.publicKey, signKey: keys.signKey }, store, registered: false }, { socketUrl: 'ws://test', socketFactory: socket.factory });
    running.push(() => {
      engine.stop();
      store.close();
    });
    await engine.start();
    await until(socket.opened);
    const ready = () => socket.deliver({ type: 'ready', deviceId: who.deviceId, channels: [{ id: group.channelId, epoch: 1, lastAck: 1 }] });
    ready();
    await until(() => engine.status === 'online');
    const generations = async () => (await new History(store).loadChannel(group.channelId))!.record.docGenerations;
    return { who, api, engine, store, socket, ready, keys, generations, documents: engine.documents };
  }

  for (const who of members) devices.set(who.deviceId, await browser(who));
  return { group, docs, servers, device: (who: Who) => devices.get(who.deviceId)! };
}

const text = (d: LiveDocument) => String(d.doc().body);
const synced = (...ds: LiveDocument[]) => ds.every((d) => d.status() === 'synced');

describe('two devices on one document', () => {
  it('create, list and concurrent edits converge', async () => {
    const net = await channelOf([ALICE, BOB]);
    const alice = net.device(ALICE);
    const bob = net.device(BOB);
    const id = await alice.documents.create(net.group.channelId, 'blank', 'Minutes – Malmö');
    expect(await bob.documents.list(net.group.channelId)).toMatchObject([{ id, title: 'Minutes – Malmö', template: 'blank', createdBy: 'alice' }]);

    const a = (await alice.documents.open(net.group.channelId, id)) as LiveDocument;
    const b = (await bob.documents.open(net.group.channelId, id)) as LiveDocument;
    expect(b.doc().meta.title).toBe('Minutes – Malmö');
    // Both type before either hears of the other.
    a.change((d) => A.splice(d, ['body'], 0, 0, 'Alice wrote this. '));
    b.change((d) => A.splice(d, ['body'], 0, 0, 'Bob wrote that. '));
    b.change((d) => (d.meta.title = 'Minutes'));
    await until(() => text(a) === text(b) && text(a).includes('Alice') && text(a).includes('Bob') && synced(a, b));
    expect(a.doc().meta.title).toBe('Minutes');
    expect(A.getHeads(a.doc()).sort()).toEqual(A.getHeads(b.doc()).sort());
    // The two edits of Bob's within 250 ms went out as one update.
    expect(net.docs.documents.get(id)!.updates.filter((u) => u.authorDeviceId === BOB.deviceId)).toHaveLength(1);
    // The server holds only ciphertext: no title or text in anything it stored.
    const stored = JSON.stringify([...net.docs.documents.values()].map((d) => ({ ...d, clientSeqs: null })));
    expect(stored).not.toMatch(/Malm|Alice wrote|Bob wrote|Minutes/);
  });

  it('a title edit renames the listed header once typing pauses, and the other member hears of it', async () => {
    const net = await channelOf([ALICE, BOB]);
    const alice = net.device(ALICE);
    const bob = net.device(BOB);
    const id = await alice.documents.create(net.group.channelId, 'action-plan', 'Plan');
    const a = (await alice.documents.open(net.group.channelId, id)) as LiveDocument;
    let bobHeard = 0;
    bob.documents.subscribeList(net.group.channelId, () => bobHeard++);
    const headerWrites = () => net.docs.documents.get(id)!.summary.header;
    const before = headerWrites();
    // Typed letter by letter: one header write after the pause, not one per keystroke.
    for (const letter of ' 2027 – مالمو') {
      a.change((d) => A.splice(d, ['meta', 'title'], d.meta.title.length, 0, letter));
      await new Promise((r) => setTimeout(r, 30));
    }
    expect(headerWrites()).toBe(before);
    await until(() => headerWrites() !== before);
    await until(() => bobHeard > 0);
    expect(headerWrites()).not.toBe(before);
    expect(await bob.documents.list(net.group.channelId)).toMatchObject([{ id, title: 'Plan 2027 – مالمو', template: 'action-plan' }]);
    expect(bobHeard).toBe(1);
    // A remote title edit does not make the reader rename too (its author does): one more header
    // frame for Alice's second rename, none from Bob.
    const b = (await bob.documents.open(net.group.channelId, id)) as LiveDocument;
    a.change((d) => A.splice(d, ['meta', 'title'], 0, 4, 'Action plan'));
    await until(() => String(b.doc().meta.title).startsWith('Action plan') && bobHeard === 2);
    await new Promise((r) => setTimeout(r, 1300));
    expect(bobHeard).toBe(2);
    expect((await bob.documents.list(net.group.channelId))[0].title).toBe('Action plan 2027 – مالمو');
    expect(JSON.stringify(net.docs.documents.get(id)!.summary)).not.toMatch(/مالمو|2027/);
  }, 20_000);

  it('offline edits are kept, sent on reconnect and merged', async () => {
    const net = await channelOf([ALICE, BOB]);
    const alice = net.device(ALICE);
    const bob = net.device(BOB);
    const id = await alice.documents.create(net.group.channelId, 'blank', 'Plan');
    const a = (await alice.documents.open(net.group.channelId, id)) as LiveDocument;
    const b = (await bob.documents.open(net.group.channelId, id)) as LiveDocument;

    net.docs.offline.add(BOB.deviceId);
    b.change((d) => A.splice(d, ['body'], 0, 0, 'written on the train. '));
    await until(() => b.status() === 'offline');
    expect(await bob.store.names('document-outbox/')).toEqual([`document-outbox/${id}`]);
    a.change((d) => A.splice(d, ['body'], 0, 0, 'written at the office. '));
    await until(() => synced(a));

    net.docs.offline.delete(BOB.deviceId);
    bob.ready(); // the connection is back
    await until(() => text(a) === text(b) && text(a).includes('train') && text(a).includes('office') && synced(a, b));
  });

  it('a removed member cannot read what is written after the removal (a new generation)', async () => {
    const net = await channelOf([ALICE, BOB]);
    const alice = net.device(ALICE);
    const bob = net.device(BOB);
    const id = await alice.documents.create(net.group.channelId, 'blank', 'Case notes');
    const a = (await alice.documents.open(net.group.channelId, id)) as LiveDocument;
    const b = (await bob.documents.open(net.group.channelId, id)) as LiveDocument;
    a.change((d) => A.splice(d, ['body'], 0, 0, 'before. '));
    await until(() => text(b).includes('before'));
    await a.writeSnapshot();
    expect(net.docs.documents.get(id)!.snapshot!.generation).toBe(1);

    await alice.engine.removeMember(net.group.channelId, BOB.userId);
    // Alice's commit wrote the keyring of epoch 2 with a new generation 2.
    expect(Object.keys(await alice.generations()).sort()).toEqual(['1', '2']);
    a.change((d) => A.splice(d, ['body'], 0, 0, 'after the removal. '));
    await until(() => synced(a));
    const updates = net.docs.documents.get(id)!.updates;
    expect(updates[updates.length - 1].generation).toBe(2);
    // The snapshot written before the removal is under generation 1: the next one moves to 2.
    const stored = net.docs.documents.get(id)!;
    await until(() => stored.snapshot?.generation === 2, 10_000);

    // Bob still gets the frames (the worst case) but holds no key for generation 2.
    await until(() => b.status() === 'waiting-for-key');
    expect(text(b)).not.toContain('after the removal');
    expect(Object.keys(await bob.generations())).toEqual(['1']);
    // Nor can he open the keyring of epoch 2 with what his epoch-1 state exports.
    const keyring2 = fromBase64url(net.docs.keyrings.get(`${net.group.channelId}:2`)!);
    const bobState = (await new History(bob.store).loadChannel(net.group.channelId))!.state!;
    await expect(openSealed(await keyringKey(bobState), keyringAad(net.group.channelId, 2), keyring2)).rejects.toMatchObject({ reason: 'NOT_AUTHENTIC' });
  });
});

describe('refused updates', () => {
  /** Alice and Bob on one document, and an update from "Alice" that Bob's browser receives. */
  async function injected(make: (forge: { key: Uint8Array; changes: Uint8Array; context: ReturnType<typeof updateContext>; aliceSignKey: Uint8Array }) => Promise<{ ciphertext: string; signature: string }>) {
    const net = await channelOf([ALICE, BOB]);
    const alice = net.device(ALICE);
    const bob = net.device(BOB);
    const id = await alice.documents.create(net.group.channelId, 'blank', 'Plan');
    const b = (await bob.documents.open(net.group.channelId, id)) as LiveDocument;
    await until(() => synced(b));
    const key = fromBase64url((await alice.generations())['1']);
    const fork = A.change(A.clone(b.doc()), (d) => A.splice(d, ['body'], 0, 0, 'INJECTED'));
    const changes = A.getLastLocalChange(fork)!;
    // Alice's next clientSeq (her first update made the document), so the server stores it.
    const context = updateContext(id, { generation: 1, authorDeviceId: ALICE.deviceId, clientSeq: 2 });
    const body = await make({ key, changes, context, aliceSignKey: alice.keys.signKey });
    // Posted in Alice's name, as a server that lies about the author could.
    await net.docs.route(ALICE, 'POST', `/api/v1/channels/${net.group.channelId}/documents/${id}/updates`, { generation: 1, clientSeq: 2, ...body });
    await until(() => b.status() === 'unverified');
    expect(text(b)).not.toContain('INJECTED');
    return { b };
  }

  it('a signature by another key than the author device’s is refused', async () => {
    const other = crypto.getRandomValues(new Uint8Array(32)); // an Ed25519 seed no leaf holds
    await injected(async ({ key, changes, context }) => {
      const sealed = await sealRecord(key, context, changes);
      return { ciphertext: base64url(sealed), signature: base64url(await signRecord(other, aadOf(context), sealed)) };
    });
  });

  it('a tampered ciphertext is refused even when signed by the author', async () => {
    await injected(async ({ key, changes, context, aliceSignKey }) => {
      const sealed = await sealRecord(key, context, changes);
      sealed[40] ^= 1;
      return { ciphertext: base64url(sealed), signature: base64url(await signRecord(aliceSignKey, aadOf(context), sealed)) };
    });
  });
});

describe('malformed updates from a member or the server', () => {
  it('an authentic update Automerge cannot read is refused, and the good ones in the same batch still apply', async () => {
    const net = await channelOf([ALICE, BOB]);
    const alice = net.device(ALICE);
    const id = await alice.documents.create(net.group.channelId, 'blank', 'Plan');
    const b = (await net.device(BOB).documents.open(net.group.channelId, id)) as LiveDocument;
    await until(() => synced(b));
    net.docs.disconnect(BOB); // both arrive in one catch-up, as one batch
    const key = fromBase64url((await alice.generations())['1']);
    const post = async (clientSeq: number, plaintext: Uint8Array) => {
      const context = updateContext(id, { generation: 1, authorDeviceId: ALICE.deviceId, clientSeq });
      const sealed = await sealRecord(key, context, plaintext);
      const body = { generation: 1, clientSeq, ciphertext: base64url(sealed), signature: base64url(await signRecord(alice.keys.signKey, aadOf(context), sealed)) };
      await net.docs.route(ALICE, 'POST', `/api/v1/channels/${net.group.channelId}/documents/${id}/updates`, body);
    };
    await post(2, new TextEncoder().encode('not an automerge change'));
    const good = A.change(A.clone(b.doc()), (d) => A.splice(d, ['body'], 0, 0, 'good'));
    await post(3, A.getLastLocalChange(good)!);
    await b.received(3, undefined);
    expect(text(b)).toBe('good');
    expect(b.status()).toBe('unverified');
    expect(b.appliedSeq).toBe(3);
  });

  it('a frame whose update is not base64 is refused, not retried forever', async () => {
    const net = await channelOf([ALICE, BOB]);
    const id = await net.device(ALICE).documents.create(net.group.channelId, 'blank', 'Plan');
    const b = (await net.device(BOB).documents.open(net.group.channelId, id)) as LiveDocument;
    await until(() => synced(b));
    const seq = b.appliedSeq + 1;
    await b.received(seq, { seq, generation: 1, authorUserId: 'alice', authorDeviceId: ALICE.deviceId, clientSeq: 9, ciphertext: '%%%', signature: '!!', createdAt: '' });
    expect(b.status()).toBe('unverified');
    expect(b.appliedSeq).toBe(seq);
  });
});

describe('compaction and large documents', () => {
  it('writes a snapshot after 200 updates, and a fresh open reads the snapshot and the updates after it', async () => {
    const net = await channelOf([ALICE, BOB]);
    const alice = net.device(ALICE);
    const bob = net.device(BOB);
    const id = await alice.documents.create(net.group.channelId, 'blank', 'Long');
    const a = (await alice.documents.open(net.group.channelId, id)) as LiveDocument;
    for (let i = 0; i < 205; i++) {
      a.change((d) => A.splice(d, ['body'], d.body.length, 0, `${i} `));
      await a.flushNow();
    }
    const stored = net.docs.documents.get(id)!;
    await until(() => stored.snapshot !== null, 10_000);
    expect(stored.snapshot!.coversSeq).toBeGreaterThanOrEqual(200);
    a.change((d) => A.splice(d, ['body'], d.body.length, 0, 'after the snapshot'));
    await a.flushNow();
    expect(stored.updates.some((u) => u.seq > stored.snapshot!.coversSeq)).toBe(true);

    const fresh = (await bob.documents.open(net.group.channelId, id)) as LiveDocument;
    expect(fresh.snapshotSeq).toBe(stored.snapshot!.coversSeq);
    expect(text(fresh)).toBe(text(a));
    expect(text(fresh)).toMatch(/^0 1 2 .* 204 after the snapshot$/);
  }, 30_000);

  it('opens a 10 000-edit document (measured)', async () => {
    const net = await channelOf([ALICE, BOB]);
    const alice = net.device(ALICE);
    const bob = net.device(BOB);
    const id = await alice.documents.create(net.group.channelId, 'blank', 'Big');
    const a = (await alice.documents.open(net.group.channelId, id)) as LiveDocument;
    const edits = 10_000;
    for (let i = 0; i < edits; i++) a.change((d) => A.splice(d, ['body'], d.body.length, 0, 'x'));
    await a.flushNow();
    await until(() => synced(a));
    const updates = net.docs.documents.get(id)!.updates.length;

    const fromUpdates = (await bob.documents.open(net.group.channelId, id)) as LiveDocument;
    expect(text(fromUpdates)).toBe('x'.repeat(edits));
    fromUpdates.close();
    // Over 256 KiB of updates: a member writes a snapshot, and the next open loads that instead.
    const stored = net.docs.documents.get(id)!;
    await until(() => stored.snapshot !== null, 10_000);
    const fromSnapshot = (await bob.documents.open(net.group.channelId, id)) as LiveDocument;
    expect(fromSnapshot.snapshotSeq).toBe(stored.snapshot!.coversSeq);
    expect(text(fromSnapshot)).toBe('x'.repeat(edits));
    console.info(
      `10 000-edit document: open from ${updates} updates (${stored.updates.reduce((n, u) => n + u.ciphertext.length, 0)} base64 chars) ${fromUpdates.loadMs.toFixed(0)} ms; ` +
        `from the snapshot (${stored.snapshot!.ciphertext.length} base64 chars) ${fromSnapshot.loadMs.toFixed(0)} ms`,
    );
  }, 60_000);
});

describe('keys', () => {
  it('two members starting documents at once share one keyring and one generation', async () => {
    const net = await channelOf([ALICE, BOB]);
    const [x, y] = await Promise.all([
      net.device(ALICE).documents.create(net.group.channelId, 'blank', 'From Alice'),
      net.device(BOB).documents.create(net.group.channelId, 'blank', 'From Bob'),
    ]);
    expect([...net.docs.keyrings.keys()]).toEqual([`${net.group.channelId}:1`]);
    expect(await net.device(ALICE).generations()).toEqual(await net.device(BOB).generations());
    for (const who of [ALICE, BOB]) {
      const titles = (await net.device(who).documents.list(net.group.channelId)).map((d) => [d.id, d.title]);
      expect(titles.sort()).toEqual([[x, 'From Alice'], [y, 'From Bob']].sort());
    }
  });

  it('after a reload the generations come from the key store, not the server', async () => {
    const net = await channelOf([ALICE, BOB]);
    const alice = net.device(ALICE);
    await alice.documents.create(net.group.channelId, 'blank', 'Kept');
    alice.engine.stop();
    const again = new ChannelEngine(alice.api, { ...ALICE, identity: { publicKey: alice.keys.publicKey, signKey: alice.keys.signKey }, store: alice.store, registered: false }, { socketUrl: 'ws://test', socketFactory: fakeSocket().factory });
    running.push(() => again.stop());
    await again.start();
    const before = net.docs.calls.length;
    expect((await again.documents.list(net.group.channelId)).map((d) => d.title)).toEqual(['Kept']);
    expect(net.docs.calls.slice(before).filter((c) => c.includes('document-keyrings'))).toEqual([]);
  });
});

describe('sending', () => {
  it('a resend after a lost answer is recognised by its clientSeq, not stored twice', async () => {
    const net = await channelOf([ALICE, BOB]);
    const bob = net.device(BOB);
    const id = await net.device(ALICE).documents.create(net.group.channelId, 'blank', 'Plan');
    const b = (await bob.documents.open(net.group.channelId, id)) as LiveDocument;
    net.docs.loseAnswer.add(BOB.deviceId);
    b.change((d) => A.splice(d, ['body'], 0, 0, 'once'));
    await until(() => b.status() === 'offline');
    bob.ready();
    await until(() => synced(b));
    expect(net.docs.documents.get(id)!.updates.filter((u) => u.authorDeviceId === BOB.deviceId).map((u) => u.clientSeq)).toEqual([1]);
    expect(await bob.store.get(`document-outbox/${id}`).then((v) => JSON.parse(new TextDecoder().decode(v!)).pending)).toEqual([]);
  });

  it('client-seq-gap: the pending updates are sealed again from the number the server expects', async () => {
    const net = await channelOf([ALICE, BOB]);
    const id = await net.device(ALICE).documents.create(net.group.channelId, 'blank', 'Plan');
    const a = (await net.device(ALICE).documents.open(net.group.channelId, id)) as LiveDocument;
    const b = (await net.device(BOB).documents.open(net.group.channelId, id)) as LiveDocument;
    b.change((d) => A.splice(d, ['body'], 0, 0, 'first '));
    await b.flushNow();
    net.docs.documents.get(id)!.clientSeqs.get(BOB.deviceId)!.clear(); // the server lost what it acknowledged
    b.change((d) => A.splice(d, ['body'], 6, 0, 'second'));
    await b.flushNow();
    expect(b.status()).toBe('synced');
    expect(net.docs.documents.get(id)!.updates.filter((u) => u.authorDeviceId === BOB.deviceId).map((u) => u.clientSeq)).toEqual([1, 1]);
    await until(() => text(a) === 'first second');
  });

  it('an update that skipped the next seq makes the reader fetch the range it missed', async () => {
    const net = await channelOf([ALICE, BOB]);
    const id = await net.device(ALICE).documents.create(net.group.channelId, 'blank', 'Plan');
    const a = (await net.device(ALICE).documents.open(net.group.channelId, id)) as LiveDocument;
    const b = (await net.device(BOB).documents.open(net.group.channelId, id)) as LiveDocument;
    net.docs.disconnect(BOB); // Bob misses the next frames
    a.change((d) => A.splice(d, ['body'], 0, 0, 'one '));
    await a.flushNow();
    a.change((d) => A.splice(d, ['body'], 4, 0, 'two'));
    await a.flushNow();
    const last = net.docs.documents.get(id)!.updates.at(-1)!;
    await b.received(last.seq, last); // only the newest one reaches him
    expect(text(b)).toBe('one two');
    expect(b.appliedSeq).toBe(last.seq);
  });
});

describe('versions and presence', () => {
  it('a signed version lists for both, and restoring it is a new change both converge on', async () => {
    const net = await channelOf([ALICE, BOB]);
    const id = await net.device(ALICE).documents.create(net.group.channelId, 'blank', 'Plan');
    const a = (await net.device(ALICE).documents.open(net.group.channelId, id)) as LiveDocument;
    const b = (await net.device(BOB).documents.open(net.group.channelId, id)) as LiveDocument;
    a.change((d) => A.splice(d, ['body'], 0, 0, 'draft one'));
    a.change((d) => (d.meta.status = new A.ImmutableString('draft')));
    await a.saveVersion('sent to the national coordinator');
    a.change((d) => {
      A.updateText(d, ['body'], 'draft two, rewritten');
      d.meta.status = new A.ImmutableString('adopted');
      d.extra = { note: 'added later' };
    });
    await until(() => text(b) === 'draft two, rewritten');

    const listed = await b.versions();
    expect(listed).toMatchObject([{ name: 'sent to the national coordinator', authorUserId: 'alice', verified: true }]);
    const historyBefore = A.getHistory(b.doc()).length;
    b.restore(listed[0].heads);
    await until(() => text(a) === 'draft one' && synced(a, b));
    expect(String(a.doc().meta.status)).toBe('draft');
    expect(a.doc().extra).toBeUndefined();
    expect(A.getHistory(b.doc()).length).toBe(historyBefore + 1); // forward, never rewritten
  });

  it('presence reaches the others, throttled, and is decrypted with the document key', async () => {
    const net = await channelOf([ALICE, BOB]);
    const alice = net.device(ALICE);
    const id = await alice.documents.create(net.group.channelId, 'blank', 'Plan');
    const a = (await alice.documents.open(net.group.channelId, id)) as LiveDocument;
    const b = (await net.device(BOB).documents.open(net.group.channelId, id)) as LiveDocument;
    const sent = () => alice.socket.sent.filter((f) => f.type === 'document-presence');
    for (const field of ['title', 'body', 'title', 'body', 'title']) a.setPresence(['meta', field]);
    await until(() => b.presence()[0]?.path[1] === 'title');
    expect(b.presence()).toMatchObject([{ userId: 'alice', deviceId: ALICE.deviceId, name: 'alice', path: ['meta', 'title'] }]);
    expect(sent().length).toBeLessThanOrEqual(2); // the first at once, the last after 500 ms
    expect(JSON.stringify(sent())).not.toContain('title');
  });
});
