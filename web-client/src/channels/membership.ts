/**
 * Who is in a channel: creating it, adding members (and a member's new devices), removing them,
 * leaving, and joining from a Welcome. Every change is one MLS commit, posted to the server and
 * adopted when the log reaches it (`receiving.ts`); a lost race catches up and tries again.
 */
import {
  type ClientState,
  type Proposal,
  createCommit,
  createGroup,
  createGroupInfoWithExternalPubAndRatchetTree,
  decodeMlsMessage,
  defaultCapabilities,
  defaultLifetime,
  emptyPskIndex,
  encodeMlsMessage,
  generateKeyPackageWithKey,
  joinGroup,
} from 'ts-mls';
import { ApiError } from '../api';
import { base64url, ciphersuite, fromBase64url, memberCredential, spendKeyPackage } from '../device/identity';
import { serial } from './channelLog';
import { ChannelRecord } from './history';
import { claimKeyPackages, type ClaimedDevice, ownAttestation, topUpKeyPackages, welcomedKeyPackage } from './keyPackages';
import { metaKey, readMeta, rememberMetaKey, writeMeta } from './meta';
import {
  type Channel,
  ChannelError,
  type ChannelKind,
  type DueRemoval,
  type EngineContext,
  epochOf,
  fetchChannel,
  type MemberTrust,
  type ServerChannel,
  sleep,
} from './model';
import { type ChannelMeta, encryptMeta } from './payload';
import { type ChannelPolicy, decodeGroupId, encodeGroupId, newGroupId, samePolicy } from './policy';
import { catchUpTo, requestSync, scheduleAck } from './receiving';
import { isDue, leavesDue } from './removals';
import { verifyMembers } from './trust';

const COMMIT_RETRIES = 3;

/**
 * Creates the group with this device as its only member and registers the channel; its record
 * (name, meta key) and group state are saved for the engine to load.
 */
export async function createChannel(context: EngineContext, kind: ChannelKind, policy: ChannelPolicy, meta: ChannelMeta): Promise<ServerChannel> {
  const { api, device, history } = context;
  const id = newGroupId(policy);
  const cs = await ciphersuite();
  const chain = await ownAttestation(context);
  const { publicPackage, privatePackage } = await generateKeyPackageWithKey(
    memberCredential(device.userId, device.deviceId, chain),
    defaultCapabilities(),
    defaultLifetime,
    [],
    { signKey: device.identity.signKey, publicKey: device.identity.publicKey },
    cs,
  );
  const state = await createGroup(encodeGroupId(id), publicPackage, privatePackage, [], cs);
  const groupInfo = await encodedGroupInfo(state);
  const key = await metaKey(state);
  const server = await api.call<ServerChannel>('POST', '/api/v1/channels', {
    groupId: base64url(encodeGroupId(id)),
    kind,
    policy: id.policy,
    groupInfo,
    meta: { epoch: epochOf(state), ciphertext: base64url(await encryptMeta(key, meta)) },
  });
  const record = ChannelRecord.empty();
  record.meta = meta;
  rememberMetaKey(record, state, key);
  await history.saveChannel(server.id, record, state);
  return server;
}

async function encodedGroupInfo(state: ClientState): Promise<string> {
  const info = await createGroupInfoWithExternalPubAndRatchetTree(state, [], await ciphersuite());
  return base64url(encodeMlsMessage({ groupInfo: info, wireformat: 'mls_group_info', version: 'mls10' }));
}

/**
 * Commits proposals: posts the commit, then reads the log up to it, adopting our new state
 * there. A lost race (`wrong-epoch`) catches up and tries again, up to three times.
 */
async function commit(context: EngineContext, c: Channel, proposals: () => Proposal[]): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await serial(c, async () => {
        if (!c.state) throw new ChannelError('not-joined', 'This browser is not in the channel yet');
        const list = proposals();
        if (list.length === 0) return;
        const cs = await ciphersuite();
        const result = await createCommit({ state: c.state, cipherSuite: cs }, { extraProposals: list, wireAsPublicMessage: true, ratchetTreeExtension: true });
        const body = {
          epoch: epochOf(c.state),
          commit: base64url(encodeMlsMessage(result.commit)),
          ...(result.welcome ? { welcome: base64url(encodeMlsMessage({ welcome: result.welcome, wireformat: 'mls_welcome', version: 'mls10' })) } : {}),
          groupInfo: await encodedGroupInfo(result.newState),
        };
        const accepted = await context.api.call<{ seq: number; epoch: number }>('POST', `/api/v1/channels/${c.id}/commits`, body);
        c.pending = { seq: accepted.seq, state: result.newState, metaKey: await metaKey(result.newState) };
        await catchUpTo(context, c, accepted.seq);
        await writeMeta(context, c);
        // The committer writes the document keyring too; a removal starts a new generation.
        await context.afterCommit?.(c, list.some((p) => p.proposalType === 'remove')).catch((e) => console.warn('document keyring', e));
        c.server = await fetchChannel(context.api, c.id);
      });
      context.changed();
      return;
    } catch (e) {
      if (attempt < COMMIT_RETRIES && e instanceof ApiError && e.code === 'wrong-epoch') {
        await serial(c, () => catchUpTo(context, c, Number.MAX_SAFE_INTEGER));
        continue;
      }
      throw e;
    }
  }
}

/** Claims a key package for each user's devices and adds them in one commit. */
export async function addMembers(context: EngineContext, c: Channel, userIds: string[]): Promise<{ missing: string[] }> {
  const claimed = await claimKeyPackages(context, userIds);
  await addMissing(context, c, claimed.items);
  return { missing: claimed.missing };
}

