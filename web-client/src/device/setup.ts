/**
 * Wires this browser's device to the signed-in session, right after sign-in or registration
 * (the only moment the password is in hand to open the key store):
 * - a store without an identity: create one, register it (`POST /api/v1/devices`), keep it;
 * - a store with one: bind the new session to that device (`POST /api/v1/devices/{id}/session`).
 * Then, once a coordinator has attested the device, `publishKeyPackages` uploads key packages.
 */
import { ApiError, type Api } from '../api';
import {
  type DeviceIdentity,
  createDeviceIdentity,
  deleteKeyPackages,
  fromBase64url,
  generateKeyPackages,
  KEY_PACKAGE_PREFIX,
  loadIdentity,
  memberCredential,
  registrationBody,
  saveIdentity,
  saveKeyPackageBatch,
} from './identity';
import { type KdfCost, KeyStore, PRODUCTION_COST } from './keystore';
import { t, tf } from '../i18n';
import { signDeviceSession } from './session';

export const DEVICE_ID_RECORD = 'device/id';
export const storeName = (userId: string) => `liaison-device-${userId}`;
/** One-time key packages uploaded when the store has none (the server keeps at most 200). */
export const KEY_PACKAGE_BATCH = 20;

// 'pending': was confirmed, then its member's tier or role changed; a coordinator confirms it again.
export type DeviceStatus = 'awaiting-attestation' | 'pending' | 'active' | 'revoked';

export interface DeviceRecord {
  id: string;
  userId: string;
  name: string;
  signatureKey: string;
  status: DeviceStatus;
  attestation?: string;
  createdAt: string;
}

export interface Device {
  userId: string;
  deviceId: string;
  identity: DeviceIdentity;
  store: KeyStore;
  /** True when this sign-in registered a new device, false when it re-bound an existing one. */
  registered: boolean;
}

export interface SetupOptions {
  cost?: KdfCost;
  factory?: IDBFactory;
  /** The device name shown to the member and the coordinator. */
  name?: string;
}

/** The browser's and the system's everyday names from a user-agent string; null when unknown. */
export function describeBrowser(userAgent: string, platform = ''): { browser: string | null; system: string | null } {
  const ua = userAgent;
  const browser = /Edg(e|A|iOS)?\//.test(ua)
    ? 'Edge'
    : /OPR\/|Opera/.test(ua)
      ? 'Opera'
      : /SamsungBrowser\//.test(ua)
        ? 'Samsung Internet'
        : /Firefox\/|FxiOS\//.test(ua)
          ? 'Firefox'
          : /Chromium\//.test(ua)
            ? 'Chromium'
            : /Chrome\/|CriOS\//.test(ua)
              ? 'Chrome'
              : /Safari\//.test(ua)
                ? 'Safari'
                : null;
  const text = `${ua} ${platform}`;
  const system = /Android/.test(text)
    ? 'Android'
    : /iPhone|iPad|iPod|iOS/.test(text)
      ? 'iOS'
      : /CrOS|Chrome OS/.test(text)
        ? 'ChromeOS'
        : /Windows|Win32|Win64/.test(text)
          ? 'Windows'
          : /Mac OS X|Macintosh|macOS|MacIntel/.test(text)
            ? 'macOS'
            : /Linux|X11/.test(text)
              ? 'Linux'
              : null;
  return { browser, system };
}

/**
 * The default name of a new device, from the browser and the system ("Firefox on Linux"); the
 * server adds " (2)", " (3)"… when the member already has a device of that name, and the member
 * can rename it under "This device".
 */
export function browserDeviceName(): string {
  const nav = globalThis.navigator as (Navigator & { userAgentData?: { platform?: string } }) | undefined;
  const { browser, system } = describeBrowser(nav?.userAgent ?? '', nav?.userAgentData?.platform || nav?.platform || '');
  const name = browser ?? t('device.unknownBrowser');
  return (system ? tf('device.defaultName', { browser: name, system }) : name).slice(0, 56);
}

/** A new identity, registered and kept in the store (also used by restore.ts when the backed-up device is gone). */
export async function register(api: Api, store: KeyStore, name: string): Promise<{ identity: DeviceIdentity; deviceId: string }> {
  const identity = await createDeviceIdentity();
  const created = await api.call<DeviceRecord>('POST', '/api/v1/devices', registrationBody(identity, name));
  await saveIdentity(store, identity);
  await store.put(DEVICE_ID_RECORD, new TextEncoder().encode(created.id));
  // Key packages of an earlier identity can never be used with this one.
  await deleteKeyPackages(store);
  return { identity, deviceId: created.id };
}

