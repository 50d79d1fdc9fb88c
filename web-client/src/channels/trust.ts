/**
 * Whom a channel may hold: the network root key, pinned on first use, and every member's
 * credential checked against it and the channel's policy (which is inside the group id, so
 * the server cannot claim another). A channel with a member who fails refuses to send. And who
 * sent a message: the member whose leaf MLS verified, never the sender the server names.
 */
import type { CiphersuiteImpl, ClientState, PrivateMessage } from 'ts-mls';
import { decryptSenderData } from 'ts-mls/privateMessage.js';
import type { Api } from '../api';
import { attestationHash, verifyAttestationChain } from '../crypto/attestation';
import { base64url, credentialOf, fromBase64url, type MemberCredential } from '../device/identity';
import type { KeyStore } from '../device/keystore';
import { serial } from './channelLog';
import { type Channel, ChannelError, type EngineContext, type MemberTrust } from './model';
import { admits, decodeGroupId } from './policy';
import { revokedSet, syncRevocations } from './revocations';

const ROOT_RECORD = 'network/root-key';

/**
 * The network root key, pinned in the key store the first time (the server serves this client,
 * so a first-use pin is what a browser can do); a different key later throws `root-key-changed`.
 */
export async function pinnedRootKey(api: Api, store: KeyStore): Promise<Uint8Array | null> {
  const network = await api.call<{ rootKey?: string | null }>('GET', '/api/v1/network');
  const pinned = await store.get(ROOT_RECORD);
  if (!network.rootKey) return pinned;
  const served = fromBase64url(network.rootKey);
  if (pinned && base64url(pinned) !== base64url(served)) {
    throw new ChannelError('root-key-changed', 'The network key changed');
  }
  if (!pinned) await store.put(ROOT_RECORD, served);
  return served;
}

/**
 * Reads the network key again (it may have been set after this browser started) into the
 * context; true when it was missing and now is pinned. A different key than the pinned one
 * throws `root-key-changed`, as at start.
 */
export async function refreshRootKey(context: Pick<EngineContext, 'api' | 'device' | 'rootKey'>): Promise<boolean> {
  const before = context.rootKey;
  context.rootKey = await pinnedRootKey(context.api, context.device.store);
  return before === null && context.rootKey !== null;
}

/**
 * Verifies every channel's members again (after the root key was pinned or attestations were
 * withdrawn), each inside its channel's queue; a channel whose members now all verify sends again.
 */
export async function reverifyAll(context: EngineContext, channels: Iterable<Channel>): Promise<void> {
  // Side by side: one channel busy catching up does not hold the others back.
  await Promise.all(
    [...channels].map((c) =>
      serial(c, async () => {
        c.members = await verifyMembers(context, c.state);
      }),
    ),
  );
  context.changed();
}

/**
 * Reads the network key (when asked: it was set, or none is pinned yet) and the revocation list
 * (when asked) again; when either changed, verifies every channel's members again. True when it
 * did. A different network key than the pinned one throws `root-key-changed`.
 */
export async function refreshTrust(
  context: EngineContext,
  channels: Iterable<Channel>,
  what: { rootKey?: boolean; revocations?: boolean },
): Promise<boolean> {
  let changed = what.rootKey ? await refreshRootKey(context) : false;
  if (what.revocations) {
    const before = context.revoked.size;
    // Entries are only ever added, so a new one shows in the size.
    context.revoked = revokedSet(await syncRevocations(context.api, context.device.store));
    changed ||= context.revoked.size !== before;
  }
  if (changed) await reverifyAll(context, channels);
  return changed;
}

/**
 * Checks every leaf's credential: attestation chain to the root, user, the group id's policy, and
 * that the server has not withdrawn the device attestation (`revocations.ts`): a listed one counts
 * as a failed check (`attestation-revoked`) until a new leaf with a new attestation replaces it.
 */
export async function verifyMembers(context: Pick<EngineContext, 'rootKey' | 'now' | 'revoked'>, state: ClientState | null): Promise<MemberTrust[]> {
  if (!state) return [];
  const policy = decodeGroupId(state.groupContext.groupId).policy;
  const now = context.now();
  const out: MemberTrust[] = [];
  const tree = state.ratchetTree;
  for (let i = 0; i < tree.length; i += 2) {
    const node = tree[i];
    if (!node || node.nodeType !== 'leaf') continue;
    const leaf = node.leaf;
    let member: MemberTrust = { userId: '?', deviceId: '?', leaf: i / 2 };
    try {
      const cred = credentialOf(leaf.credential);
      member = { userId: cred.userId, deviceId: cred.deviceId, leaf: i / 2 };
      if (!context.rootKey) throw new ChannelError('no-root', 'no network key');
      if (cred.chain.length === 0) throw new ChannelError('not-attested', 'no attestation');
      const v = await verifyAttestationChain(cred.chain, context.rootKey, leaf.signaturePublicKey, cred.userId, now);
      member = { ...member, tier: v.tier, sector: v.sector };
      if (context.revoked.has(await attestationHash(cred.chain))) member.problem = 'attestation-revoked';
      else if (!admits(policy, `T${v.tier}`, v.sector)) member.problem = 'policy';
    } catch (e) {
      member.problem = e instanceof ChannelError ? e.code : 'attestation';
    }
    out.push(member);
  }
  return out;
}

/**
 * The member whose leaf sent `message`, read from its credential. ts-mls's `processMessage` finds
 * the sender's leaf in the message's sender data (encrypted under the epoch's sender data secret)
 * and verifies the signature with that leaf's key, but does not return the leaf; this decrypts
 * the same sender data with the same secret, so it names the leaf whose signature was verified.
 * `state` is the group state the message was processed with (before it); call this only once
 * `processMessage` accepted the message. Throws when the sender data names no member.
 */
export async function senderOf(state: ClientState, message: PrivateMessage, cs: CiphersuiteImpl): Promise<MemberCredential & { leaf: number }> {
  // A message of an earlier epoch is read with that epoch's secrets and tree, as ts-mls does.
  const past = message.epoch < state.groupContext.epoch ? state.historicalReceiverData.get(message.epoch) : undefined;
  const secret = past ? past.senderDataSecret : state.keySchedule.senderDataSecret;
  const tree = past ? past.ratchetTree : state.ratchetTree;
  const senderData = await decryptSenderData(message, secret, cs);
  const node = senderData ? tree[senderData.leafIndex * 2] : undefined;
  if (!senderData || !node || node.nodeType !== 'leaf') throw new ChannelError('malformed-mls', 'the sender data names no member');
  return { ...credentialOf(node.leaf.credential), leaf: senderData.leafIndex };
}
