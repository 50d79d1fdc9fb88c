/**
 * Key packages as the channels use them: keeping a few of ours on the server so others can add
 * this device, claiming others' to add their devices (each checked to name the device it is
 * for), and finding which of ours a Welcome was made for.
 */
import { decodeMlsMessage, type Proposal, type Welcome } from 'ts-mls';
import { credentialOf, fromBase64url, hex, KEY_PACKAGE_PREFIX, loadKeyPackage } from '../device/identity';
import { type Device, uploadKeyPackages, withKeyPackageLock } from '../device/setup';
import type { EngineContext } from './model';

const KEY_PACKAGE_LOW_WATER = 10;
const KEY_PACKAGE_TOP_UP = 20;

/** A device another member may add: the add proposal made from its claimed key package. */
export interface ClaimedDevice {
  userId: string;
  deviceId: string;
  add: Proposal;
}

/** This device's attestation chain, once a coordinator has attested it. */
export async function ownAttestation(context: EngineContext): Promise<Uint8Array | undefined> {
  const devices = await context.api.call<{ items: { id: string; attestation?: string }[] }>('GET', '/api/v1/devices');
  const mine = devices.items.find((d) => d.id === context.device.deviceId);
  return mine?.attestation ? fromBase64url(mine.attestation) : undefined;
}

/** Keeps at least a few one-time key packages on the server, so others can add this device. */
export function topUpKeyPackages(context: EngineContext): Promise<number> {
  return withKeyPackageLock(() => topUpUnlocked(context));
}

async function topUpUnlocked(context: EngineContext): Promise<number> {
  const count = await context.api.call<{ oneTime: number; lastResort: boolean }>('GET', '/api/v1/key-packages/count');
  if (count.oneTime >= KEY_PACKAGE_LOW_WATER && count.lastResort) return 0;
  const chain = await ownAttestation(context);
  if (!chain) return 0;
  // Nothing stored here means the server's packages have no secrets here: replace them.
  const replace = (await context.device.store.names(KEY_PACKAGE_PREFIX)).length === 0;
  return uploadKeyPackages(context.api, context.device, chain, KEY_PACKAGE_TOP_UP, replace);
}

/** One key package per active device of each user, checked to name that user and device. */
export async function claimKeyPackages(context: EngineContext, userIds: string[]): Promise<{ items: ClaimedDevice[]; missing: string[] }> {
  const claimed = await context.api.call<{ items: { userId: string; deviceId: string; keyPackage: string }[]; missing?: string[] }>(
    'POST',
    '/api/v1/key-packages/claim',
    { userIds },
  );
  const items = [];
  for (const item of claimed.items) {
    const decoded = decodeMlsMessage(fromBase64url(item.keyPackage), 0)?.[0];
    if (!decoded || decoded.wireformat !== 'mls_key_package') continue;
    const cred = credentialOf(decoded.keyPackage.leafNode.credential);
    // Refuse what does not say who it is for; the server and every member check it again.
    if (cred.userId !== item.userId || cred.deviceId !== item.deviceId) continue;
    items.push({ userId: item.userId, deviceId: item.deviceId, add: { proposalType: 'add', add: { keyPackage: decoded.keyPackage } } as Proposal });
  }
  return { items, missing: claimed.missing ?? [] };
}

/** The key package of ours that a Welcome names, with its ref (to spend it once joined). */
export async function welcomedKeyPackage(device: Device, welcome: Welcome) {
  for (const secret of welcome.secrets) {
    const ref = hex(secret.newMember);
    const keyPackage = await loadKeyPackage(device.store, device.identity, ref);
    if (keyPackage) return { ref, keyPackage };
  }
  return null;
}
