/**
 * Following a channel's log: entries from frames or catch-up pages are applied in seq order
 * (`channelLog.ts`); a gap asks the server to `sync` from our cursor. Each entry's group state
 * and cursor are saved together before its message is shown, and the cursor is acked a little
 * later, batched.
 *
 * Our own commits are adopted only when the log reaches them (entries before them are still of
 * the old epoch); our own messages are never decrypted (MLS cannot), they were stored when sent.
 * Every member is verified again after every commit.
 *
 * Callers run these inside the channel's queue (`serial`).
 */
import { decodeMlsMessage, emptyPskIndex, processMessage } from 'ts-mls';
import { ciphersuite, fromBase64url } from '../device/identity';
import { ackDue, applyInOrder, pageStart, upTo } from './channelLog';
import { metaKey, rememberMetaKey, trimMetaKeys } from './meta';
import { type Channel, ChannelError, type ChatMessage, type EngineContext, epochOf, type LogEntry } from './model';
import { decodeText } from './payload';
import { senderOf, verifyMembers } from './trust';

const ACK_DELAY_MS = 500;

/** Asks the server to send the channel's log again after our cursor. */
export function requestSync(context: EngineContext, c: Channel) {
  context.realtime?.send({ type: 'sync', channelId: c.id, after: c.record.cursor });
}

export async function applyEntries(context: EngineContext, c: Channel, entries: LogEntry[]): Promise<void> {
  const end = await applyInOrder(
    c.record,
    entries,
    () => !c.removed && c.state !== null,
    (entry) => applyEntry(context, c, entry),
  );
  if (end.kind === 'gap') {
    requestSync(context, c);
    return;
  }
  if (end.kind === 'done') context.changed();
}

async function applyEntry(context: EngineContext, c: Channel, entry: LogEntry): Promise<void> {
  const { device, history } = context;
  const mine = entry.senderDeviceId === device.deviceId;
  let message: ChatMessage | null = null;
  if (entry.kind === 'message') {
    if (!mine) message = await decrypt(c, entry);
  } else if (mine && c.pending?.seq === entry.seq) {
    c.state = c.pending.state;
    rememberMetaKey(c.record, c.state, c.pending.metaKey);
    c.pending = null;
  } else {
    const removesMe = (entry.removed ?? []).some((r) => r.deviceId === device.deviceId);
    if (removesMe) {
      c.removed = true;
      c.state = null;
      c.record.cursor = entry.seq;
      await history.saveChannel(c.id, c.record, null);
      return;
    }
    const decoded = decodeMlsMessage(fromBase64url(entry.commit!), 0)?.[0];
    if (!decoded || decoded.wireformat !== 'mls_public_message') throw new ChannelError('malformed-mls', 'not a commit');
    const result = await processMessage(decoded, c.state!, emptyPskIndex, () => 'accept', await ciphersuite());
    c.state = result.newState;
    rememberMetaKey(c.record, c.state, await metaKey(c.state));
  }
  if (entry.kind === 'commit') {
    c.members = await verifyMembers(context, c.state);
    trimMetaKeys(c.record);
  }
  c.record.cursor = entry.seq;
  // The state and cursor are saved together, before the message is shown, so a reload never
  // applies an entry twice (ts-mls would refuse) nor skips one.
  await history.saveChannel(c.id, c.record, c.state);
  if (message) {
    await history.putMessage(c.id, message);
    c.messages.push(message);
  }
  scheduleAck(context, c);
}

/**
 * Another device's message; one that does not decrypt is kept, marked, so the gap shows. The
 * sender shown is the one MLS verified (the credential of the leaf that signed it); a message
 * the server files under another member or device is dropped the same way (`sender-mismatch`),
 * as the Java client does: a hostile server must not put one member's words under another's name.
 */
async function decrypt(c: Channel, entry: LogEntry): Promise<ChatMessage> {
  const base = { seq: entry.seq, senderUserId: entry.senderUserId, senderDeviceId: entry.senderDeviceId, receivedAt: entry.sentAt };
  const unreadable = (error?: string): ChatMessage => ({ ...base, body: '', sentAt: entry.sentAt, state: 'undecryptable', ...(error ? { error } : {}) });
  try {
    const decoded = decodeMlsMessage(fromBase64url(entry.ciphertext!), 0)?.[0];
    if (!decoded || decoded.wireformat !== 'mls_private_message') throw new Error('not a private message');
    const cs = await ciphersuite();
    const before = c.state!;
    const result = await processMessage(decoded, before, emptyPskIndex, () => 'accept', cs);
    c.state = result.newState;
    if (result.kind !== 'applicationMessage') throw new Error('not an application message');
    const sender = await senderOf(before, decoded.privateMessage, cs);
    if (sender.userId !== entry.senderUserId || sender.deviceId !== entry.senderDeviceId) return unreadable('sender-mismatch');
    const payload = decodeText(result.message);
    return {
      ...base,
      senderUserId: sender.userId,
      senderDeviceId: sender.deviceId,
      body: payload.body,
      sentAt: payload.sentAt || entry.sentAt,
      state: 'received',
    };
  } catch {
    return unreadable();
  }
}

/** One ack for whatever was applied in the next half second. */
export function scheduleAck(context: EngineContext, c: Channel) {
  if (c.ackTimer) return;
  c.ackTimer = setTimeout(() => {
    c.ackTimer = undefined;
    if (ackDue(c.record.cursor, c.acked) && context.realtime?.send({ type: 'ack', channelId: c.id, seq: c.record.cursor })) {
      c.acked = c.record.cursor;
    }
  }, ACK_DELAY_MS);
}

/**
 * Reads entries over HTTP up to `seq` (inclusive), applying them in order. Entries retention
 * deleted are skipped when nothing this state needs was among them (`pageStart`); when commits
 * expired too, it throws `history-expired` (the browser cannot rejoin by external commit, so the
 * channel waits to be added again). A page that moves the cursor no further ends the loop rather
 * than asking for it again.
 */
export async function catchUpTo(context: EngineContext, c: Channel, seq: number) {
  while (c.state && c.record.cursor < seq) {
    const page = await context.api.call<{ items: LogEntry[]; firstSeq?: number; next: number }>(
      'GET',
      `/api/v1/channels/${c.id}/messages?after=${c.record.cursor}&limit=200`,
    );
    if (page.items.length === 0) break;
    const start = pageStart(c.record.cursor, page.firstSeq ?? 0, page.items[0], epochOf(c.state));
    if (start.kind === 'lost') throw new ChannelError('history-expired', 'Entries this browser still needed expired');
    if (start.kind === 'expired') {
      c.record.cursor = start.skipTo;
      await context.history.saveChannel(c.id, c.record, c.state);
    }
    const before = c.record.cursor;
    await applyEntries(context, c, upTo(page.items, seq));
    if (c.record.cursor === before) break;
  }
}
