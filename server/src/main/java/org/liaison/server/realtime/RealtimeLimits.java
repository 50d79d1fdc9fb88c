package org.liaison.server.realtime;

import org.liaison.server.config.LiaisonConfig;

/** The realtime settings a connection enforces. */
record RealtimeLimits(
    int maxFrameBytes,
    int framesPerSecond,
    int frameBurst,
    long slowConsumerMillis,
    long authTimeoutMillis,
    int socketsPerDevice,
    int socketsPerUser) {
  static RealtimeLimits of(LiaisonConfig config) {
    return new RealtimeLimits(
        config.realtimeMaxFrameBytes(),
        config.realtimeFramesPerSecond(),
        config.realtimeFrameBurst(),
        config.realtimeSlowConsumerSeconds() * 1000L,
        10_000,
        config.realtimeSocketsPerDevice(),
        config.realtimeSocketsPerUser());
  }

  /**
   * The transport's own limit, above ours: Netty drops a connection over it without a close frame,
   * so the socket lets a little more through and the connection closes over-long frames itself with
   * 1009, which clients can show.
   */
  static int transportLimit(LiaisonConfig config) {
    return Math.min(4 * config.realtimeMaxFrameBytes(), 4 << 20);
  }

  boolean tooLong(String text) {
    // UTF-8 takes at least one byte per char and at most three: count bytes only when it matters.
    return text.length() > maxFrameBytes
        || (text.length() * 3L > maxFrameBytes
            && text.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > maxFrameBytes);
  }
}