/**
 * Brings a member's devices in the channel up to date: adds their active devices that are not
 * in it (a browser restored from the key backup, a new laptop) and removes their leaves whose
 * devices are no longer active (revoked). Removes first, in their own commit.
 */
export async function addAgain(context: EngineContext, c: Channel, userId: string): Promise<{ missing: string[] }> {
  const claimed = await claimKeyPackages(context, [userId]);
  const active = new Set(claimed.items.map((item) => item.deviceId));
  await removeLeaves(context, c, (m) => m.userId === userId && !active.has(m.deviceId));
  await addMissing(context, c, claimed.items);
  return { missing: claimed.missing };
}

/** Adds, in one commit, the claimed devices that are not in the channel yet. */
async function addMissing(context: EngineContext, c: Channel, claimed: ClaimedDevice[]) {
  const present = new Set(c.members.map((m) => m.deviceId));
  const adds = claimed.filter((item) => !present.has(item.deviceId)).map((item) => item.add);
  if (adds.length > 0) await commit(context, c, () => adds);
}

/**
 * Adds a member's device that the server points out as addable (`device-ready`: confirmed, with
 * key packages; a restored browser or a second laptop) to a channel the member is in, unless it is
 * in already. After the healing pause, so one online owner usually adds it and the others find it
 * there; the proposals are read again at commit time for the same reason.
 */
export async function addReadyDevice(
  context: EngineContext,
  c: Channel,
  userId: string,
  deviceId: string,
  pause: () => Promise<unknown> = healingPause,
): Promise<void> {
  const present = () => c.members.some((m) => m.deviceId === deviceId);
  const memberHere = () => c.members.some((m) => m.userId === userId);
  await pause();
  if (!c.state || present() || !memberHere()) return;
  const claimed = await claimKeyPackages(context, [userId]);
  const item = claimed.items.find((i) => i.deviceId === deviceId);
  if (!item) return;
  await commit(context, c, () => (present() ? [] : [item.add]));
}

export async function removeMember(context: EngineContext, c: Channel, userId: string): Promise<void> {
  await removeLeaves(context, c, (m) => m.userId === userId);
}

/** Removes, in one commit, the leaves that match (never this device's own). */
async function removeLeaves(context: EngineContext, c: Channel, which: (m: MemberTrust) => boolean) {
  await commit(context, c, () =>
    c.members
      .filter((m) => which(m) && m.deviceId !== context.device.deviceId)
      .map((m) => ({ proposalType: 'remove', remove: { removed: m.leaf } }) as Proposal),
  );
}

/** The pause before healing: usually one online member commits first, the others then find nothing. */
export const healingPause = () => sleep(200 + Math.random() * 1500);

/**
 * Carries out the removals due in the channel (a member asked to leave, a device was revoked, a
 * member suspended or their tier lowered) that this device may make (`removals.ts`), in one
 * commit: the one path for removals announced live and those recorded in the channel. Every
 * online member hears of them; after a short random pause one commits first, and the others'
 * commits then have nothing left to remove (which leaves are due is read again at commit time).
 */
export async function carryOutRemovals(context: EngineContext, c: Channel, due: DueRemoval[], pause: () => Promise<unknown> = healingPause) {
  const self = { userId: context.device.userId, deviceId: context.device.deviceId };
  if (!c.state || leavesDue(c.members, due, self).length === 0) return;
  await pause();
  // A refusal (another member's commit won, or the server does not let us) is not ours to show.
  await removeLeaves(context, c, (m) => isDue(m, due, self)).catch(() => {});
}

/** Asks to leave; a remaining member commits the removal. */
export async function leave(context: EngineContext, c: Channel): Promise<void> {
  await context.api.call('POST', `/api/v1/channels/${c.id}/leave`, {});
  c.leaving = true;
  context.changed();
}

/**
 * Joins from a Welcome made for one of our key packages, after checking that the group is the
 * channel the server says, with the policy it says; then reads the log on from the Welcome.
 */
export async function join(context: EngineContext, c: Channel, w: { seq: number; epoch: number; welcome: string }) {
  const { device, history } = context;
  const decoded = decodeMlsMessage(fromBase64url(w.welcome), 0)?.[0];
  if (!decoded || decoded.wireformat !== 'mls_welcome') throw new ChannelError('malformed-mls', 'not a Welcome');
  const found = await welcomedKeyPackage(device, decoded.welcome);
  if (!found) throw new ChannelError('key-package-unknown', 'This browser does not hold the key package the Welcome names');
  const { ref, keyPackage } = found;
  const cs = await ciphersuite();
  const state = await joinGroup(decoded.welcome, keyPackage.publicPackage, keyPackage.privatePackage, emptyPskIndex, cs);
  const group = decodeGroupId(state.groupContext.groupId);
  c.server = await fetchChannel(context.api, c.id);
  if (group.channelId !== c.id || !samePolicy(group.policy, c.server.policy)) {
    throw new ChannelError('policy-mismatch', 'The server claims another policy than the channel has');
  }
  c.state = state;
  c.removed = false;
  // The log resumes from the Welcome; keys of an earlier membership are of no use.
  c.record.cursor = w.seq;
  const key = await metaKey(state);
  c.record.metaKeys = {};
  rememberMetaKey(c.record, state, key);
  c.members = await verifyMembers(context, c.state);
  await history.saveChannel(c.id, c.record, state);
  await spendKeyPackage(device.store, ref);
  await readMeta(context, c);
  requestSync(context, c);
  scheduleAck(context, c);
  void topUpKeyPackages(context).catch(() => {});
}
