/**
 * The browser's channels: one ts-mls group per channel, driven by the server's ordered log.
 * This is the coordinator the UI talks to: it loads the channels, routes realtime frames, runs
 * every change to a channel through that channel's queue (`serial`), one at a time, and tells
 * the UI when something changed. The work itself is in the modules beside it:
 * - `channelLog.ts`: the order rules (strictly by `seq`, repeats skipped, a gap asks to `sync`);
 * - `receiving.ts`: applying entries, decrypting, acks and catching up over HTTP;
 * - `sending.ts`: storing, encrypting and delivering our messages;
 * - `membership.ts`: creating, adding, removing, leaving and joining from a Welcome;
 * - `trust.ts`: the pinned network key and every member's credential against it and the policy;
 * - `revocations.ts`: the attestations the server withdrew (a member carrying one is not trusted);
 * - `removals.ts`: which announced or recorded removals (`removalsDue`) this device carries out;
 * - `keyPackages.ts` and `meta.ts`: our key packages on the server, and the encrypted name.
 *
 * The group state is saved together with the cursor, so a reload resumes exactly where it
 * stopped. Message keys are deleted once used (MLS), so the browser keeps what it decrypted in the
 * encrypted key store (`history.ts`): that is what a reload shows.
 */
import type { Api } from '../api';
import { chunksToUpload, HistoryUploader, loadHistoryKey } from '../device/historyBackup';
import type { Device } from '../device/setup';
import { DocumentsEngine } from '../documents/engine';
import { afterOwnCommit } from '../documents/keyring';
import { aheadOfServer, lastSeq, serial, welcomeIsBehind } from './channelLog';
import { ChannelRecord, History } from './history';
import { topUpKeyPackages } from './keyPackages';
import * as membership from './membership';
import { readMeta } from './meta';
import {
  type Channel,
  ChannelError,
  type ChannelKind,
  type ChannelView,
  type DueRemoval,
  type EngineContext,
  byLastActivity,
  fetchChannel,
  type LogEntry,
  type ServerChannel,
  viewOf,
} from './model';
import type { ChannelMeta } from './payload';
import type { ChannelPolicy } from './policy';
import { type ConnectionStatus, type Frame, Realtime, type RealtimeOptions, realtimeUrl } from './realtime';
import { applyEntries, requestSync } from './receiving';
import { dueRemovals, isLeaving, isRemovalReason } from './removals';
import { revokedSet, syncRevocations } from './revocations';
import * as sending from './sending';
import { refreshRootKey, refreshTrust, verifyMembers } from './trust';

export class ChannelEngine {
  private readonly channels = new Map<string, Channel>();
  private readonly loading = new Map<string, Promise<Channel>>();
  private welcomeQueue: Promise<unknown> = Promise.resolve();
  private readonly listeners = new Set<() => void>();
  private readonly history: History;
  /** What the channel modules act through; its connection and root key are set here. */
  private readonly context: EngineContext;
  status: ConnectionStatus = 'offline';
  /** A problem that stops the whole engine (e.g. the network key changed). */
  fatal: string | null = null;
  /**
   * Counts `confirmations-needed` frames (a coordinator's members need their devices confirmed
   * again), with the latest one's user: the coordinator's panel reloads its list when it moves.
   */
  confirmationsNeeded = { count: 0, userId: null as string | null, newDevice: false };
  /** Moves whenever members were verified again (a new root key, withdrawn attestations). */
  trustRevision = 0;
  /**
   * Moves when one of this member's devices changed status (`device-updated`: a coordinator
   * confirmed it, or a tier change sent it back to pending) and on every `ready` (a frame may have
   * been missed offline): the workspace reads the devices again.
   */
  deviceRevision = 0;
  /**
   * Moves when a coordinator-key request changed: this coordinator's own was signed or declined
   * (`coordinator-key-updated`), or, for network admins, the queue changed
   * (`coordinator-keys-changed`); and on every `ready`. The panels read the requests again.
   */
  coordinatorKeyRevision = 0;
  /**
   * Moves when a member's public details changed (`network-updated` `member-updated`: a new
   * name, a deleted account): the workspace reads the directory again.
   */
  directoryRevision = 0;

  constructor(
    readonly api: Api,
    private readonly device: Device,
    private readonly options: { socketUrl?: string; now?: () => Date; socketFactory?: RealtimeOptions['socketFactory'] } = {},
  ) {
    this.history = new History(device.store);
    this.context = {
      api,
      device,
      history: this.history,
      realtime: null,
      rootKey: null,
      revoked: new Set(),
      now: () => this.options.now?.() ?? new Date(),
      changed: () => this.changed(),
      afterCommit: (c, removedLeaf) => afterOwnCommit(this.context, c, removedLeaf),
    };
  }

