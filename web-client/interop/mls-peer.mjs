// A ts-mls member driven over stdin/stdout (one JSON object per line, bytes as base64), so Java
// tests can put bcmls and ts-mls in one channel and exchange real MLS wire bytes.
// Requests: {op, ...}; answers: {ok: true, ...} or {ok: false, error}.
import { createInterface } from 'node:readline';
import {
  createApplicationMessage,
  createCommit,
  createGroup,
  decodeMlsMessage,
  defaultCapabilities,
  defaultLifetime,
  emptyPskIndex,
  encodeMlsMessage,
  generateKeyPackage,
  getCiphersuiteFromName,
  getCiphersuiteImpl,
  joinGroup,
  mlsExporter,
  processMessage,
} from 'ts-mls';
import { verifyAttestationChain } from '../src/crypto/attestation.ts';

// Listen before the first await: under vite-node, stdin read later may already be gone.
const lines = createInterface({ input: process.stdin });
const pending = [];
let wake = () => {};
let closed = false;
lines.on('line', (line) => {
  pending.push(line);
  wake();
});
lines.on('close', () => {
  closed = true;
  wake();
});

const impl = await getCiphersuiteImpl(
  getCiphersuiteFromName('MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519'),
);
const b64 = (bytes) => Buffer.from(bytes).toString('base64');
const bytes = (text) => new Uint8Array(Buffer.from(text, 'base64'));
const utf8 = new TextEncoder();

/** MemberCredential (see crypto/.../mls/MemberCredential.java): version, user, device, chain. */
function credentialIdentity(userId, deviceId) {
  const user = utf8.encode(userId);
  const device = utf8.encode(deviceId);
  return new Uint8Array([0, 1, user.length, ...user, device.length, ...device, 0, 0]);
}

function readCredential(identity) {
  const user = identity.slice(3, 3 + identity[2]);
  const at = 3 + identity[2];
  const device = identity.slice(at + 1, at + 1 + identity[at]);
  const chainAt = at + 1 + identity[at];
  const chainLength = (identity[chainAt] << 8) | identity[chainAt + 1];
  return {
    userId: new TextDecoder().decode(user),
    deviceId: new TextDecoder().decode(device),
    chain: identity.slice(chainAt + 2, chainAt + 2 + chainLength),
  };
}

let keyPackage; // this device's pending key package
let state; // the channel state once created or joined
let self;

function members() {
  const out = [];
  state.ratchetTree.forEach((node, i) => {
    if (i % 2 === 0 && node?.nodeType === 'leaf') {
      out.push({
        leaf: i / 2,
        signatureKey: node.leaf.signaturePublicKey,
        ...readCredential(node.leaf.credential.identity),
      });
    }
  });
  return out;
}

const encodeCommit = (commit) => b64(encodeMlsMessage(commit));

