package org.liaison.server.auth;

import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.liaison.server.api.ApiError;

/**
 * Limits guessing of passwords and invitation codes. It slows the guesser's address rather than
 * locking the account, so an attacker cannot lock a member out:
 *
 * <ul>
 *   <li>per (address, account): {@code failuresPerAccount} failed logins;
 *   <li>per address: {@code failuresPerAddress} failed logins and registrations with a code that
 *       cannot be redeemed, together (a password spray, or code guessing);
 *   <li>per account over all addresses: {@value #ACCOUNT_CEILING_FACTOR} times {@code
 *       failuresPerAccount} (credential stuffing from many addresses).
 * </ul>
 *
 * Each limit is a bucket of that many attempts that refills evenly over the window: once empty, the
 * guesser gets one more attempt every window/limit, so the owner of an account under attack from
 * everywhere waits seconds, not the whole window. An attempt is taken from every bucket it touches
 * before the password or code is checked, in one step, so concurrent guesses cannot all pass the
 * check; it is given back if the attempt turns out not to be a guess (a right password, a code that
 * worked, or a server error). Only failures count, so an office behind one address can all sign in
 * on a Monday morning. Counts live in this node's memory (see docs/architecture.md for what that
 * means in a cluster).
 */
public final class LoginThrottle {
  /** How far above the per-(address, account) limit the account-wide ceiling is. */
  static final int ACCOUNT_CEILING_FACTOR = 10;

  private static final int MAX_TRACKED = 100_000;

  private final Clock clock;
  private final long windowMillis;
  private final int maxAddressAccountFailures;
  private final int maxAddressFailures;
  private final int maxAccountFailures;
  // Guarded by this: an attempt is taken from up to three buckets in one step.
  private final Map<String, Bucket> buckets = new HashMap<>();

  /** Attempts left in one bucket as of {@code at} (epoch millis); it refills as time passes. */
  private record Bucket(double left, long at) {}

  /** The buckets one attempt was taken from, to give it back if it was not a guess. */
  public record Attempt(List<String> keys) {}

  public LoginThrottle(Clock clock, int windowSeconds, int maxAccountFailures, int maxIpFailures) {
    this.clock = clock;
    this.windowMillis = windowSeconds * 1000L;
    this.maxAddressAccountFailures = maxAccountFailures;
    this.maxAddressFailures = maxIpFailures;
    this.maxAccountFailures = maxAccountFailures * ACCOUNT_CEILING_FACTOR;
  }

  /**
   * Takes one login attempt for {@code account} from {@code address}, or throws {@code 429
   * too-many-requests} with the seconds until one is possible.
   */
  public Attempt reserveLogin(String account, String address) {
    return reserve(
        List.of("address:" + address, "pair:" + address + "\n" + account, "account:" + account));
  }

  /** Takes one registration attempt from {@code address}: it draws on the address's budget. */
  public Attempt reserveRegistration(String address) {
    return reserve(List.of("address:" + address));
  }

  /** The attempt was not a guess (or it was right): it does not count. */
  public synchronized void refund(Attempt attempt) {
    long now = clock.millis();
    for (String key : attempt.keys()) {
      Bucket bucket = buckets.get(key);
      if (bucket != null) {
        int max = limit(key);
        buckets.put(key, new Bucket(Math.min(max, level(bucket, max, now) + 1), now));
      }
    }
  }

  /**
   * The password was right: the attempt does not count, and this address's earlier failures for the
   * account are forgotten (its owner has shown they are the owner).
   */
  public synchronized void succeeded(Attempt attempt) {
    refund(attempt);
    attempt.keys().stream().filter(k -> k.startsWith("pair:")).forEach(buckets::remove);
  }

  private synchronized Attempt reserve(List<String> keys) {
    long now = clock.millis();
    prune(now);
    long wait = 0;
    for (String key : keys) {
      int max = limit(key);
      double left = level(buckets.get(key), max, now);
      if (left < 1) {
        wait = Math.max(wait, secondsUntilOne(left, max));
      }
    }
    if (wait > 0) {
      throw ApiError.tooManyRequests(wait);
    }
    for (String key : keys) {
      int max = limit(key);
      buckets.put(key, new Bucket(level(buckets.get(key), max, now) - 1, now));
    }
    return new Attempt(keys);
  }

  private int limit(String key) {
    if (key.startsWith("address:")) {
      return maxAddressFailures;
    }
    return key.startsWith("pair:") ? maxAddressAccountFailures : maxAccountFailures;
  }

  /** The attempts left in a bucket now, after refilling at {@code max} per window. */
  private double level(Bucket bucket, int max, long now) {
    if (bucket == null) {
      return max;
    }
    double refilled = (double) (now - bucket.at()) * max / windowMillis;
    return Math.min(max, bucket.left() + refilled);
  }

  private long secondsUntilOne(double left, int max) {
    double millis = (1 - left) * windowMillis / max;
    return Math.max(1, (long) Math.ceil(millis / 1000));
  }

  /** Keeps memory bounded under a spray of addresses or accounts: full buckets say nothing. */
  private void prune(long now) {
    if (buckets.size() > MAX_TRACKED) {
      buckets.values().removeIf(b -> now - b.at() >= windowMillis);
    }
  }
}
