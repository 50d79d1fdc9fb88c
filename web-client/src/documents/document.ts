/**
 * One open document (`OpenDocument`): the Automerge state, this device's unsent updates, and the
 * server's updates applied strictly in `seq` order. One queue (`run`) orders everything that
 * touches the server or the state, so sends stay in `clientSeq` order and applies in `seq` order.
 * - local changes are collected and sent as ONE update every 250 ms (the next dense `clientSeq`,
 *   stored in the outbox first; a lost connection resends on reconnect; `client-seq-gap` resends
 *   from the expected one);
 * - remote updates are verified (author device's leaf key), decrypted and applied in one batch
 *   (`loadIncremental`); a gap in `seq` reads the missing range over HTTP;
 * - after 200 updates or 256 KiB since the last snapshot, or when a newer generation exists, it
 *   writes a snapshot after a random pause (another member's newer one wins: `snapshot-stale`).
 */
import type { Doc, Heads } from '@automerge/automerge/slim';
import { ApiError } from '../api';
import type { KeyStore } from '../device/keystore';
import { base64url, fromBase64url } from '../device/identity';
import type { Automerge } from './automerge';
import { wellFramed } from './chunks';
import { DocumentCryptoError, json, openRecord, parseJson, sealRecord } from './crypto';
import type { AnyDoc, DocumentStatus, DocumentVersion, OpenDocument, Presence, TemplateId } from './model';
import { Outbox } from './outbox';
import { openSigned, presenceContext, sealSigned, type Signer, snapshotContext, templateOfSchemaName, updateContext, versionContext } from './records';
import { restoreTo } from './restore';
import { documentPath, type OpenedDocument, type ServerUpdate, type ServerVersion } from './wire';

export const BATCH_MS = 250;
export const SNAPSHOT_EVERY = { updates: 200, bytes: 256 * 1024 };
const SNAPSHOT_JITTER_MS = 2000;
/** A title edit reaches the list's header this long after the last keystroke (one PUT per pause). */
export const RENAME_MS = 1000;
const PRESENCE = { throttleMs: 500, idleMs: 10_000, expireMs: 30_000 };
const PAGE = 500;

/** What a document needs of the channel it lives in. */
export interface DocumentHost {
  readonly api: { call<T>(method: string, path: string, body?: unknown): Promise<T> };
  readonly store: KeyStore;
  readonly signer: Signer;
  /** The key of generation g (reads the keyring again when unknown); null when not readable. */
  generationKey(g: number): Promise<Uint8Array | null>;
  /** The newest generation this device can write with (writing the keyring if it must). */
  newestGeneration(): Promise<{ g: number; key: Uint8Array } | null>;
  /** The keys a device may sign with: its leaves in the channel (now or seen earlier). */
  verifyKeys(deviceId: string): Uint8Array[];
  /** Sends a realtime frame; false when not connected. */
  sendFrame(frame: { type: string } & Record<string, unknown>): boolean;
  displayName(): string;
  /** Writes the list's encrypted header with a new title. */
  rename(documentId: string, title: string, template: TemplateId): Promise<void>;
  closed(doc: LiveDocument): void;
}

type Problem = 'waiting-for-key' | 'unverified' | null;

export class LiveDocument implements OpenDocument {
  private state!: Doc<AnyDoc>;
  private lastSeq = 0;
  private snapshot = { seq: 0, generation: -1, updatesSince: 0, bytesSince: 0 };
  private unsent: Uint8Array[] = [];
  private batchTimer: ReturnType<typeof setTimeout> | undefined;
  private snapshotTimer: ReturnType<typeof setTimeout> | undefined;
  private renameTimer: ReturnType<typeof setTimeout> | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private offline = false;
  /** Changes taken from `unsent` and not yet in the outbox (being sealed). */
  private sealing = 0;
  private problem: Problem = null;
  private readonly listeners = new Set<() => void>();
  private readonly others = new Map<string, Presence>();
  private mine = { path: [] as string[], cursor: undefined as string | undefined, sentAt: 0, timer: undefined as ReturnType<typeof setTimeout> | undefined };
  private idleTimer: ReturnType<typeof setInterval> | undefined;
  private isClosed = false;
  /** The figure a 10 000-edit test reports: how long the last open took to load, in ms. */
  loadMs = 0;

