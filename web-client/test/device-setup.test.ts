// @vitest-environment node
// The device-setup flow against a fake server (a fetch function) that checks what the real one
// checks: registration body, the session-binding signature, key-package uploads. Real ts-mls,
// real Argon2id at a tiny cost, fake-indexeddb.
import { IDBFactory } from 'fake-indexeddb';
import { decodeMlsMessage } from 'ts-mls';
import { afterEach, describe, expect, it } from 'vitest';
import { Api, type TokenStore } from '../src/api';
import {
  base64url,
  decodeMemberCredential,
  fromBase64url,
  KEY_PACKAGE_PREFIX,
  LAST_RESORT_RECORD,
  loadIdentity,
  spendKeyPackage,
} from '../src/device/identity';
import { KeyStore, WrongPassword } from '../src/device/keystore';
import { deviceSessionMessage } from '../src/device/session';
import { type DeviceRecord, describeBrowser, listDevices, publishKeyPackages, setUpDevice, storeName } from '../src/device/setup';
import { BackupError, openBackup, type SealedBackup } from '../src/device/backup';
import { createBackup, restorableBackup, restoreDevice } from '../src/device/restore';
import { HISTORY_KEY_RECORD } from '../src/device/historyBackup';

const TINY = { m: 64, t: 1, p: 1 };
const USER = 'u0123456789abcdef';
const PASSWORD = 'correct horse battery staple';

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
const error = (status: number, code: string) => json(status, { error: { code, message: code } });

function jwt(sub: string, sid: string): string {
  const part = (o: unknown) => base64url(new TextEncoder().encode(JSON.stringify(o)));
  return `${part({ alg: 'ES256' })}.${part({ sub, sid, iat: 1, exp: 2 })}.c2ln`;
}

class FakeServer {
  devices: DeviceRecord[] = [];
  uploads: { keyPackages: string[]; lastResort: string; replace?: boolean }[] = [];
  calls: string[] = [];
  sessions = 0;
  /** session id → bound device id */
  bound = new Map<string, string>();
  failUploads = false;
  backup: SealedBackup | null = null;

  fetch = async (path: string, init?: RequestInit): Promise<Response> => {
    const method = init?.method ?? 'GET';
    const body = init?.body ? JSON.parse(init.body as string) : undefined;
    this.calls.push(`${method} ${path}`);
    if (path === '/api/v1/auth/login') {
      const sid = `session-${++this.sessions}`;
      return json(200, { accessToken: jwt(USER, sid), refreshToken: `r-${sid}`, expiresIn: 900 });
    }
    const auth = (init?.headers as Record<string, string>)['Authorization'] ?? '';
    const sid = JSON.parse(new TextDecoder().decode(fromBase64url(auth.slice(7).split('.')[1]))).sid as string;
    if (method === 'POST' && path === '/api/v1/devices') {
      if (this.bound.has(sid)) return error(409, 'device-already-registered');
      expect(Object.keys(body).sort()).toEqual(['name', 'signatureKey']);
      const device: DeviceRecord = {
        id: `device-${this.devices.length + 1}`,
        userId: USER,
        name: body.name,
        signatureKey: body.signatureKey,
        status: 'awaiting-attestation',
        createdAt: '2026-11-23T10:00:00Z',
      };
      this.devices.push(device);
      this.bound.set(sid, device.id);
      return json(201, device);
    }
    const bind = path.match(/^\/api\/v1\/devices\/([^/]+)\/session$/);
    if (method === 'POST' && bind) {
      const device = this.devices.find((d) => d.id === bind[1]);
      if (!device) return error(404, 'device-not-found');
      if (this.bound.has(sid)) return error(409, 'device-already-registered');
      const key = await crypto.subtle.importKey('raw', new Uint8Array(fromBase64url(device.signatureKey)), 'Ed25519', false, ['verify']);
      const ok = await crypto.subtle.verify(
        'Ed25519',
        key,
        new Uint8Array(fromBase64url(body.signature)),
        new Uint8Array(deviceSessionMessage(sid)),
      );
      if (!ok) return error(403, 'bad-signature');
      if (device.status === 'revoked') return error(410, 'device-revoked');
      this.bound.set(sid, device.id);
      return json(200, device);
    }
    if (method === 'GET' && path === '/api/v1/devices') return json(200, { items: this.devices });
    if (method === 'GET' && path === '/api/v1/history') return json(200, { items: [] });
    if (path === '/api/v1/key-backup') {
      if (method === 'GET') return this.backup ? json(200, this.backup) : error(404, 'key-backup-not-found');
      if (!this.bound.has(sid)) return error(403, 'device-required');
      expect(Object.keys(body).sort()).toEqual(['ciphertext', 'kdf', 'salt', 'version']);
      this.backup = body;
      return json(200, { version: 1, updatedAt: '2026-11-23T10:00:00Z' });
    }
    if (method === 'POST' && path === '/api/v1/key-packages') {
      if (this.failUploads) return error(503, 'unavailable');
      this.uploads.push(body);
      return json(200, { oneTime: body.keyPackages.length });
    }
    return error(404, 'not-found');
  };
}

