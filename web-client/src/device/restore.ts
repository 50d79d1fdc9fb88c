/**
 * The key backup's calls: seal and upload it after registration (the code is shown only once the
 * upload succeeded), find it when a browser without a key store signs in, and restore from it.
 *
 * Restoring brings the member's identity back into a new browser as a new device: the safety
 * numbers they verified and the history key return, a fresh device key is registered (a
 * coordinator confirms it; owners add it to channels again), the backup is re-sealed for the new
 * device under the same code, so the code the member holds stays the one that works, and the
 * encrypted history backup is downloaded so the channels show their earlier messages. The old device is not re-bound:
 * a lost browser must be revocable without revoking the restored one.
 */
import { ApiError, type Api } from '../api';
import { openBackup, type RecoveryCost, RECOVERY_COST, type SealedBackup, sealBackup, newRecoveryCode } from './backup';
import { type KdfCost, KeyStore, PRODUCTION_COST } from './keystore';
import { History } from '../channels/history';
import { HISTORY_KEY_RECORD, type HistoryRestoreResult, loadOrCreateHistoryKey, restoreHistory } from './historyBackup';
import { exportVerified, importVerified } from './verified';
import { browserDeviceName, type Device, register, storeName } from './setup';

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
  /** The device the backup came from (the lost or old browser), for the member to revoke. */
  previousDeviceId: string;
  /**
   * What came back from the history backup; null when the key backup was sealed before it
   * existed (no history key: nothing earlier can be opened), `'failed'` when the download failed.
   */
  history: HistoryRestoreResult | null | 'failed';
}

/** Seals the device's backup under `code` and replaces the server's copy. */
async function upload(api: Api, device: Device, code: string, options: BackupOptions): Promise<void> {
  const sealed = await sealBackup(
    code,
    {
      userId: device.userId,
      deviceId: device.deviceId,
      identity: device.identity,
      verified: await exportVerified(device.store),
      // A backup made before the history backup existed gets its history key now.
      historyKey: await loadOrCreateHistoryKey(device.store),
    },
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
 * Restores the backed-up identity into this browser as a NEW device: the safety numbers the member
 * verified (and whatever else the backup carries) come back, a fresh device key is registered
 * (a coordinator confirms it, owners add it to channels again), and the backup is sealed again
 * for it under the same code. The old device is left for the member to revoke: a lost browser
 * must not keep a key that is still this member's. The backup is opened before anything is
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
    await importVerified(store, contents.verified);
    if (contents.historyKey) await store.put(HISTORY_KEY_RECORD, contents.historyKey);
    const fresh = await register(api, store, options.name ?? browserDeviceName());
    const device: Device = { userId: claims.userId, store, registered: true, ...fresh };
    await upload(api, device, code, options);
    let history: Restored['history'] = null;
    if (contents.historyKey) {
      // The identity is restored already: a failed download must not undo that.
      history = await restoreHistory(api, store, new History(store), claims.userId, contents.historyKey).catch(() => 'failed' as const);
    }
    return { ...device, previousDeviceId: contents.deviceId, history };
  } catch (e) {
    store.close();
    throw e;
  }
}
