/**
 * The channel's encrypted meta (its name): sealed with a key exported from the group's epoch, so
 * the server stores it without reading it. The record keeps the keys of the last few epochs,
 * because the meta may be rewritten a little after the commit that moved the epoch.
 */
import { type ClientState, mlsExporter } from 'ts-mls';
import { base64url, ciphersuite, fromBase64url } from '../device/identity';
import type { ChannelRecord } from './history';
import { type Channel, type EngineContext, epochOf } from './model';
import { decryptMeta, encryptMeta, META_LABEL } from './payload';

const META_KEYS_KEPT = 4;

export async function metaKey(state: ClientState): Promise<Uint8Array> {
  return mlsExporter(state.keySchedule.exporterSecret, META_LABEL, new Uint8Array(), 32, await ciphersuite());
}

/** Keeps the meta key of the state's epoch in the record (saved with it by the caller). */
export function rememberMetaKey(record: ChannelRecord, state: ClientState, key: Uint8Array) {
  record.metaKeys[String(epochOf(state))] = base64url(key);
}

/** Forgets all but the newest epochs' keys. */
export function trimMetaKeys(record: ChannelRecord) {
  const epochs = Object.keys(record.metaKeys).map(Number).sort((a, b) => b - a);
  for (const e of epochs.slice(META_KEYS_KEPT)) delete record.metaKeys[String(e)];
}

/** Decrypts the meta the server holds, when we hold the key of the epoch it was written in. */
export async function readMeta(context: EngineContext, c: Channel) {
  const meta = c.server.meta;
  if (!meta) return;
  const key = c.record.metaKeys[String(meta.epoch)];
  if (!key) return;
  try {
    c.record.meta = await decryptMeta(fromBase64url(key), fromBase64url(meta.ciphertext));
    await context.history.saveChannel(c.id, c.record, c.state);
  } catch {
    // Written under an epoch we hold no key for; the next writer fixes it.
  }
}

/** Writes the meta again under the current epoch (after our commit moved it). */
export async function writeMeta(context: EngineContext, c: Channel) {
  if (!c.state || !c.record.meta) return;
  const epoch = epochOf(c.state);
  const ciphertext = await encryptMeta(await metaKey(c.state), c.record.meta);
  await context.api
    .call('PUT', `/api/v1/channels/${c.id}/meta`, { epoch, ciphertext: base64url(ciphertext) })
    .catch(() => {}); // another commit won meanwhile: its author writes the meta
}
