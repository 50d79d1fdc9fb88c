// @vitest-environment node
// The channel engine through the trust lifecycle (docs/protocol.md; contract items 1-3): one
// browser's real ChannelEngine, real ts-mls groups whose members carry real attestations, the
// real key store, and a server that is a few routes in memory plus a socket the test speaks for.
// - the network key set after the channel existed: pinned on `network-updated` or `ready`, and
//   the channel sends again;
// - withdrawn attestations: read at start and on `network-updated`, the member is not trusted;
// - removals recorded in the channel (`removalsDue`): carried out at start, on `ready` and on
//   `channel-updated`, by the same path as announced ones, and only leaves that are due.
import { IDBFactory } from 'fake-indexeddb';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ChannelEngine } from '../src/channels/engine';
import { ChannelRecord, History } from '../src/channels/history';
import type { DueRemoval, ServerChannel } from '../src/channels/model';
import { attestationHash } from '../src/crypto/attestation';
import { KeyStore } from '../src/device/keystore';
import { fakeServer, fakeSocket, until } from './fake-server';
import { keyPair, OPEN_POLICY, trustedChannel, type Who } from './trusted-group';

const TINY = { m: 64, t: 1, p: 1 };
const ALICE = { userId: 'alice', deviceId: 'alice-laptop' };
const BOB = { userId: 'bob', deviceId: 'bob-browser' };
const CAROL = { userId: 'carol', deviceId: 'carol-phone' };
/** Longer than the healing pause (at most 1.7 s): a removal that did not happen by then will not. */
const PAUSE_MS = 2200;

// What the realtime connection asks of a browser, in node: no network events, and the socket's
// OPEN constant (the socket itself is the test's).
beforeAll(() => {
  vi.stubGlobal('addEventListener', () => {});
  vi.stubGlobal('removeEventListener', () => {});
  vi.stubGlobal('WebSocket', { OPEN: 1 });
});

const running: { stop: () => void; close: () => void }[] = [];
afterEach(() => {
  for (const r of running.splice(0)) {
    r.stop();
    r.close();
  }
});

let stores = 0;

/** Alice's browser in a channel with `members` (Alice first), started against the fake server. */
async function alicesBrowser(members: Who[], setup: { root?: boolean; owners?: string[]; due?: DueRemoval[]; revoked?: string[] } = {}) {
  const group = await trustedChannel(members);
  const store = await KeyStore.open(`engine-${stores++}`, 'pw', TINY, new IDBFactory());
  const record = ChannelRecord.empty();
  record.cursor = 1; // the commit that added the others
  await new History(store).saveChannel(group.channelId, record, group.states.get(ALICE.deviceId)!);
  const channel: ServerChannel = {
    id: group.channelId,
    groupId: '',
    kind: 'team',
    policy: OPEN_POLICY,
    owners: setup.owners ?? [ALICE.userId],
    epoch: 1,
    members: [],
    createdAt: '2026-12-01T10:00:00Z',
    removalsDue: setup.due ?? [],
  };
  const server = fakeServer(ALICE, channel, 1);
  if (setup.root !== false) server.state.rootKey = group.root.publicKey;
  for (const deviceId of setup.revoked ?? []) await revoke(server, group, deviceId);
  const socket = fakeSocket();
  const engine = new ChannelEngine(server.api, { ...ALICE, identity: undefined as never, store, registered: false }, { socketUrl: 'ws://test', socketFactory: socket.factory });
  running.push({ stop: () => engine.stop(), close: () => store.close() });
  await engine.start();
  await until(socket.opened);
  const view = () => engine.channel(group.channelId)!;
  const inChannel = () => view().members.map((m) => m.userId);
  const untrusted = () => Object.fromEntries(view().untrusted.map((m) => [m.userId, m.problem]));
  const ready = () => socket.deliver({ type: 'ready', deviceId: ALICE.deviceId, channels: [{ id: group.channelId, epoch: 1, lastAck: 1 }] });
  return { group, server, socket, engine, view, inChannel, untrusted, ready };
}

async function revoke(server: ReturnType<typeof fakeServer>, group: Awaited<ReturnType<typeof trustedChannel>>, deviceId: string) {
  const seq = server.state.revocations.length + 1;
  server.state.revocations.push({ seq, attestation: await attestationHash(group.chains.get(deviceId)!), reason: 'tier-changed' });
}

