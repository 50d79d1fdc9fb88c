// Test support (not a test): the few server routes one browser's channel engine calls, in
// memory. It orders commits into a log like the delivery service (dense seqs, one per epoch);
// it does not check them (the real ts-mls state on the browser does).
import { type Api, ApiError } from '../src/api';
import type { DueRemoval, LogEntry, ServerChannel } from '../src/channels/model';
import { base64url, fromBase64url } from '../src/device/identity';
import type { ServerDocument, ServerSnapshot, ServerUpdate, ServerVersion } from '../src/documents/wire';
import type { Who } from './trusted-group';

export function fakeServer(self: Who, channel: ServerChannel, cursor: number) {
  const state = {
    rootKey: null as Uint8Array | null,
    revocations: [] as { seq: number; attestation: string; reason: string }[],
    channel,
    log: [] as LogEntry[],
    head: cursor,
    commits: 0,
    calls: [] as string[],
  };
  const route = async (method: string, path: string, body?: Record<string, unknown>): Promise<unknown> => {
    const url = new URL(path, 'http://x');
    state.calls.push(`${method} ${url.pathname}`);
    const c = state.channel;
    switch (`${method} ${url.pathname}`) {
      case 'GET /api/v1/network':
        return { rootKey: state.rootKey ? base64url(state.rootKey) : null };
      case 'GET /api/v1/network/attestation-revocations': {
        const after = Number(url.searchParams.get('after'));
        const items = state.revocations.filter((r) => r.seq > after);
        return { items, next: items.length ? items[items.length - 1].seq : after };
      }
      case 'GET /api/v1/channels':
        return { items: [structuredClone(c)] };
      case `GET /api/v1/channels/${c.id}`:
        return structuredClone(c);
      case 'GET /api/v1/welcomes':
      case 'GET /api/v1/devices':
        return { items: [] };
      case 'GET /api/v1/key-packages/count':
        return { oneTime: 50, lastResort: true };
      case `PUT /api/v1/channels/${c.id}/meta`:
        return {};
      case `POST /api/v1/channels/${c.id}/commits`: {
        const seq = ++state.head;
        state.commits++;
        const epoch = Number(body!.epoch);
        state.log.push({ seq, kind: 'commit', epoch, newEpoch: epoch + 1, senderUserId: self.userId, senderDeviceId: self.deviceId, sentAt: new Date().toISOString(), commit: String(body!.commit) });
        // The server drops the entries a commit carried out (here: all of them).
        c.removalsDue = [];
        c.epoch = epoch + 1;
        return { seq, epoch: epoch + 1 };
      }
      case `GET /api/v1/channels/${c.id}/messages`: {
        const after = Number(url.searchParams.get('after'));
        const items = state.log.filter((e) => e.seq > after);
        return { items, firstSeq: 1, next: items.length ? items[items.length - 1].seq : after };
      }
      default:
        throw new Error(`unexpected ${method} ${path}`);
    }
  };
  const api = {
    call: (method: string, path: string, body?: Record<string, unknown>) => route(method, path, body),
    freshAccessToken: async () => 'token',
  } as unknown as Api;
  return { api, state, due: (removals: DueRemoval[]) => (state.channel.removalsDue = removals) };
}

/** A socket the test speaks for: frames it delivers reach the engine as the server's would. */
export function fakeSocket(onSend: (frame: Record<string, unknown>) => void = () => {}) {
  const sent: Record<string, unknown>[] = [];
  const socket = {
    readyState: 1,
    onopen: null as null | (() => void),
    onmessage: null as null | ((e: { data: string }) => void),
    onclose: null as null | ((e: { code: number }) => void),
    send: (data: string) => {
      const frame = JSON.parse(data);
      sent.push(frame);
      onSend(frame);
    },
    close: () => {},
  };
  return {
    sent,
    factory: () => socket as unknown as WebSocket,
    deliver: (frame: Record<string, unknown>) => socket.onmessage?.({ data: JSON.stringify(frame) }),
    opened: () => socket.onmessage !== null,
  };
}

