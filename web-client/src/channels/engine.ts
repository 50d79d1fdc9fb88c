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
 * - `keyPackages.ts` and `meta.ts`: our key packages on the server, and the encrypted name.
 *
 * The group state is saved together with the cursor, so a reload resumes exactly where it
 * stopped. Message keys are deleted once used (MLS), so the browser keeps what it decrypted in the
 * encrypted key store (`history.ts`): that is what a reload shows.
 */
import type { Api } from '../api';
import type { Device } from '../device/setup';
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
  type EngineContext,
  byLastActivity,
  fetchChannel,
  type LogEntry,
  type ServerChannel,
  viewOf,
} from './model';
import type { ChannelMeta } from './payload';
import type { ChannelPolicy } from './policy';
import { type ConnectionStatus, type Frame, Realtime, realtimeUrl } from './realtime';
import { applyEntries, requestSync } from './receiving';
import * as sending from './sending';
import { pinnedRootKey, verifyMembers } from './trust';

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

  constructor(
    readonly api: Api,
    private readonly device: Device,
    private readonly options: { socketUrl?: string; now?: () => Date } = {},
  ) {
    this.history = new History(device.store);
    this.context = {
      api,
      device,
      history: this.history,
      realtime: null,
      rootKey: null,
      now: () => this.options.now?.() ?? new Date(),
      changed: () => this.changed(),
    };
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
    const listed = await this.api.call<{ items: ServerChannel[] }>('GET', '/api/v1/channels');
    for (const server of listed.items) await this.load(server);
    this.changed();
    this.context.realtime = new Realtime({
      url: this.options.socketUrl ?? realtimeUrl(location),
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

  stop(): void {
    this.context.realtime?.stop();
    this.context.realtime = null;
    for (const c of this.channels.values()) clearTimeout(c.ackTimer);
  }

  private async checkNetworkKey() {
    try {
      this.context.rootKey = await pinnedRootKey(this.api, this.device.store);
    } catch (e) {
      if (e instanceof ChannelError && e.code === 'root-key-changed') this.fatal = e.code;
      throw e;
    }
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
      leaving: (server.leaving ?? []).includes(this.userId),
    };
    this.channels.set(server.id, c);
    if (state) c.members = await verifyMembers(this.context, c.state);
    return c;
  }

  // ---- frames -------------------------------------------------------------------------------

  private onFrame(frame: Frame) {
    switch (frame.type) {
      case 'ready':
        this.onReady(frame).catch((e) => console.warn('ready', e));
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
      default:
        break;
    }
  }

  private async onReady(frame: Frame) {
    const listed = (frame.channels as { id: string; epoch: number; lastAck: number }[]) ?? [];
    for (const item of listed) {
      const c = await this.ensureChannel(item.id);
      if (c.state && aheadOfServer(c.record.cursor, item.lastAck)) requestSync(this.context, c);
    }
    await this.processWelcomes();
    this.changed();
    for (const c of this.channels.values()) sending.retryUnsent(this.context, c);
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
    if (reason === 'meta') {
      await serial(ch, async () => {
        ch.server = await fetchChannel(this.api, ch.id);
        await readMeta(this.context, ch);
      });
      this.changed();
      return;
    }
    if (reason === 'leave-requested' || reason === 'device-revoked' || reason === 'member-suspended') {
      const userId = String(frame.userId ?? '');
      const deviceId = typeof frame.deviceId === 'string' ? frame.deviceId : null;
      await membership.removeDeparted(this.context, ch, userId, deviceId);
    }
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
