package org.liaison.server.auth;

import java.time.Clock;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Limits password guessing: failed logins per account and per client address, each in a fixed
 * window. Only failures count, so an office behind one address can all sign in on a Monday morning
 * while a password spray from that address is still stopped. Counts live in this node's memory (see
 * docs/architecture.md for what that means in a cluster).
 */
public final class LoginThrottle {
  private static final int MAX_TRACKED = 100_000;

  private final Clock clock;
  private final long windowMillis;
  private final int maxAccountFailures;
  private final int maxIpFailures;
  private final Map<String, Window> accountFailures = new ConcurrentHashMap<>();
  private final Map<String, Window> ipFailures = new ConcurrentHashMap<>();

  private record Window(long start, int count) {}

  public LoginThrottle(Clock clock, int windowSeconds, int maxAccountFailures, int maxIpFailures) {
    this.clock = clock;
    this.windowMillis = windowSeconds * 1000L;
    this.maxAccountFailures = maxAccountFailures;
    this.maxIpFailures = maxIpFailures;
  }

  /** Returns the seconds to wait if the account or the address used up its failures, else empty. */
  public OptionalLong admit(String account, String ip) {
    long now = clock.millis();
    OptionalLong byAddress = exhausted(ipFailures.get(ip), maxIpFailures, now);
    return byAddress.isPresent()
        ? byAddress
        : exhausted(accountFailures.get(account), maxAccountFailures, now);
  }

  public void failed(String account, String ip) {
    long now = clock.millis();
    accountFailures.compute(account, (k, w) -> bump(w, now));
    ipFailures.compute(ip, (k, w) -> bump(w, now));
    prune(now);
  }

  private OptionalLong exhausted(Window window, int max, long now) {
    if (window != null && now - window.start() < windowMillis && window.count() >= max) {
      return OptionalLong.of(secondsLeft(window, now));
    }
    return OptionalLong.empty();
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
    if (accountFailures.size() + ipFailures.size() > MAX_TRACKED) {
      accountFailures.values().removeIf(w -> now - w.start() >= windowMillis);
      ipFailures.values().removeIf(w -> now - w.start() >= windowMillis);
    }
  }
}
