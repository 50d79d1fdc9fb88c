// @vitest-environment node
// Member verification across the trust lifecycle (src/channels/trust.ts), with real ts-mls
// groups, real attestation chains from a real network root, and the real key store: a withdrawn
// attestation makes its member untrusted until a new leaf replaces it; a root key published
// after the channel existed is pinned and the members verify.
import { IDBFactory } from 'fake-indexeddb';
import { createCommit, type ClientState } from 'ts-mls';
import { describe, expect, it } from 'vitest';
import type { Api } from '../src/api';
import { ChannelRecord, History } from '../src/channels/history';
import type { Channel, EngineContext } from '../src/channels/model';
import { pinnedRootKey, refreshRootKey, reverifyAll, verifyMembers } from '../src/channels/trust';
import { attestationHash } from '../src/crypto/attestation';
import { base64url } from '../src/device/identity';
import { KeyStore } from '../src/device/keystore';
import { attestedKeyPackage, keyPair, trustedChannel } from './trusted-group';

const TINY = { m: 64, t: 1, p: 1 };
const ALICE = { userId: 'alice', deviceId: 'alice-laptop' };
const BOB = { userId: 'bob', deviceId: 'bob-browser' };
const CAROL = { userId: 'carol', deviceId: 'carol-phone' };

const trustOf = (rootKey: Uint8Array | null, revoked: string[] = []) => ({ rootKey, revoked: new Set(revoked), now: () => new Date() });
const problems = (members: { userId: string; problem?: string }[]) => Object.fromEntries(members.map((m) => [m.userId, m.problem ?? 'ok']));

describe('a withdrawn attestation', () => {
  it.each([
    { name: 'nobody listed: all trusted', listed: [] as string[], expected: { alice: 'ok', bob: 'ok', carol: 'ok' } },
    { name: 'Bob’s device attestation listed: Bob is not trusted', listed: ['bob-browser'], expected: { alice: 'ok', bob: 'attestation-revoked', carol: 'ok' } },
    { name: 'two listed', listed: ['bob-browser', 'carol-phone'], expected: { alice: 'ok', bob: 'attestation-revoked', carol: 'attestation-revoked' } },
  ])('$name', async ({ listed, expected }) => {
    const group = await trustedChannel([ALICE, BOB, CAROL]);
    const hashes = await Promise.all(listed.map((d) => attestationHash(group.chains.get(d)!)));
    const members = await verifyMembers(trustOf(group.root.publicKey, hashes), group.states.get(ALICE.deviceId)!);
    expect(problems(members)).toEqual(expected);
  });

  it('stops counting once a new leaf with a new attestation replaces the listed one', async () => {
    const group = await trustedChannel([ALICE, BOB]);
    const revoked = [await attestationHash(group.chains.get(BOB.deviceId)!)];
    // Bob's device was confirmed again: a new key and attestation; Alice replaces his leaf.
    const again = await attestedKeyPackage(group.root, BOB);
    const replaced = await createCommit(
      { state: group.states.get(ALICE.deviceId)!, cipherSuite: group.cs },
      {
        extraProposals: [
          { proposalType: 'remove', remove: { removed: 1 } },
          { proposalType: 'add', add: { keyPackage: again.publicPackage } },
        ],
        wireAsPublicMessage: true,
        ratchetTreeExtension: true,
      },
    );
    expect(problems(await verifyMembers(trustOf(group.root.publicKey, revoked), group.states.get(ALICE.deviceId)!))).toEqual({ alice: 'ok', bob: 'attestation-revoked' });
    expect(problems(await verifyMembers(trustOf(group.root.publicKey, revoked), replaced.newState))).toEqual({ alice: 'ok', bob: 'ok' });
  });
});

/** A server whose `GET /api/v1/network` answers `rootKey` (null until an admin sets it). */
function networkServer() {
  const server = { rootKey: null as Uint8Array | null };
  const api = {
    call: async (method: string, path: string) => {
      expect([method, path]).toEqual(['GET', '/api/v1/network']);
      return { rootKey: server.rootKey ? base64url(server.rootKey) : null };
    },
  } as unknown as Api;
  return { api, server };
}

async function browserOf(state: ClientState, api: Api) {
  const store = await KeyStore.open('trust', 'pw', TINY, new IDBFactory());
  const context: EngineContext = {
    api,
    device: { ...ALICE, identity: undefined as never, store, registered: false },
    history: new History(store),
    realtime: null,
    rootKey: null,
    revoked: new Set(),
    now: () => new Date(),
    changed: () => {},
  };
  const c: Channel = {
    id: 'c1',
    server: {} as Channel['server'],
    record: ChannelRecord.empty(),
    state,
    messages: [],
    pending: null,
    members: [],
    removed: false,
    queue: Promise.resolve(),
    acked: 0,
    leaving: false,
  };
  return { context, c, store };
}

describe('a network key published after the channel was made', () => {
  it('is pinned when it appears, and the members then verify', async () => {
    const group = await trustedChannel([ALICE, BOB]);
    const network = networkServer();
    const alice = await browserOf(group.states.get(ALICE.deviceId)!, network.api);
    alice.c.members = await verifyMembers(alice.context, alice.c.state);
    expect(problems(alice.c.members)).toEqual({ alice: 'no-root', bob: 'no-root' });
    // Asking again before the admin set it changes nothing.
    expect(await refreshRootKey(alice.context)).toBe(false);

    network.server.rootKey = group.root.publicKey;
    expect(await refreshRootKey(alice.context)).toBe(true);
    await reverifyAll(alice.context, [alice.c]);
    expect(problems(alice.c.members)).toEqual({ alice: 'ok', bob: 'ok' });
    // Pinned: the next read compares with it.
    expect(await refreshRootKey(alice.context)).toBe(false);
    alice.store.close();
  });

  it('is refused when it differs from the one pinned', async () => {
    const group = await trustedChannel([ALICE, BOB]);
    const network = networkServer();
    const alice = await browserOf(group.states.get(ALICE.deviceId)!, network.api);
    network.server.rootKey = group.root.publicKey;
    await refreshRootKey(alice.context);
    network.server.rootKey = (await keyPair()).publicKey;
    await expect(refreshRootKey(alice.context)).rejects.toMatchObject({ code: 'root-key-changed' });
    await expect(pinnedRootKey(network.api, alice.store)).rejects.toMatchObject({ code: 'root-key-changed' });
    alice.store.close();
  });
});