  private constructor(
    private readonly A: Automerge,
    private readonly host: DocumentHost,
    readonly channelId: string,
    readonly id: string,
    private readonly outbox: Outbox,
  ) {}

  /** Reads the snapshot and the updates after it, and loads them in one batch. */
  static async open(A: Automerge, host: DocumentHost, channelId: string, id: string): Promise<LiveDocument> {
    const doc = new LiveDocument(A, host, channelId, id, await Outbox.load(host.store, id));
    await doc.load();
    doc.idleTimer = setInterval(() => {
      doc.sendPresence();
      const before = doc.others.size;
      if (doc.presence().length !== before) doc.notify(); // someone's entry expired
    }, PRESENCE.idleMs);
    void doc.run(() => doc.drain());
    return doc;
  }

  // ---- OpenDocument ---------------------------------------------------------------------------

  doc(): Doc<AnyDoc> {
    return this.state;
  }

  status(): DocumentStatus {
    if (this.problem) return this.problem;
    const waiting = this.unsent.length > 0 || this.sealing > 0 || this.outbox.pending.length > 0;
    if (this.offline && waiting) return 'offline';
    if (waiting) return 'sending';
    return 'synced';
  }

  change(fn: (d: AnyDoc) => void): void {
    const before = this.state;
    this.state = this.A.change(this.state, fn);
    if (this.state === before) return;
    const change = this.A.getLastLocalChange(this.state);
    if (change) this.unsent.push(change);
    this.batchTimer ??= setTimeout(() => {
      this.batchTimer = undefined;
      void this.run(() => this.sendBatch());
    }, BATCH_MS);
    // Only the editor's own title edits rename: a remote one was renamed by its author.
    if (String(before?.meta?.title ?? '') !== String(this.state?.meta?.title ?? '')) {
      clearTimeout(this.renameTimer);
      this.renameTimer = setTimeout(() => this.renameNow(), RENAME_MS);
    }
    this.notify();
  }

