// The browser tests, in the order they run (see run.mjs). Each gets a fresh browser context
// (`page`), `shared` ({ base, inviteLink, admin }) and `axe(label)`, which fails on any serious
// or critical axe-core violation of the page as it is.
import assert from 'node:assert/strict';
import { acceptRecoveryCode, restoreWithCode } from './backup-tests.mjs';

const ADMIN = {
  email: 'first.admin@example.org',
  name: 'First Admin',
  password: 'correct horse battery staple',
};

async function signIn(page, base, email, password) {
  await page.goto(`${base}/login`);
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

async function profileShown(page) {
  await page.getByRole('heading', { name: 'Your profile' }).waitFor();
  const text = await page.locator('main').innerText();
  assert.match(text, new RegExp(ADMIN.name), 'the profile names the admin');
  assert.match(text, new RegExp(ADMIN.email), 'the profile shows the e-mail');
  assert.match(text, /Network admin/i, 'the profile shows the role');
}

/**
 * The "This device" panel once the key store is open and the session bound: returns its key
 * fingerprint and the number of devices the server lists for the account.
 */
async function devicePanel(page, status) {
  const panel = page.getByRole('region', { name: 'This device' });
  await panel.locator('dl.facts').getByText(status, { exact: true }).waitFor();
  const fingerprint = (await panel.locator('.fingerprint').innerText()).trim();
  assert.match(fingerprint, /^[0-9a-f]{4}( [0-9a-f]{4}){7}$/, 'the fingerprint is 16 bytes of hex in groups of 4');
  const count = (await panel.locator('dt', { hasText: 'Devices on your account' }).locator('xpath=following-sibling::dd[1]').innerText()).trim();
  return { panel, fingerprint, count: Number(count) };
}

export const tests = [
  {
    name: 'invitation screen has no serious or critical accessibility violations',
    async run({ page, shared, axe }) {
      await page.goto(shared.inviteLink);
      await page.getByRole('button', { name: 'Create my account' }).waitFor();
      await axe('invitation screen');
    },
  },
  {
    name: 'first admin registers from the bootstrap invitation, signs out and signs in again',
    async run({ page, shared }) {
      await page.goto(shared.inviteLink);
      await page.getByRole('heading', { name: 'You are invited to Liaison' }).waitFor();
      await page.getByLabel('E-mail').fill(ADMIN.email);
      await page.getByLabel('Your name as others will see it').fill(ADMIN.name);
      await page.getByLabel('Password (at least 12 characters)').fill(ADMIN.password);
      await page.getByLabel('Password again').fill(ADMIN.password);
      await page.getByRole('button', { name: 'Create my account' }).click();
      // The recovery code is shown once, before home (backup-tests.mjs).
      const recoveryCode = await acceptRecoveryCode(page);
      await profileShown(page);
      assert.equal(new URL(page.url()).pathname, '/');
      shared.admin = { ...ADMIN, recoveryCode };
      // Registration also registered this browser as a device, waiting for a coordinator.
      const registered = await devicePanel(page, 'Waiting for confirmation');
      await registered.panel
        .getByText('A coordinator of your city needs to confirm this device before you can join channels.')
        .waitFor();
      assert.equal(registered.count, 1, 'the server lists one device');

      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByRole('heading', { name: 'Sign in' }).waitFor();
      assert.equal(new URL(page.url()).pathname, '/login');

      await page.getByLabel('E-mail').fill(ADMIN.email);
      await page.getByLabel('Password').fill(ADMIN.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await profileShown(page);
      // The new session is bound to the same device (key store reopened with the password).
      const again = await devicePanel(page, 'Waiting for confirmation');
      assert.equal(again.fingerprint, registered.fingerprint, 'the same device key is reused');
      assert.equal(again.count, 1, 'signing in again registered no second device');
    },
  },
  {
    name: 'a wrong password shows an error a person can read',
    async run({ page, shared }) {
      assert.ok(shared.admin, 'needs the admin registered by the test before');
      await signIn(page, shared.base, shared.admin.email, 'not the right password');
      const alert = page.getByRole('alert');
      await alert.waitFor();
      const message = (await alert.innerText()).trim();
      assert.equal(message, 'Wrong e-mail or password');
      assert.equal(await page.getByRole('heading', { name: 'Your profile' }).count(), 0);
    },
  },
  {
    name: 'sign-in screen has no serious or critical accessibility violations',
    async run({ page, shared, axe }) {
      await page.goto(`${shared.base}/login`);
      await page.getByRole('button', { name: 'Sign in' }).waitFor();
      await axe('sign-in screen');
    },
  },
  {
    name: 'home screen has no serious or critical accessibility violations',
    async run({ page, shared, axe }) {
      assert.ok(shared.admin, 'needs the admin registered by the test before');
      await signIn(page, shared.base, shared.admin.email, shared.admin.password);
      // A fresh browser: the key backup is offered (backup-tests.mjs).
      await restoreWithCode(page, shared.admin.recoveryCode);
      await profileShown(page);
      await devicePanel(page, 'Waiting for confirmation');
      await axe('home screen (profile, this device, notifications)');
    },
  },
  {
    name: 'administration: cities, organisations, invitations kept and revoked, members, audit chain; each view axe clean',
    async run({ page, shared, axe }) {
      assert.ok(shared.admin, 'needs the admin registered by the test before');
      await signIn(page, shared.base, shared.admin.email, shared.admin.password);
      await restoreWithCode(page, shared.admin.recoveryCode);
      await profileShown(page);
      // Administration has its own page in the main navigation (coordinators and admins only).
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Administration' }).click();
      const admin = page.getByRole('navigation', { name: 'Administration sections' });
      const status = page.locator('.admin [role="status"]');

      await admin.getByRole('button', { name: 'Cities' }).click();
      await page.getByLabel('City name').fill('Elbasan');
      await page.getByLabel('Country').fill('AL');
      await page.getByRole('button', { name: 'Add city' }).click();
      await status.getByText('City Elbasan added.').waitFor();
      await axe('administration: cities');

      await admin.getByRole('button', { name: 'Organisations' }).click();
      await page.locator('.admin').getByLabel(/^City/).selectOption({ label: 'Elbasan' });
      await page.getByLabel('Organisation name').fill('Elbasan Youth Centre');
      await page.getByLabel('Sector').selectOption('youth-work');
      await page.getByRole('button', { name: 'Add organisation' }).click();
      await status.getByText('Organisation Elbasan Youth Centre added.').waitFor();
      await axe('administration: organisations');

      await admin.getByRole('button', { name: 'Invitations' }).click();
      await page.locator('.admin').getByLabel(/^City/).selectOption({ label: 'Elbasan' });
      for (const email of ['arta@elbasan.example', 'dritan@elbasan.example']) {
        await page.getByLabel('Their e-mail').fill(email);
        await page.locator('.admin').getByLabel(/^Organisation/).selectOption({ label: 'Elbasan Youth Centre' });
        await page.getByRole('button', { name: 'Create invitation' }).click();
        await status.getByText(`Invitation for ${email} created.`, { exact: false }).waitFor();
      }
      // The first link is still there after the second was made.
      assert.equal(await page.locator('.invite-links li').count(), 2);
      const pending = page.locator('.admin-table tbody tr');
      await pending.filter({ hasText: 'arta@elbasan.example' }).filter({ hasText: 'Elbasan Youth Centre' }).waitFor();
      await axe('administration: invitations');

      // A reload: the links come back from this device's key store, so "copy again" is offered.
      await page.reload();
      await page.getByRole('heading', { name: 'Liaison is locked' }).waitFor();
      await page.getByLabel('Password').fill(shared.admin.password);
      await page.getByRole('button', { name: 'Unlock' }).click();
      await admin.getByRole('button', { name: 'Invitations' }).click();
      await admin.getByRole('button', { name: 'Invitations' }).waitFor();
      await page.getByRole('button', { name: 'Copy link again — arta@elbasan.example' }).waitFor();

      await page.getByRole('button', { name: 'Revoke — arta@elbasan.example' }).click();
      await page.getByRole('alertdialog').getByRole('button', { name: 'Confirm' }).click();
      await status.getByText('The invitation for arta@elbasan.example is revoked.').waitFor();
      await pending.filter({ hasText: 'arta@elbasan.example' }).waitFor({ state: 'detached' });

      await admin.getByRole('button', { name: 'Members' }).click();
      const headers = await page.locator('.admin-table thead th').allInnerTexts();
      assert.deepEqual(headers.map((h) => h.trim().toLowerCase()), ['name', 'e-mail', 'role', 'tier', 'sector', 'city', 'organisation', 'status', 'devices', 'actions']);
      await axe('administration: members');

      await admin.getByRole('button', { name: 'Audit log' }).click();
      await page.getByText('invitation.revoked').first().waitFor();
      await page.getByRole('button', { name: 'Check the chain' }).click();
      await status.getByText(/The audit log is intact/).waitFor();
      await axe('administration: audit log');
    },
  },
  {
    name: 'switching the language to Arabic lays the sign-in screen out right to left',
    async run({ page, shared, axe }) {
      await page.goto(`${shared.base}/login`);
      await page.getByRole('heading', { name: 'Sign in' }).waitFor();
      const html = page.locator('html');
      assert.equal(await html.getAttribute('dir'), 'ltr');
      const select = page.getByLabel('Language');
      const brand = page.locator('.topbar .brand');
      const englishBrand = await brand.boundingBox();
      const englishSelect = await select.boundingBox();
      assert.ok(englishBrand.x < englishSelect.x, 'in English the brand is left of the language menu');

      await select.selectOption('ar');
      await page.getByRole('heading', { name: 'تسجيل الدخول' }).waitFor();
      assert.equal(await html.getAttribute('dir'), 'rtl');
      assert.equal(await html.getAttribute('lang'), 'ar');
      const arabicBrand = await brand.boundingBox();
      const arabicSelect = await page.getByLabel('اللغة').boundingBox();
      assert.ok(arabicBrand.x > arabicSelect.x, 'in Arabic the brand is right of the language menu');
      await axe('Arabic sign-in screen');

      // The choice is remembered on this device.
      await page.reload();
      await page.getByRole('heading', { name: 'تسجيل الدخول' }).waitFor();
      assert.equal(await html.getAttribute('dir'), 'rtl');
    },
  },
];
