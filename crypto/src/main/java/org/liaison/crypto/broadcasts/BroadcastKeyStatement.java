package org.liaison.crypto.broadcasts;

import org.liaison.crypto.Ed25519;
import org.liaison.crypto.Labels;
import org.liaison.crypto.codec.CanonicalReader;
import org.liaison.crypto.codec.CanonicalWriter;
import org.liaison.crypto.codec.DecodeException;
import org.liaison.crypto.mls.DeviceIdentity;

/**
 * A device's X25519 broadcast key, signed by the device's attested signature key: authors wrap
 * content keys only to keys signed this way, so the server cannot substitute its own.
 */
public record BroadcastKeyStatement(
    String deviceId, String userId, byte[] publicKey, long validFromMillis) {
  static final int VERSION = 1;
  private static final int MAX_ID = 64;

  public BroadcastKeyStatement {
    if (publicKey.length != BroadcastWrap.KEY_LENGTH) {
      throw new BroadcastException(
          BroadcastException.Reason.MALFORMED, "a broadcast key is an X25519 public key");
    }
    publicKey = publicKey.clone();
  }

  public byte[] encode() {
    return new CanonicalWriter()
        .u16(VERSION)
        .text8(deviceId)
        .text8(userId)
        .opaque8(publicKey)
        .u64(validFromMillis)
        .toByteArray();
  }

  public static BroadcastKeyStatement decode(byte[] bytes) {
    try {
      CanonicalReader in = new CanonicalReader(bytes);
      if (in.u16("version") != VERSION) {
        throw new DecodeException("unknown broadcast key version");
      }
      BroadcastKeyStatement statement =
          new BroadcastKeyStatement(
              in.text8("device", MAX_ID),
              in.text8("user", MAX_ID),
              in.opaque8("public key", BroadcastWrap.KEY_LENGTH),
              in.u64("valid from"));
      in.end();
      return statement;
    } catch (DecodeException | IllegalArgumentException e) {
      throw new BroadcastException(
          BroadcastException.Reason.MALFORMED, "malformed broadcast key: " + e.getMessage());
    }
  }

  public byte[] sign(Ed25519.KeyPair deviceKey) {
    return deviceKey.sign(Labels.BROADCAST_KEY, encode());
  }

  public byte[] sign(DeviceIdentity device) {
    return device.sign(Labels.BROADCAST_KEY, encode());
  }

  public boolean verify(byte[] deviceSignatureKey, byte[] signature) {
    return Ed25519.verify(deviceSignatureKey, Labels.BROADCAST_KEY, encode(), signature);
  }
}
