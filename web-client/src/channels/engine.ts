/**
 * The browser's channels: one ts-mls group per channel, driven by the server's ordered log.
 *
 * Every change to a channel runs through that channel's queue (`serial`), one at a time, in log
 * order: entries are applied strictly by `seq` (a gap asks the server to `sync` from the cursor),
 * and the group state is saved together with the cursor, so a reload resumes exactly where it
 * stopped. Message keys are deleted once used (MLS), so the browser keeps what it decrypted in the
 * encrypted key store (`history.ts`): that is what a reload shows.
 *
 * Our own commits are adopted only when the log reaches them (entries before them are still of
 * the old epoch); our own messages are never decrypted (MLS cannot), they were stored when sent.
 * Every member's credential is checked against the network root and the channel's policy (which
 * is inside the group id) after every commit; a channel with a member who fails is marked
 * untrusted and refuses to send.
 */
import {
  type ClientState,
  type Proposal,
  createApplicationMessage,
  createCommit,
  createGroup,
  createGroupInfoWithExternalPubAndRatchetTree,
  decodeMlsMessage,
  emptyPskIndex,
  encodeMlsMessage,
  generateKeyPackageWithKey,
  defaultCapabilities,
  defaultLifetime,
  joinGroup,
  mlsExporter,
  processMessage,
} from 'ts-mls';
import { ApiError, type Api } from '../api';
import { verifyAttestationChain } from '../crypto/attestation';
import {
  base64url,
  ciphersuite,
  credentialOf,
  fromBase64url,
  KEY_PACKAGE_PREFIX,
  loadKeyPackage,
  memberCredential,
  spendKeyPackage,
} from '../device/identity';
import { type Device, uploadKeyPackages, withKeyPackageLock } from '../device/setup';
import { ChannelRecord, History, type StoredMessage } from './history';
import { decodeText, decryptMeta, encodeText, encryptMeta, META_LABEL, type ChannelMeta } from './payload';
import { type ChannelPolicy, admits, decodeGroupId, encodeGroupId, newGroupId, samePolicy } from './policy';
import { type ConnectionStatus, type Frame, FrameError, Realtime, realtimeUrl } from './realtime';

export type ChannelKind = 'case' | 'team' | 'exchange' | 'announcement';

export interface ServerMember {
  leaf: number;
  userId: string;
  deviceId: string;
}

/** `GET /api/v1/channels/{id}` */
export interface ServerChannel {
  id: string;
  groupId: string;
  kind: ChannelKind;
  policy: ChannelPolicy;
  owners: string[];
  epoch: number;
  members: ServerMember[];
  meta?: { epoch: number; ciphertext: string } | null;
  firstSeq?: number;
  createdAt: string;
  leaving?: string[];
}

/** A log entry (docs/protocol.md "The log"). */
export interface LogEntry {
  seq: number;
  kind: 'message' | 'commit';
  epoch: number;
  newEpoch?: number;
  senderUserId: string;
  senderDeviceId: string;
  sentAt: string;
  ciphertext?: string;
  commit?: string;
  added?: ServerMember[];
  removed?: ServerMember[];
}

/** `queued`: written while offline, sent by itself when the connection is back. */
export type MessageState = 'sending' | 'queued' | 'sent' | 'failed' | 'received' | 'undecryptable';

export interface ChatMessage extends StoredMessage {
  state: MessageState;
}

export interface MemberTrust {
  userId: string;
  deviceId: string;
  leaf: number;
  tier?: number;
  sector?: string;
  /** Why this member does not meet the channel's policy or has no valid attestation. */
  problem?: string;
}

export interface ChannelView {
  id: string;
  kind: ChannelKind;
  policy: ChannelPolicy;
  owners: string[];
  meta: ChannelMeta | null;
  epoch: number;
  /** Members as the channel's own MLS tree says (what we verified), one per device. */
  members: MemberTrust[];
  messages: ChatMessage[];
  unread: number;
  /** True when this browser holds the channel's keys; false while waiting to be (re-)added. */
  joined: boolean;
  removed: boolean;
  /** Members whose credential does not verify against the root or the policy. */
  untrusted: MemberTrust[];
  leaving: boolean;
}

