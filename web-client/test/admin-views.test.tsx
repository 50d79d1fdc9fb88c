// @vitest-environment node
// The administration views rendered for real (Preact into a jsdom document, set up by hand as in
// safety-panel.test.tsx) against an in-memory server speaking the API's JSON, with a real KeyStore
// over fake-indexeddb keeping the invitation links.
import { IDBFactory } from 'fake-indexeddb';
// @ts-expect-error jsdom ships no type declarations
import { JSDOM } from 'jsdom';
import { render } from 'preact';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AdminSection, type AdminView } from '../src/admin/AdminSection';
import { actionOn } from '../src/admin/Notice';
import { Api } from '../src/api';
import { KeyStore } from '../src/device/keystore';
import { setLanguage, t, tf } from '../src/i18n';
import type { City, Organisation, User } from '../src/model';

const dom = new JSDOM('<!doctype html><html><body></body></html>');
Object.assign(globalThis, { window: dom.window, document: dom.window.document });

const TINY = { m: 64, t: 1, p: 1 };
const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

const CITY: City = { id: 'c-tirana', name: 'Tirana', country: 'AL' };
const ORG: Organisation = { id: 'o-police', cityId: CITY.id, name: 'Tirana Police', sector: 'law-enforcement' } as Organisation;
const person = (id: string, displayName: string, role = 'member', tier = 'T1'): User => ({
  id,
  displayName,
  email: `${id}@tirana.example`,
  preferredLanguage: 'en',
  cityId: CITY.id,
  organisationId: ORG.id,
  sector: 'law-enforcement',
  tier,
  role,
  status: 'active',
  createdAt: '2026-11-20T10:00:00Z',
  devicesPendingConfirmation: 0,
});
const ADMIN = person('admin', 'Ada Admin', 'network-admin', 'T3');

/** Invitations, users and the audit log as the server answers them; every call recorded. */
class InMemoryServer {
  calls: string[] = [];
  invitations: Record<string, unknown>[] = [];
  users: User[] = [ADMIN, { ...person('besa', 'Besa Hoxha'), devicesPendingConfirmation: 2 }];
  verdict: unknown = { valid: true, entries: 3 };
  revokeAnswer: Response | null = null;
  private next = 1;

  fetch = async (path: string, init?: RequestInit): Promise<Response> => {
    const method = init?.method ?? 'GET';
    const body = init?.body ? JSON.parse(String(init.body)) : null;
    this.calls.push(`${method} ${path}`);
    if (path === '/api/v1/auth/refresh') return json(200, { accessToken: 'a.e30.c2ln', refreshToken: 'r2', expiresIn: 900 });
    if (method === 'POST' && path === '/api/v1/invitations') {
      const id = `i${this.next++}`;
      this.invitations.unshift({
        id, email: body.email, cityId: body.cityId, organisationId: body.organisationId, sector: ORG.sector,
        tier: body.tier, role: body.role, createdBy: ADMIN.id, createdAt: '2026-12-02T10:00:00Z',
        expiresAt: '2026-12-09T10:00:00Z', expired: false,
      });
      return json(201, { id, code: `code-${id}`, expiresAt: '2026-12-09T10:00:00Z', url: `https://liaison.example/invite/code-${id}` });
    }
    if (method === 'GET' && path === '/api/v1/invitations') return json(200, { items: this.invitations });
    const revoke = path.match(/^\/api\/v1\/invitations\/([^/]+)\/revoke$/);
    if (method === 'POST' && revoke) {
      if (this.revokeAnswer) return this.revokeAnswer;
      this.invitations = this.invitations.filter((i) => i.id !== revoke[1]);
      return json(200, { id: revoke[1], status: 'revoked' });
    }
    if (method === 'GET' && path.startsWith('/api/v1/users')) return json(200, { items: this.users });
    const status = path.match(/^\/api\/v1\/users\/([^/]+)\/(suspend|reactivate)$/);
    if (method === 'POST' && status) {
      const user = this.users.find((u) => u.id === status[1])!;
      user.status = status[2] === 'suspend' ? 'suspended' : 'active';
      return json(200, user);
    }
    if (method === 'GET' && path.startsWith('/api/v1/audit?')) {
      return json(200, {
        items: [{ seq: 1, at: '2026-12-02T09:00:00Z', actorId: ADMIN.id, action: 'user.suspended', targetId: 'besa', cityId: CITY.id, details: { reason: 'lost phone' } }],
      });
    }
    if (method === 'GET' && path === '/api/v1/audit/verify') return json(200, this.verdict);
    return json(404, { error: { code: 'not-found', message: path } });
  };
}

