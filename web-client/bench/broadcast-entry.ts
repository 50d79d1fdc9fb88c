// The page side of bench/broadcast.mjs: builds N attested recipient devices off the clock, then
// times what an author's browser does per device before a send (chain and key-statement checks,
// then one HPKE wrap each), cold and with verified devices cached, and a recipient's open.
import { encodeChain, issueAttestation, verifyAttestationChain } from '../src/crypto/attestation';
import {
  type BroadcastKeyStatement,
  encodeHeader,
  generateBroadcastKeyPair,
  newContentKey,
  signHeader,
  signKeyStatement,
  unwrapContentKey,
  verifyKeyStatement,
  verifySignedBroadcast,
  wrapContentKey,
} from '../src/crypto/broadcast';

interface Signer {
  publicKey: Uint8Array;
  sign: (m: Uint8Array) => Promise<Uint8Array>;
}

async function signer(): Promise<Signer> {
  const pair = (await crypto.subtle.generateKey('Ed25519', true, ['sign', 'verify'])) as CryptoKeyPair;
  const publicKey = new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey));
  return { publicKey, sign: async (m) => new Uint8Array(await crypto.subtle.sign('Ed25519', pair.privateKey, new Uint8Array(m))) };
}

interface Recipient {
  userId: string;
  deviceId: string;
  deviceKey: Uint8Array;
  chain: Uint8Array;
  statement: BroadcastKeyStatement;
  statementSignature: Uint8Array;
  secretKey: Uint8Array;
}

async function run(n: number) {
  const now = Math.floor(Date.now() / 1000);
  const root = await signer();
  const coordinator = await signer();
  const link = (kind: 'coordinator' | 'device', userId: string, subject: Uint8Array, issuer: Signer) =>
    issueAttestation(
      { kind, userId, subjectKey: subject, tier: 2, sector: 'youth-work', cityId: kind === 'device' ? 'skopje' : '', issuedAt: now - 60, expiresAt: now + 86_400, issuerKey: issuer.publicKey },
      issuer.sign,
    );
  const coordinatorLink = await link('coordinator', 'author', coordinator.publicKey, root);
  const setupStart = performance.now();
  const recipients: Recipient[] = [];
  for (let i = 0; i < n; i++) {
    const device = await signer();
    const keys = await generateBroadcastKeyPair();
    const userId = `user-${i}`;
    const deviceId = `device-${i}`;
    const statement = { deviceId, userId, publicKey: keys.publicKey, validFrom: Date.now() };
    recipients.push({
      userId,
      deviceId,
      deviceKey: device.publicKey,
      chain: encodeChain([coordinatorLink, await link('device', userId, device.publicKey, coordinator)]),
      statement,
      statementSignature: await signKeyStatement(device.sign, statement),
      secretKey: keys.secretKey,
    });
  }
  const setupMs = performance.now() - setupStart;

  const rootKey = root.publicKey;
  const verifiedAt = new Date();
  const t0 = performance.now();
  for (const r of recipients) {
    await verifyAttestationChain(r.chain, rootKey, r.deviceKey, r.userId, verifiedAt);
    if (!(await verifyKeyStatement(r.deviceKey, r.statement, r.statementSignature))) throw new Error('statement');
  }
  const verifyMs = performance.now() - t0;

  const id = '00112233445566778899aabbccddeeff';
  const contentKey = newContentKey();
  const t1 = performance.now();
  const wraps: Uint8Array[] = [];
  for (const r of recipients) wraps.push(await wrapContentKey(r.statement.publicKey, id, r.deviceId, contentKey));
  const wrapMs = performance.now() - t1;

  // A recipient: open its wrap and verify the header and the author's proof.
  const author = await signer();
  const authorLink = await link('coordinator', 'author', author.publicKey, root);
  const authorDevice = await signer();
  const authorChain = encodeChain([authorLink, await link('device', 'author', authorDevice.publicKey, author)]);
  const header = encodeHeader({ id, authorUserId: 'author', authorDeviceId: 'ad', cities: ['skopje'], sectors: [], minTier: 0, createdAt: Date.now(), contentHash: new Uint8Array(32) });
  const signature = await signHeader(authorDevice.sign, header);
  const opens = Math.min(n, 200);
  const t2 = performance.now();
  for (let i = 0; i < opens; i++) {
    await unwrapContentKey(recipients[i].secretKey, id, recipients[i].deviceId, wraps[i]);
    await verifySignedBroadcast(rootKey, header, signature, { chain: authorChain, coordinator: authorLink }, new Date());
  }
  const openMs = (performance.now() - t2) / opens;
  return { n, setupMs, verifyMs, wrapMs, openMs, wrapBytes: wraps.reduce((s, w) => s + w.length, 0) };
}

(globalThis as unknown as { runBroadcastBench: typeof run }).runBroadcastBench = run;
