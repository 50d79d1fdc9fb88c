// A phone-sized window (390×844): a member of the channels test signs in again and visits the
// channel, its documents, people and profile. No view scrolls sideways, the main navigation sits
// at the bottom, the channel list is a view of its own, and axe finds nothing serious.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { restoreWithCode } from './backup-tests.mjs';
import { SCREENSHOT_DIR } from './channels.mjs';

// E2E_SCREENSHOTS=1 also writes the phone screenshots shown in the README.
const shots = (root) => (process.env.E2E_SCREENSHOTS === '1' ? SCREENSHOT_DIR(root) : null);

/** The page's own width never exceeds the window's (1 px for rounding). */
async function fitsTheWidth(page, what) {
  const { scroll, width, wide } = await page.evaluate(() => {
    const width = innerWidth;
    const wide = [...document.querySelectorAll('body *')]
      .filter((e) => {
        const r = e.getBoundingClientRect();
        return r.width > 0 && (r.right > width + 1 || r.left < -1) && !e.closest('.table-scroll, .doc-table-scroll');
      })
      .slice(0, 5)
      .map((e) => `${e.tagName.toLowerCase()}.${[...e.classList].join('.')}`);
    return { scroll: document.scrollingElement.scrollWidth, width, wide };
  });
  // A phone widens its layout viewport to fit content that is too wide: that counts as too wide.
  assert.ok(width <= 391, `${what} widened the phone's layout viewport to ${width} px`);
  assert.ok(scroll <= width + 1, `${what} scrolls sideways at ${width} px: ${scroll} px wide; sticking out: ${wide.join(', ')}`);
}

export const mobileTests = (root) => [
  {
    name: 'on a 390×844 phone: channel, documents, people and profile fit the width, navigation at the bottom; axe clean',
    timeout: 120_000,
    async run({ shared, browser, axe }) {
      assert.ok(shared.people?.bilal?.recoveryCode && shared.channelId, 'needs the channels test before');
      const bilal = shared.people.bilal;
      const context = await browser.newContext({ locale: 'en-GB', viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
      try {
        const page = await context.newPage();
        page.setDefaultTimeout(20_000);
        await page.goto(`${shared.base}/login`);
        await fitsTheWidth(page, 'sign-in');
        await page.getByLabel('E-mail').fill(bilal.email);
        await page.getByLabel('Password').fill(bilal.password);
        await page.getByRole('button', { name: 'Sign in' }).click();
        await restoreWithCode(page, bilal.recoveryCode);
        await page.getByRole('heading', { name: 'Your profile' }).waitFor();
        // Installable: a manifest with icons, and a service worker that controls the app shell.
        const pwa = await page.evaluate(async () => {
          const link = document.querySelector('link[rel="manifest"]');
          const manifest = await (await fetch(link.href)).json();
          const registration = await Promise.race([navigator.serviceWorker.ready, new Promise((r) => setTimeout(() => r(null), 10_000))]);
          return { name: manifest.name, icons: manifest.icons.map((i) => i.sizes), display: manifest.display, worker: registration?.active?.scriptURL ?? null };
        });
        assert.ok(pwa.name && pwa.icons.includes('192x192') && pwa.icons.includes('512x512'), `manifest: ${JSON.stringify(pwa)}`);
        assert.match(pwa.worker ?? '', /\/sw\.js$/, 'the service worker is installed');
        const nav = page.getByRole('navigation', { name: 'Main' });
        const bar = await nav.boundingBox();
        assert.ok(bar.y + bar.height >= 844 - 2 && bar.width >= 388, 'the main navigation is a bar along the bottom');
        await fitsTheWidth(page, 'profile');
        await axe('profile on a phone', page);

        // Conversations: the channel list alone; a channel opens on its own with a way back.
        await nav.getByRole('link', { name: /^Conversations/ }).click();
        const list = page.getByRole('navigation', { name: 'Channels' });
        await list.waitFor();
        assert.equal(await page.locator('.pane').isVisible(), false, 'the list is a view of its own');
        await fitsTheWidth(page, 'channel list');
        await axe('channel list on a phone', page);
        await list.locator(`a[href="/c/${shared.channelId}"]`).click();
        await page.getByRole('tab', { name: 'Messages' }).waitFor();
        assert.equal(await list.isVisible(), false, 'a channel takes the whole width');
        await page.getByRole('link', { name: 'All conversations' }).waitFor();
        await fitsTheWidth(page, 'channel');
        await axe('channel on a phone', page);
        await page.getByRole('tab', { name: 'Documents' }).click();
        await page.getByRole('tabpanel').waitFor();
        await fitsTheWidth(page, 'documents tab');
        await axe('documents tab on a phone', page);

        // People: cities → organisations → people, with the tier each holds.
        await nav.getByRole('link', { name: 'People' }).click();
        await page.getByRole('heading', { name: 'People', level: 1 }).waitFor();
        await page.locator('.people-city h2', { hasText: 'Tirana' }).first().waitFor();
        // Bilal (T2) sees Chloé (T2) and Amina (T1), each with their tier.
        await page.locator('.person', { hasText: 'Chloé Martin' }).first().getByText('T2', { exact: true }).waitFor();
        await page.locator('.person', { hasText: 'Amina Hoxha' }).first().getByText('T1', { exact: true }).waitFor();
        await fitsTheWidth(page, 'people');
        await axe('people on a phone', page);
        if (shots(root)) await page.screenshot({ path: join(shots(root), 'people-phone-en.png') });

        await nav.getByRole('link', { name: 'Announcements' }).click();
        await page.getByText('Announcements from coordinators will appear here.').waitFor();
        await nav.getByRole('link', { name: 'Documents' }).click();
        await page.getByRole('heading', { name: 'Your documents' }).waitFor();
        await fitsTheWidth(page, 'documents overview');

        await nav.getByRole('link', { name: 'Profile and device' }).click();
        await page.getByRole('heading', { name: 'Notifications' }).waitFor();
        await fitsTheWidth(page, 'profile again');
      } finally {
        await context.close();
      }
    },
  },
];
