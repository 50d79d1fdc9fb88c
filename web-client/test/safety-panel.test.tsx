// @vitest-environment node
// The safety-number panel and member badge rendered for real (Preact into a jsdom document) against
// a fake server (a fetch function), with a real KeyStore over fake-indexeddb, real Ed25519 keys and
// real safety numbers. The camera scanner is absent here: there is no BarcodeDetector.
//
// Node environment with a jsdom document set up by hand, not vitest's jsdom environment: that one
// swaps the global Uint8Array for jsdom's, while fake-indexeddb clones records with Node's
// structuredClone, so stored bytes would fail the key store's `instanceof Uint8Array` check (a
// browser has one realm and no such problem).
import { IDBFactory } from 'fake-indexeddb';
// @ts-expect-error jsdom ships no type declarations; @types/jsdom is not worth a dependency here
import { JSDOM } from 'jsdom';
import { render } from 'preact';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Api } from '../src/api';
import { SafetyNumber } from '../src/crypto/safetyNumber';
import { base64url, createDeviceIdentity, fromBase64url } from '../src/device/identity';
import { KeyStore } from '../src/device/keystore';
import type { DeviceRecord } from '../src/device/setup';
import { setLanguage, t } from '../src/i18n';
import { MemberBadge } from '../src/pages/MemberBadge';
import { SafetyNumberPanel } from '../src/pages/SafetyNumber';

const dom = new JSDOM('<!doctype html><html><body></body></html>');
Object.assign(globalThis, { window: dom.window, document: dom.window.document });

const TINY = { m: 64, t: 1, p: 1 };
const ME = 'u-amina';
const ELENA = { id: 'u-elena', displayName: 'Elena' };

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

class FakeServer {
  devices = new Map<string, DeviceRecord[]>();
  calls: string[] = [];

  async addDevice(userId: string, name: string): Promise<DeviceRecord> {
    const record: DeviceRecord = {
      id: `${userId}-d${(this.devices.get(userId)?.length ?? 0) + 1}`,
      userId,
      name,
      signatureKey: base64url((await createDeviceIdentity()).publicKey),
      status: 'active',
      createdAt: '2026-11-23T10:00:00Z',
    };
    this.devices.set(userId, [...(this.devices.get(userId) ?? []), record]);
    return record;
  }

  fetch = async (path: string, init?: RequestInit): Promise<Response> => {
    this.calls.push(`${init?.method ?? 'GET'} ${path}`);
    if (path === '/api/v1/auth/refresh') {
      return json(200, { accessToken: 'a.e30.c2ln', refreshToken: 'r2', expiresIn: 900 });
    }
    const match = path.match(/^\/api\/v1\/users\/([^/]+)\/devices$/);
    if (match) return json(200, { items: this.devices.get(decodeURIComponent(match[1])) ?? [] });
    return json(404, { error: { code: 'not-found', message: path } });
  };
}

async function until<T>(probe: () => T | null | undefined | false, what: string, ms = 3000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}: ${root.innerHTML.replace(/<svg.*<\/svg>/, "")}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const buttonNamed = (root: HTMLElement, label: string) =>
  Array.from(root.querySelectorAll('button')).find((b) => b.textContent?.trim() === label);

let root: HTMLElement;
let server: FakeServer;
let api: Api;
let store: KeyStore;

beforeEach(async () => {
  setLanguage('en', null);
  root = document.createElement('div');
  document.body.append(root);
  server = new FakeServer();
  api = new Api(server.fetch, { getRefresh: () => 'r1', setRefresh: () => {} });
  store = await KeyStore.open('safety-panel', 'pw', TINY, new IDBFactory());
  await server.addDevice(ME, 'Amina’s laptop');
  await server.addDevice(ELENA.id, 'Elena’s phone');
});

afterEach(() => {
  render(null, root);
  root.remove();
  store.close();
  setLanguage('en', null);
});

function show() {
  render(
    <>
      <MemberBadge api={api} store={store} userId={ELENA.id} />
      <SafetyNumberPanel api={api} store={store} myUserId={ME} user={ELENA} />
    </>,
    root,
  );
}

const digitsShown = () => root.querySelector('.safety-digits');
const statusText = () => root.querySelector('.safety-status')?.textContent ?? '';
const badgeText = () => root.firstElementChild?.textContent ?? '';

