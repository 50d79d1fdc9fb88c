// @vitest-environment node
// Receiving a channel's log (src/channels/receiving.ts) with real ts-mls 1.6.4 groups, a real
// key store over fake-indexeddb, and a server that is only a list of log entries: it may name
// any sender it likes in an entry, and the browser must believe only the MLS-verified one.
import { IDBFactory } from 'fake-indexeddb';
import {
  type ClientState,
  createApplicationMessage,
  createCommit,
  createGroup,
  defaultCapabilities,
  defaultLifetime,
  emptyPskIndex,
  encodeMlsMessage,
  generateKeyPackage,
  joinGroup,
  type MlsPublicMessage,
  processMessage,
} from 'ts-mls';
import { describe, expect, it } from 'vitest';
import type { Api } from '../src/api';
import { ChannelRecord, History } from '../src/channels/history';
import { type Channel, type EngineContext, type LogEntry } from '../src/channels/model';
import { encodeText } from '../src/channels/payload';
import { encodeGroupId, newGroupId } from '../src/channels/policy';
import { applyEntries, catchUpTo } from '../src/channels/receiving';
import { senderOf } from '../src/channels/trust';
import { base64url, ciphersuite, memberCredential } from '../src/device/identity';
import { KeyStore } from '../src/device/keystore';

const TINY = { m: 64, t: 1, p: 1 };
const ALICE = { userId: 'alice', deviceId: 'alice-laptop' };
const BOB = { userId: 'bob', deviceId: 'bob-browser' };
const CAROL = { userId: 'carol', deviceId: 'carol-phone' };
/** How a message names its sender. */
const from = (who: { userId: string; deviceId: string }) => ({ senderUserId: who.userId, senderDeviceId: who.deviceId });

/** Alice creates a channel and adds Bob and Carol in one commit (seq 1); they join from it. */
async function channelOfThree() {
  const cs = await ciphersuite();
  const kp = (who: { userId: string; deviceId: string }) =>
    generateKeyPackage(memberCredential(who.userId, who.deviceId), defaultCapabilities(), defaultLifetime, [], cs);
  const [alice, bob, carol] = await Promise.all([kp(ALICE), kp(BOB), kp(CAROL)]);
  const groupId = encodeGroupId(newGroupId({ minTier: 'T0', allowedSectors: [], retentionDays: 30, historyOnJoin: false }));
  const created = await createGroup(groupId, alice.publicPackage, alice.privatePackage, [], cs);
  const added = await createCommit(
    { state: created, cipherSuite: cs },
    {
      extraProposals: [bob, carol].map((p) => ({ proposalType: 'add' as const, add: { keyPackage: p.publicPackage } })),
      wireAsPublicMessage: true,
      ratchetTreeExtension: true,
    },
  );
  const join = (p: typeof bob) => joinGroup(added.welcome!, p.publicPackage, p.privatePackage, emptyPskIndex, cs);
  return { cs, alice: added.newState, bob: await join(bob), carol: await join(carol) };
}

/** Bob's browser, following the channel from the commit that added him. */
async function bobsBrowser(state: ClientState, api: Api = {} as Api) {
  const store = await KeyStore.open('bob', 'pw', TINY, new IDBFactory());
  const history = new History(store);
  const context: EngineContext = {
    api, // by default not reached: entries are handed over as frames would be
    device: { ...BOB, identity: undefined as never, store, registered: false },
    history,
    realtime: null,
    rootKey: null,
    revoked: new Set(),
    now: () => new Date(),
    changed: () => {},
  };
  const record = ChannelRecord.empty();
  record.cursor = 1;
  const c: Channel = {
    id: 'c1',
    server: {} as Channel['server'],
    record,
    state,
    messages: [],
    pending: null,
    members: [],
    removed: false,
    queue: Promise.resolve(),
    acked: 1,
    leaving: false,
  };
  return { context, c, history, close: () => (clearTimeout(c.ackTimer), store.close()) };
}

/** A log entry for `state`'s message, naming whatever sender the server chooses. */
async function messageEntry(
  cs: Awaited<ReturnType<typeof ciphersuite>>,
  state: ClientState,
  body: string,
  seq: number,
  named: { userId: string; deviceId: string },
): Promise<{ entry: LogEntry; state: ClientState }> {
  const sent = await createApplicationMessage(state, encodeText(body), cs);
  const ciphertext = base64url(encodeMlsMessage({ privateMessage: sent.privateMessage, wireformat: 'mls_private_message', version: 'mls10' }));
  const entry: LogEntry = {
    seq,
    kind: 'message',
    epoch: 1,
    senderUserId: named.userId,
    senderDeviceId: named.deviceId,
    sentAt: '2026-11-23T10:00:00Z',
    ciphertext,
  };
  return { entry, state: sent.newState };
}

