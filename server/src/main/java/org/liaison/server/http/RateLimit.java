package org.liaison.server.http;

import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;
import org.liaison.server.api.ApiError;
import org.liaison.server.api.TokenBucket;

/**
 * Token buckets by key (a device, a user): {@code burst} at once, refilled at {@code perSecond}.
 * Counts live in this node's memory only: behind a load balancer each node allows the full rate, so
 * a client spread over n nodes gets up to n times as much.
 */
public final class RateLimit {
  /**
   * Above this many keys, buckets that have refilled completely are dropped (they hold nothing).
   */
  private static final int SWEEP_ABOVE = 10_000;

  private final String what;
  private final double perSecond;
  private final double burst;
  private final LongSupplier nanoTime;
  private final Map<String, TokenBucket> buckets = new HashMap<>();
  private int sweepAt = SWEEP_ABOVE;

  /**
   * @param what how the refusal names what was limited, e.g. "messages and commits"
   */
  public RateLimit(String what, double perSecond, int burst) {
    this(what, perSecond, burst, System::nanoTime);
  }

  RateLimit(String what, double perSecond, int burst, LongSupplier nanoTime) {
    this.what = what;
    this.perSecond = perSecond;
    this.burst = burst;
    this.nanoTime = nanoTime;
  }

  /** Takes one token of {@code key}'s bucket, or refuses with {@code 429 rate-limited}. */
  public void take(String key) {
    take(key, 1);
  }

  /**
   * Takes {@code tokens} of {@code key}'s bucket at once (at most the burst), or none and refuses
   * with {@code 429 rate-limited} saying when there will be enough.
   */
  public void take(String key, int tokens) {
    long wait = tryTake(key, tokens);
    if (wait > 0) {
      throw new ApiError(
          429,
          "rate-limited",
          "Too many " + what + "; try again in " + wait + " seconds",
          new JsonObject().put("retryAfterSeconds", wait));
    }
  }

  /** 0 if the tokens were taken, else the whole seconds until that many will be there. */
  synchronized long tryTake(String key, int tokens) {
    if (tokens < 1 || tokens > burst) {
      throw new IllegalArgumentException("tokens must be 1.." + (long) burst);
    }
    long now = nanoTime.getAsLong();
    TokenBucket bucket = buckets.get(key);
    if (bucket == null) {
      sweepIfLarge(now);
      bucket = new TokenBucket(perSecond, burst, now);
      buckets.put(key, bucket);
    }
    return bucket.take(tokens, now);
  }

  private void sweepIfLarge(long now) {
    if (buckets.size() < sweepAt) {
      return;
    }
    buckets.values().removeIf(b -> b.full(now));
    // Sweep again only after as many new keys again, so a node with many busy keys does not
    // sweep on every new one.
    sweepAt = Math.max(SWEEP_ABOVE, buckets.size() * 2);
  }
}
