package org.liaison.server.auth;

import java.time.Clock;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Limits password guessing: failed logins per account and login attempts per client address, each
 * in a fixed window. Counts live in this node's memory (a cluster divides the attacker's budget by
 * nothing; see docs/architecture.md).
 */
public final class LoginThrottle {
  private static final int MAX_TRACKED = 100_000;

  private final Clock clock;
  private final long windowMillis;
  private final int maxAccountFailures;
  private final int maxIpAttempts;
  private final Map<String, Window> accountFailures = new ConcurrentHashMap<>();
  private final Map<String, Window> ipAttempts = new ConcurrentHashMap<>();

  private record Window(long start, int count) {}

  public LoginThrottle(Clock clock, int windowSeconds, int maxAccountFailures, int maxIpAttempts) {
    this.clock = clock;
    this.windowMillis = windowSeconds * 1000L;
    this.maxAccountFailures = maxAccountFailures;
    this.maxIpAttempts = maxIpAttempts;
  }

  /**
   * Counts an attempt from {@code ip} for {@code account}; returns the seconds to wait if either
   * limit is already reached, otherwise empty.
   */
  public OptionalLong admit(String account, String ip) {
    long now = clock.millis();
    Window ipWindow = ipAttempts.compute(ip, (k, w) -> bump(w, now));
    if (ipWindow.count() > maxIpAttempts) {
      return OptionalLong.of(secondsLeft(ipWindow, now));
    }
    Window failures = accountFailures.get(account);
    if (failures != null
        && now - failures.start() < windowMillis
        && failures.count() >= maxAccountFailures) {
      return OptionalLong.of(secondsLeft(failures, now));
    }
    return OptionalLong.empty();
  }

  public void failed(String account) {
    long now = clock.millis();
    accountFailures.compute(account, (k, w) -> bump(w, now));
    prune(now);
  }

  public void succeeded(String account) {
    accountFailures.remove(account);
  }

  private Window bump(Window current, long now) {
    if (current == null || now - current.start() >= windowMillis) {
      return new Window(now, 1);
    }
    return new Window(current.start(), current.count() + 1);
  }

  private long secondsLeft(Window window, long now) {
    return Math.max(1, (window.start() + windowMillis - now + 999) / 1000);
  }

  /** Keeps memory bounded under a spray of addresses or accounts. */
  private void prune(long now) {
    if (accountFailures.size() + ipAttempts.size() > MAX_TRACKED) {
      accountFailures.values().removeIf(w -> now - w.start() >= windowMillis);
      ipAttempts.values().removeIf(w -> now - w.start() >= windowMillis);
    }
  }
}
