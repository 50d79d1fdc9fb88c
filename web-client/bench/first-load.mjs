// First load of the web client in headless Chromium, cold (a fresh browser context each time, so
// nothing is cached): bytes of JavaScript and CSS the sign-in screen needs (as sent, i.e. gzipped
// when the server compresses) and the time until its form is usable.
//
//   node web-client/bench/first-load.mjs http://127.0.0.1:8080 [runs=10]
//
// Against a running server (./liaison start). Prints one line per run and the medians; the
// figures go in docs/benchmarks.md with the machine they came from.
import { chromium } from 'playwright-core';

const base = process.argv[2] ?? 'http://127.0.0.1:8080';
const runs = Number(process.argv[3] ?? 10);
const browser = await chromium.launch({
  executablePath: process.env.LIAISON_CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const results = [];
for (let i = 0; i < runs; i++) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const sizes = { js: 0, css: 0, other: 0 };
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  const types = new Map();
  cdp.on('Network.responseReceived', (e) => types.set(e.requestId, e.type));
  cdp.on('Network.loadingFinished', (e) => {
    const type = types.get(e.requestId);
    const key = type === 'Script' ? 'js' : type === 'Stylesheet' ? 'css' : 'other';
    sizes[key] += e.encodedDataLength;
  });
  const started = Date.now();
  await page.goto(`${base}/login`);
  await page.getByRole('button', { name: 'Sign in' }).waitFor();
  const usable = Date.now() - started;
  const nav = await page.evaluate(() => {
    const n = performance.getEntriesByType('navigation')[0];
    return { domContentLoaded: n.domContentLoadedEventEnd, load: n.loadEventEnd };
  });
  results.push({ usable, ...nav, ...sizes });
  console.log(
    `run ${i + 1}: sign-in form usable after ${usable} ms (DOMContentLoaded ${nav.domContentLoaded.toFixed(0)} ms, load ${nav.load.toFixed(0)} ms); ` +
      `JS ${(sizes.js / 1024).toFixed(1)} KiB, CSS ${(sizes.css / 1024).toFixed(1)} KiB, other ${(sizes.other / 1024).toFixed(1)} KiB as transferred`,
  );
  await context.close();
}
await browser.close();
console.log(
  `median of ${runs}: usable ${median(results.map((r) => r.usable))} ms, DOMContentLoaded ${median(results.map((r) => r.domContentLoaded)).toFixed(0)} ms, ` +
    `JS ${(median(results.map((r) => r.js)) / 1024).toFixed(1)} KiB transferred`,
);
