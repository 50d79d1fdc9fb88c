// Channels end to end: two members in two browsers and a Java CLI device in one T2 channel,
// through the real server, real ts-mls in Chromium and real bcmls in the JVM. Runs after the
// tests in tests.mjs (it needs the first admin they register).
//
// The trust chain is built as a network would, in the browser: members register, then the admin
// creates the network key (a passphrase-sealed file they download), confirms their own coordinator
// key from the request queue, and confirms the members' devices; the browsers pick that up live.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { acceptRecoveryCode, restoreWithCode } from './backup-tests.mjs';
import { assertNoSidewaysScroll, documentSteps } from './documents.mjs';

const PASSWORD = 'a long shared test password';

/** A tiny API client for the test's own set-up calls (as the admin or a member). */
export async function signInApi(base, email, password) {
  const r = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  assert.equal(r.status, 200, `login ${email}`);
  const { accessToken } = await r.json();
  return async (method, path, body) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { Authorization: `Bearer ${accessToken}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const json = res.status === 204 ? {} : await res.json();
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  };
}

/** Runs the Java CLI (client/target/liaison-client.jar) as one person, with their own files. */
export function cliFor(root, base, person) {
  const dir = mkdtempSync(join(tmpdir(), `liaison-cli-${person.key}-`));
  const env = {
    ...process.env,
    LIAISON_URL: base,
    LIAISON_SESSION_FILE: join(dir, 'session.json'),
    LIAISON_DEVICE_FILE: join(dir, 'device.json'),
    LIAISON_PASSWORD: person.password,
  };
  const jar = join(root, 'client/target/liaison-client.jar');
  const run = (...args) => {
    const r = spawnSync('java', ['-jar', jar, ...args], { env, cwd: dir, encoding: 'utf8', timeout: 120_000 });
    if (r.status !== 0) throw new Error(`liaison ${args.join(' ')} exited ${r.status}: ${r.stderr}${r.stdout}`);
    return r.stdout;
  };
  const start = (...args) => spawn('java', ['-jar', jar, ...args], { env, cwd: dir, stdio: ['pipe', 'pipe', 'pipe'] });
  return { dir, run, start };
}

/** A long-running `liaison chat` device: JSON lines in and out. */
function chatDevice(process_) {
  const events = [];
  const waiters = [];
  let stderr = '';
  process_.stderr.on('data', (d) => (stderr += d));
  createInterface({ input: process_.stdout }).on('line', (line) => {
    let event;
    try {
      event = JSON.parse(line);
    } catch {
      return;
    }
    events.push(event);
    for (const w of [...waiters]) if (w.match(event)) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve(event);
    }
  });
  return {
    events,
    stderr: () => stderr,
    next(match, ms = 30_000) {
      const seen = events.find(match);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const w = { match, resolve };
        waiters.push(w);
        setTimeout(() => reject(new Error(`chat device: nothing matching in ${ms} ms; events: ${JSON.stringify(events)}; stderr: ${stderr}`)), ms);
      });
    },
    send(channelId, text) {
      process_.stdin.write(JSON.stringify({ op: 'send', channelId, text }) + '\n');
    },
    op(command) {
      process_.stdin.write(JSON.stringify(command) + '\n');
    },
    quit() {
      process_.stdin.end(JSON.stringify({ op: 'quit' }) + '\n');
    },
  };
}

export async function registerInBrowser(page, link, person) {
  await page.goto(link);
  // An invitation for an e-mail address shows it read-only.
  const email = page.getByLabel('E-mail');
  await email.waitFor();
  if (await email.isEditable()) await email.fill(person.email);
  else assert.equal(await email.inputValue(), person.email);
  await page.getByLabel('Your name as others will see it').fill(person.name);
  await page.getByLabel('Password (at least 12 characters)').fill(person.password);
  await page.getByLabel('Password again').fill(person.password);
  await page.getByRole('button', { name: 'Create my account' }).click();
  person.recoveryCode = await acceptRecoveryCode(page);
  await page.getByRole('heading', { name: 'Your profile' }).waitFor();
  await page.getByRole('region', { name: 'This device' }).locator('dl.facts').getByText('Waiting for confirmation', { exact: true }).waitFor();
  // Not offered before a coordinator confirms the device (issue 12).
  assert.equal(await page.getByRole('navigation', { name: 'Channels' }).getByRole('link', { name: 'New channel' }).count(), 0);
}

/** Reload: the key store locks (its key is never stored); unlock with the password. */
export async function reloadAndUnlock(page, password) {
  await page.reload();
  await page.getByRole('heading', { name: 'Liaison is locked' }).waitFor();
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Unlock' }).click();
  await page.getByRole('navigation', { name: 'Channels' }).getByRole('link', { name: 'New channel' }).waitFor();
}

const messageList = (page) => page.locator('ol.messages');

export async function sendInBrowser(page, text) {
  await page.getByLabel('Write a message').fill(text);
  await page.getByRole('button', { name: 'Send', exact: true }).click();
  await messageList(page).locator('li.message.mine', { hasText: text.split('\n')[0] }).getByText('Sent', { exact: true }).waitFor();
}

export function channelTests({ root, screenshots }) {
  const state = {};
  return [
    {
      name: 'two browsers and a Java device share an end-to-end encrypted T2 channel; T1 cannot be added; a reload keeps history',
      timeout: 240_000,
      async run({ shared, browser, axe, output }) {
        assert.ok(shared.admin, 'needs the admin registered by the tests before');
        const base = shared.base;
        const admin = await signInApi(base, shared.admin.email, shared.admin.password);
        const city = await admin('POST', '/api/v1/cities', { name: 'Tirana', country: 'AL' });
        const org = async (name, sector) => (await admin('POST', '/api/v1/organisations', { cityId: city.id, name, sector })).id;
        const youth = await org('Tirana Youth Centre', 'youth-work');
        const civic = await org('Civic Forum Tirana', 'civil-society');
        const municipality = await org('Municipality of Tirana', 'municipality');
        const people = {
          amina: { key: 'amina', name: 'Amina Hoxha', email: 'amina@youth.example', organisationId: youth, tier: 'T1' },
          bilal: { key: 'bilal', name: 'Bilal Krasniqi', email: 'bilal@civic.example', organisationId: civic, tier: 'T2' },
          chloe: { key: 'chloe', name: 'Chloé Martin', email: 'chloe@tirana.example', organisationId: municipality, tier: 'T2' },
          dana: { key: 'dana', name: 'Dana Bot', email: 'dana@tirana.example', organisationId: municipality, tier: 'T2' },
        };
        for (const p of Object.values(people)) {
          p.password = PASSWORD;
          const inv = await admin('POST', '/api/v1/invitations', {
            email: p.email, cityId: city.id, organisationId: p.organisationId, tier: p.tier, role: 'member',
          });
          p.link = inv.url;
        }
        // Amina and Dana register without a browser (Amina only needs to exist, Dana is a CLI device).
        for (const p of [people.amina, people.dana]) {
          const code = new URL(p.link).pathname.split('/').pop();
          const r = await fetch(`${base}/api/v1/auth/register`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json' },
            body: JSON.stringify({ inviteCode: decodeURIComponent(code), email: p.email, displayName: p.name, password: p.password, preferredLanguage: 'en' }),
          });
          assert.equal(r.status, 201, `register ${p.email}: ${await r.text()}`);
        }

        if (screenshots) {
          const context = await browser.newContext({ locale: 'en-GB', viewport: { width: 1280, height: 720 } });
          const page = await context.newPage();
          await page.goto(`${base}/login`);
          await page.getByRole('button', { name: 'Sign in' }).waitFor();
          await page.screenshot({ path: join(screenshots, 'sign-in-en.png') });
          await page.getByLabel('Language').selectOption('ar');
          await page.locator('html[dir="rtl"]').waitFor();
          await page.screenshot({ path: join(screenshots, 'sign-in-ar.png') });
          await context.close();
        }

        // Bilal and Chloé register in their own browsers: each browser becomes a device.
        const bilalContext = await browser.newContext({ locale: 'en-GB', viewport: { width: 1280, height: 860 } });
        const chloeContext = await browser.newContext({ locale: 'en-GB', viewport: { width: 1280, height: 860 } });
        const contexts = [bilalContext, chloeContext];
        const consoleLines = [];
        let dana;
        try {
          const bilal = await bilalContext.newPage();
          let chloe = await chloeContext.newPage();
          for (const [i, page] of [bilal, chloe].entries()) {
            page.setDefaultTimeout(20_000);
            page.on('dialog', (d) => d.accept());
            page.on('console', (m) => consoleLines.push(`${i}: ${m.type()}: ${m.text()}`));
            page.on('pageerror', (err) => consoleLines.push(`${i}: pageerror: ${err.message}`));
          }
          await registerInBrowser(bilal, people.bilal.link, people.bilal);
          await registerInBrowser(chloe, people.chloe.link, people.chloe);

          // The trust chain, entirely in the browser: the admin creates the network key there
          // (after these members registered: their browsers pick it up live), downloads it as a
          // passphrase-sealed file, and, as a coordinator too, asks for their coordinator key to
          // be confirmed and confirms it from the request queue.
          const adminContext = await browser.newContext({ locale: 'en-GB', viewport: { width: 1280, height: 900 }, acceptDownloads: true });
          contexts.push(adminContext);
          const coordinator = await adminContext.newPage();
          coordinator.setDefaultTimeout(20_000);
          coordinator.on('dialog', (d) => d.accept());
          await coordinator.goto(`${base}/login`);
          await coordinator.getByLabel('E-mail').fill(shared.admin.email);
          await coordinator.getByLabel('Password').fill(shared.admin.password);
          await coordinator.getByRole('button', { name: 'Sign in' }).click();
          await restoreWithCode(coordinator, shared.admin.recoveryCode);
          await coordinator.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Administration' }).click();
          const adminNav = coordinator.getByRole('navigation', { name: 'Administration sections' });
          await adminNav.getByRole('button', { name: 'Network key' }).click();
          const keyCard = coordinator.getByRole('region', { name: 'Network key and coordinators' });
          await keyCard.getByLabel('Passphrase of the key file').fill('river stone lantern orchard');
          await keyCard.getByLabel('The same passphrase again').fill('river stone lantern orchard');
          await keyCard.getByRole('button', { name: 'Create the network key' }).click();
          const [keyDownload] = await Promise.all([
            coordinator.waitForEvent('download'),
            keyCard.getByRole('link', { name: 'Download the key file' }).click(),
          ]);
          const keyFileText = readFileSync(await keyDownload.path(), 'utf8');
          const keyFile = JSON.parse(keyFileText);
          // For the onboarding test: another browser of the admin opens this file.
          shared.networkKey = { text: keyFileText, passphrase: 'river stone lantern orchard' };
          assert.equal(keyFile.format, 'liaison-network-key/1');
          assert.equal(keyFile.kdf.name, 'argon2id');
          assert.ok(!('seed' in keyFile), 'the file holds the key sealed, not in the clear');
          await axe('network key, before publishing', coordinator);
          await keyCard.getByLabel('I have saved the key file and I will remember its passphrase.').check();
          await keyCard.getByRole('button', { name: 'Publish the network key' }).click();
          await keyCard.getByText('The network key is published.', { exact: false }).waitFor();
          const rootKey = (await admin('GET', '/api/v1/network')).rootKey;
          assert.equal(rootKey, keyFile.publicKey, 'the published key is the one in the file');
          const danaCli = cliFor(root, base, people.dana);
          danaCli.run('login', people.dana.email);
          danaCli.run('device', 'register', 'dana-bot', '--root-key', rootKey);

          const confirmCard = coordinator.getByRole('region', { name: 'Confirm devices' });
          await confirmCard.getByRole('button', { name: 'Create my coordinator key' }).click();
          await confirmCard.getByText('Waiting for the network key holder to confirm your key.', { exact: false }).waitFor();
          const ownPrint = (await confirmCard.locator('code.fingerprint').innerText()).trim();
          await keyCard.getByRole('button', { name: 'Confirm — First Admin' }).click();
          const ask = coordinator.getByRole('alertdialog');
          await ask.getByText('Confirm First Admin', { exact: false }).waitFor();
          assert.equal((await ask.locator('code.fingerprint').innerText()).trim(), ownPrint, 'the queue shows the key the coordinator holds');
          await axe('network key, confirming a coordinator', coordinator);
          await ask.getByRole('button', { name: 'Confirm' }).click();
          await keyCard.getByText('First Admin is confirmed as a coordinator.').waitFor();
          await keyCard.getByText('No coordinator is waiting.').waitFor();
          // The coordinator's panel hears of it and keeps the attestation, checked against the root.
          await confirmCard.getByText(/Your coordinator key is confirmed: T3/).waitFor();
          for (const p of [people.bilal, people.chloe, people.dana]) {
            await confirmCard.getByRole('button', { name: `Confirm ${p.name}` }).click();
            await confirmCard.getByText(`${p.name}’s device is confirmed.`).waitFor();
          }
          for (const p of [people.bilal, people.chloe, people.dana]) {
            await confirmCard.getByRole('button', { name: `Confirm ${p.name}` }).waitFor({ state: 'detached' });
          }
          await axe('coordinator confirming devices', coordinator);

          // Dana's CLI device runs for the rest of the test: it must be live to receive its Welcome.
          dana = chatDevice(danaCli.start('chat', '--no-rejoin'));
          await dana.next((e) => e.event === 'ready');

          // Bilal's browser hears its device confirmed (device-updated) and offers New channel
          // without a reload; Chloé's sees it after unlocking again.
          await bilal.getByRole('region', { name: 'This device' }).locator('dl.facts').getByText('Active', { exact: true }).waitFor();
          await bilal.getByRole('navigation', { name: 'Channels' }).getByRole('link', { name: 'New channel' }).waitFor();
          await reloadAndUnlock(chloe, PASSWORD);

          // Bilal creates a T2 channel without law enforcement.
          await bilal.getByRole('link', { name: 'New channel' }).click();
          await bilal.getByLabel('Name (only members can read it)').fill('Youth outreach Tirana');
          await bilal.getByLabel('Description (optional)').fill('Referrals and the local action plan');
          await bilal.getByLabel('Lowest tier a member needs').selectOption('T2');
          await bilal.getByLabel('Law enforcement').uncheck();
          await bilal.getByLabel('Keep messages on the server for').selectOption('90');
          assert.equal((await bilal.locator('form .badge.policy').innerText()).replace(/^Channel policy:\s*/, '').trim(), 'T2 · no law enforcement · 90 days');
          if (screenshots) await bilal.screenshot({ path: join(screenshots, 'new-channel-en.png') });
          await axe('new channel form', bilal);
          await bilal.getByRole('button', { name: 'Create channel' }).click();
          await bilal.getByRole('heading', { name: 'Youth outreach Tirana' }).waitFor();
          const channelId = new URL(bilal.url()).pathname.split('/').pop();
          assert.match(channelId, /^[0-9a-f]{32}$/);
          assert.match(await bilal.locator('.channel-head .badge.policy').innerText(), /T2 · no law enforcement · 90 days/);

          // Amina (T1) is greyed out with the reason; Chloé and Dana can be added.
          await bilal.getByRole('button', { name: /^Members/ }).click();
          await bilal.getByRole('button', { name: 'Add members' }).click();
          const aminaBox = bilal.getByLabel(/Amina Hoxha/);
          assert.equal(await aminaBox.isDisabled(), true, 'a T1 member cannot be chosen');
          await bilal.getByText('Amina Hoxha is T1; this channel needs T2.').waitFor();
          if (screenshots) await bilal.screenshot({ path: join(screenshots, 'add-members-en.png') });
          await axe('channel with members and the directory', bilal);
          await bilal.getByLabel(/Chloé Martin/).check();
          await bilal.getByLabel(/Dana Bot/).check();
          await bilal.getByRole('button', { name: 'Add selected' }).click();
          await bilal.getByRole('status').getByText('Added.').waitFor();
          await dana.next((e) => e.event === 'joined' && e.channelId === channelId);

          // Chloé's browser joins from its Welcome, reads the encrypted name, and they talk.
          await chloe.getByRole('link', { name: /Youth outreach Tirana/ }).click();
          await chloe.getByRole('heading', { name: 'Youth outreach Tirana' }).waitFor();
          const hello = 'Hello from Bilal: plan at https://example.org/plan?id=7 and <b>this stays text</b>';
          await sendInBrowser(bilal, hello);
          const received = messageList(chloe).locator('li.message', { hasText: 'Hello from Bilal' });
          await received.waitFor();
          assert.equal(await received.locator('b').count(), 0, 'message text is never HTML');
          assert.match(await received.innerText(), /<b>this stays text<\/b>/);
          assert.equal(await received.getByRole('link', { name: 'https://example.org/plan?id=7' }).getAttribute('href'), 'https://example.org/plan?id=7');
          assert.equal(await received.getByRole('link').getAttribute('rel'), 'noopener noreferrer nofollow');
          const long = `A long message\n${'with many words '.repeat(120)}\nend of the long message`;
          await sendInBrowser(chloe, long);
          await messageList(bilal).locator('li.message', { hasText: 'end of the long message' }).waitFor();

          // Safety numbers: both see the same 60 digits; Bilal marks Chloé verified in the member list.
          await chloe.getByRole('button', { name: /^Members/ }).click();
          const digits = async (page) => (await page.locator('.safety-digits').innerText()).replace(/\s+/g, '');
          await bilal.locator('.member-list li', { hasText: 'Chloé Martin' }).getByRole('button', { name: /Not verified/ }).click();
          await bilal.locator('.safety-digits').waitFor();
          await chloe.locator('.member-list li', { hasText: 'Bilal Krasniqi' }).getByRole('button', { name: /Not verified/ }).click();
          await chloe.locator('.safety-digits').waitFor();
          const bilalSees = await digits(bilal);
          assert.match(bilalSees, /^\d{60}$/);
          assert.equal(await digits(chloe), bilalSees, 'both members see the same safety number');
          await bilal.getByRole('button', { name: 'Mark as verified' }).click();
          await bilal.locator('.member-list li', { hasText: 'Chloé Martin' }).getByRole('button', { name: /Verified/ }).waitFor();
          await bilal.locator('section.safety').getByRole('button', { name: 'Close', exact: true }).click();
          await chloe.locator('section.safety').getByRole('button', { name: 'Close', exact: true }).click();

          // Offline: a banner, the message waits, and both sides catch up once the network is back.
          const offline = 'You are offline. Messages will be sent when the connection is back.';
          await bilalContext.setOffline(true);
          await bilal.getByText(offline).waitFor();
          await bilal.getByLabel('Write a message').fill('Written while offline');
          await bilal.getByRole('button', { name: 'Send', exact: true }).click();
          await messageList(bilal).locator('li.message.mine', { hasText: 'Written while offline' }).getByText('Waiting for the connection').waitFor();
          await sendInBrowser(chloe, 'Sent while Bilal was offline');
          await bilalContext.setOffline(false);
          await messageList(bilal).locator('li.message', { hasText: 'Sent while Bilal was offline' }).waitFor();
          await messageList(chloe).locator('li.message', { hasText: 'Written while offline' }).waitFor();
          await bilal.getByText(offline).waitFor({ state: 'detached' });

          // The Java device receives both, and what it sends appears in both browsers.
          const fromBilal = await dana.next((e) => e.event === 'message' && e.text === hello);
          assert.equal(fromBilal.channelId, channelId);
          await dana.next((e) => e.event === 'message' && e.text === long);
          dana.send(channelId, 'Hello from the Java client');
          await dana.next((e) => e.event === 'sent');
          for (const page of [bilal, chloe]) {
            await messageList(page).locator('li.message', { hasText: 'Hello from the Java client' }).getByText('Dana Bot').waitFor();
          }
          if (screenshots) await bilal.screenshot({ path: join(screenshots, 'channel-en.png') });
          await axe('channel conversation', chloe);

          // A reload keeps the history readable (decrypted messages are kept, encrypted, in IndexedDB).
          await reloadAndUnlock(chloe, PASSWORD);
          await chloe.getByRole('link', { name: /Youth outreach Tirana/ }).click();
          for (const text of ['Hello from Bilal', 'end of the long message', 'Hello from the Java client']) {
            await messageList(chloe).locator('li.message', { hasText: text }).waitFor();
          }
          // ...and the channel keeps working after the reload, both ways.
          await sendInBrowser(chloe, 'Still here after a reload');
          await messageList(bilal).locator('li.message', { hasText: 'Still here after a reload' }).waitFor();
          await dana.next((e) => e.event === 'message' && e.text === 'Still here after a reload');

          if (screenshots) {
            // The same channel on a phone (the narrow-screen checks themselves are in mobile.mjs).
            await bilal.setViewportSize({ width: 390, height: 844 });
            await bilal.screenshot({ path: join(screenshots, 'channel-phone-en.png') });
            await bilal.setViewportSize({ width: 1280, height: 860 });
          }

          // Shared documents: both browsers and the Java device co-draft an action plan.
          await documentSteps({ bilal, chloe, dana, channelId, screenshots, axe });

          // Arabic: the workspace lays out right to left.
          await chloe.getByLabel('Language').selectOption('ar');
          await chloe.locator('html[dir="rtl"]').waitFor();
          const composer = await chloe.locator('.composer textarea').boundingBox();
          const sendButton = await chloe.locator('.composer button[type="submit"]').boundingBox();
          assert.ok(sendButton.x < composer.x, 'in Arabic the send button is left of the text field');
          const list = await chloe.locator('.channel-list').boundingBox();
          const pane = await chloe.locator('.pane').boundingBox();
          assert.ok(list.x > pane.x, 'in Arabic the channel list is on the right');
          const mine = await chloe.locator('li.message.mine').first().boundingBox();
          const theirs = await chloe.locator('li.message:not(.mine)').first().boundingBox();
          assert.ok(mine.x < theirs.x, 'in Arabic my messages sit on the left, theirs on the right');
          if (screenshots) {
            await chloe.screenshot({ path: join(screenshots, 'channel-ar.png') });
            await chloe.getByRole('button', { name: /^الأعضاء/ }).click();
            await chloe.locator('.member-list').waitFor();
            await chloe.screenshot({ path: join(screenshots, 'members-ar.png') });
            await chloe.getByRole('button', { name: /^الأعضاء/ }).click();
          }
          await axe('Arabic channel conversation', chloe);
          // The action plan in Arabic: the editor lays out right to left too.
          await chloe.getByRole('tab', { name: 'المستندات' }).click();
          await chloe.getByRole('button', { name: 'Tirana local action plan 2027' }).click();
          await chloe.locator('article.document h2').first().waitFor();
          const direction = await chloe.locator('article.document h2').first().evaluate((h) => getComputedStyle(h).direction);
          assert.equal(direction, 'rtl', 'in Arabic the document editor lays out right to left');
          await assertNoSidewaysScroll(chloe, 'the Arabic action plan editor');
          if (screenshots) await chloe.screenshot({ path: join(screenshots, 'action-plan-ar.png') });
          await axe('Arabic action plan', chloe);
          await chloe.getByRole('tab', { name: 'الرسائل' }).click();

          // Back in English, Chloé locks the screen by hand (as inactivity does), unlocks, and leaves:
          // MLS forbids committing one's own removal, so Bilal's browser carries it out.
          await chloe.getByLabel('اللغة').selectOption('en');
          await chloe.getByRole('button', { name: 'Lock' }).click();
          await chloe.getByRole('heading', { name: 'Liaison is locked' }).waitFor();
          await chloe.getByLabel('Password').fill('not the password');
          await chloe.getByRole('button', { name: 'Unlock' }).click();
          await chloe.getByText('That password does not open the keys on this device.').waitFor();
          await chloe.getByLabel('Password').fill(PASSWORD);
          await chloe.getByRole('button', { name: 'Unlock' }).click();
          await chloe.getByRole('link', { name: /Youth outreach Tirana/ }).waitFor();
          // The history backup uploads what she read a few seconds after it arrived (and what a
          // locked session left, once unlocked): wait until her backup on the server has stopped
          // growing before the laptop is lost.
          const chloeApi = await signInApi(base, people.chloe.email, PASSWORD);
          let backedUp = -1;
          for (let stable = 0, tries = 0; stable < 3 && tries < 60; tries++) {
            await new Promise((r) => setTimeout(r, 1_000));
            const { items } = await chloeApi('GET', '/api/v1/history');
            const size = items.reduce((n, c) => n + c.size, 0);
            stable = size > 0 && size === backedUp ? stable + 1 : 0;
            backedUp = size;
          }
          assert.ok(backedUp > 0, 'her history backup holds something');

          // Chloé's laptop is lost: a new browser restores her identity with the recovery code. It
          // holds no group state, so it waits until an owner adds it again; then it reads on.
          await chloeContext.close();
          const restoredContext = await browser.newContext({ locale: 'en-GB', viewport: { width: 1280, height: 860 } });
          contexts.push(restoredContext);
          chloe = await restoredContext.newPage();
          chloe.setDefaultTimeout(20_000);
          chloe.on('dialog', (d) => d.accept());
          await chloe.goto(`${base}/login`);
          await chloe.getByLabel('E-mail').fill(people.chloe.email);
          await chloe.getByLabel('Password').fill(PASSWORD);
          await chloe.getByRole('button', { name: 'Sign in' }).click();
          await restoreWithCode(chloe, people.chloe.recoveryCode);
          // Without the channel's keys it cannot even read the channel's name.
          await chloe.getByRole('link', { name: /Channel without a name yet.*Waiting to be added on this device/ }).waitFor();
          // Her history came back from the encrypted history backup, marked as restored.
          await chloe.getByRole('link', { name: /Channel without a name yet/ }).click();
          const restoredHello = messageList(chloe).locator('li.message', { hasText: 'Hello from Bilal' });
          await restoredHello.getByText('restored', { exact: true }).waitFor();
          await messageList(chloe).locator('li.message', { hasText: 'end of the long message' }).getByText('restored', { exact: true }).waitFor();
          await chloe.getByRole('link', { name: 'Profile and device' }).click();
          // A new device: the coordinator confirms it, and the browser picks that up on unlocking.
          await coordinator.reload();
          await coordinator.getByRole('heading', { name: 'Liaison is locked' }).waitFor();
          await coordinator.getByLabel('Password').fill(shared.admin.password);
          await coordinator.getByRole('button', { name: 'Unlock' }).click();
          await confirmCard.getByRole('button', { name: 'Confirm Chloé Martin' }).click();
          await confirmCard.getByText('Chloé Martin’s device is confirmed.').waitFor();
          await reloadAndUnlock(chloe, PASSWORD);
          await chloe.getByRole('region', { name: 'This device' }).locator('dl.facts').getByText('Active', { exact: true }).waitFor();
          await chloe.getByText('The keys others need to add you to channels are published.').waitFor();
          // Bilal's browser (an owner, online) adds her confirmed new device by itself: the server
          // points it out (device-ready) and nobody has to click "Add new devices".
          await chloe.getByRole('link', { name: /Youth outreach Tirana/ }).waitFor();
          await chloe.getByText('Waiting to be added on this device').waitFor({ state: 'detached' });
          // Unread, in the list and the tab's title, until she opens the channel.
          await sendInBrowser(bilal, 'Welcome back, Chloé');
          await chloe.getByRole('link', { name: /Youth outreach Tirana/ }).getByText('1 unread').waitFor();
          assert.equal(await chloe.title(), '(1) Liaison');
          await chloe.getByRole('link', { name: /Youth outreach Tirana/ }).click();
          await messageList(chloe).locator('li.message', { hasText: 'Welcome back, Chloé' }).waitFor();
          await chloe.getByRole('link', { name: /Youth outreach Tirana/ }).getByText('1 unread').waitFor({ state: 'detached' });
          assert.equal(await chloe.title(), 'Liaison');
          await sendInBrowser(chloe, 'Back on a new laptop');
          await messageList(bilal).locator('li.message', { hasText: 'Back on a new laptop' }).waitFor();
          await dana.next((e) => e.event === 'message' && e.text === 'Back on a new laptop');

          // The lost laptop is revoked from the new browser; members remove its leaf on their own.
          await bilal.locator('.member-list li', { hasText: 'Chloé Martin' }).getByText('2 devices').waitFor();
          await chloe.getByRole('link', { name: 'Profile and device' }).click();
          await chloe.getByRole('region', { name: 'This device' }).getByRole('button', { name: /^Revoke / }).click();
          await bilal.locator('.member-list li', { hasText: 'Chloé Martin' }).getByText('2 devices').waitFor({ state: 'detached' });
          await chloe.getByRole('link', { name: /Youth outreach Tirana/ }).click();
          await chloe.getByRole('button', { name: /^Members/ }).click();
          await bilal.locator('.member-list').getByText('Chloé Martin').waitFor();
          await chloe.getByRole('button', { name: 'Leave channel' }).click();
          await chloe.getByRole('link', { name: /Youth outreach Tirana/ }).getByText('You were removed').waitFor({ timeout: 30_000 });
          await bilal.locator('.member-list').getByText('Chloé Martin').waitFor({ state: 'detached' });
          // Removed members keep what they read; new messages do not reach them.
          await sendInBrowser(bilal, 'After Chloé left');
          await chloe.getByRole('link', { name: /Youth outreach Tirana/ }).click();
          await messageList(chloe).locator('li.message', { hasText: 'Welcome back, Chloé' }).waitFor();
          assert.equal(await messageList(chloe).locator('li.message', { hasText: 'After Chloé left' }).count(), 0);

          // Idle: a device that asks for a short idle time (here 5 s) locks on its own.
          await bilal.evaluate(() => localStorage.setItem('liaison.lockAfterMs', '5000'));
          await reloadAndUnlock(bilal, PASSWORD);
          await bilal.getByRole('heading', { name: 'Liaison is locked' }).waitFor({ timeout: 20_000 });
          state.channelId = channelId;
          // For the narrow-screen test (mobile.mjs): who is in the channel, to sign in again.
          shared.people = people;
          shared.channelId = channelId;
        } catch (e) {
          // Both members' pages as they were, next to the harness's own screenshot.
          for (const [i, c] of contexts.entries()) {
            for (const [j, p] of c.pages().entries()) await p.screenshot({ path: join(output, `channels-${i}-${j}.png`), fullPage: true }).catch(() => {});
          }
          writeFileSync(join(output, 'channels.console.txt'), consoleLines.join('\n'));
          if (dana) e.message += `\njava device events: ${JSON.stringify(dana.events)}\n${dana.stderr()}`;
          throw e;
        } finally {
          dana?.quit();
          for (const c of contexts) await c.close().catch(() => {});
        }
      },
    },
  ];
}

export const SCREENSHOT_DIR = (root) => {
  const dir = join(root, 'docs/screenshots');
  mkdirSync(dir, { recursive: true });
  return dir;
};