describe('the network key, published after the channel was made', () => {
  it.each([
    { name: 'on network-updated root-key', frame: { type: 'network-updated', reason: 'root-key' } },
    { name: 'on the next ready while none is pinned', frame: 'ready' as const },
  ])('is pinned and the channel sends again: $name', async ({ frame }) => {
    const alice = await alicesBrowser([ALICE, BOB], { root: false });
    expect(alice.untrusted()).toEqual({ alice: 'no-root', bob: 'no-root' });
    const revision = alice.engine.trustRevision;

    alice.server.state.rootKey = alice.group.root.publicKey; // the admin sets it
    if (frame === 'ready') alice.ready();
    else alice.socket.deliver(frame);
    await until(() => alice.view().untrusted.length === 0);
    expect(alice.inChannel()).toEqual(['alice', 'bob']);
    // The workspace reads the directory again when this moves (names instead of "Unknown member").
    expect(alice.engine.trustRevision).toBeGreaterThan(revision);
  });

  it('stops the engine when it differs from the one pinned', async () => {
    const alice = await alicesBrowser([ALICE, BOB]);
    alice.server.state.rootKey = (await keyPair()).publicKey;
    alice.socket.deliver({ type: 'network-updated', reason: 'root-key' });
    await until(() => alice.engine.fatal !== null);
    expect(alice.engine.fatal).toBe('root-key-changed');
  });
});

describe('withdrawn attestations', () => {
  it('read at start: the member is not trusted and the channel is paused', async () => {
    const alice = await alicesBrowser([ALICE, BOB, CAROL], { revoked: [BOB.deviceId] });
    expect(alice.untrusted()).toEqual({ bob: 'attestation-revoked' });
  });

  it.each([
    { name: 'on network-updated attestations-revoked', deliver: (a: Awaited<ReturnType<typeof alicesBrowser>>) => a.socket.deliver({ type: 'network-updated', reason: 'attestations-revoked' }) },
    { name: 'on ready (frames missed while offline)', deliver: (a: Awaited<ReturnType<typeof alicesBrowser>>) => a.ready() },
  ])('read again $name', async ({ deliver }) => {
    const alice = await alicesBrowser([ALICE, BOB, CAROL]);
    expect(alice.untrusted()).toEqual({});
    await revoke(alice.server, alice.group, CAROL.deviceId);
    deliver(alice);
    await until(() => alice.view().untrusted.length > 0);
    expect(alice.untrusted()).toEqual({ carol: 'attestation-revoked' });
  });
});

describe('removals recorded in the channel', () => {
  const bobAll = (reason: DueRemoval['reason']): DueRemoval => ({ userId: BOB.userId, deviceId: null, reason });

  it.each<{ name: string; when: 'start' | 'ready' | 'channel-updated'; due: DueRemoval[]; owners?: string[]; removed: boolean }>([
    { name: 'a leave request, at start', when: 'start', due: [bobAll('leave-requested')], removed: true },
    { name: 'a revoked device, on ready', when: 'ready', due: [{ userId: BOB.userId, deviceId: BOB.deviceId, reason: 'device-revoked' }], removed: true },
    { name: 'a suspended member, on channel-updated', when: 'channel-updated', due: [bobAll('member-suspended')], removed: true },
    { name: 'a lowered tier, by an owner', when: 'ready', due: [bobAll('tier-lowered')], removed: true },
    { name: 'a lowered tier, by a member who is no owner', when: 'channel-updated', due: [bobAll('tier-lowered')], owners: [CAROL.userId], removed: true },
    { name: 'a reason this client does not know', when: 'ready', due: [{ userId: BOB.userId, deviceId: null, reason: 'sector-changed' as DueRemoval['reason'] }], removed: false },
    { name: 'another device of Bob’s (not in the channel)', when: 'ready', due: [{ userId: BOB.userId, deviceId: 'bob-old-pc', reason: 'device-revoked' }], removed: false },
    { name: 'this device itself (MLS lets nobody commit their own removal)', when: 'ready', due: [{ userId: ALICE.userId, deviceId: null, reason: 'leave-requested' }], removed: false },
  ])('$name', async ({ when, due, owners, removed }) => {
    const alice = await alicesBrowser([ALICE, BOB, CAROL], { owners, due: when === 'start' ? due : [] });
    if (when === 'ready') {
      alice.server.due(due);
      alice.ready();
    }
    if (when === 'channel-updated') {
      alice.server.due(due);
      alice.socket.deliver({ type: 'channel-updated', channelId: alice.group.channelId, reason: 'meta' });
    }
    if (removed) {
      await until(() => !alice.inChannel().includes('bob'));
      expect(alice.inChannel()).toEqual(['alice', 'carol']);
      expect(alice.server.state.commits).toBe(1);
    } else {
      await new Promise((r) => setTimeout(r, PAUSE_MS));
      expect(alice.server.state.commits).toBe(0);
      expect(alice.inChannel()).toEqual(['alice', 'bob', 'carol']);
    }
  });

  it('an announced removal the channel record does not list yet (an older server) takes the same path', async () => {
    const alice = await alicesBrowser([ALICE, BOB, CAROL]);
    alice.socket.deliver({ type: 'channel-updated', channelId: alice.group.channelId, reason: 'leave-requested', userId: BOB.userId });
    await until(() => !alice.inChannel().includes('bob'));
    expect(alice.server.state.commits).toBe(1);
  });

  it('marks this member as leaving when the record lists their own leave request', async () => {
    const alice = await alicesBrowser([ALICE, BOB], { due: [{ userId: ALICE.userId, deviceId: null, reason: 'leave-requested' }] });
    expect(alice.view().leaving).toBe(true);
  });
});