/** Waits until `condition` holds (the engine works through frames asynchronously). */
export async function until(condition: () => boolean, ms = 8000): Promise<void> {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

interface StoredDocument {
  summary: ServerDocument;
  updates: ServerUpdate[];
  /** device → clientSeq → seq (kept after compaction, so a late resend is still a duplicate). */
  clientSeqs: Map<string, Map<number, number>>;
  snapshot: ServerSnapshot | null;
  previous: ServerSnapshot | null;
  versions: ServerVersion[];
}

const fail = (status: number, code: string, details: Record<string, unknown> = {}) => new ApiError(status, code, code, undefined, details);
const SMALL_UPDATE = 64 * 1024;
const MAX_UPDATE = 256 * 1024;

/**
 * The document routes and frames of docs/documents.md "Wire summary", in memory, shared by every
 * device of a test: the server's ordering (dense `seq` per document), idempotence per device
 * (`duplicate`, `client-seq-gap` with `expected`), first-write-wins keyrings for the current
 * epoch only, stale snapshots refused and updates the previous snapshot covers deleted, frames to
 * every connected device and presence relayed to the others. It stores what it is given and
 * cannot read any of it. `offline` devices' calls fail as a lost network does.
 */
export function fakeDocumentServer(currentEpoch: () => number) {
  const documents = new Map<string, StoredDocument>();
  const keyrings = new Map<string, string>();
  const connected = new Map<string, (frame: Record<string, unknown>) => void>();
  const offline = new Set<string>();
  /** Devices whose next answer is lost on the way back (the request itself was carried out). */
  const loseAnswer = new Set<string>();
  const calls: string[] = [];
  let now = 0;
  const time = () => new Date(Date.UTC(2026, 11, 2, 12, 0, 0, now++)).toISOString();
  const broadcast = (frame: Record<string, unknown>, except?: string) => {
    for (const [deviceId, deliver] of connected) if (deviceId !== except) deliver(structuredClone(frame));
  };
  const docOf = (id: string) => {
    const d = documents.get(id);
    if (!d) throw fail(404, 'document-not-found');
    return d;
  };
  const after = (d: StoredDocument, seq: number, limit: number) => {
    const items = d.updates.filter((u) => u.seq > seq);
    return { updates: structuredClone(items.slice(0, limit)), more: items.length > limit };
  };

  async function route(who: Who, method: string, path: string, body: Record<string, unknown> = {}): Promise<unknown> {
    if (offline.has(who.deviceId)) throw new TypeError('Failed to fetch');
    const answer = await carryOut(who, method, path, body);
    if (loseAnswer.delete(who.deviceId)) throw new TypeError('Failed to fetch');
    return answer;
  }

  async function carryOut(who: Who, method: string, path: string, body: Record<string, unknown>): Promise<unknown> {
    const url = new URL(path, 'http://x');
    calls.push(`${who.deviceId} ${method} ${url.pathname}`);
    const parts = url.pathname.split('/').slice(4); // [cid, 'documents' | 'document-keyrings', ...]
    const [channelId, collection, id, sub] = parts;
    if (collection === 'document-keyrings') {
      const name = `${channelId}:${id}`;
      if (method === 'GET') {
        if (!keyrings.has(name)) throw fail(404, 'keyring-not-found');
        return { epoch: Number(id), ciphertext: keyrings.get(name) };
      }
      if (Number(id) !== currentEpoch()) throw fail(409, 'wrong-epoch', { currentEpoch: currentEpoch() });
      if (keyrings.has(name)) throw fail(409, 'keyring-exists');
      keyrings.set(name, String(body.ciphertext));
      broadcast({ type: 'document-keyring', channelId, epoch: Number(id) });
      return { epoch: Number(id) };
    }
    if (collection !== 'documents') throw new Error(`unexpected ${method} ${path}`);
    if (!id) {
      if (method === 'GET') return { documents: [...documents.values()].filter((d) => d.summary.channelId === channelId).map((d) => structuredClone(d.summary)) };
      const at = time();
      const summary: ServerDocument = {
        id: Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join(''),
        channelId,
        generation: Number(body.generation),
        header: String(body.header),
        createdBy: who.userId,
        createdAt: at,
        updatedAt: at,
        lastSeq: 0,
        snapshotSeq: 0,
      };
      documents.set(summary.id, { summary, updates: [], clientSeqs: new Map(), snapshot: null, previous: null, versions: [] });
      broadcast({ type: 'document-created', channelId, document: summary });
      return structuredClone(summary);
    }
    const d = docOf(id);
    switch (`${method} ${sub ?? ''}`) {
      case 'GET ': {
        const from = d.snapshot?.coversSeq ?? 0;
        return { document: structuredClone(d.summary), snapshot: structuredClone(d.snapshot), ...after(d, from, 500) };
      }
      case 'PUT header':
        d.summary = { ...d.summary, generation: Number(body.generation), header: String(body.header), updatedAt: time() };
        broadcast({ type: 'document-header', channelId, document: d.summary });
        return structuredClone(d.summary);
      case 'GET updates':
        return after(d, Number(url.searchParams.get('after')), Number(url.searchParams.get('limit') ?? 500));
      case 'POST updates': {
        const clientSeq = Number(body.clientSeq);
        if (fromBase64url(String(body.ciphertext)).length > MAX_UPDATE) throw fail(413, 'update-too-large');
        let mine = d.clientSeqs.get(who.deviceId);
        if (!mine) d.clientSeqs.set(who.deviceId, (mine = new Map()));
        const stored = mine.get(clientSeq);
        if (stored !== undefined) return { seq: stored, duplicate: true };
        const expected = mine.size + 1;
        if (clientSeq !== expected) throw fail(409, 'client-seq-gap', { expected });
        const update: ServerUpdate = {
          seq: d.summary.lastSeq + 1,
          generation: Number(body.generation),
          authorUserId: who.userId,
          authorDeviceId: who.deviceId,
          clientSeq,
          ciphertext: String(body.ciphertext),
          signature: String(body.signature),
          createdAt: time(),
        };
        d.updates.push(update);
        mine.set(clientSeq, update.seq);
        d.summary = { ...d.summary, lastSeq: update.seq, updatedAt: update.createdAt };
        const small = update.ciphertext.length <= SMALL_UPDATE;
        broadcast({ type: 'document-updated', channelId, documentId: id, seq: update.seq, ...(small ? { update } : {}) });
        return { seq: update.seq, duplicate: false };
      }
      case 'PUT snapshot': {
        const coversSeq = Number(body.coversSeq);
        if (coversSeq <= (d.snapshot?.coversSeq ?? 0) || coversSeq > d.summary.lastSeq) throw fail(409, 'snapshot-stale');
        // The previous snapshot is kept; the updates it covers go.
        d.previous = d.snapshot;
        const dropBelow = d.previous?.coversSeq ?? 0;
        d.updates = d.updates.filter((u) => u.seq > dropBelow);
        d.snapshot = { coversSeq, generation: Number(body.generation), authorDeviceId: who.deviceId, ciphertext: String(body.ciphertext), signature: String(body.signature), createdAt: time() };
        d.summary = { ...d.summary, snapshotSeq: coversSeq };
        broadcast({ type: 'document-snapshot', channelId, documentId: id, coversSeq });
        return { coversSeq };
      }
      case 'POST versions': {
        const version: ServerVersion = {
          id: `v${d.versions.length + 1}`,
          seq: d.summary.lastSeq,
          generation: Number(body.generation),
          authorUserId: who.userId,
          authorDeviceId: who.deviceId,
          ciphertext: String(body.ciphertext),
          signature: String(body.signature),
          createdAt: time(),
        };
        d.versions.push(version);
        broadcast({ type: 'document-version', channelId, documentId: id, version });
        return structuredClone(version);
      }
      case 'GET versions':
        return { versions: structuredClone(d.versions) };
      default:
        throw new Error(`unexpected ${method} ${path}`);
    }
  }

  return {
    documents,
    keyrings,
    offline,
    loseAnswer,
    calls,
    /** True for the paths this fake answers. */
    handles: (path: string) => /^\/api\/v1\/channels\/[^/]+\/(documents|document-keyrings)/.test(path),
    route,
    /** A device's connection: frames to it, and what it sends (presence is relayed to the others). */
    connect(who: Who, deliver: (frame: Record<string, unknown>) => void) {
      connected.set(who.deviceId, deliver);
      return (frame: Record<string, unknown>) => {
        if (frame.type !== 'document-presence') return;
        broadcast({ ...frame, userId: who.userId, deviceId: who.deviceId }, who.deviceId);
      };
    },
    disconnect: (who: Who) => connected.delete(who.deviceId),
  };
}
