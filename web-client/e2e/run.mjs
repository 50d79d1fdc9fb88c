// End-to-end tests: the built web client in a real headless Chromium against the real server
// (server/target/liaison-server.jar) on 127.0.0.1 with a fresh embedded store.
//
//   node web-client/e2e/run.mjs        (Maven runs it in the web-e2e module during `verify`)
//
// Needs the server jar and web-client/dist (`mvn -DskipTests package`) and /usr/bin/chromium
// (`bash .ci/run --install-only`; LIAISON_CHROMIUM names another binary). Tests run in order and
// share one server: the invitation screen is scanned before the first admin uses the invitation.
// A failing test leaves a screenshot and the page's console in web-client/e2e/output/, next to
// the server's log. The last line printed is `N passed, N failed`.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { backupTests } from './backup-tests.mjs';
import { channelTests, SCREENSHOT_DIR } from './channels.mjs';
import { DOCUMENT_MARKERS, DOCUMENT_TITLE } from './documents.mjs';
import { mobileTests } from './mobile.mjs';
import { onboardingTests } from './onboarding.mjs';
import { tests as firstTests } from './tests.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const output = join(here, 'output');
const jar = join(root, 'server/target/liaison-server.jar');
const webRoot = join(root, 'web-client/dist');
const chromiumPath = process.env.LIAISON_CHROMIUM ?? '/usr/bin/chromium';

function die(message) {
  console.error(`e2e: ${message}`);
  process.exit(2);
}

if (!existsSync(chromiumPath)) {
  die(`${chromiumPath} is missing; the browser tests need Debian's chromium. ` +
    'Install it with: bash .ci/run --install-only');
}
if (!existsSync(jar) || !existsSync(join(webRoot, 'index.html'))) {
  die(`${jar} or ${webRoot}/index.html is missing; build first: mvn -B -DskipTests package`);
}

const { chromium } = await import('playwright-core');
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

function freePort() {
  return new Promise((ok, fail) => {
    const probe = createServer();
    probe.once('error', fail);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => ok(port));
    });
  });
}

// E2E_SCREENSHOTS=1 also writes the screenshots shown in the README (docs/screenshots/).
const tests = [
  ...firstTests,
  ...backupTests,
  ...channelTests({ root, screenshots: process.env.E2E_SCREENSHOTS === '1' ? SCREENSHOT_DIR(root) : null }),
  ...mobileTests(root),
  ...onboardingTests(root),
  {
    name: 'no message or document plaintext reaches the store\'s files',
    async run() {
      const markers = [...DOCUMENT_MARKERS, DOCUMENT_TITLE, 'Still here after a reload', 'Written while offline'];
      const files = (dir) => readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? files(join(dir, n)) : [join(dir, n)]));
      const stored = files(dataDir).filter((f) => !f.endsWith('.txt'));
      if (!stored.some((f) => statSync(f).size > 0)) throw new Error(`no store file under ${dataDir}`);
      for (const file of stored) {
        const bytes = readFileSync(file);
        for (const marker of markers) {
          if (bytes.includes(Buffer.from(marker, 'utf8'))) throw new Error(`"${marker}" is stored in plaintext in ${file}`);
        }
      }
    },
  },
];

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const slug = (name) => name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');

rmSync(output, { recursive: true, force: true });
mkdirSync(output, { recursive: true });
const port = await freePort();
const base = `http://127.0.0.1:${port}`;
const dataDir = mkdtempSync(join(tmpdir(), 'liaison-e2e-'));
const serverLog = join(output, 'server.log');
let logText = '';
const server = spawn('java', ['-jar', jar], {
  cwd: root,
  env: {
    ...process.env,
    LIAISON_HTTP_HOST: '127.0.0.1',
    LIAISON_HTTP_PORT: String(port),
    LIAISON_PUBLIC_URL: base,
    LIAISON_DATA_DIR: dataDir,
    LIAISON_WEB_ROOT: webRoot,
    LIAISON_ARGON2_MEMORY_KIB: '256',
    LIAISON_ARGON2_ITERATIONS: '1',
    LIAISON_SHUTDOWN_GRACE_SECONDS: '2',
  },
  stdio: ['ignore', 'pipe', 'pipe'],
});
server.stdout.on('data', (d) => (logText += d));
server.stderr.on('data', (d) => (logText += d));
let serverExited = false;
server.on('exit', () => (serverExited = true));