async function until<T>(probe: () => T | null | undefined | false, what: string, ms = 3000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}: ${root.innerHTML}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const button = (label: string) =>
  Array.from(root.querySelectorAll('button')).find((b) => b.textContent?.trim() === label || b.getAttribute('aria-label') === label);
const enabled = (label: string) => {
  const found = button(label);
  return found && !found.disabled ? found : undefined;
};
const field = (label: string) =>
  Array.from(root.querySelectorAll('label')).find((l) => l.textContent?.startsWith(label))?.querySelector('input, select') as HTMLInputElement;
/** Types into a field, then lets Preact re-render so handlers see the new state. */
const fill = async (label: string, value: string, event = 'input') => {
  const input = field(label);
  input.value = value;
  input.dispatchEvent(new dom.window.Event(event, { bubbles: true }));
  await new Promise((r) => setTimeout(r, 20));
};
const text = () => root.textContent ?? '';

let root: HTMLElement;
let server: InMemoryServer;
let api: Api;
let store: KeyStore;

beforeEach(async () => {
  setLanguage('en', null);
  root = document.createElement('div');
  document.body.append(root);
  server = new InMemoryServer();
  api = new Api(server.fetch, { getRefresh: () => 'r1', setRefresh: () => {} });
  store = await KeyStore.open(`admin-${Math.random()}`, 'pw', TINY, new IDBFactory());
});

afterEach(() => {
  render(null, root);
  root.remove();
  store.close();
  setLanguage('en', null);
});

function show(view: AdminView, keyStore: KeyStore | null = store) {
  render(null, root);
  render(
    <AdminSection api={api} me={ADMIN} cities={[CITY]} organisations={[ORG]} reload={async () => {}} store={keyStore} initial={view} />,
    root,
  );
}

async function invite(email: string) {
  await fill(t('admin.inviteEmail'), email);
  await fill(t('invite.organisation'), ORG.id, 'change');
  button(t('admin.sendInvite'))!.click();
  await until(() => text().includes(tf('admin.invitationCreated', { email })), `the invitation for ${email}`);
}

