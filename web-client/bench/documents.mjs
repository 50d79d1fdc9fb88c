// Shared documents in the browser (docs/benchmarks.md, "2026-12-02: shared documents"): two members
// in two headless Chromium contexts, one channel, one local action plan with EDITS edits; then
//  - opening it: from the click on its title to the editor showing it synced, and the document
//    engine's open alone (fetch, verify, decrypt, load) through the page's own service;
//  - update latency: member A types into a field, time until member B's page shows it.
//
//   node web-client/bench/documents.mjs [edits=10000] [samples=200] [editsPerUpdate=40] [text=repeated|random]
//
// `repeated` types 12 words in turn (compresses far better than prose), `random` words of random
// letters (compresses worse); real text lies between, which matters for the snapshot's size.
//
// Starts the built server jar (server/target/liaison-server.jar, web-client/dist: build first with
// mvn -B -DskipTests package) on 127.0.0.1 with a fresh data dir, as e2e/run.mjs does, and builds
// the trust chain as e2e/channels.mjs does (its helpers). The edits are made through the page's own
// document service (`window.__liaisonBench`, present only when localStorage['liaison.bench'] is '1'):
// `OpenDocument.change` with Automerge splices, editsPerUpdate of them per 250 ms batch, waiting
// for each batch to be acknowledged, so the log and its snapshots are what the client writes.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { cliFor, registerInBrowser, reloadAndUnlock, signInApi } from '../e2e/channels.mjs';

const EDITS = Number(process.argv[2] ?? 10_000);
const SAMPLES = Number(process.argv[3] ?? 200);
const PER_UPDATE = Number(process.argv[4] ?? 40);
const TEXT = process.argv[5] ?? 'repeated';
const OPENS = 7;
const PASSWORD = 'a long shared test password';
const TITLE = 'Benchmark action plan';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const jar = join(root, 'server/target/liaison-server.jar');
const webRoot = join(root, 'web-client/dist');
if (!existsSync(jar) || !existsSync(join(webRoot, 'index.html'))) {
  console.error(`${jar} or ${webRoot}/index.html is missing; build first: mvn -B -DskipTests package`);
  process.exit(2);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)];
};
const ms = (x) => `${x.toFixed(1)} ms`;
const log = (...args) => console.log(new Date().toISOString().slice(11, 19), ...args);

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

// ---- the server, as e2e/run.mjs starts it ------------------------------------------------------
const port = await freePort();
const base = `http://127.0.0.1:${port}`;
const dataDir = mkdtempSync(join(tmpdir(), 'liaison-bench-'));
let serverLog = '';
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
server.stdout.on('data', (d) => (serverLog += d));
server.stderr.on('data', (d) => (serverLog += d));
let serverExited = false;
server.on('exit', () => (serverExited = true));
process.on('exit', () => serverExited || server.kill('SIGKILL'));

