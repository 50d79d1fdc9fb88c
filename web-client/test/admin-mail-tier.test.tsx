// @vitest-environment node
// Invitation e-mail in the administration views (delivery status, "Send again", the "Send by
// e-mail" option only where the server sends mail) and the confirmation before a tier change,
// rendered for real against an in-memory server as in admin-views.test.tsx.
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

class InMemoryServer {
  calls: string[] = [];
  bodies: unknown[] = [];
  mailConfigured = true;
  invitations: Record<string, unknown>[] = [];
  users: User[] = [ADMIN, person('besa', 'Besa Hoxha')];
  private next = 1;

  fetch = async (path: string, init?: RequestInit): Promise<Response> => {
    const method = init?.method ?? 'GET';
    const body = init?.body ? JSON.parse(String(init.body)) : null;
    this.calls.push(`${method} ${path}`);
    this.bodies.push(body);
    if (path === '/api/v1/auth/refresh') return json(200, { accessToken: 'a.e30.c2ln', refreshToken: 'r2', expiresIn: 900 });
    if (method === 'POST' && path === '/api/v1/invitations') {
      const id = `i${this.next++}`;
      const delivery = body.sendEmail ? { status: 'sending' } : null;
      this.invitations.unshift({
        id, email: body.email, cityId: body.cityId, organisationId: body.organisationId, sector: ORG.sector,
        tier: body.tier, role: body.role, createdBy: ADMIN.id, createdAt: '2026-12-02T10:00:00Z',
        expiresAt: '2026-12-09T10:00:00Z', expired: false, delivery,
      });
      return json(201, { id, code: `code-${id}`, expiresAt: '2026-12-09T10:00:00Z', url: `https://liaison.example/invite/code-${id}`, ...(delivery ? { delivery } : {}) });
    }
    if (method === 'GET' && path === '/api/v1/invitations') return json(200, { items: this.invitations, mailConfigured: this.mailConfigured });
    const send = path.match(/^\/api\/v1\/invitations\/([^/]+)\/send$/);
    if (method === 'POST' && send) {
      const invitation = this.invitations.find((i) => i.id === send[1])!;
      invitation.delivery = { status: 'sending' };
      return json(200, { id: send[1], code: 'code-new', expiresAt: '2026-12-10T10:00:00Z', url: 'https://liaison.example/invite/code-new', delivery: { status: 'sending' } });
    }
    if (method === 'GET' && path.startsWith('/api/v1/users')) return json(200, { items: this.users });
    const tier = path.match(/^\/api\/v1\/users\/([^/]+)\/tier$/);
    if (method === 'PUT' && tier) {
      const user = this.users.find((u) => u.id === tier[1])!;
      user.tier = body.tier;
      return json(200, user);
    }
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
const field = (label: string) =>
  Array.from(root.querySelectorAll('label')).find((l) => l.textContent?.startsWith(label))?.querySelector('input, select') as HTMLInputElement;
const fill = async (label: string, value: string, event = 'input') => {
  const input = field(label);
  input.value = value;
  input.dispatchEvent(new dom.window.Event(event, { bubbles: true }));
  await new Promise((r) => setTimeout(r, 20));
};
const text = () => root.textContent ?? '';
const settle = () => new Promise((r) => setTimeout(r, 30));

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
  store = await KeyStore.open(`admin-mail-${Math.random()}`, 'pw', TINY, new IDBFactory());
});

afterEach(() => {
  render(null, root);
  root.remove();
  store.close();
  setLanguage('en', null);
});

function show(view: AdminView) {
  render(null, root);
  render(
    <AdminSection api={api} me={ADMIN} cities={[CITY]} organisations={[ORG]} reload={async () => {}} store={store} initial={view} />,
    root,
  );
}