const memory = (): TokenStore => {
  let value: string | null = null;
  return { getRefresh: () => value, setRefresh: (t) => void (value = t) };
};

async function signIn(server: FakeServer): Promise<Api> {
  const api = new Api(server.fetch, memory());
  await api.login('a@example.org', PASSWORD);
  return api;
}

const opened: KeyStore[] = [];
afterEach(() => {
  for (const s of opened.splice(0)) s.close();
});

describe('setUpDevice', () => {
  it('registers a new device on the first sign-in and re-binds the next session to it', async () => {
    const server = new FakeServer();
    const factory = new IDBFactory();

    const first = await setUpDevice(await signIn(server), PASSWORD, { cost: TINY, factory, name: 'Browser on Test' });
    opened.push(first.store);
    expect(first.registered).toBe(true);
    expect(first.userId).toBe(USER);
    expect(server.devices).toHaveLength(1);
    expect(server.devices[0]).toMatchObject({ id: first.deviceId, name: 'Browser on Test', signatureKey: base64url(first.identity.publicKey) });
    expect(await loadIdentity(first.store)).toEqual(first.identity);
    first.store.close();

    const api = await signIn(server);
    const second = await setUpDevice(api, PASSWORD, { cost: TINY, factory });
    opened.push(second.store);
    expect(second.registered).toBe(false);
    expect(second.deviceId).toBe(first.deviceId);
    expect(second.identity).toEqual(first.identity);
    expect(server.devices).toHaveLength(1);
    expect(server.bound.get('session-2')).toBe(first.deviceId); // the signature verified
    expect(server.calls).toContain(`POST /api/v1/devices/${first.deviceId}/session`);
    expect(await listDevices(api)).toHaveLength(1);
  });

  it('opens the store named after the user, with the password', async () => {
    const server = new FakeServer();
    const factory = new IDBFactory();
    const device = await setUpDevice(await signIn(server), PASSWORD, { cost: TINY, factory });
    device.store.close();
    expect(storeName(USER)).toBe(`liaison-device-${USER}`);
    expect(await KeyStore.exists(storeName(USER), factory)).toBe(true);
    const calls = server.calls.length;
    await expect(setUpDevice(await signIn(server), 'another password!', { cost: TINY, factory })).rejects.toBeInstanceOf(WrongPassword);
    expect(server.calls.slice(calls)).toEqual(['POST /api/v1/auth/login']); // nothing sent for a store it cannot open
  });

  it('treats 409 device-already-registered on re-binding as bound', async () => {
    const server = new FakeServer();
    const factory = new IDBFactory();
    (await setUpDevice(await signIn(server), PASSWORD, { cost: TINY, factory })).store.close();
    const api = await signIn(server);
    server.bound.set('session-2', 'device-1'); // e.g. a retry after a lost answer
    const again = await setUpDevice(api, PASSWORD, { cost: TINY, factory });
    opened.push(again.store);
    expect(again.deviceId).toBe('device-1');
    expect(server.devices).toHaveLength(1);
  });

  it('registers a new identity when the server no longer knows the stored device', async () => {
    const server = new FakeServer();
    const factory = new IDBFactory();
    const first = await setUpDevice(await signIn(server), PASSWORD, { cost: TINY, factory });
    first.store.close();
    server.devices = []; // the server's data was reset
    const second = await setUpDevice(await signIn(server), PASSWORD, { cost: TINY, factory });
    opened.push(second.store);
    expect(second.registered).toBe(true);
    expect(second.identity.publicKey).not.toEqual(first.identity.publicKey);
    expect(server.devices.map((d) => d.id)).toEqual([second.deviceId]);
  });
});

