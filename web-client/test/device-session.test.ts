// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { createDeviceIdentity, fromBase64url } from '../src/device/identity';
import { DEVICE_SESSION_LABEL, deviceSessionMessage, fingerprint, signDeviceSession } from '../src/device/session';

const SID = 'b3c1f0e2-session-ü';

/** Java's Ed25519.labelled, written out independently: [len(label)] || ASCII label || message. */
function javaLabelled(label: string, message: Uint8Array): Uint8Array<ArrayBuffer> {
  const ascii = Array.from(label, (c) => c.charCodeAt(0));
  return new Uint8Array([ascii.length, ...ascii, ...message]);
}

describe('device-session signature', () => {
  it('signs one length byte, the ASCII label and the UTF-8 session id', () => {
    const bytes = deviceSessionMessage(SID);
    expect(DEVICE_SESSION_LABEL).toBe('liaison/v1/device-session');
    expect(bytes[0]).toBe(25);
    expect(new TextDecoder().decode(bytes.slice(1, 26))).toBe('liaison/v1/device-session');
    expect(bytes.slice(26)).toEqual(new TextEncoder().encode(SID));
    expect(bytes).toEqual(javaLabelled(DEVICE_SESSION_LABEL, new TextEncoder().encode(SID)));
  });

  it('is an Ed25519 signature by the device key that WebCrypto verifies over that layout', async () => {
    const identity = await createDeviceIdentity();
    const signature = await signDeviceSession(identity.signKey, SID);
    expect(signature).toMatch(/^[A-Za-z0-9_-]{86}$/); // 64 bytes, base64url without padding
    const key = await crypto.subtle.importKey('raw', new Uint8Array(identity.publicKey), 'Ed25519', false, ['verify']);
    const sig = new Uint8Array(fromBase64url(signature));
    const expected = javaLabelled('liaison/v1/device-session', new TextEncoder().encode(SID));
    expect(await crypto.subtle.verify('Ed25519', key, sig, expected)).toBe(true);
    // not over the bare session id, nor over another session
    expect(await crypto.subtle.verify('Ed25519', key, sig, new TextEncoder().encode(SID))).toBe(false);
    expect(await crypto.subtle.verify('Ed25519', key, sig, javaLabelled(DEVICE_SESSION_LABEL, new TextEncoder().encode('other')))).toBe(false);
  });

  it('fingerprints a key as the CLI does: first 16 bytes of SHA-256, hex in groups of 4', async () => {
    // SHA-256 of 32 zero bytes starts 66687aadf862bd776c8fc18b8e9f8e20
    expect(await fingerprint(new Uint8Array(32))).toBe('6668 7aad f862 bd77 6c8f c18b 8e9f 8e20');
  });
});