  /** Seals the current title into the header the list shows. */
  private renameNow(): void {
    this.renameTimer = undefined;
    // `schema` is an ImmutableString.
    const template = templateOfSchemaName(String(this.state?.schema ?? ''));
    if (!template) return;
    const title = String(this.state?.meta?.title ?? '');
    void this.host.rename(this.id, title, template).catch((e) => console.warn('document rename', e));
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  presence(): Presence[] {
    const fresh = Date.now() - PRESENCE.expireMs;
    for (const [device, p] of this.others) if (p.seenAt < fresh) this.others.delete(device);
    return [...this.others.values()];
  }

  setPresence(path: string[], cursor?: string): void {
    this.mine.path = path;
    this.mine.cursor = cursor;
    const wait = this.mine.sentAt + PRESENCE.throttleMs - Date.now();
    if (wait <= 0) this.sendPresence();
    else this.mine.timer ??= setTimeout(() => this.sendPresence(), wait);
  }

  async versions(): Promise<DocumentVersion[]> {
    const listed = await this.host.api.call<{ versions: ServerVersion[] }>('GET', `${documentPath(this.channelId, this.id)}/versions`);
    const out: DocumentVersion[] = [];
    for (const v of listed.versions) {
      const base = { id: v.id, authorUserId: v.authorUserId, createdAt: v.createdAt };
      try {
        const key = await this.host.generationKey(v.generation);
        if (!key) throw new DocumentCryptoError('NOT_AUTHENTIC', 'no key for this generation');
        const body = parseJson<{ name?: unknown; heads?: unknown }>(await openSigned(key, versionContext(this.id, v), v, this.host.verifyKeys(v.authorDeviceId)));
        const heads = Array.isArray(body.heads) ? body.heads.filter((h): h is string => typeof h === 'string' && /^[0-9a-f]+$/.test(h)) : [];
        out.push({ ...base, name: String(body.name ?? ''), heads, verified: true });
      } catch {
        out.push({ ...base, name: '', heads: [], verified: false });
      }
    }
    return out;
  }

  /** Sends what is pending first, so the heads it names are on the server. */
  async saveVersion(name: string): Promise<void> {
    await this.flushNow();
    await this.run(async () => {
      const newest = await this.requireNewest();
      const heads = this.A.getHeads(this.state);
      const context = versionContext(this.id, { generation: newest.g, authorDeviceId: this.host.signer.deviceId });
      const signed = await sealSigned(this.host.signer, newest.key, context, json({ name, heads, note: '' }));
      await this.host.api.call('POST', `${documentPath(this.channelId, this.id)}/versions`, { generation: newest.g, ...signed });
    });
  }

  restore(heads: Heads): void {
    const target = this.A.view(this.state, heads) as Record<string, unknown>;
    this.change((d) => restoreTo(this.A, d, target));
  }

  /** The engine stopped (the key store locks): timers end, nothing more is sent or stored. */
  stop(): void {
    this.isClosed = true;
    clearInterval(this.idleTimer);
    clearTimeout(this.mine.timer);
    clearTimeout(this.snapshotTimer);
    clearTimeout(this.batchTimer);
    clearTimeout(this.renameTimer);
    this.batchTimer = undefined;
  }

  close(): void {
    this.isClosed = true;
    clearInterval(this.idleTimer);
    clearTimeout(this.mine.timer);
    clearTimeout(this.snapshotTimer);
    // A title typed just before closing still renames.
    if (this.renameTimer) {
      clearTimeout(this.renameTimer);
      this.renameNow();
    }
    // Changes of the last 250 ms still go out (they are in the outbox once sealed).
    if (this.batchTimer) {
      clearTimeout(this.batchTimer);
      this.batchTimer = undefined;
      void this.run(() => this.sendBatch());
    }
    this.listeners.clear();
    this.host.closed(this);
  }

  // ---- from the engine ------------------------------------------------------------------------

  /** A `document-updated` frame: applied when it is the next seq and carries the update, else read. */
  received(seq: number, update: ServerUpdate | undefined): Promise<void> {
    return this.run(async () => {
      if (seq <= this.lastSeq) return;
      if (update && seq === this.lastSeq + 1) await this.apply([update]);
      else await this.catchUp();
    });
  }

  /** Connected again: read what was missed and send what is waiting. */
  reconnected(): Promise<void> {
    this.offline = false;
    return this.run(async () => {
      await this.catchUp();
      await this.drain();
    });
  }

  /** A new keyring: updates waiting for a key may be readable now. */
  keyringChanged(): Promise<void> {
    if (this.problem !== 'waiting-for-key') return Promise.resolve();
    this.problem = null;
    // What waited for a key: updates to read, and our changes that could not be sealed.
    return this.run(async () => {
      await this.catchUp();
      await this.sendBatch();
    });
  }

  /** A version was saved (the views read `versions()` again). */
  versionAdded(): void {
    this.notify();
  }

  /** Another member wrote a snapshot (written under the newest generation). */
  snapshotWritten(coversSeq: number, newestGeneration: number): void {
    if (coversSeq <= this.snapshot.seq) return;
    this.snapshot = { seq: coversSeq, generation: newestGeneration, updatesSince: Math.max(0, this.lastSeq - coversSeq), bytesSince: 0 };
  }

  async presenceReceived(frame: { userId: string; deviceId: string; generation: number; ciphertext: string }): Promise<void> {
    if (frame.deviceId === this.host.signer.deviceId) return;
    const key = await this.host.generationKey(frame.generation);
    if (!key) return;
    try {
      const v = parseJson<{ path?: unknown; cursor?: unknown; name?: unknown }>(
        await openRecord(key, presenceContext(this.id, frame.generation, frame.deviceId), fromBase64url(frame.ciphertext)),
      );
      this.others.set(frame.deviceId, {
        userId: frame.userId,
        deviceId: frame.deviceId,
        name: typeof v.name === 'string' ? v.name : '',
        path: Array.isArray(v.path) ? v.path.map(String) : [],
        ...(typeof v.cursor === 'string' ? { cursor: v.cursor } : {}),
        seenAt: Date.now(),
      });
      this.notify();
    } catch {
      // Not readable or not authentic: presence is a hint, dropped quietly.
    }
  }

  /** Waits until the local changes made so far are acknowledged (or kept for later when offline). */
  flushNow(): Promise<void> {
    clearTimeout(this.batchTimer);
    this.batchTimer = undefined;
    return this.run(() => this.sendBatch());
  }

  /** For tests and the compaction rule: what the last snapshot covers. */
  get snapshotSeq(): number {
    return this.snapshot.seq;
  }

  get appliedSeq(): number {
    return this.lastSeq;
  }

  // ---- loading and applying -------------------------------------------------------------------

  private async load() {
    const started = performance.now();
    const path = documentPath(this.channelId, this.id);
    const opened = await this.host.api.call<OpenedDocument>('GET', path);
    this.state = this.A.init<AnyDoc>();
    if (opened.snapshot) {
      const s = opened.snapshot;
      const key = await this.host.generationKey(s.generation);
      if (!key) {
        this.problem = 'waiting-for-key';
        return;
      }
      try {
        this.state = this.A.load(await openSigned(key, snapshotContext(this.id, s), s, this.host.verifyKeys(s.authorDeviceId)));
        this.lastSeq = s.coversSeq;
        this.snapshot = { seq: s.coversSeq, generation: s.generation, updatesSince: 0, bytesSince: 0 };
      } catch {
        // A snapshot that fails its check is refused; the updates it covers are gone, so say so.
        this.problem = 'unverified';
      }
    }
    let updates = opened.updates;
    let more = opened.more;
    while (more) {
      const page = await this.readAfter(updates.length ? updates[updates.length - 1].seq : this.lastSeq);
      updates = updates.concat(page.updates);
      more = page.more;
    }
    await this.apply(updates);
    // Our own updates not acknowledged yet (a reload while offline) are part of what we see.
    const own: Uint8Array[] = [];
    for (const p of this.outbox.pending) {
      const key = await this.host.generationKey(p.generation);
      if (key) own.push(await openRecord(key, updateContext(this.id, { ...p, authorDeviceId: this.host.signer.deviceId }), fromBase64url(p.ciphertext)));
    }
    if (own.length) this.state = this.A.loadIncremental(this.state, concat(own));
    this.loadMs = performance.now() - started;
  }

  private readAfter(after: number) {
    return this.host.api.call<{ updates: ServerUpdate[]; more: boolean }>('GET', `${documentPath(this.channelId, this.id)}/updates?after=${after}&limit=${PAGE}`);
  }

  /** Reads every update after the last applied one and applies them. */
  private async catchUp() {
    for (;;) {
      const page = await this.readAfter(this.lastSeq);
      await this.apply(page.updates);
      if (!page.more || this.problem === 'waiting-for-key' || page.updates.length === 0) return;
    }
  }

  /**
   * Verifies and decrypts updates in seq order, then loads them in ONE batch. Stops before an
   * update whose generation key this device cannot read (it waits for a keyring); refuses one
   * whose signature or ciphertext fails (shown as `unverified`), and goes on past it.
   */
  private async apply(updates: ServerUpdate[]) {
    const chunks: Uint8Array[] = [];
    for (const u of updates) {
      if (u.seq <= this.lastSeq) continue;
      if (u.seq !== this.lastSeq + 1) break; // a gap: the caller reads the range
      const key = await this.host.generationKey(u.generation);
      if (!key) {
        this.problem = 'waiting-for-key';
        break;
      }
      try {
        const changes = await openSigned(key, updateContext(this.id, u), u, this.host.verifyKeys(u.authorDeviceId));
        if (wellFramed(changes)) chunks.push(changes);
        else this.refuse(u.seq, 'not Automerge changes');
      } catch (e) {
        // Whatever the server sent that does not verify and open (malformed base64 included) is refused.
        this.refuse(u.seq, e instanceof DocumentCryptoError ? e.reason : 'MALFORMED');
      }
      this.lastSeq = u.seq;
      this.snapshot.updatesSince++;
      this.snapshot.bytesSince += u.ciphertext.length;
    }
    if (chunks.length > 0) this.loadChanges(chunks);
    if (updates.length > 0) {
      this.notify();
      void this.maybeCompact();
    }
  }

  /**
   * Loads verified, well-framed changes in one batch; should Automerge still throw on one, loads
   * them one by one instead and refuses the unreadable ones.
   */
  private loadChanges(chunks: Uint8Array[]) {
    try {
      this.state = this.A.loadIncremental(this.state, concat(chunks));
    } catch {
      for (const chunk of chunks) {
        try {
          this.state = this.A.loadIncremental(this.state, chunk);
        } catch {
          this.refuse(this.lastSeq, 'MALFORMED');
        }
      }
    }
  }

  private refuse(seq: number, reason: string) {
    this.problem = 'unverified';
    console.warn('document update refused', this.id, seq, reason);
  }

  // ---- sending --------------------------------------------------------------------------------

  /**
   * Seals the changes collected so far as one update (stored before it is sent; more than one
   * when they would exceed the server's 256 KiB per update), then sends.
   */
  private async sendBatch() {
    if (this.unsent.length > 0) {
      const newest = await this.host.newestGeneration();
      if (!newest) {
        this.problem = 'waiting-for-key';
        this.notify();
        return;
      }
      const taken = batches(this.unsent.splice(0));
      this.sealing = taken.length;
      try {
        for (const changes of taken) {
          await this.outbox.add(async (clientSeq) => {
            const context = updateContext(this.id, { generation: newest.g, authorDeviceId: this.host.signer.deviceId, clientSeq });
            return { generation: newest.g, ...(await sealSigned(this.host.signer, newest.key, context, changes)) };
          });
          this.sealing--;
        }
      } catch (e) {
        // Not stored: the changes wait for the next batch (a joined batch still loads as one).
        this.unsent.unshift(...taken.slice(taken.length - this.sealing));
        throw e;
      } finally {
        this.sealing = 0;
      }
    }
    await this.drain();
  }

  /** Sends the outbox in `clientSeq` order until it is empty or the connection fails. */
  private async drain() {
    let renumbered = false;
    while (this.outbox.pending.length > 0) {
      const next = this.outbox.pending[0];
      try {
        await this.host.api.call('POST', `${documentPath(this.channelId, this.id)}/updates`, next);
        this.offline = false;
        await this.outbox.acknowledged(next.clientSeq);
      } catch (e) {
        if (e instanceof ApiError && e.code === 'client-seq-gap' && !renumbered) {
          // The server lacks numbers below ours (it lost updates it had acknowledged): what we
          // still hold is sealed again from the number it expects, so the sequence is dense.
          renumbered = true;
          await this.renumberFrom(Number(e.details.expected));
          continue;
        }
        if (e instanceof ApiError && (e.status === 400 || e.status === 413)) {
          // Never acceptable as it is: dropped from the outbox (the change stays in this copy).
          console.warn('document update refused by the server', e.code);
          this.problem = 'unverified';
          await this.outbox.acknowledged(next.clientSeq);
          continue;
        }
        if (e instanceof ApiError) {
          console.warn('document update not accepted', e.code);
          break; // kept; tried again on reconnect
        }
        this.offline = true; // unreachable: kept, sent on reconnect
        break;
      }
    }
    this.notify();
  }

  /** Seals every pending update again under the numbers from `expected` on (the AAD names it). */
  private async renumberFrom(expected: number) {
    const self = this.host.signer.deviceId;
    await this.outbox.renumber(expected, async (p, clientSeq) => {
      const key = await this.host.generationKey(p.generation);
      if (!key) throw new DocumentCryptoError('NOT_AUTHENTIC', 'no key for our own pending update');
      const changes = await openRecord(key, updateContext(this.id, { ...p, authorDeviceId: self }), fromBase64url(p.ciphertext));
      return sealSigned(this.host.signer, key, updateContext(this.id, { generation: p.generation, authorDeviceId: self, clientSeq }), changes);
    });
  }

  private async requireNewest() {
    const newest = await this.host.newestGeneration();
    if (!newest) throw new DocumentCryptoError('NOT_AUTHENTIC', 'no document key for this channel yet');
    return newest;
  }

  // ---- compaction -----------------------------------------------------------------------------

  private async maybeCompact() {
    if (this.snapshotTimer || this.isClosed) return;
    const newest = await this.host.newestGeneration().catch(() => null);
    const due =
      this.snapshot.updatesSince >= SNAPSHOT_EVERY.updates ||
      this.snapshot.bytesSince >= SNAPSHOT_EVERY.bytes ||
      (this.snapshot.seq > 0 && newest !== null && this.snapshot.generation < newest.g);
    if (!due) return;
    // A random pause, so the members who all see the threshold do not all write one.
    this.snapshotTimer = setTimeout(() => {
      void this.run(() => this.writeSnapshot()).finally(() => (this.snapshotTimer = undefined));
    }, Math.random() * SNAPSHOT_JITTER_MS);
  }

  /** Writes an encrypted `save()` covering the applied seqs (another's newer one is fine). */
  async writeSnapshot(): Promise<void> {
    const newest = await this.requireNewest();
    const coversSeq = this.lastSeq;
    if (coversSeq <= this.snapshot.seq && this.snapshot.generation >= newest.g) return;
    const context = snapshotContext(this.id, { generation: newest.g, coversSeq, authorDeviceId: this.host.signer.deviceId });
    const signed = await sealSigned(this.host.signer, newest.key, context, this.A.save(this.state));
    try {
      await this.host.api.call('PUT', `${documentPath(this.channelId, this.id)}/snapshot`, { coversSeq, generation: newest.g, ...signed });
      this.snapshot = { seq: coversSeq, generation: newest.g, updatesSince: 0, bytesSince: 0 };
    } catch (e) {
      if (!(e instanceof ApiError && e.code === 'snapshot-stale')) throw e;
    }
  }

  // ---- presence -------------------------------------------------------------------------------

  private sendPresence() {
    clearTimeout(this.mine.timer);
    this.mine.timer = undefined;
    if (this.isClosed) return;
    this.mine.sentAt = Date.now();
    void (async () => {
      const newest = await this.host.newestGeneration();
      if (!newest) return;
      const body = { path: this.mine.path, ...(this.mine.cursor ? { cursor: this.mine.cursor } : {}), name: this.host.displayName() };
      const sealed = await sealRecord(newest.key, presenceContext(this.id, newest.g, this.host.signer.deviceId), json(body));
      this.host.sendFrame({ type: 'document-presence', channelId: this.channelId, documentId: this.id, generation: newest.g, ciphertext: base64url(sealed) });
    })().catch(() => {});
  }

  // ---- plumbing -------------------------------------------------------------------------------

  /** Runs a step after the ones before it; a failed step does not stop the next. */
  private run<T>(step: () => Promise<T>): Promise<T> {
    const result = this.queue.then(step);
    this.queue = result.catch((e) => console.warn('document', this.id, e));
    return result;
  }

  private notify() {
    for (const l of this.listeners) l();
  }
}

/** Room under the server's 256 KiB per update for the padding, nonce and tag. */
const UPDATE_PLAINTEXT_MAX = 255 * 1024;

/** Changes joined into as few updates as fit (one change larger than that goes alone, and is refused). */
function batches(changes: Uint8Array[]): Uint8Array[] {
  const out: Uint8Array[][] = [[]];
  let size = 0;
  for (const c of changes) {
    if (size + c.length > UPDATE_PLAINTEXT_MAX && out[out.length - 1].length > 0) {
      out.push([]);
      size = 0;
    }
    out[out.length - 1].push(c);
    size += c.length;
  }
  return out.map(concat);
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
