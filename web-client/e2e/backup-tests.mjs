// Browser tests of the recovery code and key backup (run after tests.mjs's, see run.mjs), plus the
// two helpers tests.mjs uses where registration and a fresh-browser sign-in now pass through them.
import assert from 'node:assert/strict';

const MEMBER = {
  email: 'youth.worker@example.org',
  name: 'Youth Worker',
  password: 'another correct horse battery',
};

/**
 * The "Recovery code" screen after registration: checks that Continue waits for the box, ticks
 * it, continues, and returns the code as shown (groups of 4).
 */
export async function acceptRecoveryCode(page) {
  await page.getByRole('heading', { name: 'Your recovery code' }).waitFor();
  // Shown only once its backup is stored (Argon2id at 64 MiB takes a moment).
  const code = page.locator('.recovery-code');
  await code.waitFor({ timeout: 60_000 });
  const groups = await code.locator('span').allInnerTexts();
  const shown = groups.join('-');
  assert.match(shown, /^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){5}-[0-9A-HJKMNP-TV-Z]{2}$/, 'a grouped recovery code');
  const proceed = page.getByRole('button', { name: 'Continue' });
  assert.equal(await proceed.isDisabled(), true, 'Continue waits for "I have written it down"');
  await page.getByLabel('I have written it down').check();
  await proceed.click();
  return shown;
}

/** On the restore offer, types the code (carelessly: lower case, spaces) and restores. */
export async function restoreWithCode(page, code) {
  await page.getByRole('heading', { name: 'Restore your identity' }).waitFor();
  await page.getByLabel('Recovery code (26 letters and digits)').fill(code.toLowerCase().replace(/-/g, ' '));
  await page.getByRole('button', { name: 'Restore with your recovery code' }).click();
  await page.getByText('Your identity is restored in this browser, as a new device.').waitFor({ timeout: 60_000 });
  await page.getByText(/a coordinator of your city confirms this device/).first().waitFor();
  await page.getByRole('button', { name: 'Continue' }).click();
}

