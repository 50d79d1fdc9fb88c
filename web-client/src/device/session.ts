/**
 * Proof that a new session (a new login) belongs to an existing device, for
 * `POST /api/v1/devices/{id}/session`: Ed25519 by the device key over
 * `[len(label)] || label || UTF-8(sid)`, exactly Java's `Ed25519.labelled` (one length byte, the
 * ASCII label, then the message), so the label cannot be confused with message bytes.
 */
import { base64url, ciphersuite, hex } from './identity';

export const DEVICE_SESSION_LABEL = 'liaison/v1/device-session';

/** The bytes that are signed: one length byte, the ASCII label, the UTF-8 session id. */
export function deviceSessionMessage(sessionId: string): Uint8Array {
  const label = new TextEncoder().encode(DEVICE_SESSION_LABEL); // ASCII ⊂ UTF-8
  const sid = new TextEncoder().encode(sessionId);
  const out = new Uint8Array(1 + label.length + sid.length);
  out[0] = label.length;
  out.set(label, 1);
  out.set(sid, 1 + label.length);
  return out;
}

/** The `signature` field: base64url (no padding) of the device key's signature over the session id. */
export async function signDeviceSession(signKey: Uint8Array, sessionId: string): Promise<string> {
  // The same signer ts-mls uses for suite 0x0001, so the key format is the one identity.ts stores.
  const cs = await ciphersuite();
  return base64url(await cs.signature.sign(signKey, deviceSessionMessage(sessionId)));
}

/** The key fingerprint people compare: the first 16 bytes of SHA-256, hex in groups of 4 (as the CLI). */
export async function fingerprint(publicKey: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new Uint8Array(publicKey)));
  return hex(digest.slice(0, 16)).replace(/(.{4})(?!$)/g, '$1 ');
}
