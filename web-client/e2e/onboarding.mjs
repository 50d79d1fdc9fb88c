// The onboarding of a new city, as a network does it, entirely in browsers (issue 12):
//
// - The admin invites a city coordinator (Lejla, Zenica). She registers, makes her coordinator key
//   and asks for it to be confirmed; the admin, in a fresh browser, opens the network key file made
//   in the channels test and confirms her from the in-app queue after comparing fingerprints.
// - Lejla confirms her own device, invites a member (Edin, T1) from Administration and, while she
//   is online, confirms his new device the moment it appears. Edin's part, from opening the link to
//   a confirmed device, is timed (docs/benchmarks.md; the goal is under three minutes).
// - The admin raises Edin to T2: his device waits for confirmation again (live), Lejla is told and
//   confirms it, and she adds him to a T2 channel where they talk. The admin lowers him to T1: he
//   is removed from that channel and no longer receives it.
// - Edin renames himself (Lejla sees the new name) and changes his password; after a reload the
//   new password unlocks the keys in his browser (they were re-encrypted). Then Lejla makes him a
//   password reset link; a fresh browser sets the new password and restores with his recovery code.
//
// Restoring with history is walked in the channels test (Chloé's lost laptop).
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { restoreWithCode } from './backup-tests.mjs';
import { registerInBrowser, SCREENSHOT_DIR, sendInBrowser, signInApi } from './channels.mjs';

const PASSWORD = 'a long onboarding test password';

const mainNav = (page) => page.getByRole('navigation', { name: 'Main' });
const adminTab = (page, name) => page.getByRole('navigation', { name: 'Administration sections' }).getByRole('button', { name });
/**
 * Opens Administration. Right after registering, the rail gains its Administration link when the
 * profile arrives; a click in that instant was once lost in CI (the page stayed on the profile),
 * so the click is repeated until the page is there (see the closing note of this stop).
 */
async function openAdministration(page) {
  for (let attempt = 0; attempt < 3; attempt++) {
    await mainNav(page).getByRole('link', { name: 'Administration' }).click();
    const opened = await page
      .getByRole('navigation', { name: 'Administration sections' })
      .waitFor({ timeout: 5_000 })
      .then(() => true, () => false);
    if (opened) return;
  }
  throw new Error('Administration did not open');
}

const thisDevice = (page, status) =>
  page.getByRole('region', { name: 'This device' }).locator('dl.facts').getByText(status, { exact: true });

async function newPage(browser, contexts, consoleLines, who, { recordNotifications = false } = {}) {
  const context = await browser.newContext({ locale: 'en-GB', viewport: { width: 1280, height: 900 } });
  contexts.push(context);
  if (recordNotifications) {
    // Headless Chromium shows no notifications: record what the page asks for, and let the test
    // hide the tab (document.visibilityState) as switching to another window would.
    await context.addInitScript(() => {
      window.__notifications = [];
      window.__hidden = false;
      window.Notification = class {
        static permission = 'granted';
        static requestPermission() {
          return Promise.resolve('granted');
        }
        constructor(title, options) {
          window.__notifications.push({ title, body: options?.body ?? '' });
        }
        close() {}
      };
      Object.defineProperty(Document.prototype, 'visibilityState', { get: () => (window.__hidden ? 'hidden' : 'visible') });
    });
  }
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  page.on('dialog', (d) => d.accept());
  page.on('console', (m) => consoleLines.push(`${who}: ${m.type()}: ${m.text()}`));
  page.on('pageerror', (err) => consoleLines.push(`${who}: pageerror: ${err.message}`));
  return page;
}