describe('a coordinator told that confirmations are needed', () => {
  it('counts the frame, so the pending-devices panel reads its list again', async () => {
    const alice = await alicesBrowser([ALICE, BOB]);
    const changes: number[] = [];
    alice.engine.subscribe(() => changes.push(alice.engine.confirmationsNeeded.count));
    alice.socket.deliver({ type: 'confirmations-needed', userId: BOB.userId, cityId: 'city-1', reason: 'changed' });
    expect(alice.engine.confirmationsNeeded).toEqual({ count: 1, userId: BOB.userId, newDevice: false });
    expect(changes).toContain(1);
    // A new device registered: the panel says so rather than "their tier changed".
    alice.socket.deliver({ type: 'confirmations-needed', userId: BOB.userId, cityId: 'city-1', reason: 'new-device' });
    expect(alice.engine.confirmationsNeeded).toEqual({ count: 2, userId: BOB.userId, newDevice: true });
  });
});

describe('this member’s device status (device-updated)', () => {
  it('moves deviceRevision, tells the workspace, and tops up key packages once this device is confirmed', async () => {
    const alice = await alicesBrowser([ALICE, BOB]);
    let told = 0;
    alice.engine.subscribe(() => told++);
    const counts = () => alice.server.state.calls.filter((c) => c === 'GET /api/v1/key-packages/count').length;
    const before = { revision: alice.engine.deviceRevision, counts: counts() };

    // Another of Alice's devices: the panel reads the list again; no key packages of this one.
    alice.socket.deliver({ type: 'device-updated', deviceId: 'alice-old-phone', status: 'active' });
    expect(alice.engine.deviceRevision).toBe(before.revision + 1);
    expect(told).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 50));
    expect(counts()).toBe(before.counts);

    // This device, confirmed: others can add it as soon as it has key packages.
    alice.socket.deliver({ type: 'device-updated', deviceId: ALICE.deviceId, status: 'active' });
    expect(alice.engine.deviceRevision).toBe(before.revision + 2);
    await until(() => counts() > before.counts);

    // Sent back to pending (a tier change): read again, nothing uploaded.
    alice.socket.deliver({ type: 'device-updated', deviceId: ALICE.deviceId, status: 'pending' });
    expect(alice.engine.deviceRevision).toBe(before.revision + 3);
    await new Promise((r) => setTimeout(r, 50));
    expect(counts()).toBe(before.counts + 1);
  });

  it('is read again on every ready (a notice may have been missed while offline)', async () => {
    const alice = await alicesBrowser([ALICE, BOB]);
    const before = alice.engine.deviceRevision;
    alice.ready();
    expect(alice.engine.deviceRevision).toBe(before + 1);
  });
});
