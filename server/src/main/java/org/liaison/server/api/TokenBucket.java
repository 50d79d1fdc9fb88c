package org.liaison.server.api;

/**
 * One token bucket: {@code burst} tokens at most, refilled at {@code perSecond}, on a nanosecond
 * clock the caller passes in. The one rate rule behind the realtime frame limit and the HTTP
 * limits; not thread-safe (each owner confines or synchronises its buckets).
 */
public final class TokenBucket {
  private final double perNano;
  private final double burst;
  private double tokens;
  private long last;

  public TokenBucket(double perSecond, double burst, long now) {
    this.perNano = perSecond / 1e9;
    this.burst = burst;
    this.tokens = burst;
    this.last = now;
  }

  /**
   * Takes {@code count} tokens if there are that many as of {@code now}: 0, else none are taken and
   * the answer is the whole seconds (at least 1) until there will be.
   */
  public long take(int count, long now) {
    refill(now);
    if (tokens >= count) {
      tokens -= count;
      return 0;
    }
    return Math.max(1, (long) Math.ceil((count - tokens) / perNano / 1e9));
  }

  /** Whether the bucket is full again as of {@code now} (it then holds nothing worth keeping). */
  public boolean full(long now) {
    refill(now);
    return tokens >= burst;
  }

  private void refill(long now) {
    tokens = Math.min(burst, tokens + (now - last) * perNano);
    last = now;
  }
}