describe('publishKeyPackages', () => {
  it('uploads only once the device is active, with replace, and keeps the secrets only after the upload', async () => {
    const server = new FakeServer();
    const factory = new IDBFactory();
    const api = await signIn(server);
    const device = await setUpDevice(api, PASSWORD, { cost: TINY, factory });
    opened.push(device.store);

    expect(await publishKeyPackages(api, device, server.devices[0], 3)).toBe(0);
    expect(server.uploads).toEqual([]);

    server.devices[0].status = 'active';
    server.failUploads = true;
    await expect(publishKeyPackages(api, device, server.devices[0], 3)).rejects.toThrow();
    expect(await device.store.names(KEY_PACKAGE_PREFIX)).toEqual([]);

    server.failUploads = false;
    expect(await publishKeyPackages(api, device, server.devices[0], 3)).toBe(3);
    expect(server.uploads).toHaveLength(1);
    const upload = server.uploads[0];
    expect(upload.replace).toBe(true);
    expect(upload.keyPackages).toHaveLength(3);
    expect(await device.store.names(KEY_PACKAGE_PREFIX)).toHaveLength(4); // 3 one-time + last resort
    const [message] = decodeMlsMessage(fromBase64url(upload.lastResort), 0)!;
    if (message.wireformat !== 'mls_key_package') throw new Error(message.wireformat);
    const credential = message.keyPackage.leafNode.credential;
    if (credential.credentialType !== 'basic') throw new Error(credential.credentialType);
    expect(decodeMemberCredential(credential.identity)).toMatchObject({
      userId: USER,
      deviceId: device.deviceId,
    });
    expect(message.keyPackage.leafNode.signaturePublicKey).toEqual(device.identity.publicKey);

    // A Welcome that used the last-resort package leaves it (the server may hand it out again);
    // one that used a one-time package spends it.
    const lastResortRef = new TextDecoder().decode((await device.store.get(LAST_RESORT_RECORD))!);
    await spendKeyPackage(device.store, lastResortRef);
    expect(await device.store.names(KEY_PACKAGE_PREFIX)).toContain(KEY_PACKAGE_PREFIX + lastResortRef);
    const oneTime = (await device.store.names(KEY_PACKAGE_PREFIX)).find((n) => n !== KEY_PACKAGE_PREFIX + lastResortRef)!;
    await spendKeyPackage(device.store, oneTime.slice(KEY_PACKAGE_PREFIX.length));
    expect(await device.store.names(KEY_PACKAGE_PREFIX)).toHaveLength(3);

    // the store holds packages now: nothing more to do
    expect(await publishKeyPackages(api, device, server.devices[0], 3)).toBe(0);
    expect(server.uploads).toHaveLength(1);
  });
});

// ---- recovery code and key backup (src/device/restore.ts) ---------------------------------

describe('default device names', () => {
  it('name the browser and the system', () => {
    const names: [string, string, string][] = [
      ['Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0', 'Linux x86_64', 'Firefox on Linux'],
      ['Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36', '', 'Chrome on Android'],
      ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36 Edg/126.0', 'Win32', 'Edge on Windows'],
      ['Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1', 'iPhone', 'Safari on iOS'],
      ['Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15', 'MacIntel', 'Safari on macOS'],
    ];
    for (const [ua, platform, expected] of names) {
      const { browser, system } = describeBrowser(ua, platform);
      expect(`${browser} on ${system}`).toBe(expected);
    }
    expect(describeBrowser('curl/8.0', '')).toEqual({ browser: null, system: null });
  });
});

