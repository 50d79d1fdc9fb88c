/**
 * What goes inside MLS, in the formats every client shares (docs/protocol.md):
 * - message plaintext: UTF-8 JSON `{"type":"text","body","sentAt"}` zero-padded to a multiple of
 *   256 bytes (at least 256), so sizes reveal less; JSON never ends in a zero byte;
 * - channel meta: AES-256-GCM under `MLS-Exporter("liaison/v1/channel-meta", "", 32)` of the
 *   epoch it names, `nonce[12] ‖ ciphertext ‖ tag[16]`, no associated data.
 */
export const PAD_BLOCK = 256;
/** Longest message body the UI accepts (characters); the server caps frames at 256 KiB. */
export const MAX_BODY = 20_000;
export const META_LABEL = 'liaison/v1/channel-meta';

export interface TextPayload {
  type: 'text';
  body: string;
  sentAt: string;
}

export class PayloadError extends Error {}

export function encodeText(body: string, sentAt: Date = new Date()): Uint8Array {
  if (body.length === 0 || body.length > MAX_BODY) throw new PayloadError('message length out of range');
  const json = new TextEncoder().encode(JSON.stringify({ type: 'text', body, sentAt: sentAt.toISOString() }));
  const padded = new Uint8Array(Math.max(PAD_BLOCK, Math.ceil(json.length / PAD_BLOCK) * PAD_BLOCK));
  padded.set(json);
  return padded;
}

export function decodeText(plaintext: Uint8Array): TextPayload {
  let end = plaintext.length;
  while (end > 0 && plaintext[end - 1] === 0) end--;
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(plaintext.subarray(0, end)));
  } catch {
    throw new PayloadError('not a message payload');
  }
  const v = value as Partial<TextPayload>;
  if (typeof v !== 'object' || v === null || v.type !== 'text' || typeof v.body !== 'string') {
    throw new PayloadError('unsupported message type');
  }
  return { type: 'text', body: v.body, sentAt: typeof v.sentAt === 'string' ? v.sentAt : '' };
}

export interface ChannelMeta {
  name: string;
  description: string;
}

async function aesKey(raw: Uint8Array): Promise<CryptoKey> {
  return crypto.subtle.importKey('raw', new Uint8Array(raw), 'AES-GCM', false, ['encrypt', 'decrypt']);
}

export async function encryptMeta(key: Uint8Array, meta: ChannelMeta): Promise<Uint8Array> {
  const nonce = crypto.getRandomValues(new Uint8Array(12));
  const plain = new TextEncoder().encode(JSON.stringify({ name: meta.name, description: meta.description }));
  const sealed = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv: nonce }, await aesKey(key), plain));
  const out = new Uint8Array(12 + sealed.length);
  out.set(nonce);
  out.set(sealed, 12);
  return out;
}

export async function decryptMeta(key: Uint8Array, ciphertext: Uint8Array): Promise<ChannelMeta> {
  if (ciphertext.length < 12 + 16) throw new PayloadError('meta too short');
  let plain: ArrayBuffer;
  try {
    plain = await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: ciphertext.slice(0, 12) },
      await aesKey(key),
      ciphertext.slice(12),
    );
  } catch {
    throw new PayloadError('meta does not decrypt under this epoch');
  }
  const v = JSON.parse(new TextDecoder().decode(plain)) as Partial<ChannelMeta>;
  return { name: String(v.name ?? ''), description: String(v.description ?? '') };
}
