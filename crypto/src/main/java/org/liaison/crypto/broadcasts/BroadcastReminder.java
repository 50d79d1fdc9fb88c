package org.liaison.crypto.broadcasts;

import org.liaison.crypto.Ed25519;
import org.liaison.crypto.Labels;
import org.liaison.crypto.codec.CanonicalWriter;
import org.liaison.crypto.mls.DeviceIdentity;

/** The author's n-th reminder of a broadcast, signed so the server cannot nag in their name. */
public record BroadcastReminder(byte[] broadcastId, int n, long atMillis) {
  static final int VERSION = 1;

  public BroadcastReminder {
    broadcastId = BroadcastIds.exactly(broadcastId, "broadcast id");
    if (n < 1 || n > 0xFFFF) {
      throw new BroadcastException(BroadcastException.Reason.MALFORMED, "reminder n is 1..65535");
    }
  }

  public byte[] encode() {
    return new CanonicalWriter()
        .u16(VERSION)
        .opaque8(broadcastId)
        .u16(n)
        .u64(atMillis)
        .toByteArray();
  }

  public byte[] sign(Ed25519.KeyPair deviceKey) {
    return deviceKey.sign(Labels.BROADCAST_REMINDER, encode());
  }

  public byte[] sign(DeviceIdentity device) {
    return device.sign(Labels.BROADCAST_REMINDER, encode());
  }

  public boolean verify(byte[] deviceSignatureKey, byte[] signature) {
    return Ed25519.verify(deviceSignatureKey, Labels.BROADCAST_REMINDER, encode(), signature);
  }
}