  private documentsEngine: DocumentsEngine | null = null;
  /** Uploads decrypted messages to the encrypted history backup (none until a history key exists). */
  private historyUploader: HistoryUploader | null = null;

  /** The channels' shared documents, made on first use (Automerge loads only then). */
  get documents(): DocumentsEngine {
    this.documentsEngine ??= new DocumentsEngine({ context: this.context, channel: (id) => this.ensureChannel(id) });
    return this.documentsEngine;
  }

  get userId() {
    return this.device.userId;
  }

  get deviceId() {
    return this.device.deviceId;
  }

  /** This device's open key store (verified safety numbers live there too). */
  get store() {
    return this.device.store;
  }

  // ---- observation --------------------------------------------------------------------------

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed() {
    for (const l of this.listeners) l();
  }

  list(): ChannelView[] {
    return [...this.channels.values()].map((c) => viewOf(c, this.deviceId)).sort(byLastActivity);
  }

  channel(id: string): ChannelView | null {
    const c = this.channels.get(id);
    return c ? viewOf(c, this.deviceId) : null;
  }

  // ---- start and stop -----------------------------------------------------------------------

  /** Loads what this browser holds, checks the network key, and connects. */
  async start(): Promise<void> {
    await this.checkNetworkKey();
    this.context.revoked = revokedSet(await syncRevocations(this.api, this.device.store));
    await this.startHistoryBackup().catch((e) => console.warn('history backup', e));
    const listed = await this.api.call<{ items: ServerChannel[] }>('GET', '/api/v1/channels');
    for (const server of listed.items) await this.load(server);
    this.changed();
    for (const c of this.channels.values()) void this.carryOutRemovals(c);
    this.context.realtime = new Realtime({
      url: this.options.socketUrl ?? realtimeUrl(location),
      socketFactory: this.options.socketFactory,
      token: () => this.api.freshAccessToken(),
      onFrame: (f) => this.onFrame(f),
      onStatus: (s) => {
        this.status = s;
        this.changed();
      },
    });
    this.context.realtime.start();
    await this.topUpKeyPackages().catch(() => {});
  }

  /**
   * With a history key (made with the key backup), every message stored with a seq is uploaded
   * to the encrypted history backup a few seconds later, and what an earlier session left is
   * uploaded now (`device/historyBackup.ts`).
   */
  private async startHistoryBackup() {
    const key = await loadHistoryKey(this.device.store);
    if (!key || this.historyUploader) return;
    const uploader = new HistoryUploader(this.api, this.device.store, this.history, this.userId, key);
    this.historyUploader = uploader;
    this.history.onStored = (channelId, m) => uploader.noteStored(channelId, m);
    for (const { channelId, chunk } of await chunksToUpload(this.device.store)) uploader.noteChunk(channelId, chunk);
  }

  stop(): void {
    this.historyUploader?.stop();
    this.history.onStored = null;
    this.historyUploader = null;
    this.documentsEngine?.stop();
    this.context.realtime?.stop();
    this.context.realtime = null;
    for (const c of this.channels.values()) clearTimeout(c.ackTimer);
  }

  private async checkNetworkKey() {
    try {
      await refreshRootKey(this.context);
    } catch (e) {
      if (e instanceof ChannelError && e.code === 'root-key-changed') this.fatal = e.code;
      throw e;
    }
  }

  /**
   * Reads the network key (it was set: `network-updated` `root-key`, or a `ready` while none is
   * pinned) or the revocation list (`attestations-revoked`, or a `ready`) again, and verifies
   * every channel's members again when either changed. A different network key stops the engine.
   */
  private async refreshTrust(what: { rootKey?: boolean; revocations?: boolean }) {
    try {
      if (await refreshTrust(this.context, this.channels.values(), what)) {
        this.trustRevision++;
        this.changed();
      }
    } catch (e) {
      if (e instanceof ChannelError && e.code === 'root-key-changed') {
        this.fatal = e.code;
        this.stop();
        this.changed();
      }
      throw e;
    }
  }

  /** Carries out the removals the channel records (and one a frame announced) that are ours to make. */
  private carryOutRemovals(c: Channel, announced: DueRemoval | null = null): Promise<void> {
    return membership.carryOutRemovals(this.context, c, dueRemovals(c.server, announced)).catch((e) => console.warn('removals', e));
  }

  /** Takes the server's fresh view of a channel (its owners, leave requests, due removals, meta). */
  private async refreshServer(c: Channel, server?: ServerChannel) {
    await serial(c, async () => {
      c.server = server ?? (await fetchChannel(this.api, c.id));
      c.leaving = isLeaving(c.server, this.userId);
    });
  }