async function signIn(page, base, email, password) {
  await page.goto(`${base}/login`);
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** This browser's device id (kept per tab, not secret), the panel's fingerprint and device count. */
async function thisDevice(page, status) {
  const panel = page.getByRole('region', { name: 'This device' });
  await panel.locator('dl.facts').getByText(status, { exact: true }).waitFor({ timeout: 30_000 });
  const fingerprint = (await panel.locator('.fingerprint').innerText()).trim();
  const count = (await panel.locator('dt', { hasText: 'Devices on your account' }).locator('xpath=following-sibling::dd[1]').innerText()).trim();
  const deviceId = await page.evaluate(() => sessionStorage.getItem('liaison.device'));
  assert.match(deviceId ?? '', /^[0-9a-f]{32}$/, 'the device id is kept for the tab');
  return { fingerprint, count: Number(count), deviceId };
}

async function api(base, method, path, token, body) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { ...(body ? { 'Content-Type': 'application/json' } : {}), ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const json = await response.json().catch(() => ({}));
  assert.ok(response.ok, `${method} ${path}: ${response.status} ${JSON.stringify(json)}`);
  return json;
}

/** An invitation for a member of a new city, made by the admin through the API. */
async function memberInvitation(shared) {
  const { accessToken } = await api(shared.base, 'POST', '/api/v1/auth/login', null, {
    email: shared.admin.email,
    password: shared.admin.password,
  });
  const city = await api(shared.base, 'POST', '/api/v1/cities', accessToken, { name: 'Mostar', country: 'BA' });
  const org = await api(shared.base, 'POST', '/api/v1/organisations', accessToken, {
    cityId: city.id,
    name: 'Mostar youth centre',
    sector: 'youth-work',
  });
  const invitation = await api(shared.base, 'POST', '/api/v1/invitations', accessToken, {
    email: MEMBER.email,
    cityId: city.id,
    organisationId: org.id,
    tier: 'T1',
    role: 'member',
  });
  return { link: invitation.url ?? `${shared.base}/invite/${invitation.code}`, accessToken };
}

export const backupTests = [
  {
    name: 'a member registers, keeps the recovery code, restores in a fresh browser as a new device and revokes the old one',
    async run({ page, shared, axe }) {
      assert.ok(shared.admin, 'needs the admin registered by the earlier tests');
      const { link } = await memberInvitation(shared);
      await page.goto(link);
      await page.getByRole('heading', { name: 'You are invited to Liaison' }).waitFor();
      await page.getByLabel('Your name as others will see it').fill(MEMBER.name);
      await page.getByLabel('Password (at least 12 characters)').fill(MEMBER.password);
      await page.getByLabel('Password again').fill(MEMBER.password);
      await page.getByRole('button', { name: 'Create my account' }).click();
      await page.locator('.recovery-code').waitFor({ timeout: 60_000 });
      await axe('recovery code screen');
      const code = await acceptRecoveryCode(page);
      await page.getByRole('heading', { name: 'Your profile' }).waitFor();
      const first = await thisDevice(page, 'Waiting for confirmation');
      assert.equal(first.count, 1);

      // A fresh browser (no key store): the backup is offered.
      const fresh = await page.context().browser().newContext({ locale: 'en-GB' });
      try {
        const other = await fresh.newPage();
        other.setDefaultTimeout(15_000);
        await signIn(other, shared.base, MEMBER.email, MEMBER.password);
        await other.getByRole('heading', { name: 'Restore your identity' }).waitFor();
        await other.getByRole('button', { name: 'Set up as a new device' }).waitFor();
        await axe('restore screen', other);

        // Not a code at all: refused at once. A well-formed wrong code: refused after the KDF.
        const input = other.getByLabel('Recovery code (26 letters and digits)');
        const submit = other.getByRole('button', { name: 'Restore with your recovery code' });
        await input.fill('not my code');
        await submit.click();
        await other.getByRole('alert').getByText('A recovery code has 26 letters and digits; check what you typed.').waitFor();
        const wrong = code.replace(/^./, (c) => (c === '2' ? '3' : '2'));
        await input.fill(wrong);
        await submit.click();
        await other
          .getByRole('alert')
          .getByText('This recovery code does not open your backup. Check it and try again.')
          .waitFor({ timeout: 60_000 });

        await restoreWithCode(other, code);
        await other.getByRole('heading', { name: 'Your profile' }).waitFor();
        const restored = await thisDevice(other, 'Waiting for confirmation');
        assert.notEqual(restored.deviceId, first.deviceId, 'the restored browser is a new device');
        assert.notEqual(restored.fingerprint, first.fingerprint, 'with its own key');
        assert.equal(restored.count, 2, 'the old device is still listed, to revoke');
        // Two browsers of the same kind get distinct names; the member renames this one.
        const devicePanel = other.getByRole('region', { name: 'This device' });
        await devicePanel.locator('.device-list li', { hasText: /on Linux \(2\)/ }).waitFor();
        await devicePanel.locator('dl.facts').getByRole('button', { name: 'Rename' }).click();
        await devicePanel.getByLabel('New name for this device').fill('Office laptop');
        await axe('renaming this device', other);
        await devicePanel.getByRole('button', { name: 'Save' }).click();
        await devicePanel.getByText('The new name is saved.').waitFor();
        await devicePanel.locator('.device-list li', { hasText: 'Office laptop' }).waitFor();
        // The old browser is "lost": revoke it from the new one; its session ends at once.
        other.on('dialog', (d) => d.accept());
        const panel = other.getByRole('region', { name: 'This device' });
        await panel.getByRole('button', { name: /^Revoke / }).click();
        await panel.locator('.device-list li', { hasText: 'Revoked' }).waitFor();
        assert.equal(await panel.getByRole('button', { name: /^Revoke / }).count(), 0);
        await axe('this device with the old one revoked', other);
        // The old browser's session ended with its device: unlocking it only leads to sign-in.
        await page.reload();
        await page.getByRole('heading', { name: 'Liaison is locked' }).waitFor();
        await page.getByLabel('Password').fill(MEMBER.password);
        await page.getByRole('button', { name: 'Unlock' }).click();
        await page.getByRole('heading', { name: 'Sign in' }).waitFor({ timeout: 30_000 });
      } finally {
        await fresh.close();
      }
    },
  },
];
