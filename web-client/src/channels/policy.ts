/**
 * A channel's policy and its MLS group id, byte-for-byte as Java's `ChannelPolicy` and
 * `ChannelGroupId` (crypto/.../mls): the policy travels inside the group id, so every member signs
 * and derives keys over it and can compare it with what the server claims (docs/protocol.md).
 *
 * ChannelGroupId = text8("liaison/v1/channel") ‖ opaque8(16 id bytes) ‖ opaque16(policy)
 * ChannelPolicy  = u8 version=1 ‖ u8 min_tier ‖ u16 retention_days ‖ u8 history_on_join ‖
 *                  u8 sector_count ‖ text8 sector… (strictly increasing)
 */
import { hex } from '../device/identity';

export const CHANNEL_LABEL = 'liaison/v1/channel';
export const CHANNEL_ID_BYTES = 16;
const MAX_SECTORS = 64;
const SECTOR = /^[a-z-]{1,64}$/;

export type Tier = 'T0' | 'T1' | 'T2' | 'T3';

/** The protocol's JSON form (`POST /api/v1/channels`). */
export interface ChannelPolicy {
  minTier: Tier;
  /** Sorted; empty means every sector. */
  allowedSectors: string[];
  retentionDays: number;
  historyOnJoin: boolean;
}

export class PolicyError extends Error {}

export const tierNumber = (tier: string): number => {
  if (!/^T[0-3]$/.test(tier)) throw new PolicyError(`not a tier: ${tier}`);
  return tier.charCodeAt(1) - 48;
};

/** Validates and normalises (sorted, unique sectors) as Java's record constructor does. */
export function channelPolicy(p: ChannelPolicy): ChannelPolicy {
  tierNumber(p.minTier);
  if (!Number.isInteger(p.retentionDays) || p.retentionDays < 1 || p.retentionDays > 3650) {
    throw new PolicyError('retentionDays must be 1..3650');
  }
  const sectors = [...new Set(p.allowedSectors)].sort();
  if (sectors.length > MAX_SECTORS) throw new PolicyError(`at most ${MAX_SECTORS} sectors`);
  for (const s of sectors) if (!SECTOR.test(s)) throw new PolicyError(`not a sector: ${s}`);
  return { minTier: p.minTier, allowedSectors: sectors, retentionDays: p.retentionDays, historyOnJoin: p.historyOnJoin };
}

/** Whether a member vetted at `tier` in `sector` may be in a channel with this policy. */
export function admits(policy: ChannelPolicy, tier: string, sector: string): boolean {
  return (
    tierNumber(tier) >= tierNumber(policy.minTier) &&
    (policy.allowedSectors.length === 0 || policy.allowedSectors.includes(sector))
  );
}

const utf8 = new TextEncoder();

class Writer {
  private bytes: number[] = [];
  u8(v: number) {
    this.bytes.push(v & 0xff);
    return this;
  }
  u16(v: number) {
    return this.u8(v >> 8).u8(v);
  }
  opaque8(b: Uint8Array) {
    if (b.length > 0xff) throw new PolicyError('field too long');
    this.u8(b.length);
    this.bytes.push(...b);
    return this;
  }
  opaque16(b: Uint8Array) {
    if (b.length > 0xffff) throw new PolicyError('field too long');
    this.u16(b.length);
    this.bytes.push(...b);
    return this;
  }
  done() {
    return Uint8Array.from(this.bytes);
  }
}

class Reader {
  private at = 0;
  constructor(private readonly b: Uint8Array) {}
  u8(): number {
    if (this.at >= this.b.length) throw new PolicyError('truncated');
    return this.b[this.at++];
  }
  u16(): number {
    return (this.u8() << 8) | this.u8();
  }
  take(n: number, max: number): Uint8Array {
    if (n > max || this.b.length - this.at < n) throw new PolicyError('truncated or too long');
    const out = this.b.slice(this.at, this.at + n);
    this.at += n;
    return out;
  }
  text8(max: number): string {
    // ignoreBOM keeps a leading U+FEFF, as Java's decoder does: the text is exactly what was signed.
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(this.take(this.u8(), max));
  }
  end() {
    if (this.at !== this.b.length) throw new PolicyError('trailing bytes');
  }
}

export function encodePolicy(policy: ChannelPolicy): Uint8Array {
  const p = channelPolicy(policy);
  const w = new Writer()
    .u8(1)
    .u8(tierNumber(p.minTier))
    .u16(p.retentionDays)
    .u8(p.historyOnJoin ? 1 : 0)
    .u8(p.allowedSectors.length);
  for (const s of p.allowedSectors) w.opaque8(utf8.encode(s));
  return w.done();
}

export function decodePolicy(bytes: Uint8Array): ChannelPolicy {
  const r = new Reader(bytes);
  if (r.u8() !== 1) throw new PolicyError('unsupported policy version');
  const minTier = r.u8();
  if (minTier > 3) throw new PolicyError('min tier out of range');
  const retentionDays = r.u16();
  const history = r.u8();
  if (history > 1) throw new PolicyError('history on join is not 0 or 1');
  const count = r.u8();
  if (count > MAX_SECTORS) throw new PolicyError('too many sectors');
  const sectors: string[] = [];
  for (let i = 0; i < count; i++) {
    const s = r.text8(64);
    if (sectors.length > 0 && sectors[sectors.length - 1] >= s) throw new PolicyError('sectors not strictly increasing');
    sectors.push(s);
  }
  r.end();
  return channelPolicy({ minTier: `T${minTier}` as Tier, allowedSectors: sectors, retentionDays, historyOnJoin: history === 1 });
}

export interface ChannelGroupId {
  /** 32 lower-case hex characters: the channel's id in the API. */
  channelId: string;
  policy: ChannelPolicy;
}

const unhex = (s: string) => Uint8Array.from(s.match(/../g) ?? [], (h) => parseInt(h, 16));

export function encodeGroupId(id: ChannelGroupId): Uint8Array {
  if (!/^[0-9a-f]{32}$/.test(id.channelId)) throw new PolicyError('a channel id is 16 bytes of hex');
  return new Writer().opaque8(utf8.encode(CHANNEL_LABEL)).opaque8(unhex(id.channelId)).opaque16(encodePolicy(id.policy)).done();
}

export function decodeGroupId(bytes: Uint8Array): ChannelGroupId {
  const r = new Reader(bytes);
  if (r.text8(CHANNEL_LABEL.length) !== CHANNEL_LABEL) throw new PolicyError('not a Liaison channel group id');
  const id = r.take(r.u8(), CHANNEL_ID_BYTES);
  if (id.length !== CHANNEL_ID_BYTES) throw new PolicyError('channel id is not 16 bytes');
  const policy = decodePolicy(r.take(r.u16(), 8192));
  r.end();
  return { channelId: hex(id), policy };
}

/** A new channel: 16 random id bytes and the policy. */
export function newGroupId(policy: ChannelPolicy): ChannelGroupId {
  return { channelId: hex(crypto.getRandomValues(new Uint8Array(CHANNEL_ID_BYTES))), policy: channelPolicy(policy) };
}

export function samePolicy(a: ChannelPolicy, b: ChannelPolicy): boolean {
  const x = channelPolicy(a);
  const y = channelPolicy(b);
  return (
    x.minTier === y.minTier &&
    x.retentionDays === y.retentionDays &&
    x.historyOnJoin === y.historyOnJoin &&
    x.allowedSectors.join(',') === y.allowedSectors.join(',')
  );
}