  /** The channel's local object, loading it once even when several frames ask at the same time. */
  private ensureChannel(id: string): Promise<Channel> {
    const known = this.channels.get(id);
    if (known) return Promise.resolve(known);
    let loading = this.loading.get(id);
    if (!loading) {
      loading = fetchChannel(this.api, id)
        .then((server) => this.channels.get(id) ?? this.load(server))
        .finally(() => this.loading.delete(id));
      this.loading.set(id, loading);
    }
    return loading;
  }

  private async load(server: ServerChannel): Promise<Channel> {
    // A record that no longer decodes is treated as lost: the channel waits to be re-added.
    const saved = await this.history.loadChannel(server.id).catch(() => null);
    const record = saved?.record ?? ChannelRecord.empty();
    const state = saved?.state ?? null;
    const c: Channel = {
      id: server.id,
      server,
      record,
      state,
      // Ours without a seq were never accepted: queued, they go out once connected.
      messages: (await this.history.messages(server.id)).map((m) => ({
        ...m,
        state: m.outgoing ? (m.seq !== undefined ? 'sent' : 'queued') : m.state === 'undecryptable' ? 'undecryptable' : 'received',
      })),
      pending: null,
      members: [],
      removed: false,
      queue: Promise.resolve(),
      acked: record.cursor,
      leaving: isLeaving(server, this.userId),
    };
    this.channels.set(server.id, c);
    if (state) c.members = await verifyMembers(this.context, c.state);
    return c;
  }

  // ---- frames -------------------------------------------------------------------------------

  private onFrame(frame: Frame) {
    switch (frame.type) {
      case 'ready':
        this.deviceRevision++;
        this.coordinatorKeyRevision++;
        this.onReady(frame).catch((e) => console.warn('ready', e));
        break;
      case 'device-updated':
        this.deviceRevision++;
        // Confirmed: others can add this device as soon as it has key packages.
        if (frame.deviceId === this.deviceId && frame.status === 'active') this.topUpKeyPackages().catch(() => {});
        this.changed();
        break;
      case 'message':
      case 'handshake': {
        const entry = frame as unknown as LogEntry & { channelId: string };
        const c = this.channels.get(entry.channelId);
        if (c) serial(c, () => applyEntries(this.context, c, [entry])).catch((e) => console.warn('entry', e));
        break;
      }
      case 'welcome':
        this.processWelcomes().catch((e) => console.warn('welcome', e));
        break;
      case 'channel-updated':
        this.onChannelUpdated(frame).catch((e) => console.warn('channel-updated', e));
        break;
      case 'network-updated':
        if (frame.reason === 'root-key') this.refreshTrust({ rootKey: true }).catch((e) => console.warn('network-updated', e));
        if (frame.reason === 'attestations-revoked') this.refreshTrust({ revocations: true }).catch((e) => console.warn('network-updated', e));
        if (frame.reason === 'member-updated') {
          this.directoryRevision++;
          this.changed();
        }
        break;
      case 'coordinator-key-updated':
      case 'coordinator-keys-changed':
        this.coordinatorKeyRevision++;
        this.changed();
        break;
      case 'confirmations-needed':
        this.confirmationsNeeded = {
          count: this.confirmationsNeeded.count + 1,
          userId: typeof frame.userId === 'string' ? frame.userId : null,
          // A new device waiting, or a change to the person (tier, role, organisation).
          newDevice: frame.reason === 'new-device',
        };
        this.changed();
        break;
      default:
        // Before first use there is nothing to update: documents read what they need when opened.
        if (frame.type.startsWith('document-')) this.documentsEngine?.onFrame(frame);
        break;
    }
  }

  /**
   * (Re)connected: the network key if none is pinned yet, withdrawn attestations (frames may have
   * been missed while offline), catching up, Welcomes, unsent messages, and the removals that
   * became due meanwhile.
   */
  private async onReady(frame: Frame) {
    // Unreachable is no reason to skip catching up; a changed key is (the engine stopped).
    await this.refreshTrust({ rootKey: !this.context.rootKey, revocations: true }).catch((e) => {
      if (this.fatal) throw e;
    });
    const listed = (frame.channels as { id: string; epoch: number; lastAck: number }[]) ?? [];
    for (const item of listed) {
      const c = await this.ensureChannel(item.id);
      if (c.state && aheadOfServer(c.record.cursor, item.lastAck)) requestSync(this.context, c);
    }
    await this.processWelcomes();
    this.changed();
    for (const c of this.channels.values()) sending.retryUnsent(this.context, c);
    this.documentsEngine?.reconnected();
    const fresh = await this.api.call<{ items: ServerChannel[] }>('GET', '/api/v1/channels');
    for (const server of fresh.items) {
      const c = this.channels.get(server.id);
      if (!c) continue;
      await this.refreshServer(c, server);
      void this.carryOutRemovals(c);
    }
    this.changed();
  }

