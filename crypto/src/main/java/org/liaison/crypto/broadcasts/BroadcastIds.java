package org.liaison.crypto.broadcasts;

import java.util.HexFormat;

/** Broadcast ids: 16 random bytes, written as 32 lower-case hex characters like every other id. */
final class BroadcastIds {
  static final int LENGTH = 16;

  private BroadcastIds() {}

  static byte[] exactly(byte[] id, String what) {
    if (id.length != LENGTH) {
      throw new BroadcastException(
          BroadcastException.Reason.MALFORMED, what + " must be " + LENGTH + " bytes");
    }
    return id.clone();
  }

  static String hex(byte[] id) {
    return HexFormat.of().formatHex(id);
  }
}
