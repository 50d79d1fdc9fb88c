/**
 * What the browser keeps of its channels, in the encrypted key store:
 * - `channel/<id>`: the cursor (last applied log seq), the read marker, the decrypted name and the
 *   meta keys of recent epochs, together with the ts-mls group state, in ONE record, so the state
 *   and the cursor can never disagree after a crash or reload;
 * - `message/<id>/<seq or pending id>`: each decrypted message (MLS deletes message keys once used,
 *   so a reload could not decrypt them again).
 * Record names (channel ids, seqs) are visible on disk; values are not (docs/crypto.md).
 */
import { type ClientState, decodeGroupState, encodeGroupState } from 'ts-mls';
import { defaultClientConfig } from 'ts-mls/clientConfig.js';
import type { KeyStore } from '../device/keystore';
import type { ChannelMeta } from './payload';

export const CHANNEL_PREFIX = 'channel/';
export const MESSAGE_PREFIX = 'message/';

export interface StoredMessage {
  /** The log seq once the server accepted it. */
  seq?: number;
  /** Ours: the idempotency key of the send. */
  clientMessageId?: string;
  senderUserId: string;
  senderDeviceId: string;
  body: string;
  /** What the sender's clock said (inside the ciphertext). */
  sentAt: string;
  /** When the server accepted it (its log time), or when we queued ours. */
  receivedAt: string;
  outgoing?: boolean;
  state?: string;
  error?: string;
  /** Came back from the encrypted history backup (`device/historyBackup.ts`), not from the log. */
  restored?: boolean;
}

export class ChannelRecord {
  cursor = 0;
  readSeq = 0;
  meta: ChannelMeta | null = null;
  /** epoch → base64url meta key, for the last few epochs (meta may be written a little later). */
  metaKeys: Record<string, string> = {};
  /** Document key generations this device holds (generation → base64url key; `documents/keyring.ts`). */
  docGenerations: Record<string, string> = {};
  /** The epoch whose stored keyring those generations were last matched with (null: none yet). */
  docKeyringEpoch: number | null = null;

  static empty(): ChannelRecord {
    return new ChannelRecord();
  }
}

const utf8 = new TextEncoder();
const seqName = (seq: number) => String(seq).padStart(12, '0');

export class History {
  /** Told of every message stored (the history backup uploads the chunks that changed). */
  onStored: ((channelId: string, m: StoredMessage) => void) | null = null;

  constructor(private readonly store: KeyStore) {}

  async saveChannel(channelId: string, record: ChannelRecord, state: ClientState | null): Promise<void> {
    const json = utf8.encode(
      JSON.stringify({
        cursor: record.cursor,
        readSeq: record.readSeq,
        meta: record.meta,
        metaKeys: record.metaKeys,
        docGenerations: record.docGenerations,
        docKeyringEpoch: record.docKeyringEpoch,
      }),
    );
    const mls = state ? encodeGroupState(state) : new Uint8Array();
    const out = new Uint8Array(4 + json.length + mls.length);
    new DataView(out.buffer).setUint32(0, json.length);
    out.set(json, 4);
    out.set(mls, 4 + json.length);
    await this.store.put(CHANNEL_PREFIX + channelId, out);
  }

  /** The record and the group state saved with it (null state: not, or no longer, in the group). */
  async loadChannel(channelId: string): Promise<{ record: ChannelRecord; state: ClientState | null } | null> {
    const bytes = await this.store.get(CHANNEL_PREFIX + channelId);
    if (!bytes) return null;
    const length = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0);
    const fields = JSON.parse(new TextDecoder().decode(bytes.subarray(4, 4 + length)));
    const record = Object.assign(new ChannelRecord(), fields) as ChannelRecord;
    const mls = bytes.subarray(4 + length);
    if (mls.length === 0) return { record, state: null };
    const decoded = decodeGroupState(mls, 0);
    if (!decoded || decoded[1] !== mls.length) throw new RangeError('stored group state malformed');
    return { record, state: { ...decoded[0], clientConfig: defaultClientConfig } };
  }

  async putMessage(channelId: string, m: StoredMessage): Promise<void> {
    const name = m.seq !== undefined ? seqName(m.seq) : `pending-${m.clientMessageId}`;
    await this.store.put(`${MESSAGE_PREFIX}${channelId}/${name}`, utf8.encode(JSON.stringify(m)));
    if (m.seq !== undefined && m.clientMessageId) await this.store.delete(`${MESSAGE_PREFIX}${channelId}/pending-${m.clientMessageId}`);
    this.onStored?.(channelId, m);
  }

  /**
   * Keeps a message from the history backup unless this browser already holds that seq (what it
   * decrypted itself wins); true when it was written.
   */
  async putRestored(channelId: string, m: StoredMessage): Promise<boolean> {
    if (m.seq === undefined) return false;
    const name = `${MESSAGE_PREFIX}${channelId}/${seqName(m.seq)}`;
    if ((await this.store.names(name)).includes(name)) return false;
    await this.store.put(name, utf8.encode(JSON.stringify({ ...m, restored: true })));
    this.onStored?.(channelId, { ...m, restored: true });
    return true;
  }

  /** The accepted messages of a channel with `from <= seq < to`, by seq. */
  async messagesBetween(channelId: string, from: number, to: number): Promise<StoredMessage[]> {
    const prefix = `${MESSAGE_PREFIX}${channelId}/`;
    const names = (await this.store.names(prefix))
      .filter((n) => /^[0-9]{12}$/.test(n.slice(prefix.length)))
      .filter((n) => {
        const seq = Number(n.slice(prefix.length));
        return seq >= from && seq < to;
      })
      .sort();
    const out: StoredMessage[] = [];
    for (const name of names) {
      const bytes = await this.store.get(name);
      if (bytes) out.push(JSON.parse(new TextDecoder().decode(bytes)) as StoredMessage);
    }
    return out;
  }

  /** Every stored message of a channel, accepted ones by seq, then those still pending. */
  async messages(channelId: string): Promise<StoredMessage[]> {
    const names = (await this.store.names(`${MESSAGE_PREFIX}${channelId}/`)).sort();
    const out: StoredMessage[] = [];
    for (const name of names) {
      const bytes = await this.store.get(name);
      if (bytes) out.push(JSON.parse(new TextDecoder().decode(bytes)) as StoredMessage);
    }
    return out;
  }
}
