// Dates and numbers in every UI language, as Chromium's own (trimmed) ICU data formats them:
// bundles the real src/i18n module, runs it in headless Chromium and fails on ICU's root "M12"
// month, a missing year, or English number separators (1,234.5) in a comma-decimal language. Needs no server: `node web-client/e2e/dates-in-chromium.mjs` (a few seconds).
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';

const entry = fileURLToPath(new URL('../src/i18n/index.ts', import.meta.url));
const bundle = await build({ entryPoints: [entry], bundle: true, format: 'iife', globalName: 'i18n', write: false });
const browser = await chromium.launch({ executablePath: process.env.LIAISON_CHROMIUM ?? '/usr/bin/chromium' });
try {
  const page = await browser.newPage();
  await page.addScriptTag({ content: bundle.outputFiles[0].text });
  const rows = await page.evaluate(() => {
    const at = '2026-12-05T14:30:00Z';
    return i18n.LANGUAGES.map((language) => ({
      language,
      from: i18n.formatLocale(language),
      number: i18n.formatNumber(1234567.5, language),
      shown: [i18n.formatDate(at, language), i18n.formatDay(at, new Date(), language), i18n.formatTime(at, language)],
    }));
  });
  for (const { language, from, number, shown } of rows) {
    console.log(`${language}\t${from.locale}${from.numeric ? ' (numeric)' : ''}\t${shown.join(' | ')} | ${number}`);
    if (!['en', 'ar'].includes(language)) assert.match(number, /567,5$/, `${language} writes a decimal comma`);
    assert.doesNotMatch(shown.join(' '), /\bM\d{1,2}\b/, `${language} shows ICU's root month`);
    assert.match(shown[1], /2026/, `${language} shows the year`);
  }
} finally {
  await browser.close();
}
