// Test support (not a test): real ts-mls groups whose members carry real attestation chains,
// issued by a real Ed25519 network root, as the browser sees them in a channel.
import {
  type ClientState,
  createCommit,
  createGroup,
  defaultCapabilities,
  defaultLifetime,
  emptyPskIndex,
  generateKeyPackageWithKey,
  joinGroup,
} from 'ts-mls';
import { encodeChain, issueAttestation } from '../src/crypto/attestation';
import { encodeGroupId, newGroupId, type ChannelPolicy } from '../src/channels/policy';
import { ciphersuite, memberCredential } from '../src/device/identity';

export interface Who {
  userId: string;
  deviceId: string;
}

export const OPEN_POLICY: ChannelPolicy = { minTier: 'T0', allowedSectors: [], retentionDays: 30, historyOnJoin: false };

export async function keyPair() {
  const cs = await ciphersuite();
  const { signKey, publicKey } = await cs.signature.keygen();
  return { signKey, publicKey, sign: (m: Uint8Array) => cs.signature.sign(signKey, m) };
}

export type KeyPair = Awaited<ReturnType<typeof keyPair>>;

/** A chain root → device for this member's key, valid for a day around now. */
export async function deviceChain(root: KeyPair, who: Who, subjectKey: Uint8Array, tier = 2): Promise<Uint8Array> {
  const now = Math.floor(Date.now() / 1000);
  const link = await issueAttestation(
    { kind: 'device', userId: who.userId, subjectKey, tier, sector: 'municipality', cityId: 'city-1', issuedAt: now - 60, expiresAt: now + 86_400, issuerKey: root.publicKey },
    root.sign,
  );
  return encodeChain([link]);
}

/** A fresh attested key package for the member (a new device key and a new attestation). */
export async function attestedKeyPackage(root: KeyPair, who: Who) {
  const cs = await ciphersuite();
  const keys = await keyPair();
  const chain = await deviceChain(root, who, keys.publicKey);
  const kp = await generateKeyPackageWithKey(memberCredential(who.userId, who.deviceId, chain), defaultCapabilities(), defaultLifetime, [], keys, cs);
  return { who, chain, keys, ...kp };
}

/**
 * The first member creates the channel and adds the others in one commit; each joins from the
 * Welcome. Returns every member's group state (by device id) and chain.
 */
export async function trustedChannel(members: Who[], policy: ChannelPolicy = OPEN_POLICY) {
  const cs = await ciphersuite();
  const root = await keyPair();
  const packages = await Promise.all(members.map((m) => attestedKeyPackage(root, m)));
  const groupId = newGroupId(policy);
  const created = await createGroup(encodeGroupId(groupId), packages[0].publicPackage, packages[0].privatePackage, [], cs);
  const added = await createCommit(
    { state: created, cipherSuite: cs },
    {
      extraProposals: packages.slice(1).map((p) => ({ proposalType: 'add' as const, add: { keyPackage: p.publicPackage } })),
      wireAsPublicMessage: true,
      ratchetTreeExtension: true,
    },
  );
  const states = new Map<string, ClientState>([[members[0].deviceId, added.newState]]);
  for (const p of packages.slice(1)) {
    states.set(p.who.deviceId, await joinGroup(added.welcome!, p.publicPackage, p.privatePackage, emptyPskIndex, cs));
  }
  const chains = new Map(packages.map((p) => [p.who.deviceId, p.chain]));
  const keys = new Map(packages.map((p) => [p.who.deviceId, p.keys]));
  return { cs, root, channelId: groupId.channelId, states, chains, keys };
}
