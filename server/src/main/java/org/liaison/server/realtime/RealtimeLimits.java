package org.liaison.server.realtime;

import org.liaison.server.config.LiaisonConfig;

/** The realtime settings a connection enforces. */
record RealtimeLimits(
    int framesPerSecond, int frameBurst, long slowConsumerMillis, long authTimeoutMillis) {
  static RealtimeLimits of(LiaisonConfig config) {
    return new RealtimeLimits(
        config.realtimeFramesPerSecond(),
        config.realtimeFrameBurst(),
        config.realtimeSlowConsumerSeconds() * 1000L,
        10_000);
  }
}
