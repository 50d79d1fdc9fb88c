package org.liaison.crypto.broadcasts;

import org.liaison.crypto.Ed25519;
import org.liaison.crypto.Labels;
import org.liaison.crypto.codec.CanonicalWriter;
import org.liaison.crypto.mls.DeviceIdentity;

/**
 * "Read and understood", signed by the acknowledging device over the content hash it read, so the
 * author's client counts only acknowledgements the recipients really made.
 */
public record BroadcastAck(
    byte[] broadcastId, byte[] contentHash, String userId, String deviceId, long ackedAtMillis) {
  static final int VERSION = 1;

  public BroadcastAck {
    broadcastId = BroadcastIds.exactly(broadcastId, "broadcast id");
    if (contentHash.length != 32) {
      throw new BroadcastException(BroadcastException.Reason.MALFORMED, "content hash is SHA-256");
    }
    contentHash = contentHash.clone();
  }

  public byte[] encode() {
    return new CanonicalWriter()
        .u16(VERSION)
        .opaque8(broadcastId)
        .opaque8(contentHash)
        .text8(userId)
        .text8(deviceId)
        .u64(ackedAtMillis)
        .toByteArray();
  }

  public byte[] sign(Ed25519.KeyPair deviceKey) {
    return deviceKey.sign(Labels.BROADCAST_ACK, encode());
  }

  public byte[] sign(DeviceIdentity device) {
    return device.sign(Labels.BROADCAST_ACK, encode());
  }

  public boolean verify(byte[] deviceSignatureKey, byte[] signature) {
    return Ed25519.verify(deviceSignatureKey, Labels.BROADCAST_ACK, encode(), signature);
  }
}
