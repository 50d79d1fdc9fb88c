/**
 * Sealing and opening each kind of document record with the right context: the header, updates,
 * snapshots, versions and presence of docs/documents.md "Encryption", signed where the contract
 * says so. `signer` is this device; `verifyKeys` the keys a device may sign with (its leaves).
 */
import { base64url, fromBase64url } from '../device/identity';
import { type AadContext, aadOf, DocumentCryptoError, json, openRecord, parseJson, sealRecord, signRecord, verifyRecord } from './crypto';
import type { TemplateId } from './model';
import type { ServerSnapshot, ServerUpdate, ServerVersion } from './wire';

export interface Signer {
  deviceId: string;
  signKey: Uint8Array;
}

export interface Signed {
  ciphertext: string;
  signature: string;
}

export async function sealSigned(signer: Signer, key: Uint8Array, context: AadContext, plaintext: Uint8Array): Promise<Signed> {
  const sealed = await sealRecord(key, context, plaintext);
  return { ciphertext: base64url(sealed), signature: base64url(await signRecord(signer.signKey, aadOf(context), sealed)) };
}

/** Verifies the author's signature with any key that device is known by, then opens the record. */
export async function openSigned(key: Uint8Array, context: AadContext, record: Signed, verifyKeys: Uint8Array[]): Promise<Uint8Array> {
  const sealed = fromBase64url(record.ciphertext);
  const signature = fromBase64url(record.signature);
  let verified = false;
  for (const k of verifyKeys) if (!verified) verified = await verifyRecord(k, aadOf(context), sealed, signature);
  if (!verified) throw new DocumentCryptoError('BAD_SIGNATURE', 'the signature does not verify under the author device key');
  return openRecord(key, context, sealed);
}

export const updateContext = (documentId: string, u: Pick<ServerUpdate, 'generation' | 'authorDeviceId' | 'clientSeq'>): AadContext => ({
  kind: 'update',
  documentId,
  generation: u.generation,
  authorDeviceId: u.authorDeviceId,
  clientSeq: u.clientSeq,
});

export const snapshotContext = (documentId: string, s: Pick<ServerSnapshot, 'generation' | 'coversSeq' | 'authorDeviceId'>): AadContext => ({
  kind: 'snapshot',
  documentId,
  generation: s.generation,
  coversSeq: s.coversSeq,
  authorDeviceId: s.authorDeviceId,
});

export const versionContext = (documentId: string, v: Pick<ServerVersion, 'generation' | 'authorDeviceId'>): AadContext => ({
  kind: 'version',
  documentId,
  generation: v.generation,
  authorDeviceId: v.authorDeviceId,
});

export const presenceContext = (documentId: string, generation: number, authorDeviceId: string): AadContext => ({
  kind: 'presence',
  documentId,
  generation,
  authorDeviceId,
});

const SCHEMA_PREFIX = 'liaison/';
const TEMPLATES: readonly TemplateId[] = ['action-plan', 'city-exchange', 'small-grant', 'event-record', 'blank'];

/** The header holds the template as its schema name (`liaison/action-plan`), as Java writes it. */
export async function sealHeader(key: Uint8Array, documentId: string, generation: number, title: string, template: TemplateId): Promise<string> {
  return base64url(await sealRecord(key, { kind: 'header', documentId, generation }, json({ title, template: SCHEMA_PREFIX + template })));
}

export async function openHeader(key: Uint8Array, documentId: string, generation: number, header: string): Promise<{ title: string; template: TemplateId | null }> {
  const v = parseJson<{ title?: unknown; template?: unknown }>(await openRecord(key, { kind: 'header', documentId, generation }, fromBase64url(header)));
  return { title: typeof v.title === 'string' ? v.title : '', template: templateOfSchemaName(v.template) };
}

/** `liaison/action-plan` → `action-plan`; null for anything else (a header's or a document's `schema`). */
export function templateOfSchemaName(schema: unknown): TemplateId | null {
  const id = typeof schema === 'string' && schema.startsWith(SCHEMA_PREFIX) ? schema.slice(SCHEMA_PREFIX.length) : '';
  return (TEMPLATES as readonly string[]).includes(id) ? (id as TemplateId) : null;
}
