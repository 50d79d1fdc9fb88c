package org.liaison.server.realtime;

/** A token bucket per connection: {@code perSecond} frames on average, {@code burst} at once. */
final class FrameRate {
  private final double perNano;
  private final double burst;
  private double tokens;
  private long last;

  FrameRate(int perSecond, int burst, long now) {
    this.perNano = perSecond / 1e9;
    this.burst = burst;
    this.tokens = burst;
    this.last = now;
  }

  boolean allow(long now) {
    tokens = Math.min(burst, tokens + (now - last) * perNano);
    last = now;
    if (tokens >= 1) {
      tokens -= 1;
      return true;
    }
    return false;
  }
}
