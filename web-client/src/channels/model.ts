/**
 * What the channel modules share: the server's shapes (channel, log entry), the channel object
 * the engine keeps for each channel and the view the UI reads of it, and the engine context the
 * modules act through (the engine owns it; the modules only read its connection and root key).
 */
import type { ClientState } from 'ts-mls';
import type { Api } from '../api';
import type { Device } from '../device/setup';
import { unreadCount } from './channelLog';
import type { ChannelRecord, History, StoredMessage } from './history';
import type { ChannelMeta } from './payload';
import type { ChannelPolicy } from './policy';
import type { Realtime } from './realtime';

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
  /** Removals the server recorded and no commit has made yet (`removals.ts`). */
  removalsDue?: DueRemoval[];
}

/** Why a member's leaves are to be removed (a `channel-updated` reason, or a `removalsDue` entry's). */
export type RemovalReason = 'leave-requested' | 'device-revoked' | 'member-suspended' | 'tier-lowered';

/** One user's devices to remove (`deviceId` null: all of them). */
export interface DueRemoval {
  userId: string;
  deviceId: string | null;
  reason: RemovalReason;
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

/** What the UI reads of a channel, as this device sees it. */
export function viewOf(c: Channel, selfDeviceId: string): ChannelView {
  return {
    id: c.id,
    kind: c.server.kind,
    policy: c.server.policy,
    owners: c.server.owners,
    meta: c.record.meta,
    epoch: c.state ? epochOf(c.state) : c.server.epoch,
    members: c.members,
    messages: c.messages,
    unread: unreadCount(c.messages, c.record.readSeq, selfDeviceId),
    joined: c.state !== null,
    removed: c.removed,
    untrusted: c.members.filter((m) => m.problem),
    leaving: c.leaving,
  };
}

/** Most recently active first (the time of the last message received or queued). */
export function byLastActivity(a: ChannelView, b: ChannelView): number {
  return lastActivity(b) - lastActivity(a);
}

function lastActivity(v: ChannelView): number {
  const last = v.messages[v.messages.length - 1];
  return last ? Date.parse(last.receivedAt) || 0 : 0;
}

/** One channel as this browser holds it; changed only inside its queue (`serial`). */
export interface Channel {
  id: string;
  server: ServerChannel;
  record: ChannelRecord;
  state: ClientState | null;
  messages: ChatMessage[];
  /** Our commit the server accepted, adopted when the log reaches its seq. */
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

/** What the channel modules need of the engine. */
export interface EngineContext {
  readonly api: Api;
  readonly device: Device;
  readonly history: History;
  /** The connection: null before `start` and after `stop`. */
  realtime: Realtime | null;
  /** The pinned network root key; null while neither the server nor this store has one. */
  rootKey: Uint8Array | null;
  /** Hashes of device attestations the server withdrew (`revocations.ts`). */
  revoked: ReadonlySet<string>;
  /** The clock attestations are checked against (tests set it). */
  now(): Date;
  /** Tells the UI to read the views again. */
  changed(): void;
  /**
   * Called inside the channel's queue after this device's commit was adopted (the documents'
   * keyring is written there, `documents/keyring.ts`); `removedLeaf` when it removed someone.
   */
  afterCommit?: (c: Channel, removedLeaf: boolean) => Promise<void>;
}

/** A group state's epoch as the API numbers it (ts-mls counts in bigint). */
export const epochOf = (state: ClientState): number => Number(state.groupContext.epoch);

export function fetchChannel(api: Api, id: string): Promise<ServerChannel> {
  return api.call<ServerChannel>('GET', `/api/v1/channels/${id}`);
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