describe('key backup and restore', () => {
  const CHEAP = { recoveryCost: { memoryKiB: 64, iterations: 1 } };

  /** A member who registered in one browser and stored a backup; returns its code and device. */
  async function registered(server: FakeServer) {
    const api = await signIn(server);
    const device = await setUpDevice(api, PASSWORD, { cost: TINY, factory: new IDBFactory() });
    opened.push(device.store);
    // The registering session is bound to the new device, as the server requires for a backup.
    const code = await createBackup(api, device, CHEAP);
    return { device, code };
  }

  it('stores the backup before returning the code, and refuses it without a bound session', async () => {
    const server = new FakeServer();
    const { device, code } = await registered(server);
    expect(server.backup).not.toBeNull();
    const opened = await openBackup(code, server.backup!, USER);
    expect(opened.deviceId).toBe(device.deviceId);
    expect(opened.identity).toEqual(device.identity);
    await expect(createBackup(await signIn(server), device, CHEAP)).rejects.toMatchObject({ code: 'device-required' });
  });

  it('restores the identity as a new device, re-seals the backup for it, and leaves the old one to revoke', async () => {
    const server = new FakeServer();
    const { device, code } = await registered(server);
    server.devices[0].status = 'active';
    const factory = new IDBFactory();
    const api = await signIn(server);
    const backup = await restorableBackup(api, factory);
    expect(backup).toEqual(server.backup);
    const restored = await restoreDevice(api, PASSWORD, code, backup!, { ...CHEAP, cost: TINY, factory });
    opened.push(restored.store);
    expect(restored.previousDeviceId).toBe(device.deviceId);
    expect(restored.deviceId).not.toBe(device.deviceId);
    expect(restored.identity.publicKey).not.toEqual(device.identity.publicKey);
    expect(server.devices).toHaveLength(2);
    expect(server.devices[1].status).toBe('awaiting-attestation');
    expect(server.bound.get(api.sessionClaims()!.sessionId)).toBe(restored.deviceId);
    expect(await loadIdentity(restored.store)).toEqual(restored.identity);
    // The same code now opens a backup of the new device.
    const resealed = await openBackup(code, server.backup!, USER);
    expect(resealed.deviceId).toBe(restored.deviceId);
    expect(resealed.identity).toEqual(restored.identity);
    // The history key came along: the same in the old backup, the new store and the new backup.
    const original = await openBackup(code, backup!, USER);
    expect(original.historyKey).toHaveLength(32);
    expect(await restored.store.get(HISTORY_KEY_RECORD)).toEqual(original.historyKey);
    expect(resealed.historyKey).toEqual(original.historyKey);
    expect(restored.history).toEqual({ messages: 0, unreadable: 0 });
    // Now this browser has a store: the backup is no longer offered.
    expect(await restorableBackup(await signIn(server), factory)).toBeNull();
  });

  it('writes nothing when the code is wrong', async () => {
    const server = new FakeServer();
    await registered(server);
    const factory = new IDBFactory();
    const api = await signIn(server);
    const calls = server.calls.length;
    const failure = await restoreDevice(api, PASSWORD, 'ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZ', server.backup!, { ...CHEAP, cost: TINY, factory }).catch((e) => e);
    expect(failure).toBeInstanceOf(BackupError);
    expect((failure as BackupError).reason).toBe('WRONG_CODE');
    expect(server.calls.slice(calls)).toEqual([]);
    expect(await KeyStore.exists(storeName(USER), factory)).toBe(false);
  });

  it('restores the same way when the backed-up device was revoked meanwhile', async () => {
    const server = new FakeServer();
    const { device, code } = await registered(server);
    server.devices[0].status = 'revoked';
    const factory = new IDBFactory();
    const api = await signIn(server);
    const restored = await restoreDevice(api, PASSWORD, code, server.backup!, { ...CHEAP, cost: TINY, factory });
    opened.push(restored.store);
    expect(restored.deviceId).not.toBe(device.deviceId);
    expect(server.devices).toHaveLength(2);
    expect((await openBackup(code, server.backup!, USER)).deviceId).toBe(restored.deviceId);
  });

  it('offers nothing when the server has no backup', async () => {
    const server = new FakeServer();
    expect(await restorableBackup(await signIn(server), new IDBFactory())).toBeNull();
  });
});
