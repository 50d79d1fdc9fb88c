/**
 * Which members this person has verified, kept in the encrypted KeyStore (never on the server).
 *
 * Record `verified/<userId>`: UTF-8 JSON `{v: 1, number, devices: [{id, key}], mine: [key], at}`:
 * the 60-digit safety number that was compared, their device ids and signature keys (base64url)
 * it covered, this person's own keys at that moment, and when (ISO 8601).
 *
 * Status of a member:
 * - `unverified`: no record;
 * - `changed`: a record, but one of their current devices has a key the record does not cover
 *   (a new device, or one whose key was replaced): `newDeviceIds` names them;
 * - `verified`: every current device key of theirs was covered. A device they removed since does
 *   not undo it (no key is left that was not compared), nor does a new device of one's own (that is
 *   theirs to notice; the number shown is always the current one).
 */
import { base64url, fromBase64url } from './identity';
import type { KeyStore } from './keystore';

export const VERIFIED_PREFIX = 'verified/';
const FORMAT = 1;

/** A device as `GET /api/v1/users/{id}/devices` lists it (a `DeviceRecord` fits). */
export interface DeviceKey {
  id: string;
  /** base64url Ed25519 public key */
  signatureKey: string;
}

export type VerificationStatus = 'verified' | 'unverified' | 'changed';

export interface VerificationState {
  status: VerificationStatus;
  /** Their devices whose keys were not covered when they were verified (only when `changed`). */
  newDeviceIds: string[];
  /** When they were verified (also when `changed`); null when never. */
  verifiedAt: string | null;
}

export interface Verification extends VerificationState {
  theirUserId: string;
  /** 60 digits. */
  number: string;
  /** The same in 12 groups of 5. */
  groups: string[];
  /** Version byte and both halves (Java's `qrPayload()`). */
  qrPayload: Uint8Array;
  /** What the QR code carries: the payload in upper-case hex. */
  qrText: string;
  /** A scanned QR text: the same keys, other keys, or not a safety-number code at all. */
  compareScanned(text: string): 'match' | 'mismatch' | 'foreign';
  /** The devices this number covers: what `markVerified` records. */
  readonly devices: readonly DeviceKey[];
  readonly myKeys: readonly Uint8Array[];
}

interface VerifiedRecord {
  v: number;
  number: string;
  devices: { id: string; key: string }[];
  mine: string[];
  at: string;
}

const recordName = (userId: string) => VERIFIED_PREFIX + userId;

const listeners = new Set<(theirUserId: string) => void>();

/** Called with the member's user id after each mark or clear in this tab (badges follow it). */
export function onVerificationChange(listener: (theirUserId: string) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

const changed = (theirUserId: string) => listeners.forEach((listener) => listener(theirUserId));

/** The key as the record keeps it: canonical base64url, whatever padding the server used. */
const canonical = (key: string) => base64url(fromBase64url(key));

async function readRecord(store: KeyStore, theirUserId: string): Promise<VerifiedRecord | null> {
  const bytes = await store.get(recordName(theirUserId));
  if (!bytes) return null;
  const record = JSON.parse(new TextDecoder().decode(bytes)) as VerifiedRecord;
  if (
    record?.v !== FORMAT ||
    typeof record.number !== 'string' ||
    typeof record.at !== 'string' ||
    !Array.isArray(record.devices) ||
    !record.devices.every((d) => typeof d?.id === 'string' && typeof d.key === 'string')
  ) {
    throw new RangeError('stored verification malformed');
  }
  return record;
}

/** The status alone, without computing the number: cheap enough for every row of a member list. */
export async function verificationStatus(
  store: KeyStore,
  theirUserId: string,
  theirDevices: readonly DeviceKey[],
): Promise<VerificationState> {
  const record = await readRecord(store, theirUserId);
  if (!record) return { status: 'unverified', newDeviceIds: [], verifiedAt: null };
  const covered = new Set(record.devices.map((d) => d.key));
  const newDeviceIds = theirDevices.filter((d) => !covered.has(canonical(d.signatureKey))).map((d) => d.id);
  return { status: newDeviceIds.length > 0 ? 'changed' : 'verified', newDeviceIds, verifiedAt: record.at };
}

/** The safety number between me and them, and whether I verified them (see the module comment). */
export async function verificationOf(
  store: KeyStore,
  myUserId: string,
  myKeys: readonly Uint8Array[],
  theirUserId: string,
  theirDevices: readonly DeviceKey[],
): Promise<Verification> {
  const state = await verificationStatus(store, theirUserId, theirDevices);
  // Loaded on first use: SHA-512 is not otherwise in the first screen's bundle.
  const { SafetyNumber, parseQrText } = await import('../crypto/safetyNumber');
  const number = SafetyNumber.between(
    { userId: myUserId, deviceKeys: myKeys },
    { userId: theirUserId, deviceKeys: theirDevices.map((d) => fromBase64url(d.signatureKey)) },
  );
  return {
    ...state,
    theirUserId,
    number: number.digits(),
    groups: number.groups(),
    qrPayload: number.qrPayload(),
    qrText: number.qrText(),
    compareScanned: (text: string) =>
      parseQrText(text) === null ? 'foreign' : number.matchesScannedText(text) ? 'match' : 'mismatch',
    devices: theirDevices.map((d) => ({ id: d.id, signatureKey: d.signatureKey })),
    myKeys: [...myKeys],
  };
}

/**
 * Records that this person compared `verification`'s number with them (read aloud or scanned):
 * exactly the devices it was computed over, so a device listed after the screen was drawn is not
 * silently covered.
 */
export async function markVerified(store: KeyStore, verification: Verification, now: Date = new Date()): Promise<void> {
  const record: VerifiedRecord = {
    v: FORMAT,
    number: verification.number,
    devices: verification.devices.map((d) => ({ id: d.id, key: canonical(d.signatureKey) })),
    mine: verification.myKeys.map(base64url),
    at: now.toISOString(),
  };
  await store.put(recordName(verification.theirUserId), new TextEncoder().encode(JSON.stringify(record)));
  changed(verification.theirUserId);
}

export async function clearVerified(store: KeyStore, theirUserId: string): Promise<void> {
  await store.delete(recordName(theirUserId));
  changed(theirUserId);
}

/** Every verification this store holds, by user id, as the key backup carries them. */
export async function exportVerified(store: KeyStore): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const name of await store.names(VERIFIED_PREFIX)) {
    const bytes = await store.get(name);
    if (bytes) out[name.slice(VERIFIED_PREFIX.length)] = new TextDecoder().decode(bytes);
  }
  return out;
}

/** Writes back verifications from a key backup, skipping any that do not read as one. */
export async function importVerified(store: KeyStore, verified: Record<string, string>): Promise<void> {
  for (const [userId, json] of Object.entries(verified)) {
    await store.put(recordName(userId), new TextEncoder().encode(json));
    try {
      await readRecord(store, userId);
    } catch {
      await store.delete(recordName(userId));
    }
  }
}