let browser;
async function stopServer() {
  if (!serverExited) {
    server.kill('SIGTERM');
    for (let i = 0; i < 50 && !serverExited; i++) await sleep(100);
    if (!serverExited) server.kill('SIGKILL');
  }
  writeFileSync(serverLog, logText);
  rmSync(dataDir, { recursive: true, force: true });
}
// Whatever happens (a failure, Ctrl-C, Maven stopping us), the server does not outlive the run.
process.on('exit', () => serverExited || server.kill('SIGKILL'));
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, async () => {
    await browser?.close().catch(() => {});
    await stopServer();
    process.exit(130);
  });
}

let passed = 0;
let failed = 0;
let skipped = 0;
try {
  // Up means /health answers and the bootstrap invitation, written just after listening, exists.
  const bootstrapFile = join(dataDir, 'bootstrap-invite.txt');
  const deadline = Date.now() + 120_000;
  let inviteLink;
  for (;;) {
    if (serverExited) throw new Error('the server exited during start-up');
    const up = await fetch(`${base}/health`).then((r) => r.ok, () => false);
    if (up && existsSync(bootstrapFile)) {
      inviteLink = readFileSync(bootstrapFile, 'utf8').match(/https?:\/\/\S+\/invite\/\S+/)?.[0];
      if (inviteLink) break;
    }
    if (Date.now() > deadline) {
      throw new Error('in 120 s the server did not report /health UP with a bootstrap invitation');
    }
    await sleep(250);
  }

  browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    // Playwright gives every launch a fresh temporary --user-data-dir of its own.
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-quic',
      '--no-first-run',
    ],
  });
  const shared = { base, inviteLink, admin: null };

  for (const test of tests) {
    if (test.skip) {
      skipped++;
      console.log(`- skip ${test.name} (${test.skip})`);
      continue;
    }
    const context = await browser.newContext({ locale: 'en-GB' });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    const consoleLines = [];
    page.on('console', (m) => consoleLines.push(`${m.type()}: ${m.text()}`));
    page.on('pageerror', (e) => consoleLines.push(`pageerror: ${e.message}`));
    const started = Date.now();
    try {
      // axe(label) scans this test's page; axe(label, otherPage) one the test opened itself.
      const axe = (label, other = page) => axeScan(other, label);
      await test.run({ page, shared, axe, browser, output });
      passed++;
      console.log(`ok   ${test.name} (${Date.now() - started} ms)`);
    } catch (e) {
      failed++;
      const file = join(output, `${slug(test.name)}.png`);
      await page.screenshot({ path: file, fullPage: true }).catch(() => {});
      writeFileSync(join(output, `${slug(test.name)}.console.txt`), consoleLines.join('\n'));
      console.log(`FAIL ${test.name} (${Date.now() - started} ms)`);
      console.log(`     at ${page.url()}`);
      console.log(indent(e?.message ?? String(e)));
      console.log(`     screenshot: ${file}`);
    } finally {
      await context.close();
    }
  }
} catch (e) {
  failed++;
  console.log(`FAIL setting up: ${e?.message ?? e}`);
} finally {
  await browser?.close().catch(() => {});
  await stopServer();
  if (failed) {
    console.log(`server log: ${serverLog}`);
    if (!passed) console.log(indent(logText.split('\n').slice(-30).join('\n')));
  }
}
console.log(`${skipped ? `${skipped} skipped\n` : ''}${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);

function indent(text) {
  return text.split('\n').map((l) => `     ${l}`).join('\n');
}

/** axe-core in the page; throws, listing them, on any serious or critical violation. */
async function axeScan(page, label) {
  // Evaluated rather than added as a <script>: the server's Content-Security-Policy (rightly)
  // refuses inline scripts, and the tests should see the page under the policy users get.
  await page.evaluate(axeSource);
  const { passes, all } = await page.evaluate(async () => {
    const result = await window.axe.run(document, { resultTypes: ['violations'] });
    return {
      passes: result.passes.length,
      all: result.violations.map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        nodes: v.nodes.map((n) => `${n.target.join(' ')}: ${n.failureSummary}`),
      })),
    };
  });
  if (passes === 0) throw new Error(`axe on the ${label} checked nothing; is the page empty?`);
  const violations = all.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  for (const v of all.filter((x) => !violations.includes(x))) {
    console.log(`     note: axe on the ${label}: ${v.impact} ${v.id} (${v.help}), ${v.nodes.length}x`);
  }
  if (violations.length) {
    const lines = violations.map(
      (v) => `${v.impact} ${v.id}: ${v.help}\n${v.nodes.map((n) => `  - ${n}`).join('\n')}`,
    );
    throw new Error(`axe on the ${label}: ${violations.length} serious or critical\n${lines.join('\n')}`);
  }
}
