/**
 * The key backup's calls: seal and upload it after registration (the code is shown only once the
 * upload succeeded), find it when a browser without a key store signs in, and restore from it.
 *
 * Restoring re-creates this user's key store with the backed-up identity and device id, binds the
 * new session to that device (`POST /api/v1/devices/{id}/session`) and, once the device is active,
 * uploads fresh key packages with `replace: true` (the server's unclaimed ones have no secrets
 * here). No group state travels in the backup: channels come back when a member or an owner adds
 * this device again. When the backed-up device was revoked (410) or is gone (404), a new device is
 * registered instead (it needs a new attestation) and the backup is re-sealed for it under the
 * same code, so the code the member holds stays the one that works.
 */
import { ApiError, type Api } from '../api';
import { openBackup, type RecoveryCost, RECOVERY_COST, type SealedBackup, sealBackup, newRecoveryCode } from './backup';
import { deleteKeyPackages, saveIdentity } from './identity';
import { type KdfCost, KeyStore, PRODUCTION_COST } from './keystore';
import { signDeviceSession } from './session';
import { exportVerified, importVerified } from './verified';
import {
  browserDeviceName,
  type Device,
  type DeviceRecord,
  DEVICE_ID_RECORD,
  publishKeyPackages,
  register,
  storeName,
} from './setup';

/** Verified safety numbers (user id → number), kept in the key store and carried by the backup. */

export interface BackupOptions {
  /** Argon2id cost of the recovery wrapping key (tests use a small one). */
  recoveryCost?: RecoveryCost;
}

export interface RestoreOptions extends BackupOptions {
  cost?: KdfCost;
  factory?: IDBFactory;
  name?: string;
}

export interface Restored extends Device {
  /** True when the backed-up device was revoked or gone and this browser is a new device. */
  replacedRevoked: boolean;
}

/** Seals the device's backup under `code` and replaces the server's copy. */
async function upload(api: Api, device: Device, code: string, options: BackupOptions): Promise<void> {
  const sealed = await sealBackup(
    code,
    { userId: device.userId, deviceId: device.deviceId, identity: device.identity, verified: await exportVerified(device.store) },
    options.recoveryCost ?? RECOVERY_COST,
  );
  await api.call('PUT', '/api/v1/key-backup', sealed);
}

/**
 * A new recovery code for this device, returned only after its backup is stored on the server:
 * a code whose backup failed is never shown. A new code replaces any earlier one.
 */
export async function createBackup(api: Api, device: Device, options: BackupOptions = {}): Promise<string> {
  const code = newRecoveryCode();
  await upload(api, device, code, options);
  return code;
}

/** The caller's backup, or null when none is stored. */
export async function fetchBackup(api: Api): Promise<SealedBackup | null> {
  try {
    return await api.call<SealedBackup>('GET', '/api/v1/key-backup');
  } catch (e) {
    if (e instanceof ApiError && e.status === 404 && e.code === 'key-backup-not-found') return null;
    throw e;
  }
}

/** The backup to offer at sign-in: only when this browser has no key store for the user yet. */
export async function restorableBackup(api: Api, factory: IDBFactory = globalThis.indexedDB): Promise<SealedBackup | null> {
  const claims = api.sessionClaims();
  if (claims === null) throw new ApiError(401, 'missing-token', 'Sign in first');
  if (await KeyStore.exists(storeName(claims.userId), factory)) return null;
  return fetchBackup(api);
}

/**
 * Restores the backed-up identity into this browser. The backup is opened before anything is
 * written, so a wrong code (`BackupError` `WRONG_CODE`) leaves the browser as it was.
 */
export async function restoreDevice(
  api: Api,
  password: string,
  code: string,
  backup: SealedBackup,
  options: RestoreOptions = {},
): Promise<Restored> {
  const claims = api.sessionClaims();
  if (claims === null) throw new ApiError(401, 'missing-token', 'Sign in first');
  const contents = await openBackup(code, backup, claims.userId);
  const store = await KeyStore.open(storeName(claims.userId), password, options.cost ?? PRODUCTION_COST, options.factory);
  try {
    await saveIdentity(store, contents.identity);
    await store.put(DEVICE_ID_RECORD, new TextEncoder().encode(contents.deviceId));
    await importVerified(store, contents.verified);
    // Key packages held by the server for this device have no secrets in this browser.
    await deleteKeyPackages(store);
    let record: DeviceRecord;
    try {
      record = await api.call<DeviceRecord>('POST', `/api/v1/devices/${encodeURIComponent(contents.deviceId)}/session`, {
        signature: await signDeviceSession(contents.identity.signKey, claims.sessionId),
      });
    } catch (e) {
      const gone = e instanceof ApiError && (e.code === 'device-revoked' || e.code === 'device-not-found');
      if (!gone) throw e;
      const fresh = await register(api, store, options.name ?? browserDeviceName());
      const device: Device = { userId: claims.userId, store, registered: true, ...fresh };
      await upload(api, device, code, options);
      return { ...device, replacedRevoked: true };
    }
    const device: Device = {
      userId: claims.userId,
      deviceId: contents.deviceId,
      identity: contents.identity,
      store,
      registered: false,
    };
    await publishKeyPackages(api, device, record);
    return { ...device, replacedRevoked: false };
  } catch (e) {
    store.close();
    throw e;
  }
}