let browser;
let status = 0;
try {
  const bootstrapFile = join(dataDir, 'bootstrap-invite.txt');
  let inviteLink;
  for (const deadline = Date.now() + 120_000; !inviteLink; await sleep(250)) {
    if (serverExited) throw new Error('the server exited during start-up');
    if (Date.now() > deadline) throw new Error('the server did not come up in 120 s');
    const up = await fetch(`${base}/health`).then((r) => r.ok, () => false);
    if (up && existsSync(bootstrapFile)) inviteLink = readFileSync(bootstrapFile, 'utf8').match(/https?:\/\/\S+\/invite\/\S+/)?.[0];
  }
  browser = await chromium.launch({
    executablePath: process.env.LIAISON_CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run'],
  });
  const newPage = async () => {
    const context = await browser.newContext({ locale: 'en-GB', viewport: { width: 1280, height: 900 } });
    // The hook exists only in pages that set this flag before the app starts.
    await context.addInitScript(() => localStorage.setItem('liaison.bench', '1'));
    const page = await context.newPage();
    page.setDefaultTimeout(60_000);
    page.on('dialog', (d) => d.accept());
    page.on('pageerror', (e) => console.error('pageerror:', e.message));
    return page;
  };

  // ---- set-up: admin (also the coordinator), two members, one channel ------------------------
  log(`server on ${base}, data dir ${dataDir}; setting up`);
  const adminPerson = { key: 'admin', name: 'Bench Admin', email: 'admin@bench.example', password: PASSWORD };
  const coordinator = await newPage();
  await registerInBrowser(coordinator, inviteLink, adminPerson);
  const admin = await signInApi(base, adminPerson.email, PASSWORD);
  const city = await admin('POST', '/api/v1/cities', { name: 'Bench City', country: 'AL' });
  const org = await admin('POST', '/api/v1/organisations', { cityId: city.id, name: 'Bench Municipality', sector: 'municipality' });
  const members = [
    { key: 'a', name: 'Member A', email: 'a@bench.example', password: PASSWORD },
    { key: 'b', name: 'Member B', email: 'b@bench.example', password: PASSWORD },
  ];
  const [a, b] = [await newPage(), await newPage()];
  for (const [i, m] of members.entries()) {
    m.link = (await admin('POST', '/api/v1/invitations', { email: m.email, cityId: city.id, organisationId: org.id, tier: 'T2', role: 'member' })).url;
    await registerInBrowser([a, b][i], m.link, m);
  }
  const adminCli = cliFor(root, base, adminPerson);
  adminCli.run('login', adminPerson.email);
  const rootFile = join(adminCli.dir, 'root.key');
  adminCli.run('attest', 'init-root', '--root-key-file', rootFile);
  const confirmCard = coordinator.getByRole('region', { name: 'Confirm devices' });
  await confirmCard.getByRole('button', { name: 'Create my coordinator key' }).click();
  const shown = (await confirmCard.locator('pre.command').innerText()).trim();
  const args = shown.replace(/^\.\/liaison cli /, '').split(/\s+/);
  args[args.indexOf('--root-key-file') + 1] = rootFile;
  args[args.indexOf('--out') + 1] = join(adminCli.dir, 'coordinator.att');
  const attestation = adminCli.run(...args).trim().split('\n').pop();
  await confirmCard.getByLabel('Paste the coordinator attestation').fill(attestation);
  await confirmCard.getByRole('button', { name: 'Save attestation' }).click();
  await confirmCard.getByText(/Your coordinator key is attested/).waitFor();
  for (const m of members) {
    await confirmCard.getByRole('button', { name: `Confirm ${m.name}` }).click();
    await confirmCard.getByText(`${m.name}’s device is confirmed.`).waitFor();
  }
  await reloadAndUnlock(a, PASSWORD);
  await reloadAndUnlock(b, PASSWORD);
  await a.getByRole('region', { name: 'This device' }).locator('dl.facts').getByText('Active', { exact: true }).waitFor();

  await a.getByRole('link', { name: 'New channel' }).click();
  await a.getByLabel('Name (only members can read it)').fill('Benchmark channel');
  await a.getByRole('button', { name: 'Create channel' }).click();
  await a.getByRole('heading', { name: 'Benchmark channel' }).waitFor();
  const channelId = new URL(a.url()).pathname.split('/').pop();
  await a.getByRole('button', { name: /^Members/ }).click();
  await a.getByRole('button', { name: 'Add members' }).click();
  await a.getByLabel(/Member B/).check();
  await a.getByRole('button', { name: 'Add selected' }).click();
  await a.getByRole('status').getByText('Added.').waitFor();
  await b.getByRole('link', { name: /Benchmark channel/ }).click();
  await b.getByRole('heading', { name: 'Benchmark channel' }).waitFor();

  // ---- A writes the document -----------------------------------------------------------------
  const documentsTab = async (page) => {
    await page.getByRole('tab', { name: 'Documents' }).click();
    await page.getByRole('heading', { name: 'Documents', level: 2 }).waitFor();
  };
  await documentsTab(a);
  await a.getByRole('button', { name: 'New document' }).click();
  await a.getByRole('radio', { name: /Local action plan/ }).check();
  await a.getByLabel('Title', { exact: true }).fill(TITLE);
  await a.getByRole('button', { name: 'Create document' }).click();
  await a.getByRole('heading', { name: TITLE, level: 1 }).waitFor();
  await a.locator('.doc-status[data-status="synced"]').waitFor();
  await a.getByRole('button', { name: '← All documents' }).click();
  const documentId = await a.evaluate(async ({ channelId, title }) => {
    const docs = await window.__liaisonBench.documents().list(channelId);
    return docs.find((d) => d.title === title).id;
  }, { channelId, title: TITLE });
  log(`set up; channel ${channelId}, document ${documentId}; writing ${EDITS} edits, ${PER_UPDATE} per update`);
  const writing = Date.now();
  const written = await a.evaluate(async ({ channelId, documentId, edits, perUpdate, text }) => {
    const bench = window.__liaisonBench;
    const A = await bench.automerge();
    const doc = await bench.documents().open(channelId, documentId);
    const fields = ['summary', 'localDrivers', 'previousWork'];
    const words = ['risk', 'partner', 'school', 'youth', 'police', 'outreach', 'mentor', 'family', 'review', 'network', 'training', 'municipal'];
    const letters = () => Array.from({ length: 3 + Math.floor(Math.random() * 8) }, () => String.fromCharCode(97 + Math.floor(Math.random() * 26))).join('');
    const word = (i) => (text === 'random' ? letters() : words[i % words.length]);
    const synced = async () => {
      while (doc.status() !== 'synced') await new Promise((r) => setTimeout(r, 10));
    };
    let updates = 0;
    for (let i = 0; i < edits; i++) {
      const field = fields[i % fields.length];
      // Mostly a word typed at the end of a field, every 20th a deletion of a few letters.
      doc.change((d) => {
        const current = d.context[field];
        if (i % 20 === 19 && current.length > 8) A.splice(d, ['context', field], current.length - 6, 6);
        else A.splice(d, ['context', field], current.length, 0, `${word(i)} `);
      });
      if (i % perUpdate === perUpdate - 1 || i === edits - 1) {
        await synced();
        updates++;
      }
    }
    const chars = fields.reduce((n, f) => n + doc.doc().context[f].length, 0);
    doc.close();
    return { updates, chars };
  }, { channelId, documentId, edits: EDITS, perUpdate: PER_UPDATE, text: TEXT });
  log(`written in ${((Date.now() - writing) / 1000).toFixed(1)} s: ${written.updates} updates, ${written.chars} characters of text`);
  // A client writes the snapshot after a random pause of up to 2 s.
  await sleep(4000);

  // Sizes as the server holds them (ciphertext, i.e. padded and sealed).
  const reader = (method, path) => b.evaluate(({ method, path }) => window.__liaisonBench.call(method, path), { method, path });
  const path = `/api/v1/channels/${channelId}/documents/${documentId}`;
  const opened = await reader('GET', path);
  const allUpdates = [];
  for (let after = 0, more = true; more;) {
    const page = await reader('GET', `${path}/updates?after=${after}&limit=500`).catch(() => ({ updates: [], more: false }));
    allUpdates.push(...page.updates);
    more = page.more && page.updates.length > 0;
    after = page.updates.at(-1)?.seq ?? after;
  }
  const b64Bytes = (s) => Math.floor((s.length * 3) / 4);
  const sizes = {
    lastSeq: opened.document.lastSeq,
    snapshotCovers: opened.snapshot?.coversSeq ?? 0,
    snapshotBytes: opened.snapshot ? b64Bytes(opened.snapshot.ciphertext) : 0,
    updatesAfterSnapshot: opened.updates.length,
    updatesAfterSnapshotBytes: opened.updates.reduce((n, u) => n + b64Bytes(u.ciphertext), 0),
    storedUpdates: allUpdates.length,
    storedUpdateBytes: allUpdates.reduce((n, u) => n + b64Bytes(u.ciphertext), 0),
  };
  log('sizes', JSON.stringify(sizes));

  // ---- opening, in B's page ------------------------------------------------------------------
  await documentsTab(b);
  const clickToReady = [];
  for (let i = 0; i < OPENS; i++) {
    const started = Date.now();
    await b.getByRole('button', { name: TITLE }).click();
    await b.getByRole('heading', { name: TITLE, level: 1 }).waitFor();
    await b.locator('.doc-status[data-status="synced"]').waitFor();
    await b.getByRole('region', { name: 'Context', exact: true }).getByLabel('Summary', { exact: true }).waitFor();
    clickToReady.push(Date.now() - started);
    await b.getByRole('button', { name: '← All documents' }).click();
    await b.getByRole('button', { name: TITLE }).waitFor();
  }
  const engineOpen = await b.evaluate(async ({ channelId, documentId, runs }) => {
    const out = [];
    for (let i = 0; i < runs; i++) {
      const started = performance.now();
      const doc = await window.__liaisonBench.documents().open(channelId, documentId);
      out.push({ open: performance.now() - started, load: doc.loadMs });
      doc.close();
    }
    return out;
  }, { channelId, documentId, runs: OPENS });
  log(`click to editor ready: first ${clickToReady[0]} ms, all ${clickToReady.join(', ')} ms`);
  log(`engine open: ${engineOpen.map((o) => o.open.toFixed(0)).join(', ')} ms (load ${engineOpen.map((o) => o.load.toFixed(0)).join(', ')})`);

  // ---- update latency, A → B -----------------------------------------------------------------
  await documentsTab(a);
  for (const page of [a, b]) {
    await page.getByRole('button', { name: TITLE }).click();
    await page.locator('.doc-status[data-status="synced"]').waitFor();
  }
  const field = (page) => page.getByRole('region', { name: 'Context', exact: true }).getByLabel('Summary', { exact: true });
  const aField = await field(a).elementHandle();
  const bField = await field(b).elementHandle();
  const latencies = [];
  for (let i = 0; i < SAMPLES; i++) {
    const marker = ` s${i}.`;
    const seen = bField.evaluate(
      (el, m) =>
        new Promise((res, rej) => {
          const until = performance.now() + 30_000;
          const poll = () => {
            if (el.value.endsWith(m)) res(performance.timeOrigin + performance.now());
            else if (performance.now() > until) rej(new Error(`not seen: ${m}`));
            else setTimeout(poll, 0);
          };
          poll();
        }),
      marker,
    );
    // What a keystroke does: the field's value changes and an input event fires.
    const typed = await aField.evaluate((el, m) => {
      const t = performance.timeOrigin + performance.now();
      el.focus();
      el.value += m;
      el.setSelectionRange(el.value.length, el.value.length);
      el.dispatchEvent(new Event('input', { bubbles: true }));
      return t;
    }, marker);
    latencies.push((await seen) - typed);
    await sleep(20);
  }
  assert.equal(latencies.length, SAMPLES);
  const p = (q) => quantile(latencies, q);
  log(`latency A → B over ${SAMPLES}: p50 ${ms(p(0.5))}, p90 ${ms(p(0.9))}, p99 ${ms(p(0.99))}, max ${ms(Math.max(...latencies))}`);

  const result = {
    date: new Date().toISOString(),
    edits: EDITS,
    perUpdate: PER_UPDATE,
    text: TEXT,
    written,
    sizes,
    clickToReadyMs: clickToReady,
    engineOpenMs: engineOpen,
    latencyMs: { samples: SAMPLES, p50: p(0.5), p90: p(0.9), p99: p(0.99), max: Math.max(...latencies) },
    loadAverage: loadavg().map((x) => x.toFixed(2)).join(' '),
  };
  console.log(JSON.stringify(result));
  writeFileSync(join(tmpdir(), 'liaison-bench-documents.json'), JSON.stringify(result, null, 2));
} catch (e) {
  status = 1;
  console.error('bench failed:', e?.stack ?? e);
  writeFileSync(join(tmpdir(), 'liaison-bench-server.log'), serverLog);
  console.error(`server log: ${join(tmpdir(), 'liaison-bench-server.log')}`);
} finally {
  await browser?.close().catch(() => {});
  server.kill('SIGTERM');
  for (let i = 0; i < 50 && !serverExited; i++) await sleep(100);
  rmSync(dataDir, { recursive: true, force: true });
}
process.exit(status);