describe('the sender of a message', () => {
  it('is the one the server names when MLS agrees', async () => {
    const group = await channelOfThree();
    const bob = await bobsBrowser(group.bob);
    const { entry } = await messageEntry(group.cs, group.alice, 'hello from Alice', 2, ALICE);
    await applyEntries(bob.context, bob.c, [entry]);
    expect(bob.c.messages).toMatchObject([{ seq: 2, ...from(ALICE), body: 'hello from Alice', state: 'received' }]);
    expect(bob.c.record.cursor).toBe(2);
    bob.close();
  });

  it.each([
    { name: 'another member', named: ALICE },
    { name: 'the right user with another device', named: { userId: CAROL.userId, deviceId: ALICE.deviceId } },
    { name: 'another user with the right device', named: { userId: ALICE.userId, deviceId: CAROL.deviceId } },
    { name: 'someone not in the channel', named: { userId: 'mallory', deviceId: 'mallory-pc' } },
  ])('is never what a hostile server claims instead: $name', async ({ named }) => {
    const group = await channelOfThree();
    const bob = await bobsBrowser(group.bob);
    // Carol writes; the server files it under another name.
    const forged = await messageEntry(group.cs, group.carol, 'signed by Carol', 2, named);
    // Alice writes next, honestly named: the channel goes on.
    const honest = await messageEntry(group.cs, group.alice, 'hello from Alice', 3, ALICE);
    await applyEntries(bob.context, bob.c, [forged.entry, honest.entry]);

    expect(bob.c.messages.map((m) => m.body)).not.toContain('signed by Carol');
    expect(bob.c.messages).toMatchObject([
      { seq: 2, body: '', state: 'undecryptable', error: 'sender-mismatch' },
      { seq: 3, ...from(ALICE), body: 'hello from Alice', state: 'received' },
    ]);
    expect(bob.c.record.cursor).toBe(3);
    // What a reload shows is the same: the refusal was stored, not the text.
    const stored = await bob.history.messages('c1');
    expect(stored.map((m) => [m.seq, m.body, m.state, m.error])).toEqual([
      [2, '', 'undecryptable', 'sender-mismatch'],
      [3, 'hello from Alice', 'received', undefined],
    ]);
    expect((await bob.history.loadChannel('c1'))!.record.cursor).toBe(3);
    bob.close();
  });
});

describe('the MLS-verified sender', () => {
  it('is read with the secrets of the epoch the message was sent in', async () => {
    const group = await channelOfThree();
    const late = await createApplicationMessage(group.carol, encodeText('sent in epoch 1'), group.cs);
    // Alice commits (epoch 2) before Bob reads Carol's message of epoch 1.
    const commit = await createCommit({ state: group.alice, cipherSuite: group.cs }, { wireAsPublicMessage: true });
    const bob = await processMessage(commit.commit as MlsPublicMessage, group.bob, emptyPskIndex, () => 'accept', group.cs);
    expect(bob.newState.groupContext.epoch).toBe(2n);
    const read = await processMessage(
      { privateMessage: late.privateMessage, wireformat: 'mls_private_message' },
      bob.newState,
      emptyPskIndex,
      () => 'accept',
      group.cs,
    );
    expect(read.kind).toBe('applicationMessage');
    expect(await senderOf(bob.newState, late.privateMessage, group.cs)).toMatchObject({ ...CAROL, leaf: 2 });
  });
});

/** A server whose log kept only `entries` (older ones expired); it answers each `after` once. */
function serverKeeping(entries: LogEntry[], firstSeq: number) {
  const asked: number[] = [];
  const api = {
    call: async (method: string, path: string) => {
      const after = Number(new URL(path, 'http://x').searchParams.get('after'));
      if (asked.includes(after)) throw new Error(`asked again after ${after}: ${asked.join(', ')}`);
      asked.push(after);
      expect(method).toBe('GET');
      const items = entries.filter((e) => e.seq > after);
      return { items, firstSeq, next: items.length ? items[items.length - 1].seq : after };
    },
  } as unknown as Api;
  return { api, asked };
}

describe('catching up past expired entries', () => {
  it('skips what retention deleted in our epoch and reads on', async () => {
    const group = await channelOfThree();
    // Seqs 2..6 were Carol's messages, deleted by retention; 7 and 8 are kept.
    let alice = group.alice;
    const kept: LogEntry[] = [];
    for (const seq of [7, 8]) {
      const sent = await messageEntry(group.cs, alice, `kept ${seq}`, seq, ALICE);
      alice = sent.state;
      kept.push(sent.entry);
    }
    const server = serverKeeping(kept, 7);
    const bob = await bobsBrowser(group.bob, server.api);
    await catchUpTo(bob.context, bob.c, Number.MAX_SAFE_INTEGER);
    expect(bob.c.messages.map((m) => [m.seq, m.body])).toEqual([
      [7, 'kept 7'],
      [8, 'kept 8'],
    ]);
    expect(bob.c.record.cursor).toBe(8);
    expect(server.asked).toEqual([1, 8]);
    bob.close();
  });

  it('refuses to skip commits it still needed, without asking forever', async () => {
    const group = await channelOfThree();
    const { entry } = await messageEntry(group.cs, group.alice, 'of a later epoch', 7, ALICE);
    // The kept entry is of epoch 2: the commit that opened it (seq <= 6) expired.
    const server = serverKeeping([{ ...entry, epoch: 2 }], 7);
    const bob = await bobsBrowser(group.bob, server.api);
    await expect(catchUpTo(bob.context, bob.c, Number.MAX_SAFE_INTEGER)).rejects.toMatchObject({ code: 'history-expired' });
    expect(bob.c.record.cursor).toBe(1);
    expect(bob.c.messages).toEqual([]);
    bob.close();
  });
});