const ops = {
  async keyPackage({ userId, deviceId }) {
    self = { userId, deviceId };
    const credential = { credentialType: 'basic', identity: credentialIdentity(userId, deviceId) };
    keyPackage = await generateKeyPackage(credential, defaultCapabilities(), defaultLifetime, [], impl);
    return {
      keyPackage: b64(
        encodeMlsMessage({ keyPackage: keyPackage.publicPackage, wireformat: 'mls_key_package', version: 'mls10' }),
      ),
    };
  },
  async create({ groupId, userId, deviceId }) {
    await ops.keyPackage({ userId, deviceId });
    state = await createGroup(bytes(groupId), keyPackage.publicPackage, keyPackage.privatePackage, [], impl);
    return { epoch: Number(state.groupContext.epoch) };
  },
  async join({ welcome }) {
    const decoded = decodeMlsMessage(bytes(welcome), 0)[0];
    if (decoded.wireformat !== 'mls_welcome') throw new Error('not a welcome');
    state = await joinGroup(decoded.welcome, keyPackage.publicPackage, keyPackage.privatePackage, emptyPskIndex, impl);
    return { epoch: Number(state.groupContext.epoch) };
  },
  async add({ keyPackages }) {
    const proposals = keyPackages.map((kp) => {
      const decoded = decodeMlsMessage(bytes(kp), 0)[0];
      if (decoded.wireformat !== 'mls_key_package') throw new Error('not a key package');
      return { proposalType: 'add', add: { keyPackage: decoded.keyPackage } };
    });
    const result = await createCommit(
      { state, cipherSuite: impl },
      { extraProposals: proposals, wireAsPublicMessage: true, ratchetTreeExtension: true },
    );
    state = result.newState;
    return {
      commit: encodeCommit(result.commit),
      welcome: b64(encodeMlsMessage({ welcome: result.welcome, wireformat: 'mls_welcome', version: 'mls10' })),
      epoch: Number(state.groupContext.epoch),
    };
  },
  async remove({ userId }) {
    const proposals = members()
      .filter((m) => m.userId === userId)
      .map((m) => ({ proposalType: 'remove', remove: { removed: m.leaf } }));
    const result = await createCommit({ state, cipherSuite: impl }, { extraProposals: proposals, wireAsPublicMessage: true });
    state = result.newState;
    return { commit: encodeCommit(result.commit), epoch: Number(state.groupContext.epoch) };
  },
  async update() {
    const result = await createCommit({ state, cipherSuite: impl }, { wireAsPublicMessage: true });
    state = result.newState;
    return { commit: encodeCommit(result.commit), epoch: Number(state.groupContext.epoch) };
  },
  async handle({ message }) {
    const decoded = decodeMlsMessage(bytes(message), 0)[0];
    const result = await processMessage(decoded, state, emptyPskIndex, () => 'accept', impl);
    state = result.newState;
    if (result.kind === 'applicationMessage') {
      return { plaintext: b64(result.message) };
    }
    return { epoch: Number(state.groupContext.epoch) };
  },
  async protect({ plaintext }) {
    const result = await createApplicationMessage(state, bytes(plaintext), impl);
    state = result.newState;
    return {
      message: b64(
        encodeMlsMessage({ privateMessage: result.privateMessage, wireformat: 'mls_private_message', version: 'mls10' }),
      ),
    };
  },
  async status() {
    return {
      epoch: Number(state.groupContext.epoch),
      epochAuthenticator: b64(state.keySchedule.epochAuthenticator),
      members: members().map((m) => m.userId),
      self,
    };
  },
  async export({ label, context, length }) {
    return { secret: b64(await mlsExporter(state.keySchedule.exporterSecret, label, bytes(context), length, impl)) };
  },
  /** What a browser does for every member: verify the chain inside its MLS credential. */
  async verifyMembers({ root, now }) {
    const results = {};
    for (const m of members()) {
      try {
        if (m.chain.length === 0) throw Object.assign(new Error('no attestation'), { reason: 'MISSING' });
        const v = await verifyAttestationChain(m.chain, bytes(root), m.signatureKey, m.userId, new Date(now));
        results[`${m.userId}/${m.deviceId}`] = `T${v.tier} ${v.sector}`;
      } catch (e) {
        results[`${m.userId}/${m.deviceId}`] = `refused: ${e.reason ?? e.message}`;
      }
    }
    return { members: results };
  },
  async verifyAttestation({ chain, root, key, userId, now }) {
    try {
      const v = await verifyAttestationChain(bytes(chain), bytes(root), bytes(key), userId, new Date(now));
      return { verified: { ...v, expiresAt: v.expiresAt.toISOString() } };
    } catch (e) {
      return { refused: e.reason ?? String(e) };
    }
  },
};

for (;;) {
  if (pending.length === 0) {
    if (closed) break;
    await new Promise((resolve) => (wake = resolve));
    continue;
  }
  const line = pending.shift();
  let answer;
  try {
    const request = JSON.parse(line);
    answer = { ok: true, ...(await ops[request.op](request)) };
  } catch (e) {
    answer = { ok: false, error: String(e?.message ?? e) };
  }
  process.stdout.write(JSON.stringify(answer) + '\n');
}