describe('SafetyNumberPanel', () => {
  it('shows the number Elena sees too, her devices and the QR code, and marks her verified', async () => {
    show();
    const digits = await until(digitsShown, 'the digits');

    // The 60 digits Elena computes on her side, from the same devices.
    const key = (u: string) => server.devices.get(u)!.map((d) => fromBase64url(d.signatureKey));
    const hers = SafetyNumber.between({ userId: ELENA.id, deviceKeys: key(ELENA.id) }, { userId: ME, deviceKeys: key(ME) });
    const groups = Array.from(digits.querySelectorAll('span'), (s) => s.textContent);
    expect(groups).toEqual(hers.groups());
    expect(digits.getAttribute('dir')).toBe('ltr');
    expect(digits.getAttribute('aria-hidden')).toBe('true');
    const spoken = root.querySelector('[data-spoken]')!.textContent!;
    expect(spoken.replace(/[ ,]/g, '')).toBe(hers.digits());
    expect(spoken.startsWith(hers.digits().slice(0, 5).split('').join(' ') + ', ')).toBe(true);

    expect(root.textContent).toContain('Elena’s phone');
    await until(() => root.querySelector('.fingerprint')?.textContent?.match(/^[0-9a-f]{4}( [0-9a-f]{4}){7}$/), 'a fingerprint');
    const qr = await until(() => root.querySelector('svg.safety-qr'), 'the QR code');
    expect(qr.getAttribute('role')).toBe('img');
    expect(qr.getAttribute('aria-label')).toBe(t('safety.qr'));
    expect(buttonNamed(root, t('safety.scan'))).toBeUndefined(); // no BarcodeDetector in jsdom

    expect(statusText()).toContain(t('safety.status.unverified'));
    await until(() => badgeText().includes(t('safety.status.unverified')), 'the badge');
    expect(buttonNamed(root, t('safety.clearVerified'))).toBeUndefined();

    buttonNamed(root, t('safety.markVerified'))!.click();
    await until(() => statusText().includes(t('safety.status.verified')), 'verified status');
    expect(document.activeElement).toBe(root.querySelector('.safety-status'));
    expect(buttonNamed(root, t('safety.markVerified'))).toBeUndefined();
    await until(() => badgeText().includes(t('safety.status.verified')), 'the badge to follow');
    expect(await store.names('verified/')).toEqual([`verified/${ELENA.id}`]);
  });

  it('shows a device added afterwards as changed, in the panel and the badge', async () => {
    show();
    await until(digitsShown, 'the digits');
    const before = root.querySelector('[data-spoken]')!.textContent;
    buttonNamed(root, t('safety.markVerified'))!.click();
    await until(() => statusText().includes(t('safety.status.verified')), 'verified status');

    const tablet = await server.addDevice(ELENA.id, 'Elena’s tablet');
    render(null, root); // the member list is opened again later
    show();
    await until(() => statusText().includes(t('safety.status.changed')), 'changed status');
    expect(root.querySelector('[data-spoken]')!.textContent).not.toBe(before);
    expect(root.querySelector('.safety-warning')?.textContent).toContain('Elena');
    const newMarks = Array.from(root.querySelectorAll('.safety-devices li')).filter((li) =>
      li.textContent!.includes(t('safety.newDevice')),
    );
    expect(newMarks.map((li) => li.querySelector('strong')!.textContent)).toEqual([tablet.name]);
    await until(() => badgeText().includes(t('safety.status.changed')), 'the badge');

    // Compared again: verified, then cleared.
    buttonNamed(root, t('safety.markVerified'))!.click();
    await until(() => statusText().includes(t('safety.status.verified')), 'verified again');
    buttonNamed(root, t('safety.clearVerified'))!.click();
    await until(() => statusText().includes(t('safety.status.unverified')), 'cleared');
    await until(() => badgeText().includes(t('safety.status.unverified')), 'the badge cleared');
    expect(await store.names('verified/')).toEqual([]);
  });

  it('keeps the digits left to right in Arabic, with every control labelled', async () => {
    setLanguage('ar', null);
    show();
    const digits = await until(digitsShown, 'the digits');
    expect(digits.getAttribute('dir')).toBe('ltr');
    expect(root.querySelector('h2')!.textContent).toBe('رقم الأمان مع Elena');
    await until(() => root.querySelector('svg.safety-qr'), 'the QR code');
    for (const button of Array.from(root.querySelectorAll('button'))) {
      expect(button.textContent!.trim().length).toBeGreaterThan(0);
    }
    expect(buttonNamed(root, t('safety.markVerified', 'ar'))).toBeDefined();
  });
});
