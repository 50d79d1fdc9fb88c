// An author's browser before a broadcast (docs/benchmarks.md, "2026-12-02: broadcasts"): per
// recipient device, the check of its attestation chain from the root and its broadcast-key
// statement (what the author does the first time it sees the device; later sends use the verified
// cache), and one HPKE wrap of the content key; plus what a recipient's open costs. Runs the
// project's own src/crypto/broadcast.ts, bundled with esbuild, in headless Debian Chromium; the N
// devices are made in the page off the clock. No server.
//
//   node web-client/bench/broadcast.mjs [N=1000] [N2 …]
import { build } from 'esbuild';
import { loadavg, cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
if (sizes.length === 0) sizes.push(1000);

const bundle = await build({ entryPoints: [join(here, 'broadcast-entry.ts')], bundle: true, write: false, format: 'iife', target: 'es2022' });
const browser = await chromium.launch({ executablePath: process.env.LIAISON_CHROMIUM ?? '/usr/bin/chromium' });
try {
  const page = await browser.newPage();
  // WebCrypto needs a secure context: a localhost page, answered here without a server.
  await page.route('http://localhost/bench', (route) =>
    route.fulfill({ contentType: 'text/html', body: `<!doctype html><title>broadcast bench</title><script>${bundle.outputFiles[0].text}</script>` }),
  );
  await page.goto('http://localhost/bench');
  console.log(`${browser.version()} · ${cpus()[0].model} × ${cpus().length} · load ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  for (const n of sizes) {
    const r = await page.evaluate((count) => globalThis.runBroadcastBench(count), n);
    console.log(
      `N=${n}: check ${(r.verifyMs / 1000).toFixed(2)} s (${(r.verifyMs / n).toFixed(3)} ms/device), ` +
        `wrap ${(r.wrapMs / 1000).toFixed(2)} s (${(r.wrapMs / n).toFixed(3)} ms/device), ` +
        `author total ${((r.verifyMs + r.wrapMs) / 1000).toFixed(2)} s first send, ${(r.wrapMs / 1000).toFixed(2)} s cached; ` +
        `wraps ${(r.wrapBytes / 1024).toFixed(0)} KiB; recipient open+verify ${r.openMs.toFixed(2)} ms; (setup ${(r.setupMs / 1000).toFixed(1)} s)`,
    );
  }
} finally {
  await browser.close();
}