describe('invitation e-mail', () => {
  it('offers no e-mail where the server sends none', async () => {
    server.mailConfigured = false;
    server.invitations.push({ id: 'i9', email: 'old@tirana.example', cityId: CITY.id, organisationId: ORG.id, tier: 'T0', role: 'member', expiresAt: '2026-12-09T10:00:00Z', expired: false });
    show('invitations');
    await until(() => text().includes('old@tirana.example'), 'the list');
    expect(text()).not.toContain(t('admin.sendByEmail'));
    expect(button(t('admin.sendAgain'))).toBeUndefined();
    await fill(t('admin.inviteEmail'), 'arta@tirana.example');
    await fill(t('invite.organisation'), ORG.id, 'change');
    button(t('admin.sendInvite'))!.click();
    await until(() => text().includes(tf('admin.invitationCreated', { email: 'arta@tirana.example' })), 'created');
    const sent = server.bodies[server.calls.indexOf('POST /api/v1/invitations')] as Record<string, unknown>;
    expect(sent.sendEmail).toBe(false);
    expect(sent.language).toBeUndefined();
  });

  it('sends by e-mail in the chosen language, shows each delivery, and sends again after asking', async () => {
    server.invitations.push({
      id: 'i9', email: 'goce@tirana.example', cityId: CITY.id, organisationId: ORG.id, tier: 'T0', role: 'member',
      expiresAt: '2026-12-09T10:00:00Z', expired: false, delivery: { status: 'failed', reason: 'unreachable' },
    });
    show('invitations');
    await until(() => text().includes('goce@tirana.example'), 'the list');
    expect(text()).toContain(tf('admin.delivery.failed', { reason: t('admin.delivery.reason.unreachable') }));
    const checkbox = await until(() => field(t('admin.sendByEmail')), 'the e-mail option');
    expect(checkbox.checked).toBe(true);
    await fill(t('admin.emailLanguage'), 'sq', 'change');
    await fill(t('admin.inviteEmail'), 'besa@tirana.example');
    await fill(t('invite.organisation'), ORG.id, 'change');
    button(t('admin.sendInvite'))!.click();
    await until(() => text().includes(tf('admin.invitationEmailed', { email: 'besa@tirana.example' })), 'created and e-mailed');
    const sent = server.bodies[server.calls.indexOf('POST /api/v1/invitations')] as Record<string, unknown>;
    expect(sent).toMatchObject({ sendEmail: true, language: 'sq' });
    await until(() => text().includes(t('admin.delivery.sending')), 'its delivery status');

    button(actionOn(t('admin.sendAgain'), 'goce@tirana.example'))!.click();
    await until(() => text().includes(tf('admin.sendAgainAsk', { email: 'goce@tirana.example' })), 'the question');
    expect(server.calls).not.toContain('POST /api/v1/invitations/i9/send');
    // Once the list has settled (the button is busy while it loads).
    (await until(() => { const b = button(t('admin.confirm')); return b && !b.disabled && b; }, 'Confirm enabled')).click();
    await until(() => text().includes(tf('admin.sentAgain', { email: 'goce@tirana.example' })), 'sent again');
    expect(server.calls).toContain('POST /api/v1/invitations/i9/send');
    // The new link replaces the old one in this device's key store.
    const kept = await store.get('invitation-link/i9');
    expect(new TextDecoder().decode(kept!)).toBe('https://liaison.example/invite/code-new');
  });
});

describe('tier change', () => {
  const tierSelect = () => root.querySelector('tbody tr:nth-child(2) select') as HTMLSelectElement;
  const pick = async (tier: string) => {
    const select = tierSelect();
    select.value = tier;
    select.dispatchEvent(new dom.window.Event('change', { bubbles: true }));
    await settle();
  };

  it('asks for the reason, then says what raising or lowering does, and applies only on Confirm', async () => {
    show('members');
    await until(() => text().includes('Besa Hoxha'), 'the members');
    await pick('T2');
    expect(text()).toContain(t('admin.reasonNeeded'));
    expect(root.querySelector('[role="alertdialog"]')).toBeNull();

    await fill(t('admin.reason'), 'vetted by the city');
    await pick('T2');
    const raise = tf('admin.raiseTierAsk', { name: 'Besa Hoxha', tier: t('tier.T2') });
    await until(() => text().includes(raise), 'the raise question');
    expect(tierSelect().value).toBe('T1');
    button(t('admin.cancel'))!.click();
    await settle();
    expect(server.calls.some((c) => c.startsWith('PUT'))).toBe(false);

    await pick('T0');
    await until(() => text().includes(tf('admin.lowerTierAsk', { name: 'Besa Hoxha', tier: t('tier.T0') })), 'the lower question');
    button(t('admin.cancel'))!.click();
    await pick('T2');
    button(t('admin.confirm'))!.click();
    await until(() => text().includes(tf('admin.tierChanged', { name: 'Besa Hoxha', tier: t('tier.T2') })), 'applied');
    const put = server.calls.indexOf('PUT /api/v1/users/besa/tier');
    expect(server.bodies[put]).toEqual({ tier: 'T2', reason: 'vetted by the city' });
  });
});
