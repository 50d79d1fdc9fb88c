package org.liaison.crypto.mls;

import java.util.Optional;
import org.liaison.crypto.attestation.AttestationChain;
import org.liaison.crypto.codec.CanonicalReader;
import org.liaison.crypto.codec.CanonicalWriter;
import org.liaison.crypto.codec.DecodeException;

/**
 * What a leaf says about its owner, carried as the identity bytes of an MLS {@code basic}
 * credential (both bcmls and ts-mls handle those; custom credential types do not parse in bcmls):
 * the user, the device, and the attestation chain vouching for the device's signature key. Every
 * member checks the chain against the network root for every joiner.
 *
 * <pre>
 * struct { uint16 version = 1; opaque user_id&lt;0..64&gt;; opaque device_id&lt;0..64&gt;;
 *          opaque attestation_chain&lt;0..4096&gt;; }   // empty chain: not attested
 * </pre>
 */
public record MemberCredential(String userId, String deviceId, Optional<AttestationChain> chain) {
  private static final int VERSION = 1;
  private static final int MAX_CHAIN = 4096;

  public byte[] encode() {
    return new CanonicalWriter()
        .u16(VERSION)
        .text8(userId)
        .text8(deviceId)
        .opaque16(chain.map(AttestationChain::encode).orElse(new byte[0]))
        .toByteArray();
  }

  public static MemberCredential decode(byte[] identity) {
    CanonicalReader in = new CanonicalReader(identity);
    if (in.u16("version") != VERSION) {
      throw new DecodeException("unsupported credential version");
    }
    String userId = in.text8("user id", 64);
    String deviceId = in.text8("device id", 64);
    byte[] chain = in.opaque16("attestation chain", MAX_CHAIN);
    in.end();
    return new MemberCredential(
        userId,
        deviceId,
        chain.length == 0 ? Optional.empty() : Optional.of(AttestationChain.decode(chain)));
  }
}