interface Channel {
  id: string;
  server: ServerChannel;
  record: ChannelRecord;
  state: ClientState | null;
  messages: ChatMessage[];
  pending: { seq: number; state: ClientState; metaKey: Uint8Array } | null;
  members: MemberTrust[];
  removed: boolean;
  queue: Promise<unknown>;
  ackTimer?: ReturnType<typeof setTimeout>;
  acked: number;
  leaving: boolean;
}

export class ChannelError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

const KEY_PACKAGE_LOW_WATER = 10;
const KEY_PACKAGE_TOP_UP = 20;
const ROOT_RECORD = 'network/root-key';

const randomId = () => base64url(crypto.getRandomValues(new Uint8Array(12)));

export class ChannelEngine {
  private readonly channels = new Map<string, Channel>();
  private readonly loading = new Map<string, Promise<Channel>>();
  private welcomeQueue: Promise<unknown> = Promise.resolve();
  private readonly listeners = new Set<() => void>();
  private readonly history: History;
  private realtime: Realtime | null = null;
  private rootKey: Uint8Array | null = null;
  status: ConnectionStatus = 'offline';
  /** A problem that stops the whole engine (e.g. the network key changed). */
  fatal: string | null = null;

  constructor(
    readonly api: Api,
    private readonly device: Device,
    private readonly options: { socketUrl?: string; now?: () => Date } = {},
  ) {
    this.history = new History(device.store);
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
    return [...this.channels.values()].map((c) => this.view(c)).sort((a, b) => lastActivity(b) - lastActivity(a));
  }

  channel(id: string): ChannelView | null {
    const c = this.channels.get(id);
    return c ? this.view(c) : null;
  }

  private view(c: Channel): ChannelView {
    const read = c.record.readSeq;
    return {
      id: c.id,
      kind: c.server.kind,
      policy: c.server.policy,
      owners: c.server.owners,
      meta: c.record.meta,
      epoch: c.state ? Number(c.state.groupContext.epoch) : c.server.epoch,
      members: c.members,
      messages: c.messages,
      unread: c.messages.filter((m) => m.seq !== undefined && m.seq > read && m.senderDeviceId !== this.deviceId).length,
      joined: c.state !== null,
      removed: c.removed,
      untrusted: c.members.filter((m) => m.problem),
      leaving: c.leaving,
    };
  }

  // ---- start and stop -----------------------------------------------------------------------

  /** Loads what this browser holds, checks the network key, and connects. */
  async start(): Promise<void> {
    await this.checkNetworkKey();
    const listed = await this.api.call<{ items: ServerChannel[] }>('GET', '/api/v1/channels');
    for (const server of listed.items) await this.load(server);
    this.changed();
    this.realtime = new Realtime({
      url: this.options.socketUrl ?? realtimeUrl(location),
      token: () => this.api.freshAccessToken(),
      onFrame: (f) => this.onFrame(f),
      onStatus: (s) => {
        this.status = s;
        this.changed();
      },
    });
    this.realtime.start();
    await this.topUpKeyPackages().catch(() => {});
  }

  stop(): void {
    this.realtime?.stop();
    this.realtime = null;
    for (const c of this.channels.values()) clearTimeout(c.ackTimer);
  }

