/**
 * The channel's document keyring (docs/documents.md "Who can read what"): every generation key,
 * stored on the server sealed under the epoch's `MLS-Exporter("liaison/v1/doc-keyring")`, so only
 * members of that epoch read it. The generations this device holds live in the channel's record
 * in the key store (saved with the group state), so a reload needs no server.
 *
 * They run inside the channel's queue (`serial`): they read and save the channel record.
 * - after our own commit the engine calls `afterOwnCommit` (where it rewrites the meta): a commit
 *   that removed a leaf starts generation g = the new epoch;
 * - `ensureKeyring` reads the current epoch's keyring, and writes it after a short random pause
 *   when it is missing (first write wins, a loser reads the stored one);
 * - a `document-keyring` frame reads it again.
 */
import { type ClientState, mlsExporter } from 'ts-mls';
import { ApiError } from '../api';
import type { Channel, EngineContext } from '../channels/model';
import { epochOf, sleep } from '../channels/model';
import { base64url, ciphersuite, fromBase64url } from '../device/identity';
import { decodeKeyring, encodeKeyring, type Generations, keyringAad, newGenerationKey, open, seal } from './crypto';

const KEYRING_LABEL = 'liaison/v1/doc-keyring';
/** The pause before writing a missing keyring: the committer usually writes it meanwhile. */
const WRITE_PAUSE_MS = { min: 300, spread: 900 };

type Context = Pick<EngineContext, 'api' | 'history'>;

export async function keyringKey(state: ClientState): Promise<Uint8Array> {
  return mlsExporter(state.keySchedule.exporterSecret, KEYRING_LABEL, new Uint8Array(), 32, await ciphersuite());
}

/** The generations this device holds for the channel. */
export function heldGenerations(c: Channel): Generations {
  return new Map(Object.entries(c.record.docGenerations).map(([g, key]) => [Number(g), fromBase64url(key)]));
}

/** True when the held generations were matched with the keyring of the channel's current epoch. */
export function keyringCurrent(c: Channel): boolean {
  return c.state !== null && c.record.docKeyringEpoch === epochOf(c.state);
}

async function remember(context: Context, c: Channel, generations: Generations, epoch: number) {
  for (const [g, key] of generations) c.record.docGenerations[String(g)] = base64url(key);
  c.record.docKeyringEpoch = epoch;
  await context.history.saveChannel(c.id, c.record, c.state);
}

/** Reads the keyring of the current epoch into the record; false when none is stored. */
export async function readKeyring(context: Context, c: Channel): Promise<boolean> {
  if (!c.state) return false;
  const epoch = epochOf(c.state);
  let stored: { ciphertext: string };
  try {
    stored = await context.api.call<{ ciphertext: string }>('GET', `/api/v1/channels/${c.id}/document-keyrings/${epoch}`);
  } catch (e) {
    if (e instanceof ApiError && e.code === 'keyring-not-found') return false;
    throw e;
  }
  const plain = await open(await keyringKey(c.state), keyringAad(c.id, epoch), fromBase64url(stored.ciphertext));
  await remember(context, c, decodeKeyring(plain), epoch);
  return true;
}

/**
 * Writes the keyring of the current epoch with every held generation, plus a new one (g = the
 * epoch) when `rotate`. Generations become ours only once the server stored them; a lost race
 * reads the winner's keyring instead, and a moved epoch leaves it to the next writer.
 */
export async function writeKeyring(context: Context, c: Channel, rotate: boolean): Promise<void> {
  if (!c.state) return;
  const epoch = epochOf(c.state);
  const generations = heldGenerations(c);
  if (rotate) generations.set(epoch, newGenerationKey());
  const ciphertext = await seal(await keyringKey(c.state), keyringAad(c.id, epoch), encodeKeyring(generations));
  try {
    await context.api.call('PUT', `/api/v1/channels/${c.id}/document-keyrings/${epoch}`, { ciphertext: base64url(ciphertext) });
  } catch (e) {
    if (e instanceof ApiError && e.code === 'keyring-exists') {
      await readKeyring(context, c);
      return;
    }
    if (e instanceof ApiError && e.code === 'wrong-epoch') return;
    throw e;
  }
  await remember(context, c, generations, epoch);
}

/**
 * After this device's commit moved the epoch: the committer writes the keyring, as it writes the
 * meta. Only a device that holds generations can (one that never used documents leaves it to the
 * first member who needs it, who rotates then anyway).
 */
export async function afterOwnCommit(context: Context, c: Channel, removedLeaf: boolean): Promise<void> {
  if (Object.keys(c.record.docGenerations).length === 0) return;
  await writeKeyring(context, c, removedLeaf);
}

/**
 * Makes sure the held generations include the current epoch's keyring. When it is missing, waits
 * a short random pause outside the channel's queue (the committer is probably writing it), then
 * writes it if this device holds generations, or when the channel has no documents yet
 * (`mayStart`): a joiner who holds none must not start a keyring that leaves older generations out.
 * `inQueue` runs a step inside the channel's queue.
 */
export async function ensureKeyring(
  context: Context,
  c: Channel,
  inQueue: <T>(step: () => Promise<T>) => Promise<T>,
  mayStart: () => Promise<boolean>,
): Promise<void> {
  if (await inQueue(async () => !c.state || keyringCurrent(c) || (await readKeyring(context, c)))) return;
  await sleep(WRITE_PAUSE_MS.min + Math.random() * WRITE_PAUSE_MS.spread);
  const start = Object.keys(c.record.docGenerations).length > 0 || (await mayStart());
  await inQueue(async () => {
    if (!c.state || keyringCurrent(c) || (await readKeyring(context, c))) return;
    if (start) await writeKeyring(context, c, true);
  });
}