describe('administration views', () => {
  it('has its own navigation, one view at a time', async () => {
    show('cities');
    const nav = root.querySelector('nav.admin-nav')!;
    expect(nav.getAttribute('aria-label')).toBe(t('admin.nav'));
    expect(Array.from(nav.querySelectorAll('button'), (b) => b.textContent)).toEqual(
      ['cities', 'organisations', 'invitations', 'members', 'audit', 'network-key'].map((v) => t(`admin.tab.${v}` as never)),
    );
    expect(nav.querySelector('[aria-current="page"]')!.textContent).toBe(t('admin.tab.cities'));
    button(t('admin.tab.members'))!.click();
    await until(() => root.querySelector('#admin-members'), 'the members view');
    expect(root.querySelector('#admin-cities')).toBeNull();
  });

  it('keeps every new link shown, lists whom each invitation is for, and copies a link again from the key store', async () => {
    show('invitations');
    await invite('besa@tirana.example');
    await invite('goce@tirana.example');
    const links = Array.from(root.querySelectorAll('.invite-links code'), (c) => c.textContent);
    expect(links).toEqual(['https://liaison.example/invite/code-i2', 'https://liaison.example/invite/code-i1']);

    const rows = await until(() => root.querySelectorAll('.admin-table tbody tr').length === 2 && root.querySelectorAll('.admin-table tbody tr'), 'two rows');
    const headers = Array.from(root.querySelectorAll('.admin-table thead th'), (th) => th.textContent);
    expect(headers).toEqual(['for', 'city', 'organisation', 'tier', 'role', 'expires', 'actions'].map((c) => t(`admin.col.${c}` as never)));
    expect(rows[0].textContent).toContain('goce@tirana.example');
    expect(rows[0].textContent).toContain('Tirana Police');
    expect(rows[0].textContent).toContain(t('tier.T0'));
    expect(rows[0].textContent).toContain(t('role.member'));

    // A fresh page on this device: the links come back out of the key store, encrypted there.
    show('invitations');
    await until(() => button(actionOn(t('admin.copyAgain'), 'besa@tirana.example')), 'copy again');
    expect(new TextDecoder().decode((await store.get('invitation-link/i1'))!)).toBe('https://liaison.example/invite/code-i1');

    // Another device holds no link: it says so rather than offering a dead button.
    const other = await KeyStore.open('other-device', 'pw', TINY, new IDBFactory());
    show('invitations', other);
    await until(() => text().includes(t('admin.linkElsewhere')), 'no link here');
    expect(button(actionOn(t('admin.copyAgain'), 'besa@tirana.example'))).toBeUndefined();
    other.close();
  });

  it('revokes only after confirmation, says so, and forgets the kept link', async () => {
    show('invitations');
    await invite('besa@tirana.example');
    button(actionOn(t('admin.revoke'), 'besa@tirana.example'))!.click();
    const dialog = await until(() => root.querySelector('[role="alertdialog"]'), 'the confirmation');
    expect(dialog.textContent).toContain(tf('admin.revokeAsk', { email: 'besa@tirana.example' }));
    button(t('admin.cancel'))!.click();
    await until(() => !root.querySelector('[role="alertdialog"]'), 'the dialog closed');
    expect(server.calls.some((c) => c.endsWith('/revoke'))).toBe(false);

    button(actionOn(t('admin.revoke'), 'besa@tirana.example'))!.click();
    (await until(() => enabled(t('admin.confirm')), 'confirm')).click();
    await until(() => text().includes(tf('admin.revoked', { email: 'besa@tirana.example' })), 'the success message');
    expect(root.querySelector('[role="status"]')!.textContent).toBe(tf('admin.revoked', { email: 'besa@tirana.example' }));
    await until(() => text().includes(t('admin.noPending')), 'an empty list');
    show('invitations');
    await until(() => server.calls.filter((c) => c === 'GET /api/v1/invitations').length >= 3, 'the list read again');
    await until(async () => (await store.names('invitation-link/')).length === 0, 'the record deleted');
    expect(await store.names('invitation-link/')).toEqual([]);
  });

  it('shows our sentence for a refused revocation, never the server’s text', async () => {
    show('invitations');
    await invite('besa@tirana.example');
    server.revokeAnswer = json(409, { error: { code: 'invitation-not-pending', message: 'SERVER TEXT' } });
    button(actionOn(t('admin.revoke'), 'besa@tirana.example'))!.click();
    (await until(() => enabled(t('admin.confirm')), 'confirm')).click();
    const alert = await until(() => root.querySelector('p.error[role="alert"]'), 'the error');
    expect(alert.textContent).toBe(t('error.invitation-not-pending'));
    expect(text()).not.toContain('SERVER TEXT');
  });

  it('lists members under column headers and suspends only after confirmation with a reason', async () => {
    show('members');
    const row = await until(() => Array.from(root.querySelectorAll('tbody tr')).find((r) => r.textContent?.includes('Besa Hoxha')), 'Besa');
    const headers = Array.from(root.querySelectorAll('thead th'), (th) => th.textContent);
    expect(headers).toEqual(
      ['name', 'email', 'role', 'tier', 'sector', 'city', 'organisation', 'status', 'devices', 'actions'].map((c) => t(`admin.col.${c}` as never)),
    );
    expect(row.textContent).toContain('Tirana');
    expect(row.textContent).toContain(tf('admin.devicesWaiting', { count: '2' }));

    button(actionOn(t('admin.suspend'), 'Besa Hoxha'))!.click();
    (await until(() => enabled(t('admin.confirm')), 'confirm')).click();
    await until(() => text().includes(t('admin.reasonNeeded')), 'the reason asked for');
    expect(server.calls.some((c) => c.endsWith('/suspend'))).toBe(false);

    await fill(t('admin.reason'), 'lost phone');
    button(t('admin.confirm'))!.click();
    await until(() => text().includes(tf('admin.suspended', { name: 'Besa Hoxha' })), 'the success message');
    expect(server.calls).toContain('POST /api/v1/users/besa/suspend');
    await until(() => text().includes(t('admin.status.suspended')), 'the new status');
  });

  it('shows the audit log with names and a clear verdict of the chain check', async () => {
    show('audit');
    await until(() => text().includes('user.suspended'), 'an entry');
    await until(() => text().includes('Ada Admin') && text().includes('Besa Hoxha'), 'names, not ids');
    button(t('admin.audit.check'))!.click();
    await until(() => text().includes(tf('admin.audit.valid', { count: '3' })), 'the valid verdict');

    server.verdict = { valid: false, brokenAt: 2, reason: 'hash mismatch' };
    button(t('admin.audit.check'))!.click();
    const alert = await until(() => root.querySelector('.banner.danger[role="alert"]'), 'the broken verdict');
    expect(alert.textContent).toBe(tf('admin.audit.broken', { seq: '2' }));
  });

  it('speaks Arabic', async () => {
    setLanguage('ar', null);
    show('members');
    await until(() => text().includes('Besa Hoxha'), 'Besa');
    expect(root.querySelector('h1')!.textContent).toBe('الإدارة');
    expect(root.querySelector('thead th')!.textContent).toBe('الاسم');
  });
});