  private async onChannelUpdated(frame: Frame) {
    const channelId = String(frame.channelId);
    const reason = String(frame.reason);
    if (!this.channels.has(channelId) && reason === 'created') return;
    const ch = await this.ensureChannel(channelId);
    if (reason === 'removed') {
      ch.removed = true;
      this.changed();
      return;
    }
    const announced: DueRemoval | null =
      isRemovalReason(reason) && typeof frame.userId === 'string'
        ? { userId: frame.userId, deviceId: typeof frame.deviceId === 'string' ? frame.deviceId : null, reason }
        : null;
    // The channel record says what is due now (also what this device missed while offline).
    await this.refreshServer(ch).catch((e) => console.warn('channel', e));
    // A member's new device can be added (restored, or a second laptop): an owner adds it, so the
    // member needs nobody but the coordinator who confirmed it.
    if (reason === 'device-ready' && typeof frame.userId === 'string' && typeof frame.deviceId === 'string') {
      if (frame.deviceId !== this.deviceId && ch.server?.owners.includes(this.userId)) {
        await membership.addReadyDevice(this.context, ch, frame.userId, frame.deviceId).catch((e) => console.warn('device-ready', e));
      }
      this.changed();
      return;
    }
    if (reason === 'meta') await serial(ch, () => readMeta(this.context, ch));
    this.changed();
    await this.carryOutRemovals(ch, announced);
  }

  /** One at a time: a `welcome` frame and a reconnect may both ask at once. */
  private processWelcomes(): Promise<void> {
    const run = this.welcomeQueue.then(() => this.processWelcomesNow());
    this.welcomeQueue = run.catch(() => {});
    return run;
  }

  private async processWelcomesNow() {
    const waiting = await this.api.call<{ items: { channelId: string; seq: number; epoch: number; welcome: string }[] }>(
      'GET',
      '/api/v1/welcomes',
    );
    for (const w of waiting.items) {
      const ch = await this.ensureChannel(w.channelId);
      await serial(ch, async () => {
        if (welcomeIsBehind(ch.state !== null, ch.record.cursor, w.seq)) return;
        await membership.join(this.context, ch, w);
      }).catch((e) => console.warn('join', e));
    }
    this.changed();
  }

  // ---- actions ------------------------------------------------------------------------------
  // Async even where they only hand over, so an unknown channel rejects the returned promise
  // rather than throwing at the call.

  async createChannel(kind: ChannelKind, policy: ChannelPolicy, meta: ChannelMeta): Promise<string> {
    const server = await membership.createChannel(this.context, kind, policy, meta);
    await this.load(server); // reads the saved state back and verifies the (one) member
    this.changed();
    return server.id;
  }

  /** Claims a key package for each user's devices and adds them in one commit. */
  async addMembers(channelId: string, userIds: string[]): Promise<{ missing: string[] }> {
    return membership.addMembers(this.context, this.require(channelId), userIds);
  }

  /** Adds a member's devices that are not in the channel, and removes their revoked ones. */
  async addAgain(channelId: string, userId: string): Promise<{ missing: string[] }> {
    return membership.addAgain(this.context, this.require(channelId), userId);
  }

  async removeMember(channelId: string, userId: string): Promise<void> {
    return membership.removeMember(this.context, this.require(channelId), userId);
  }

  async leave(channelId: string): Promise<void> {
    return membership.leave(this.context, this.require(channelId));
  }

  /** Sends a text message; resolves once it is encrypted and queued (its state then follows). */
  async send(channelId: string, body: string): Promise<void> {
    return sending.send(this.context, this.require(channelId), body);
  }

  /** Retries a message whose send failed. */
  retry(channelId: string, clientMessageId: string) {
    sending.retry(this.context, this.require(channelId), clientMessageId);
  }

  /** Marks everything shown as read. */
  async markRead(channelId: string) {
    const c = this.channels.get(channelId);
    if (!c) return;
    const last = lastSeq(c.messages);
    if (last <= c.record.readSeq) return;
    c.record.readSeq = last;
    await serial(c, () => this.history.saveChannel(c.id, c.record, c.state));
    this.changed();
  }

  /** Keeps at least a few one-time key packages on the server, so others can add this device. */
  topUpKeyPackages(): Promise<number> {
    return topUpKeyPackages(this.context);
  }

  private require(channelId: string): Channel {
    const c = this.channels.get(channelId);
    if (!c) throw new ChannelError('channel-not-found', 'No such channel');
    return c;
  }
}