export const onboardingTests = (root) => [
  {
    name: 'onboarding: a city coordinator confirmed from the in-app queue, a member onboarded and timed, a tier raised and lowered with its effects',
    timeout: 420_000,
    async run({ shared, browser, axe, output }) {
      assert.ok(shared.networkKey, 'needs the network key file the channels test made');
      const base = shared.base;
      const screenshots = process.env.E2E_SCREENSHOTS === '1' ? SCREENSHOT_DIR(root) : null;
      const admin = await signInApi(base, shared.admin.email, shared.admin.password);
      // The city and its organisations through the API: the administration test covers those screens.
      const city = await admin('POST', '/api/v1/cities', { name: 'Zenica', country: 'BA' });
      const cityHall = await admin('POST', '/api/v1/organisations', { cityId: city.id, name: 'Zenica City Hall', sector: 'municipality' });
      await admin('POST', '/api/v1/organisations', { cityId: city.id, name: 'Zenica Youth Club', sector: 'youth-work' });
      const lejla = { name: 'Lejla Hadžić', email: 'lejla@zenica.example', password: PASSWORD };
      const edin = { name: 'Edin Begić', email: 'edin@zenica.example', password: PASSWORD };
      lejla.link = (await admin('POST', '/api/v1/invitations', {
        email: lejla.email, cityId: city.id, organisationId: cityHall.id, tier: 'T2', role: 'city-coordinator',
      })).url;

      const contexts = [];
      const consoleLines = [];
      try {
        // Lejla registers and asks for her coordinator key to be confirmed.
        const lejlaPage = await newPage(browser, contexts, consoleLines, 'lejla');
        await registerInBrowser(lejlaPage, lejla.link, lejla);
        await openAdministration(lejlaPage);
        const lejlaCard = lejlaPage.getByRole('region', { name: 'Confirm devices' });
        await lejlaCard.getByRole('button', { name: 'Create my coordinator key' }).click();
        await lejlaCard.getByText('Waiting for the network key holder to confirm your key.', { exact: false }).waitFor();
        const lejlaPrint = (await lejlaCard.locator('code.fingerprint').innerText()).trim();

        // The admin, on another computer: restores, opens the network key file, confirms Lejla.
        const adminPage = await newPage(browser, contexts, consoleLines, 'admin');
        await adminPage.goto(`${base}/login`);
        await adminPage.getByLabel('E-mail').fill(shared.admin.email);
        await adminPage.getByLabel('Password').fill(shared.admin.password);
        await adminPage.getByRole('button', { name: 'Sign in' }).click();
        await restoreWithCode(adminPage, shared.admin.recoveryCode);
        await openAdministration(adminPage);
        await adminTab(adminPage, 'Network key').click();
        const keyCard = adminPage.getByRole('region', { name: 'Network key and coordinators' });
        const keyFile = join(mkdtempSync(join(tmpdir(), 'liaison-network-key-')), 'liaison-network-key.json');
        writeFileSync(keyFile, shared.networkKey.text);
        await keyCard.getByLabel('Network key file').setInputFiles(keyFile);
        await keyCard.getByLabel('Passphrase of the key file').fill('not the passphrase at all');
        await keyCard.getByRole('button', { name: 'Open the key file' }).click();
        await keyCard.getByText('This passphrase does not open the key file.').waitFor();
        await keyCard.getByLabel('Passphrase of the key file').fill(shared.networkKey.passphrase);
        await keyCard.getByRole('button', { name: 'Open the key file' }).click();
        await keyCard.getByText('The network key is now kept in this browser.').waitFor();
        const request = keyCard.locator('tbody tr', { hasText: 'Lejla Hadžić' });
        await request.getByText('Zenica City Hall').waitFor();
        await request.getByText('Zenica', { exact: true }).waitFor();
        await request.getByText('T2 · Municipality').waitFor();
        assert.equal((await request.locator('code.fingerprint').innerText()).trim(), lejlaPrint, 'the queue shows the key Lejla holds');
        if (screenshots) await keyCard.screenshot({ path: join(screenshots, 'network-key-queue-en.png') });
        await axe('network key: opened from the file, a coordinator waiting', adminPage);
        await request.getByRole('button', { name: 'Confirm — Lejla Hadžić' }).click();
        await adminPage.getByRole('alertdialog').getByText('Confirm Lejla Hadžić (Zenica City Hall) as a T2 coordinator for Zenica?').waitFor();
        await adminPage.getByRole('alertdialog').getByRole('button', { name: 'Confirm' }).click();
        await keyCard.getByText('Lejla Hadžić is confirmed as a coordinator.').waitFor();

        // Lejla's browser hears of it; she confirms her own new device with her key.
        await lejlaCard.getByText(/Your coordinator key is confirmed: T2/).waitFor();
        await lejlaCard.getByRole('button', { name: 'Confirm Lejla Hadžić' }).click();
        await lejlaCard.getByText('Lejla Hadžić’s device is confirmed.').waitFor();

        // Lejla invites Edin from Administration → Invitations (her city is the only one offered).
        await adminTab(lejlaPage, 'Invitations').click();
        await lejlaPage.getByLabel('Their e-mail').fill(edin.email);
        await lejlaPage.locator('.admin').getByLabel(/^Organisation/).selectOption({ label: 'Zenica Youth Club' });
        await lejlaPage.locator('.admin form.invite').getByLabel('Tier').selectOption('T1');
        await lejlaPage.getByRole('button', { name: 'Create invitation' }).click();
        await lejlaPage.getByText(`Invitation for ${edin.email} created.`, { exact: false }).waitFor();
        edin.link = (await lejlaPage.locator('.invite-links code').first().innerText()).trim();
        await lejlaCard.getByText('No devices are waiting.').waitFor();

        // Edin's onboarding, timed from opening the link to a confirmed device, with Lejla online.
        const edinPage = await newPage(browser, contexts, consoleLines, 'edin', { recordNotifications: true });
        const started = Date.now();
        await registerInBrowser(edinPage, edin.link, edin);
        const registered = Date.now();
        await lejlaCard.getByText('A new device is waiting for your confirmation.').waitFor();
        const noticed = Date.now();
        await lejlaCard.getByRole('button', { name: 'Confirm Edin Begić' }).click();
        await thisDevice(edinPage, 'Active').waitFor();
        const confirmed = Date.now();
        const timing = {
          memberSecondsToConfirmedDevice: (confirmed - started) / 1000,
          memberOwnSeconds: (registered - started) / 1000,
          coordinatorNoticedAfterSeconds: (noticed - registered) / 1000,
          // What Edin himself does (docs/benchmarks.md turns it into a person's time).
          memberInputs: { fieldsTyped: 3, charactersTyped: edin.name.length + 2 * edin.password.length, recoveryCodeCharactersWrittenDown: 26, clicks: 3 },
        };
        writeFileSync(join(output, 'onboarding-timing.json'), JSON.stringify(timing, null, 2));
        console.log(`onboarding: ${JSON.stringify(timing)}`);
        assert.ok(timing.memberSecondsToConfirmedDevice < 180, `onboarding took ${timing.memberSecondsToConfirmedDevice} s`);
        await mainNav(edinPage).getByRole('link', { name: 'People' }).click();
        await edinPage.locator('.person', { hasText: 'Lejla Hadžić' }).first().waitFor();
        await axe('people, as a new member', edinPage);

        // Notifications are opt-in; by default they name only the channel, never the content.
        await mainNav(edinPage).getByRole('link', { name: 'Profile and device' }).click();
        await edinPage.getByLabel('Notify me of new messages while Liaison is in the background').check();
        assert.equal(await edinPage.getByLabel('Show the sender and the message in notifications').isChecked(), false);

        // A T2 channel: Edin (T1) cannot be added yet.
        await mainNav(lejlaPage).getByRole('link', { name: /^Conversations/ }).click();
        await lejlaPage.getByRole('link', { name: 'New channel' }).click();
        await lejlaPage.getByLabel('Name (only members can read it)').fill('Zenica case team');
        await lejlaPage.getByLabel('Lowest tier a member needs').selectOption('T2');
        await lejlaPage.getByRole('button', { name: 'Create channel' }).click();
        await lejlaPage.getByRole('heading', { name: 'Zenica case team' }).waitFor();
        await lejlaPage.getByRole('button', { name: /^Members/ }).click();
        await lejlaPage.getByRole('button', { name: 'Add members' }).click();
        await lejlaPage.getByText('Edin Begić is T1; this channel needs T2.').waitFor();

        // The admin raises Edin to T2: his device waits again, live; Lejla is told and confirms.
        await mainNav(edinPage).getByRole('link', { name: 'Profile and device' }).click();
        await adminTab(adminPage, 'Members').click();
        await adminPage.getByLabel('Reason (kept in the audit log)').fill('Vetted for case work in Zenica');
        const edinRow = adminPage.locator('.admin-table tbody tr', { hasText: 'Edin Begić' });
        await edinRow.getByLabel('Change tier').selectOption('T2');
        const raise = adminPage.getByRole('alertdialog');
        await raise.getByText('Raise Edin Begić to T2 · restricted?', { exact: false }).waitFor();
        await axe('members: confirming a tier change', adminPage);
        await raise.getByRole('button', { name: 'Confirm' }).click();
        await adminPage.getByText('Edin Begić now holds T2 · restricted.').waitFor();
        await thisDevice(edinPage, 'Waiting to be confirmed again').waitFor();
        await edinPage.getByText('T2 · restricted').first().waitFor();
        await openAdministration(lejlaPage);
        await lejlaCard.getByRole('button', { name: 'Confirm Edin Begić' }).click();
        await lejlaCard.getByText('Edin Begić’s device is confirmed.').waitFor();
        await thisDevice(edinPage, 'Active').waitFor();

        // Now he can be added, and they talk.
        await mainNav(lejlaPage).getByRole('link', { name: /^Conversations/ }).click();
        await lejlaPage.getByRole('link', { name: /Zenica case team/ }).click();
        await lejlaPage.getByRole('button', { name: /^Members/ }).click();
        await lejlaPage.getByRole('button', { name: 'Add members' }).click();
        await lejlaPage.getByLabel(/Edin Begić/).check();
        await lejlaPage.getByRole('button', { name: 'Add selected' }).click();
        await lejlaPage.getByRole('status').getByText('Added.').waitFor();
        await edinPage.waitForFunction(() => document.querySelector('a[href^="/c/"]'));
        await edinPage.evaluate(() => (window.__hidden = true));
        await sendInBrowser(lejlaPage, 'Welcome to the case team, Edin');
        await edinPage.waitForFunction(() => window.__notifications.length > 0);
        const [note] = await edinPage.evaluate(() => window.__notifications);
        assert.match(note.title, /^New message in /);
        assert.equal(note.body, '', 'no content unless Edin allows it');
        await edinPage.evaluate(() => (window.__hidden = false));
        await mainNav(edinPage).getByRole('link', { name: /^Conversations/ }).click();
        await edinPage.getByRole('link', { name: /Zenica case team/ }).click();
        await edinPage.locator('ol.messages li.message', { hasText: 'Welcome to the case team, Edin' }).waitFor();

        // The admin lowers him to T1: he is removed from the T2 channel and no longer receives it.
        await adminPage.getByLabel('Reason (kept in the audit log)').fill('Moved to prevention work');
        await edinRow.getByLabel('Change tier').selectOption('T1');
        await adminPage.getByRole('alertdialog').getByText('Lower Edin Begić to T1 · vetted partner?', { exact: false }).waitFor();
        await adminPage.getByRole('alertdialog').getByRole('button', { name: 'Confirm' }).click();
        await adminPage.getByText('Edin Begić now holds T1 · vetted partner.').waitFor();
        await edinPage.getByRole('link', { name: /Zenica case team/ }).getByText('You were removed').waitFor({ timeout: 30_000 });
        await lejlaPage.locator('.member-list').getByText('Edin Begić').waitFor({ state: 'detached', timeout: 30_000 });
        await sendInBrowser(lejlaPage, 'After Edin moved on');
        await edinPage.locator('ol.messages li.message', { hasText: 'Welcome to the case team, Edin' }).waitFor();
        assert.equal(await edinPage.locator('ol.messages li.message', { hasText: 'After Edin moved on' }).count(), 0);

        // Account basics: Edin renames himself (others see it without a reload) and changes his
        // password, which re-encrypts this browser's keys: after a reload the new one unlocks.
        await mainNav(edinPage).getByRole('link', { name: 'Profile and device' }).click();
        const nameCard = edinPage.getByRole('region', { name: 'Name and language' });
        await nameCard.getByLabel('Display name').fill('Edin Begić Hodžić');
        await nameCard.getByRole('button', { name: 'Save' }).click();
        await nameCard.getByText('Your profile was saved.').waitFor();
        await mainNav(lejlaPage).getByRole('link', { name: 'People' }).click();
        await lejlaPage.locator('.person', { hasText: 'Edin Begić Hodžić' }).first().waitFor();
        const passwordCard = edinPage.getByRole('region', { name: 'Change password' });
        const newPassword = 'a new and longer onboarding password';
        await passwordCard.getByLabel('Current password').fill(PASSWORD);
        await passwordCard.getByLabel('New password (at least 12 characters)').fill(newPassword);
        await passwordCard.getByRole('button', { name: 'Change password' }).click();
        await passwordCard.getByText('Your password was changed.', { exact: false }).waitFor();
        await axe('profile: name, password, delete account', edinPage);
        await edinPage.reload();
        await edinPage.getByRole('heading', { name: 'Liaison is locked' }).waitFor();
        await edinPage.getByLabel('Password').fill(PASSWORD);
        await edinPage.getByRole('button', { name: 'Unlock' }).click();
        await edinPage.getByText('That password does not open the keys on this device.', { exact: false }).waitFor();
        await edinPage.getByLabel('Password').fill(newPassword);
        await edinPage.getByRole('button', { name: 'Unlock' }).click();
        // (Lowered to T1, his device waits for Lejla to confirm it at that tier.)
        await thisDevice(edinPage, 'Waiting to be confirmed again').waitFor();

        // He forgets that password: Lejla makes him a one-time reset link. Keys stay end-to-end
        // encrypted: the new password does not open the old key store, so his browser sets up a new
        // device and restores his identity from the key backup with his recovery code.
        await openAdministration(lejlaPage);
        await adminTab(lejlaPage, 'Members').click();
        await lejlaPage.getByRole('button', { name: 'Reset password — Edin Begić Hodžić' }).click();
        await lejlaPage.getByRole('alertdialog').getByRole('button', { name: 'Confirm' }).click();
        const resetLink = (await lejlaPage.locator('.notice code').first().innerText()).trim();
        assert.match(resetLink, /\/reset\/[^/]+$/);
        const resetPage = await newPage(browser, contexts, consoleLines, 'edin-reset');
        await resetPage.goto(resetLink);
        await resetPage.getByRole('heading', { name: 'Set a new password' }).waitFor();
        await axe('password reset page', resetPage);
        await resetPage.getByLabel('New password (at least 12 characters)').fill('a third password after the reset');
        await resetPage.getByRole('button', { name: 'Set password and sign in' }).click();
        await restoreWithCode(resetPage, edin.recoveryCode);
        await thisDevice(resetPage, 'Waiting for confirmation').waitFor();
        // His earlier browser's session ended with the reset: it says so, or (when its token
        // refresh was refused first) it is back at sign-in.
        await edinPage.getByText('Your session ended. Sign in again.').or(edinPage.getByRole('button', { name: 'Sign in' })).first().waitFor();
      } catch (e) {
        for (const [i, c] of contexts.entries()) {
          for (const [j, p] of c.pages().entries()) await p.screenshot({ path: join(output, `onboarding-${i}-${j}.png`), fullPage: true }).catch(() => {});
        }
        writeFileSync(join(output, 'onboarding.console.txt'), consoleLines.join('\n'));
        throw e;
      } finally {
        for (const c of contexts) await c.close().catch(() => {});
      }
    },
  },
];