  /**
   * The network root key, pinned in the key store the first time (the server serves this client,
   * so a first-use pin is what a browser can do); a different key later stops everything.
   */
  private async checkNetworkKey() {
    const network = await this.api.call<{ rootKey?: string | null }>('GET', '/api/v1/network');
    const pinned = await this.device.store.get(ROOT_RECORD);
    if (!network.rootKey) {
      this.rootKey = pinned;
      return;
    }
    const served = fromBase64url(network.rootKey);
    if (pinned && base64url(pinned) !== base64url(served)) {
      this.fatal = 'root-key-changed';
      throw new ChannelError('root-key-changed', 'The network key changed');
    }
    if (!pinned) await this.device.store.put(ROOT_RECORD, served);
    this.rootKey = served;
  }

  /** The channel's local object, loading it once even when several frames ask at the same time. */
  private ensureChannel(id: string): Promise<Channel> {
    const known = this.channels.get(id);
    if (known) return Promise.resolve(known);
    let loading = this.loading.get(id);
    if (!loading) {
      loading = this.fetchChannel(id)
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
    if (state) c.members = await this.verifyMembers(c);
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
        if (c) this.serial(c, () => this.applyEntries(c, [entry])).catch((e) => console.warn('entry', e));
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
      // The server resumes after its last ack; ours may be further: ask from our own cursor.
      if (c.state && c.record.cursor > item.lastAck) this.realtime?.send({ type: 'sync', channelId: c.id, after: c.record.cursor });
    }
    await this.processWelcomes();
    this.changed();
    for (const c of this.channels.values()) this.retryUnsent(c);
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
      await this.serial(ch, async () => {
        ch.server = await this.fetchChannel(ch.id);
        await this.readMeta(ch);
      });
      this.changed();
      return;
    }
    if (reason === 'leave-requested' || reason === 'device-revoked' || reason === 'member-suspended') {
      const userId = String(frame.userId ?? '');
      const deviceId = typeof frame.deviceId === 'string' ? frame.deviceId : null;
      // Every online member hears this; a short random pause lets one of them commit first.
      await sleep(200 + Math.random() * 1500);
      await this.removeLeaves(ch, (m) => m.userId === userId && (deviceId === null || m.deviceId === deviceId)).catch(() => {});
    }
  }

  // ---- the log ------------------------------------------------------------------------------

  private serial<T>(c: Channel, task: () => Promise<T>): Promise<T> {
    const run = c.queue.then(task, task);
    c.queue = run.catch(() => {});
    return run;
  }

  private async applyEntries(c: Channel, entries: LogEntry[]): Promise<void> {
    for (const entry of entries) {
      if (c.removed || !c.state) return;
      if (entry.seq <= c.record.cursor) continue;
      if (entry.seq > c.record.cursor + 1) {
        // Another node appended in between, or we missed frames: read from our cursor.
        this.realtime?.send({ type: 'sync', channelId: c.id, after: c.record.cursor });
        return;
      }
      await this.applyEntry(c, entry);
    }
    this.changed();
  }

  private async applyEntry(c: Channel, entry: LogEntry): Promise<void> {
    const mine = entry.senderDeviceId === this.deviceId;
    let message: ChatMessage | null = null;
    if (entry.kind === 'message') {
      if (!mine) message = await this.decrypt(c, entry);
    } else if (mine && c.pending?.seq === entry.seq) {
      c.state = c.pending.state;
      c.record.metaKeys[String(c.state.groupContext.epoch)] = base64url(c.pending.metaKey);
      c.pending = null;
    } else {
      const removesMe = (entry.removed ?? []).some((r) => r.deviceId === this.deviceId);
      if (removesMe) {
        c.removed = true;
        c.state = null;
        c.record.cursor = entry.seq;
        await this.history.saveChannel(c.id, c.record, null);
        return;
      }
      const decoded = decodeMlsMessage(fromBase64url(entry.commit!), 0)?.[0];
      if (!decoded || decoded.wireformat !== 'mls_public_message') throw new ChannelError('malformed-mls', 'not a commit');
      const result = await processMessage(decoded, c.state!, emptyPskIndex, () => 'accept', await ciphersuite());
      c.state = result.newState;
      c.record.metaKeys[String(c.state.groupContext.epoch)] = base64url(await this.metaKey(c.state));
    }
    if (entry.kind === 'commit') {
      c.members = await this.verifyMembers(c);
      trimMetaKeys(c.record);
    }
    c.record.cursor = entry.seq;
    // The state and cursor are saved together, before the message is shown, so a reload never
    // applies an entry twice (ts-mls would refuse) nor skips one.
    await this.history.saveChannel(c.id, c.record, c.state);
    if (message) {
      await this.history.putMessage(c.id, message);
      c.messages.push(message);
    }
    this.scheduleAck(c);
  }

  private async decrypt(c: Channel, entry: LogEntry): Promise<ChatMessage> {
    const base = { seq: entry.seq, senderUserId: entry.senderUserId, senderDeviceId: entry.senderDeviceId, receivedAt: entry.sentAt };
    try {
      const decoded = decodeMlsMessage(fromBase64url(entry.ciphertext!), 0)?.[0];
      if (!decoded || decoded.wireformat !== 'mls_private_message') throw new Error('not a private message');
      const result = await processMessage(decoded, c.state!, emptyPskIndex, () => 'accept', await ciphersuite());
      c.state = result.newState;
      if (result.kind !== 'applicationMessage') throw new Error('not an application message');
      const payload = decodeText(result.message);
      return { ...base, body: payload.body, sentAt: payload.sentAt || entry.sentAt, state: 'received' };
    } catch {
      return { ...base, body: '', sentAt: entry.sentAt, state: 'undecryptable' };
    }
  }

  private scheduleAck(c: Channel) {
    if (c.ackTimer) return;
    c.ackTimer = setTimeout(() => {
      c.ackTimer = undefined;
      if (c.record.cursor > c.acked && this.realtime?.send({ type: 'ack', channelId: c.id, seq: c.record.cursor })) {
        c.acked = c.record.cursor;
      }
    }, 500);
  }

  /** Reads entries over HTTP up to `seq` (inclusive), applying them in order. */
  private async catchUpTo(c: Channel, seq: number) {
    while (c.state && c.record.cursor < seq) {
      const page = await this.api.call<{ items: LogEntry[]; next: number }>(
        'GET',
        `/api/v1/channels/${c.id}/messages?after=${c.record.cursor}&limit=200`,
      );
      if (page.items.length === 0) break;
      await this.applyEntries(c, page.items.filter((e) => e.seq <= seq));
    }
  }

  // ---- joining ------------------------------------------------------------------------------

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
      await this.serial(ch, async () => {
        if (ch.state && ch.record.cursor >= w.seq) return;
        await this.join(ch, w);
      }).catch((e) => console.warn('join', e));
    }
    this.changed();
  }

  private async join(c: Channel, w: { seq: number; epoch: number; welcome: string }) {
    const decoded = decodeMlsMessage(fromBase64url(w.welcome), 0)?.[0];
    if (!decoded || decoded.wireformat !== 'mls_welcome') throw new ChannelError('malformed-mls', 'not a Welcome');
    const refs = decoded.welcome.secrets.map((s) => hex(s.newMember));
    let ref: string | undefined;
    let keyPackage = null;
    for (const r of refs) {
      keyPackage = await loadKeyPackage(this.device.store, this.device.identity, r);
      if (keyPackage) {
        ref = r;
        break;
      }
    }
    if (!keyPackage || !ref) throw new ChannelError('key-package-unknown', 'This browser does not hold the key package the Welcome names');
    const cs = await ciphersuite();
    const state = await joinGroup(decoded.welcome, keyPackage.publicPackage, keyPackage.privatePackage, emptyPskIndex, cs);
    const group = decodeGroupId(state.groupContext.groupId);
    c.server = await this.fetchChannel(c.id);
    if (group.channelId !== c.id || !samePolicy(group.policy, c.server.policy)) {
      throw new ChannelError('policy-mismatch', 'The server claims another policy than the channel has');
    }
    c.state = state;
    c.removed = false;
    c.record.cursor = w.seq;
    c.record.metaKeys = { [String(state.groupContext.epoch)]: base64url(await this.metaKey(state)) };
    c.members = await this.verifyMembers(c);
    await this.history.saveChannel(c.id, c.record, state);
    await spendKeyPackage(this.device.store, ref);
    await this.readMeta(c);
    this.realtime?.send({ type: 'sync', channelId: c.id, after: c.record.cursor });
    this.scheduleAck(c);
    void this.topUpKeyPackages().catch(() => {});
  }

  private async fetchChannel(id: string): Promise<ServerChannel> {
    return this.api.call<ServerChannel>('GET', `/api/v1/channels/${id}`);
  }

  // ---- trust --------------------------------------------------------------------------------

  /** Checks every leaf's credential: attestation chain to the root, user, and the group id's policy. */
  private async verifyMembers(c: Channel): Promise<MemberTrust[]> {
    if (!c.state) return [];
    const policy = decodeGroupId(c.state.groupContext.groupId).policy;
    const now = this.options.now?.() ?? new Date();
    const out: MemberTrust[] = [];
    const tree = c.state.ratchetTree;
    for (let i = 0; i < tree.length; i += 2) {
      const node = tree[i];
      if (!node || node.nodeType !== 'leaf') continue;
      const leaf = node.leaf;
      let member: MemberTrust = { userId: '?', deviceId: '?', leaf: i / 2 };
      try {
        const cred = credentialOf(leaf.credential);
        member = { userId: cred.userId, deviceId: cred.deviceId, leaf: i / 2 };
        if (!this.rootKey) throw new ChannelError('no-root', 'no network key');
        if (cred.chain.length === 0) throw new ChannelError('not-attested', 'no attestation');
        const v = await verifyAttestationChain(cred.chain, this.rootKey, leaf.signaturePublicKey, cred.userId, now);
        member = { ...member, tier: v.tier, sector: v.sector };
        if (!admits(policy, `T${v.tier}`, v.sector)) member.problem = 'policy';
      } catch (e) {
        member.problem = e instanceof ChannelError ? e.code : 'attestation';
      }
      out.push(member);
    }
    return out;
  }

  // ---- meta ---------------------------------------------------------------------------------

  private async metaKey(state: ClientState): Promise<Uint8Array> {
    return mlsExporter(state.keySchedule.exporterSecret, META_LABEL, new Uint8Array(), 32, await ciphersuite());
  }

  private async readMeta(c: Channel) {
    const meta = c.server.meta;
    if (!meta) return;
    const key = c.record.metaKeys[String(meta.epoch)];
    if (!key) return;
    try {
      c.record.meta = await decryptMeta(fromBase64url(key), fromBase64url(meta.ciphertext));
      await this.history.saveChannel(c.id, c.record, c.state);
    } catch {
      // Written under an epoch we hold no key for; the next writer fixes it.
    }
  }

  private async writeMeta(c: Channel) {
    if (!c.state || !c.record.meta) return;
    const epoch = Number(c.state.groupContext.epoch);
    const ciphertext = await encryptMeta(await this.metaKey(c.state), c.record.meta);
    await this.api
      .call('PUT', `/api/v1/channels/${c.id}/meta`, { epoch, ciphertext: base64url(ciphertext) })
      .catch(() => {}); // another commit won meanwhile: its author writes the meta
  }

  // ---- actions ------------------------------------------------------------------------------

  async createChannel(kind: ChannelKind, policy: ChannelPolicy, meta: ChannelMeta): Promise<string> {
    const id = newGroupId(policy);
    const cs = await ciphersuite();
    const chain = await this.attestation();
    const { publicPackage, privatePackage } = await generateKeyPackageWithKey(
      memberCredential(this.userId, this.deviceId, chain),
      defaultCapabilities(),
      defaultLifetime,
      [],
      { signKey: this.device.identity.signKey, publicKey: this.device.identity.publicKey },
      cs,
    );
    const state = await createGroup(encodeGroupId(id), publicPackage, privatePackage, [], cs);
    const groupInfo = await this.groupInfo(state);
    const metaKey = await this.metaKey(state);
    const server = await this.api.call<ServerChannel>('POST', '/api/v1/channels', {
      groupId: base64url(encodeGroupId(id)),
      kind,
      policy: id.policy,
      groupInfo,
      meta: { epoch: Number(state.groupContext.epoch), ciphertext: base64url(await encryptMeta(metaKey, meta)) },
    });
    const record = ChannelRecord.empty();
    record.meta = meta;
    record.metaKeys = { [String(state.groupContext.epoch)]: base64url(metaKey) };
    await this.history.saveChannel(server.id, record, state);
    await this.load(server); // reads the saved state back and verifies the (one) member
    this.changed();
    return server.id;
  }

  private async attestation(): Promise<Uint8Array | undefined> {
    const devices = await this.api.call<{ items: { id: string; attestation?: string }[] }>('GET', '/api/v1/devices');
    const mine = devices.items.find((d) => d.id === this.deviceId);
    return mine?.attestation ? fromBase64url(mine.attestation) : undefined;
  }

  private async groupInfo(state: ClientState): Promise<string> {
    const info = await createGroupInfoWithExternalPubAndRatchetTree(state, [], await ciphersuite());
    return base64url(encodeMlsMessage({ groupInfo: info, wireformat: 'mls_group_info', version: 'mls10' }));
  }

  /**
   * Commits proposals: posts the commit, then reads the log up to it, adopting our new state
   * there. A lost race (`wrong-epoch`) catches up and tries again, up to three times.
   */
  private async commit(c: Channel, proposals: () => Proposal[]): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.serial(c, async () => {
          if (!c.state) throw new ChannelError('not-joined', 'This browser is not in the channel yet');
          const list = proposals();
          if (list.length === 0) return;
          const cs = await ciphersuite();
          const result = await createCommit({ state: c.state, cipherSuite: cs }, { extraProposals: list, wireAsPublicMessage: true, ratchetTreeExtension: true });
          const body = {
            epoch: Number(c.state.groupContext.epoch),
            commit: base64url(encodeMlsMessage(result.commit)),
            ...(result.welcome ? { welcome: base64url(encodeMlsMessage({ welcome: result.welcome, wireformat: 'mls_welcome', version: 'mls10' })) } : {}),
            groupInfo: await this.groupInfo(result.newState),
          };
          const accepted = await this.api.call<{ seq: number; epoch: number }>('POST', `/api/v1/channels/${c.id}/commits`, body);
          c.pending = { seq: accepted.seq, state: result.newState, metaKey: await this.metaKey(result.newState) };
          await this.catchUpTo(c, accepted.seq);
          await this.writeMeta(c);
          c.server = await this.fetchChannel(c.id);
        });
        this.changed();
        return;
      } catch (e) {
        if (attempt < 3 && e instanceof ApiError && e.code === 'wrong-epoch') {
          await this.serial(c, () => this.catchUpTo(c, Number.MAX_SAFE_INTEGER));
          continue;
        }
        throw e;
      }
    }
  }

  /** Claims a key package for each user's devices and adds them in one commit. */
  async addMembers(channelId: string, userIds: string[]): Promise<{ missing: string[] }> {
    const c = this.require(channelId);
    const claimed = await this.claim(userIds);
    await this.addMissing(c, claimed.items);
    return { missing: claimed.missing };
  }

  /**
   * Brings a member's devices in the channel up to date: adds their active devices that are not
   * in it (a browser restored from the key backup, a new laptop) and removes their leaves whose
   * devices are no longer active (revoked). Removes first, in their own commit.
   */
  async addAgain(channelId: string, userId: string): Promise<{ missing: string[] }> {
    const c = this.require(channelId);
    const claimed = await this.claim([userId]);
    const active = new Set(claimed.items.map((item) => item.deviceId));
    await this.removeLeaves(c, (m) => m.userId === userId && !active.has(m.deviceId));
    await this.addMissing(c, claimed.items);
    return { missing: claimed.missing };
  }

  /** Adds, in one commit, the claimed devices that are not in the channel yet. */
  private async addMissing(c: Channel, claimed: { deviceId: string; add: Proposal }[]) {
    const present = new Set(c.members.map((m) => m.deviceId));
    const adds = claimed.filter((item) => !present.has(item.deviceId)).map((item) => item.add);
    if (adds.length > 0) await this.commit(c, () => adds);
  }

  /** One key package per active device of each user, checked to name that user and device. */
  private async claim(userIds: string[]): Promise<{ items: { userId: string; deviceId: string; add: Proposal }[]; missing: string[] }> {
    const claimed = await this.api.call<{ items: { userId: string; deviceId: string; keyPackage: string }[]; missing?: string[] }>(
      'POST',
      '/api/v1/key-packages/claim',
      { userIds },
    );
    const items = [];
    for (const item of claimed.items) {
      const decoded = decodeMlsMessage(fromBase64url(item.keyPackage), 0)?.[0];
      if (!decoded || decoded.wireformat !== 'mls_key_package') continue;
      const cred = credentialOf(decoded.keyPackage.leafNode.credential);
      // Refuse what does not say who it is for; the server and every member check it again.
      if (cred.userId !== item.userId || cred.deviceId !== item.deviceId) continue;
      items.push({ userId: item.userId, deviceId: item.deviceId, add: { proposalType: 'add', add: { keyPackage: decoded.keyPackage } } as Proposal });
    }
    return { items, missing: claimed.missing ?? [] };
  }

  async removeMember(channelId: string, userId: string): Promise<void> {
    await this.removeLeaves(this.require(channelId), (m) => m.userId === userId);
  }

  private async removeLeaves(c: Channel, which: (m: MemberTrust) => boolean) {
    await this.commit(c, () =>
      c.members.filter((m) => which(m) && m.deviceId !== this.deviceId).map((m) => ({ proposalType: 'remove', remove: { removed: m.leaf } }) as Proposal),
    );
  }

  async leave(channelId: string): Promise<void> {
    const c = this.require(channelId);
    await this.api.call('POST', `/api/v1/channels/${c.id}/leave`, {});
    c.leaving = true;
    this.changed();
  }

  /** Sends a text message; resolves once it is encrypted and queued (its state then follows). */
  async send(channelId: string, body: string): Promise<void> {
    const c = this.require(channelId);
    const message: ChatMessage = {
      clientMessageId: randomId(),
      senderUserId: this.userId,
      senderDeviceId: this.deviceId,
      body,
      sentAt: new Date().toISOString(),
      receivedAt: new Date().toISOString(),
      outgoing: true,
      state: 'sending',
    };
    encodeText(body); // refuses empty or oversized text before anything is stored
    c.messages.push(message);
    await this.history.putMessage(c.id, message);
    this.changed();
    void this.deliver(c, message);
  }

  /** Retries a message whose send failed. */
  retry(channelId: string, clientMessageId: string) {
    const c = this.require(channelId);
    const m = c.messages.find((x) => x.clientMessageId === clientMessageId);
    if (m && m.state === 'failed') {
      m.state = 'sending';
      this.changed();
      void this.deliver(c, m);
    }
  }

  private retryUnsent(c: Channel) {
    for (const m of c.messages) {
      if (m.outgoing && m.seq === undefined && (m.state === 'queued' || m.state === 'failed')) {
        m.state = 'sending';
        void this.deliver(c, m);
      }
    }
  }

  private async deliver(c: Channel, m: ChatMessage): Promise<void> {
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        // Encrypt and save the advanced state before anything leaves: a reused generation
        // would reuse a key and nonce.
        const frame = await this.serial(c, async () => {
          this.assertCanSend(c);
          const cs = await ciphersuite();
          const result = await createApplicationMessage(c.state!, encodeText(m.body, new Date(m.sentAt)), cs);
          c.state = result.newState;
          await this.history.saveChannel(c.id, c.record, c.state);
          return {
            type: 'send',
            channelId: c.id,
            epoch: Number(c.state.groupContext.epoch),
            clientMessageId: m.clientMessageId!,
            ciphertext: base64url(encodeMlsMessage({ privateMessage: result.privateMessage, wireformat: 'mls_private_message', version: 'mls10' })),
          };
        });
        const ack = await this.realtime!.request(frame);
        m.seq = Number(ack.seq);
        m.state = 'sent';
        await this.history.putMessage(c.id, m);
        this.changed();
        return;
      } catch (e) {
        const code = e instanceof FrameError || e instanceof ChannelError ? e.code : 'error';
        if (code === 'wrong-epoch') {
          await sleep(300 * (attempt + 1)); // the commit that moved the epoch is on its way
          continue;
        }
        if (code === 'offline' || code === 'timeout') {
          // Sent again with the same clientMessageId when the connection is back (no duplicate).
          m.state = 'queued';
          this.changed();
          return;
        }
        m.state = 'failed';
        m.error = code;
        await this.history.putMessage(c.id, m);
        this.changed();
        return;
      }
    }
    m.state = 'failed';
    this.changed();
  }

  private assertCanSend(c: Channel) {
    if (!c.state) throw new ChannelError('not-joined', 'not in the channel');
    if (c.removed) throw new ChannelError('removed', 'removed from the channel');
    if (c.members.some((m) => m.problem)) throw new ChannelError('untrusted-member', 'a member does not meet the policy');
    if (!this.realtime) throw new FrameError('offline', 'not connected');
  }

  /** Marks everything shown as read. */
  async markRead(channelId: string) {
    const c = this.channels.get(channelId);
    if (!c) return;
    const last = c.messages.reduce((n, m) => Math.max(n, m.seq ?? 0), 0);
    if (last <= c.record.readSeq) return;
    c.record.readSeq = last;
    await this.serial(c, () => this.history.saveChannel(c.id, c.record, c.state));
    this.changed();
  }

  private require(channelId: string): Channel {
    const c = this.channels.get(channelId);
    if (!c) throw new ChannelError('channel-not-found', 'No such channel');
    return c;
  }

  // ---- key packages -------------------------------------------------------------------------

  /** Keeps at least a few one-time key packages on the server, so others can add this device. */
  topUpKeyPackages(): Promise<number> {
    return withKeyPackageLock(() => this.topUpUnlocked());
  }

  private async topUpUnlocked(): Promise<number> {
    const count = await this.api.call<{ oneTime: number; lastResort: boolean }>('GET', '/api/v1/key-packages/count');
    if (count.oneTime >= KEY_PACKAGE_LOW_WATER && count.lastResort) return 0;
    const chain = await this.attestation();
    if (!chain) return 0;
    // Nothing stored here means the server's packages have no secrets here: replace them.
    const replace = (await this.device.store.names(KEY_PACKAGE_PREFIX)).length === 0;
    return uploadKeyPackages(this.api, this.device, chain, KEY_PACKAGE_TOP_UP, replace);
  }
}

function lastActivity(v: ChannelView): number {
  const last = v.messages[v.messages.length - 1];
  return last ? Date.parse(last.receivedAt) || 0 : 0;
}

function trimMetaKeys(record: ChannelRecord) {
  const epochs = Object.keys(record.metaKeys).map(Number).sort((a, b) => b - a);
  for (const e of epochs.slice(4)) delete record.metaKeys[String(e)];
}

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