/** Opens the user's key store with the password and binds the current session to its device. */
export async function setUpDevice(api: Api, password: string, options: SetupOptions = {}): Promise<Device> {
  const claims = api.sessionClaims();
  if (claims === null) throw new ApiError(401, 'missing-token', 'Sign in first');
  const store = await KeyStore.open(storeName(claims.userId), password, options.cost ?? PRODUCTION_COST, options.factory);
  try {
    const name = options.name ?? browserDeviceName();
    const identity = await loadIdentity(store);
    const storedId = await store.get(DEVICE_ID_RECORD);
    if (identity && storedId) {
      const deviceId = new TextDecoder().decode(storedId);
      try {
        await api.call('POST', `/api/v1/devices/${encodeURIComponent(deviceId)}/session`, {
          signature: await signDeviceSession(identity.signKey, claims.sessionId),
        });
      } catch (e) {
        if (e instanceof ApiError && e.status === 404 && e.code === 'device-not-found') {
          // The server no longer knows this device (its data was reset): start over with a new one.
          return { userId: claims.userId, store, registered: true, ...(await register(api, store, name)) };
        }
        // 409: this session is already bound (a retry): nothing to do. 410 revoked: the panel says so.
        if (!(e instanceof ApiError && (e.code === 'device-already-registered' || e.code === 'device-revoked'))) throw e;
      }
      return { userId: claims.userId, deviceId, identity, store, registered: false };
    }
    return { userId: claims.userId, store, registered: true, ...(await register(api, store, name)) };
  } catch (e) {
    store.close();
    throw e;
  }
}

/** The caller's devices as the server lists them. */
export async function listDevices(api: Api): Promise<DeviceRecord[]> {
  return (await api.call<{ items: DeviceRecord[] }>('GET', '/api/v1/devices')).items;
}

/** A member's active devices (`GET /api/v1/users/{id}/devices`), the ones safety numbers cover. */
export async function listUserDevices(api: Api, userId: string): Promise<DeviceRecord[]> {
  return (await api.call<{ items: DeviceRecord[] }>('GET', `/api/v1/users/${encodeURIComponent(userId)}/devices`)).items;
}

/**
 * When the device is active and the store holds no key packages, generates and uploads a batch
 * with `replace: true` (the server's unclaimed ones have no secrets here), and keeps the private
 * parts only after the upload succeeded. Returns how many one-time packages were uploaded (0 when
 * nothing was needed).
 */
export function publishKeyPackages(api: Api, device: Device, record: DeviceRecord, count = KEY_PACKAGE_BATCH): Promise<number> {
  return withKeyPackageLock(() => publishUnlocked(api, device, record, count));
}

let keyPackageQueue: Promise<unknown> = Promise.resolve();
/**
 * Runs key-package uploads one at a time: two concurrent `replace: true` uploads would withdraw
 * each other's packages on the server while both kept their secrets here.
 */
export function withKeyPackageLock<T>(task: () => Promise<T>): Promise<T> {
  const run = keyPackageQueue.then(task, task);
  keyPackageQueue = run.catch(() => {});
  return run;
}

async function publishUnlocked(api: Api, device: Device, record: DeviceRecord, count: number): Promise<number> {
  if (record.id !== device.deviceId || record.status !== 'active') return 0;
  if ((await device.store.names(KEY_PACKAGE_PREFIX)).length > 0) return 0;
  const chain = record.attestation ? fromBase64url(record.attestation) : undefined;
  return uploadKeyPackages(api, device, chain, count, true);
}

/**
 * Makes `count` one-time packages and a last-resort one, uploads them, and keeps their secrets
 * only after the upload succeeded. `replace`: the server's unclaimed packages have no secrets
 * here and are withdrawn. Call it under `withKeyPackageLock`.
 */
export async function uploadKeyPackages(
  api: Api,
  device: Device,
  chain: Uint8Array | undefined,
  count: number,
  replace: boolean,
): Promise<number> {
  const batch = await generateKeyPackages(device.identity, memberCredential(device.userId, device.deviceId, chain), count, {
    replace,
  });
  await api.call('POST', '/api/v1/key-packages', batch.uploadBody);
  await saveKeyPackageBatch(device.store, batch);
  return batch.oneTime.length;
}
